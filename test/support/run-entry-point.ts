// Runs one of the real entry points (src/server.ts, src/cli/*.ts) through tsx in a child process to its exit,
// for tests of exit codes and of what a person reads on stderr. A child that does not exit in time (a hang) is
// killed and reported as such, so a regression fails the test instead of hanging the suite.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// By file URL: `--import tsx` would be resolved from the child's folder, which has no node_modules.
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface EntryPointOutcome {
  /** The exit code; null when it was killed for not exiting in time. */
  code: number | null;
  hung: boolean;
  stdout: string;
  stderr: string;
}

/**
 * `node --import tsx <script> ...args` with only the given variables (plus PATH), run in an empty folder so no
 * `.env` is read. Loading the sources takes seconds on two busy cores: the bound is generous.
 */
export function runEntryPoint(script: string, args: string[], env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<EntryPointOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, join(ROOT, script), ...args], {
      cwd: mkdtempSync(join(tmpdir(), 'watibot3-entry-')),
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: hung ? null : code, hung, stdout, stderr });
    });
  });
}
