// Builds a Config the way production does (through loadConfig), with test-friendly defaults.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';

export const TEST_PASSKEY = 'TEST_PASSKEY_CHANGE_ME';

export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'watibot3-test-')), 'watibot3.db');
}

export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    CONVERSATION_DB_PATH: tempDbPath(),
    WEBHOOK_PASSKEY: TEST_PASSKEY,
    OPENAI_API_KEY: 'sk-test',
    BUFFER_QUIET_SECONDS: '0.2',
    BUFFER_MEDIA_QUIET_SECONDS: '0.3',
    BUFFER_MAX_WAIT_SECONDS: '2',
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig(testEnv(overrides));
}
