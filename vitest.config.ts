import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests bind loopback ports and spawn child servers; keep parallelism modest on 2 cores.
    maxWorkers: 2,
    // One private MariaDB server for the run (hotel database tests); skipped with a notice when not installed.
    globalSetup: ['test/support/mariadb-global-setup.ts'],
  },
});
