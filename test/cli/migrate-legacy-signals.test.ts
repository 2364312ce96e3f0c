// Ctrl-C during `npm run migrate-legacy`: the real CLI in a child process, interrupted by SIGINT without
// --fetch-openai (where the import never waits on I/O), directly and through `npm run` (which relays the signal
// to its child, so one Ctrl-C arrives twice), stops after the current conversation with exit code 75; and on a
// terminal the progress bar is stopped before the "stopping" line, so the bar does not draw over it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runMigrateLegacyCli } from '../../src/cli/migrate-legacy.js';
import type { ImportReport } from '../../src/legacy/importer.js';
import { tempDbPath, testEnv } from '../support/test-config.js';
import { ROOT_SCHEMA, buildLegacyFiles, sqliteTime } from '../legacy/legacy-fixtures.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONVERSATIONS = 3_000;

/** A root thread_store.db with many WhatsApp conversations of one message each (long enough to interrupt). */
function manyConversations(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'legacy-sigint-')), 'thread_store.db');
  const db = new Database(path);
  db.exec(ROOT_SCHEMA);
  const ins = db.prepare('INSERT INTO webhook_messages (wa_id, role, content, timestamp) VALUES (?, ?, ?, ?)');
  const at = sqliteTime(Date.now() - 86_400_000);
  db.transaction(() => {
    for (let i = 0; i < CONVERSATIONS; i++) ins.run(String(50380000000 + i), 'user', `hola ${i}`, at);
  })();
  db.close();
  return path;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns `command`, sends SIGINT (to its whole process group when `group`) once the first progress line is out. */
function interrupt(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; group: boolean }): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: options.group, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit: ${stderr}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && /\[1\/\d+\]/.test(stderr)) {
        sent = true;
        // A terminal's Ctrl-C: the foreground process group (npm and its child alike).
        if (options.group && child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
        else child.kill('SIGINT');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function expectStoppedEarly(outcome: Outcome): void {
  expect(outcome.signal, outcome.stderr).toBeNull();
  expect(outcome.code, outcome.stderr).toBe(75);
  expect(outcome.stderr).toContain('stopping after the current conversation');
  expect(outcome.stderr).toMatch(/interrupted after \d+ of 3000 conversations: run again to continue/);
  const report = JSON.parse(outcome.stdout) as ImportReport;
  expect(report.interrupted).toBe(true);
  expect(report.totals.notProcessed).toBeGreaterThan(0);
  expect(report.totals.imported).toBe(CONVERSATIONS - report.totals.notProcessed);
}

describe('migrate-legacy and Ctrl-C', () => {
  const env = (dbPath: string): NodeJS.ProcessEnv => ({ ...process.env, ...testEnv({ CONVERSATION_DB_PATH: dbPath }) });

  it('stops after the current conversation without --fetch-openai (exit 75)', async () => {
    const buffer = manyConversations();
    const outcome = await interrupt(process.execPath, ['--import', 'tsx', 'src/cli/migrate-legacy.ts', '--buffer', buffer, '--batch', '1'], {
      cwd: ROOT,
      env: env(tempDbPath()),
      group: false,
    });
    expectStoppedEarly(outcome);
  }, 90_000);

  it('exits 75 through `npm run` too, where one Ctrl-C reaches the CLI twice', async () => {
    // The repository's script execs node (no shell left between npm and the CLI to die of the SIGINT first).
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['migrate-legacy']).toMatch(/&& exec node dist\/cli\/migrate-legacy\.js$/);
    // The same script shape, on the sources (no build in a test).
    const dir = mkdtempSync(join(tmpdir(), 'legacy-npm-'));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'sigint-check', private: true, scripts: { 'migrate-legacy': `cd ${JSON.stringify(ROOT)} && exec node --import tsx src/cli/migrate-legacy.ts` } }),
    );
    const buffer = manyConversations();
    const outcome = await interrupt('npm', ['run', '--silent', 'migrate-legacy', '--', '--buffer', buffer, '--batch', '1'], {
      cwd: dir,
      env: env(tempDbPath()),
      group: true,
    });
    expectStoppedEarly(outcome);
  }, 90_000);

  it('on a terminal the bar stops before the stopping line and does not draw over it', async () => {
    const files = buildLegacyFiles();
    let screen = '';
    const terminal = Object.assign(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          screen += chunk.toString();
          done();
        },
      }),
      { isTTY: true, columns: 120 },
    );
    let ctrlC: (() => void) | undefined;
    const code = await runMigrateLegacyCli(['--threads', files.threads, '--buffer', files.buffer, '--log', files.log, '--batch', '1'], {
      env: testEnv({ CONVERSATION_DB_PATH: tempDbPath() }),
      now: Date.now,
      stdout: () => undefined,
      stderr: (t) => (screen += t),
      isTTY: true,
      progressStream: terminal,
      onInterrupt: (listener) => {
        ctrlC = listener;
        return () => (ctrlC = undefined);
      },
      // Ctrl-C while the second conversation is imported.
      shouldStop: (n) => {
        if (n === 2) ctrlC?.();
        return false;
      },
    });
    expect(code).toBe(75);
    const at = screen.indexOf('stopping after the current conversation');
    expect(screen.slice(0, at)).toContain('migrate-legacy [');
    expect(screen.slice(at)).not.toContain('migrate-legacy [');
    expect(screen.slice(at).split('\n')[0]).toBe('stopping after the current conversation (Ctrl-C again to abort)');
  });
});
