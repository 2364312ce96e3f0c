// `npm run report` as a separate process (node --import tsx src/cli/report.ts) while another connection has
// the database open for writing, holds the server's instance lock and is in the middle of a write
// transaction: the report still reads (without the lock, read-only) and sees only what was committed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/build.js';
import type { Db } from '../../src/store/database.js';
import { acquireInstanceLock, type InstanceLock } from '../../src/store/instance-lock.js';
import { runReportCli } from '../../src/cli/report.js';
import { ANA, EVIL_NAME, seedReportDatabase, SINCE, sv, TZ, UNTIL } from './seed.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/report.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, TIMEZONE: TZ, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run report (the CLI)', () => {
  let dir: string;
  let dbPath: string;
  let db: Db;
  let lock: InstanceLock;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
    dbPath = join(dir, 'watibot3.db');
    db = seedReportDatabase(dbPath);
    lock = acquireInstanceLock(db, Date.now());
  });

  afterAll(() => {
    if (db?.inTransaction) db.exec('ROLLBACK');
    lock?.release();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads while the server holds the lock and a write transaction is open, and writes the HTML', async () => {
    // The "server" is writing a turn it has not committed yet.
    db.exec('BEGIN IMMEDIATE');
    db.prepare(`INSERT INTO batches (conversation_id, status, created_at, updated_at) VALUES (?, 'running', ?, ?)`).run(ANA, sv('2026-11-29 13:00:00'), sv('2026-11-29 13:00:00'));
    const htmlPath = join(dir, 'report.html');
    const { code, stdout, stderr } = await runCli(['--db', dbPath, '--since', SINCE, '--until', UNTIL, '--json', '--html', htmlPath]);
    expect(db.inTransaction).toBe(true);
    db.exec('ROLLBACK');

    expect(stderr).toContain(`report written to ${htmlPath}`);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.turns.total).toBe(7);
    expect(report.turns.inProgress).toBe(0);
    expect(report.replyTime).toEqual({ samples: 6, p50Ms: 4_000, p95Ms: 30_000 });
    expect(report.cachedShare).toBe(0.704);
    expect(report.cost.byModel.map((m) => m.model)).toEqual(['gpt-5', 'gpt-5-mini', 'my-local-model']);
    // Masked with the installation's key, as in the server's logs: last four characters and a tag.
    expect(report.cost.perConversation.top.map((c) => c.conversation)).toEqual([
      expect.stringMatching(/^fb:…6789:[0-9a-f]{10}$/),
      expect.stringMatching(/^wa:…0001:[0-9a-f]{10}$/),
      expect.stringMatching(/^wa:…0003:[0-9a-f]{10}$/),
    ]);
    expect(stdout).not.toContain(ANA);
    expect(existsSync(htmlPath)).toBe(true);
    const html = readFileSync(htmlPath, 'utf8');
    expect(html).not.toContain(EVIL_NAME);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Beto');
  }, 60_000);

  it('prints the table by default; bad arguments and a missing database are exit codes, not stack traces', async () => {
    const table = await runCli(['--db', dbPath, '--since', SINCE, '--until', UNTIL]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Turnos\s+7/);

    const out: string[] = [];
    const err: string[] = [];
    const io = { env: { TIMEZONE: TZ }, now: () => sv('2026-12-01 09:00:00'), stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
    expect(runReportCli(['--bogus'], io)).toBe(64);
    expect(runReportCli(['--since', 'ayer', '--db', dbPath], io)).toBe(64);
    expect(err.join('')).toContain('--since ayer');
    expect(runReportCli(['--db', join(dir, 'missing.db')], io)).toBe(66);
    expect(runReportCli(['--db', dbPath], { ...io, env: { TIMEZONE: 'Mars/Olympus' } })).toBe(78);
    expect(runReportCli(['--help'], io)).toBe(0);
    expect(out.join('')).toContain('--html <file>');
    // The default period from the configured database: the last 7 days up to the injected now.
    out.length = 0;
    expect(runReportCli(['--json'], { ...io, env: { TIMEZONE: TZ, CONVERSATION_DB_PATH: dbPath } })).toBe(0);
    const report = JSON.parse(out.join('')) as Report;
    expect(report.period.since).toBe('2026-11-25T06:00:00.000Z');
    expect(report.daily).toHaveLength(7);
    // The evening of the 27th is inside this period.
    expect(report.turns.total).toBe(8);
  }, 60_000);
});
