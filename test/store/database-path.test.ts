// Where the database may live (issue 22 §5): openDatabase creates missing folders one level at a time and refuses,
// with a reason, a path that cannot hold it — never writing into it; the read-only tools (report, export) and the
// chat console say the same and name the setting, with their exit codes, instead of a stack trace.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConsoleDatabase } from '../../src/cli/chat-console.js';
import { runExportPendingCli } from '../../src/cli/export-pending.js';
import { runReportCli } from '../../src/cli/report.js';
import { PathError } from '../../src/core/file-paths.js';
import { openDatabase, schemaVersion } from '../../src/store/database.js';
import { runEntryPoint } from '../support/run-entry-point.js';
import { testEnv } from '../support/test-config.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'watibot3-dbpath-'));
}

function textFile(): string {
  const path = join(dir(), 'passwd');
  writeFileSync(path, 'root:x:0:0:root:/root:/bin/bash\n');
  return path;
}

function pathError(path: string): string {
  try {
    openDatabase(path).close();
  } catch (err) {
    expect(err).toBeInstanceOf(PathError);
    return (err as Error).message;
  }
  return 'opened';
}

describe('openDatabase', () => {
  it('creates missing folders, and takes an empty file as a new database', () => {
    const nested = join(dir(), 'a', 'b', 'c', 'watibot3.db');
    const db = openDatabase(nested);
    expect(schemaVersion(db)).toBe(0);
    db.close();
    const empty = join(dir(), 'empty.db');
    writeFileSync(empty, '');
    openDatabase(empty).close();
  });

  it('refuses a folder, a device, a file that is not SQLite (left byte-identical), a file where a folder should be, /proc', () => {
    const folder = dir();
    expect(pathError(folder)).toMatch(/is a folder: give the path of the database file in it/);
    expect(pathError('/dev/null')).toBe('/dev/null: is a character device, not a file: give the path of the database file');
    const text = textFile();
    const before = readFileSync(text);
    expect(pathError(text)).toMatch(/passwd: is not a SQLite database \(it does not start with the SQLite header\); it was left untouched/);
    expect(readFileSync(text).equals(before)).toBe(true);
    expect(pathError(join(text, 'sub', 'w.db'))).toMatch(/sub\/w\.db: .*passwd is a file, not a folder/);
  });
});

describe('the tools that open the database name the setting and why', () => {
  const io = (err: string[]) => ({ env: testEnv(), now: Date.now, stdout: () => undefined, stderr: (t: string) => void err.push(t) });

  it('report and export-pending: exit 66 with the reason, no stack trace', () => {
    const err: string[] = [];
    expect(runReportCli(['--db', '/dev/null'], io(err))).toBe(66);
    expect(runReportCli(['--db', textFile()], io(err))).toBe(66);
    expect(runExportPendingCli(['--db', dir()], io(err))).toBe(66);
    expect(err).toEqual([
      '--db: cannot open /dev/null read-only: is a character device, not a file: give the path of the database file\n',
      expect.stringMatching(/^--db: cannot open .*passwd read-only: is not a SQLite database/),
      expect.stringMatching(/^--db: cannot open .* read-only: is a folder/),
    ]);
  });

  it('the chat console: a setup error naming CONVERSATION_DB_PATH (or --db); through the real CLI, exit 78 and no hang', async () => {
    expect(() => openConsoleDatabase('/dev/null')).toThrow('CONVERSATION_DB_PATH (or --db): /dev/null: is a character device');
    const outcome = await runEntryPoint('src/cli/chat.ts', ['--db', '/proc/1/nope/w.db'], testEnv({ LOG_LEVEL: 'warn' }));
    expect(outcome.hung, outcome.stderr).toBe(false);
    expect(outcome.code, outcome.stderr).toBe(78);
    expect(outcome.stderr).toContain('CONVERSATION_DB_PATH (or --db): /proc/1/nope/w.db: cannot create the folder /proc/1/nope');
  }, 90_000);
});
