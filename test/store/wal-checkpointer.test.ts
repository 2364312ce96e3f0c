// WAL checkpoints in a worker thread: the server's connection commits without checkpointing, the worker moves
// the committed pages into the database file, and when the worker cannot run the connection checkpoints itself.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { migrate, openDatabase, type Db } from '../../src/store/database.js';
import { DEFAULT_AUTOCHECKPOINT_PAGES, startWalCheckpointer, WAL_SAFETY_PAGES, type WalCheckpointer } from '../../src/store/wal-checkpointer.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDb(): { db: Db; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'watibot3-wal-'));
  const path = join(dir, 'w.db');
  const db = openDatabase(path);
  migrate(db);
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  cleanups.push(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, path };
}

function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { log, lines };
}

async function started(db: Db, path: string, log = capturedLog().log, bounds: { safetyPages?: number } = {}): Promise<WalCheckpointer> {
  const c = await startWalCheckpointer(db, path, log, { intervalMs: 20, startAtWalBytes: 0, ...bounds });
  cleanups.push(() => c.close());
  return c;
}

/** ~8 MB in 2,000 separate commits: 2,000+ WAL pages, twice the automatic checkpoint's threshold. */
function writeMany(db: Db): void {
  const insert = db.prepare('INSERT INTO filler (body) VALUES (?)');
  const body = 'x'.repeat(4000);
  for (let i = 0; i < 2000; i++) insert.run(body);
}

async function until(what: string, check: () => boolean, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('WAL checkpoint worker', () => {
  it('moves committed pages into the database file while the server connection only commits', async () => {
    const { db, path } = tempDb();
    const checkpointer = await started(db, path);
    expect(checkpointer.offThread).toBe(true);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_SAFETY_PAGES);
    const sizeBefore = statSync(path).size;
    writeMany(db);
    // Only the worker checkpoints at this size (8 MB is under the server connection's bound): the main file
    // grows by what it copies.
    await until('the worker to checkpoint', () => statSync(path).size > sizeBefore + 4_000_000);
    // Everything committed is there, read from another connection.
    const other = new Database(path, { readonly: true });
    try {
      expect((other.prepare('SELECT COUNT(*) AS n FROM filler').get() as { n: number }).n).toBe(2000);
    } finally {
      other.close();
    }
  });

  it('keeps the WAL from growing without bound under writes that never pause', async () => {
    const { db, path } = tempDb();
    await started(db, path, undefined, { safetyPages: 1024 });
    // ~24 MB of commits, a few per event-loop turn as webhooks under load: a PASSIVE checkpoint alone rarely
    // gets to the WAL's last frame, and SQLite starts the WAL over only after one that did.
    const insert = db.prepare('INSERT INTO filler (body) VALUES (?)');
    const body = 'x'.repeat(4000);
    for (let i = 0; i < 6000; i++) {
      insert.run(body);
      if (i % 4 === 3) await new Promise((r) => setImmediate(r));
    }
    // Without a bound it reached 60-75 MB here; the bound (4 MB, checked at commits, missed while the worker holds
    // the checkpoint) keeps it to a fraction of that.
    expect(statSync(`${path}-wal`).size).toBeLessThan(20_000_000);
  });

  it('gives the checkpoints back to the server connection when closed', async () => {
    const { db, path } = tempDb();
    const checkpointer = await started(db, path);
    await checkpointer.close();
    expect(checkpointer.offThread).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    const sizeBefore = statSync(path).size;
    writeMany(db);
    // SQLite's own automatic checkpoint, inside the commits.
    expect(statSync(path).size).toBeGreaterThan(sizeBefore + 4_000_000);
  });

  it('says so and keeps automatic checkpoints when the worker cannot open the database', async () => {
    const { db } = tempDb();
    const { log, lines } = capturedLog();
    const checkpointer = await started(db, join(tmpdir(), 'watibot3-no-such-dir', 'missing.db'), log);
    expect(checkpointer.offThread).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    expect(lines.map((l) => [l.level, l.msg])).toContainEqual([40, 'WAL checkpoint worker could not start; checkpoints run on the main thread']);
  });

  it('starts no worker while the WAL stays small, and starts it once writes make the WAL grow', async () => {
    const { db, path } = tempDb();
    const c = await startWalCheckpointer(db, path, capturedLog().log, { intervalMs: 20, watchIntervalMs: 20 });
    cleanups.push(() => c.close());
    db.prepare('INSERT INTO filler (body) VALUES (?)').run('x');
    await new Promise((r) => setTimeout(r, 100));
    // An idle server: SQLite's own automatic checkpoints, no thread.
    expect(c.offThread).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    writeMany(db);
    await until('the worker to start', () => c.offThread);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_SAFETY_PAGES);
    await c.close();
    expect(c.offThread).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
  });

  it('closes cleanly before the worker was ever needed', async () => {
    const { db, path } = tempDb();
    const c = await startWalCheckpointer(db, path, capturedLog().log, { watchIntervalMs: 20 });
    await c.close();
    writeMany(db);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.offThread).toBe(false);
  });

  it('runs no worker for an in-memory database', async () => {
    const db = openDatabase(':memory:');
    cleanups.push(() => void db.close());
    const checkpointer = await started(db, ':memory:');
    expect(checkpointer.offThread).toBe(false);
  });
});
