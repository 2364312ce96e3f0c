// `npm run migrate-legacy` with the wrong files (issue 22 §5): a --db that is one of the legacy inputs (directly,
// through a symlink or `..`) is refused before anything is written; an input that holds none of its flag's tables
// (an empty file, our own database, a threads file given as --log, a folder, a text file) is refused naming what
// was expected and what was found, instead of a run that "succeeds" with 0 conversations; an unusable --db is
// EX_CONFIG naming it. Every legacy file stays byte-identical.
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMigrateLegacyCli } from '../../src/cli/migrate-legacy.js';
import { buildLegacyFiles, fileHash } from '../legacy/legacy-fixtures.js';
import { runEntryPoint } from '../support/run-entry-point.js';
import { tempDbPath, testEnv } from '../support/test-config.js';
import { openMigratedDatabase } from '../support/test-db.js';

async function run(args: string[], dbPath = tempDbPath()) {
  let out = '';
  let err = '';
  const code = await runMigrateLegacyCli(args, { env: testEnv({ CONVERSATION_DB_PATH: dbPath }), now: Date.now, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('migrate-legacy refuses the wrong files', () => {
  it('a --db that is one of the inputs, by any path to it: exit 64, the legacy file untouched', async () => {
    const files = buildLegacyFiles();
    const hashes = () => [files.threads, files.buffer, files.log].map(fileHash);
    const before = hashes();
    const link = join(mkdtempSync(join(tmpdir(), 'legacy-link-')), 'ours.db');
    symlinkSync(files.buffer, link);
    const viaDotDot = join(dirname(files.threads), '..', basename(dirname(files.threads)), basename(files.threads));

    const direct = await run(['--threads', files.threads, '--buffer', files.buffer, '--log', files.log, '--db', files.threads]);
    expect(direct.code, direct.err).toBe(64);
    expect(direct.err).toContain(`--db ${files.threads} is the file given as --threads`);
    const symlinked = await run(['--buffer', files.buffer, '--db', link]);
    expect(symlinked.code, symlinked.err).toBe(64);
    expect(symlinked.err).toContain('is the file given as --buffer');
    const dotted = await run(['--threads', viaDotDot], files.threads); // CONVERSATION_DB_PATH this time
    expect(dotted.code, dotted.err).toBe(64);
    expect(dotted.err).toContain(`CONVERSATION_DB_PATH ${files.threads} is the file given as --threads`);
    expect(hashes()).toEqual(before);
  });

  it('an input without its flag\'s tables: exit 65 naming what was expected and what was found', async () => {
    const files = buildLegacyFiles();
    const dir = mkdtempSync(join(tmpdir(), 'legacy-wrong-'));
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database\n');
    const ours = tempDbPath();
    openMigratedDatabase(ours).close();
    const before = [files.threads, ours, empty].map(fileHash);

    const cases: { args: string[]; err: RegExp }[] = [
      { args: ['--log', empty], err: /--log .*empty\.db: expected the Python service's app\/conversation_log\.db \(table conversation_log\), but found an empty file \(0 bytes\)/ },
      { args: ['--log', ours], err: /--log .*: expected .*conversation_log.*, but this is a watibot3 database \(schema \d+\), not a legacy file/ },
      { args: ['--log', files.threads], err: /--log .*app_thread_store\.db: expected .*\(table conversation_log\), but found only the tables archived_threads, threads/ },
      { args: ['--threads', files.log], err: /--threads .*: expected the Python service's app\/thread_store\.db \(table threads or archived_threads\), but found only the tables conversation_log/ },
      { args: ['--buffer', dir], err: /--buffer .*: expected .*thread_store\.db \(table message_buffer or webhook_messages\), but it is a folder/ },
      { args: ['--log', text], err: /--log .*notes\.txt: expected .*, but it cannot be read as a SQLite database \(file is not a database\)/ },
      // A good file beside a wrong one does not make the wrong one pass.
      { args: ['--threads', files.threads, '--log', files.threads], err: /--log .*: expected .*conversation_log/ },
    ];
    for (const c of cases) {
      const { code, err, out } = await run(c.args);
      expect(code, `${c.args.join(' ')}: ${err}`).toBe(65);
      expect(err).toMatch(c.err);
      expect(out).toBe('');
    }
    expect([files.threads, ours, empty].map(fileHash)).toEqual(before);
  });

  it('an unusable --db is EX_CONFIG naming it (the real CLI, so a hang would be caught)', async () => {
    const files = buildLegacyFiles();
    const outcome = await runEntryPoint('src/cli/migrate-legacy.ts', ['--log', files.log, '--db', '/proc/1/nope/w.db'], testEnv());
    expect(outcome.hung, outcome.stderr).toBe(false);
    expect(outcome.code, outcome.stderr).toBe(78);
    expect(outcome.stderr).toContain('--db: /proc/1/nope/w.db: cannot create the folder /proc/1/nope');
    const device = await run(['--log', files.log, '--db', '/dev/null', '--dry-run']);
    expect(device.code, device.err).toBe(78);
    expect(device.err).toContain('--db: /dev/null: is a character device, not a file');
  }, 120_000);
});
