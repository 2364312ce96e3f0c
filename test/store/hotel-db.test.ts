// The hotel database connection: bounded failures (closed port, silent server, slow statement, abort),
// rows checked with zod, prepared-statement parameters checked, transactions rolled back and retried.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHotelDb, HotelDbError, type HotelDb, type HotelDbOptions } from '../../src/store/hotel-db.js';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';

const PASSWORD = 's3cret-Pa55word';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function options(port: number, overrides: Partial<HotelDbOptions> = {}): HotelDbOptions {
  return { host: '127.0.0.1', port, user: 'watibot', password: PASSWORD, database: 'hotel', connectTimeoutMs: 500, queryTimeoutMs: 500, retries: 2, ...overrides };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

const one = z.object({ n: z.number() });

describe('hotel database without a server', () => {
  const dbs: HotelDb[] = [];
  afterEach(async () => {
    await Promise.all(dbs.splice(0).map((d) => d.close()));
  });

  it('fails as unavailable within the bound when nothing listens (retried, not forever)', async () => {
    const db = createHotelDb(options(await closedPort()));
    dbs.push(db);
    const started = Date.now();
    const err = await failure(db.rows('SELECT 1 AS n', [], one));
    expect(err).toBeInstanceOf(HotelDbError);
    expect((err as HotelDbError).code).toBe('unavailable');
    expect((err as HotelDbError).driverCode).toBe('ECONNREFUSED');
    expect((err as Error).message).not.toContain(PASSWORD);
    // Two retries at about 200 ms and 800 ms (equal jitter: at least half of each).
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('fails as timeout when the server accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const db = createHotelDb(options((silent.address() as { port: number }).port));
      dbs.push(db);
      const started = Date.now();
      const err = await failure(db.transaction(async (tx) => tx.rows('SELECT 1 AS n', [], one)));
      expect((err as HotelDbError).code).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('stops at once when the signal aborts, with its reason', async () => {
    const db = createHotelDb(options(await closedPort(), { retries: 5 }));
    dbs.push(db);
    const controller = new AbortController();
    const reason = new Error('turn cancelled');
    setTimeout(() => controller.abort(reason), 50);
    const started = Date.now();
    const err = await failure(db.rows('SELECT 1 AS n', [], one, controller.signal));
    expect(err).toBe(reason);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses parameters of a wrong type before sending anything', async () => {
    const db = createHotelDb(options(await closedPort()));
    dbs.push(db);
    const bad = [undefined, Number.NaN, {}, true, new Date()] as unknown as (string | number | null)[];
    for (const p of bad) await expect(db.rows('SELECT ? AS n', [p], one)).rejects.toBeInstanceOf(TypeError);
  });

  it('refuses work once closed', async () => {
    const db = createHotelDb(options(await closedPort()));
    await db.close();
    await db.close();
    const err = await failure(db.change('DELETE FROM booking_locks WHERE payment_ref = ?', ['x']));
    expect((err as HotelDbError).code).toBe('unavailable');
  });
});

describeWithMariaDb('hotel database on MariaDB', () => {
  const hotel = useHotelDatabase();
  let db: HotelDb;
  let other: HotelDb;

  beforeAll(() => {
    db = createHotelDb({ ...hotel.connection, connectTimeoutMs: 2_000, queryTimeoutMs: 3_000, retries: 2 });
    other = createHotelDb({ ...hotel.connection, connectTimeoutMs: 2_000, queryTimeoutMs: 3_000, retries: 2 });
  });
  afterAll(async () => {
    await db?.close();
    await other?.close();
  });

  it('pings, and reads DECIMAL and DATETIME as exact text', async () => {
    await db.ping();
    const rows = await db.rows(
      'SELECT importe, used, date, codreser FROM compraclick WHERE autorizacion = ?',
      ['481920'],
      z.object({ importe: z.string(), used: z.string(), date: z.string(), codreser: z.string().nullable() }),
    );
    expect(rows).toEqual([{ importe: '138.00', used: '138.00', date: '2027-01-28 10:07:12', codreser: 'HR28601' }]);
  });

  it('keeps accents (utf8mb4)', async () => {
    const rows = await db.rows('SELECT reserverooms FROM user_books WHERE reserva = ?', ['28602'], z.object({ reserverooms: z.string() }));
    expect(rows[0]?.reserverooms).toBe('1-Pasadía');
  });

  it('a row that does not match the schema is bad_row, naming the column', async () => {
    const err = await failure(db.rows('SELECT id, importe FROM compraclick WHERE autorizacion = ?', ['481920'], z.object({ id: z.number(), importe: z.number() })));
    expect(err).toBeInstanceOf(HotelDbError);
    expect((err as HotelDbError).code).toBe('bad_row');
    expect((err as Error).message).toMatch(/importe/);
  });

  it('an SQL error is query_failed; rows() and change() refuse the other kind of statement', async () => {
    const err = await failure(db.rows('SELECT nope FROM compraclick', [], one));
    expect((err as HotelDbError).code).toBe('query_failed');
    expect((err as HotelDbError).driverCode).toBe('ER_BAD_FIELD_ERROR');
    await expect(db.change('SELECT 1 AS n', [])).rejects.toBeInstanceOf(TypeError);
  });

  it('a wrong password is unavailable and the message does not carry it', async () => {
    const wrong = createHotelDb({ ...hotel.connection, password: PASSWORD, connectTimeoutMs: 2_000, queryTimeoutMs: 2_000, retries: 1 });
    try {
      const err = await failure(wrong.ping());
      expect((err as HotelDbError).code).toBe('unavailable');
      expect((err as HotelDbError).driverCode).toBe('ER_ACCESS_DENIED_ERROR');
      expect((err as Error).message).not.toContain(PASSWORD);
    } finally {
      await wrong.close();
    }
  });

  it('a statement slower than the query timeout fails as timeout, and the pool goes on working', async () => {
    const quick = createHotelDb({ ...hotel.connection, connectTimeoutMs: 2_000, queryTimeoutMs: 300, retries: 2 });
    try {
      const started = Date.now();
      const err = await failure(quick.rows('SELECT SLEEP(3) AS n', [], one));
      expect((err as HotelDbError).code).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(1_500);
      // The pool has 3 connections: more timed-out statements than that must not exhaust it.
      for (let i = 0; i < 4; i++) await failure(quick.rows('SELECT SLEEP(3) AS n', [], one));
      expect(await quick.rows('SELECT 1 AS n', [], one)).toEqual([{ n: 1 }]);
    } finally {
      await quick.close();
    }
  });

  it('a transaction that throws is rolled back', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.change('INSERT INTO booking_locks (payment_ref, wa_id) VALUES (?, ?)', ['CC_rollback', 'w']);
        throw new Error('check failed');
      }),
    ).rejects.toThrow('check failed');
    expect(await hotel.query('SELECT * FROM booking_locks WHERE payment_ref = ?', ['CC_rollback'])).toEqual([]);
  });

  it('a transaction that returns is committed', async () => {
    const n = await db.transaction(async (tx) => tx.change('INSERT INTO booking_locks (payment_ref, wa_id) VALUES (?, ?)', ['CC_commit', 'w']));
    expect(n).toBe(1);
    expect(await hotel.query('SELECT wa_id FROM booking_locks WHERE payment_ref = ?', ['CC_commit'])).toEqual([{ wa_id: 'w' }]);
  });

  it('an aborted transaction is rolled back and rejects with the reason', async () => {
    const controller = new AbortController();
    const err = await failure(
      db.transaction(async (tx) => {
        await tx.change('INSERT INTO booking_locks (payment_ref, wa_id) VALUES (?, ?)', ['CC_aborted', 'w']);
        controller.abort(new Error('stop'));
        await tx.rows('SELECT SLEEP(1) AS n', [], one);
      }, controller.signal),
    );
    expect((err as Error).message).toBe('stop');
    expect(await hotel.query('SELECT * FROM booking_locks WHERE payment_ref = ?', ['CC_aborted'])).toEqual([]);
  });

  it('a deadlock victim is run again and both transactions complete', async () => {
    let runs = 0;
    let aLocked!: () => void;
    let bLocked!: () => void;
    const aHasFirst = new Promise<void>((r) => (aLocked = r));
    const bHasFirst = new Promise<void>((r) => (bLocked = r));
    const lockRow = z.object({ id: z.number() });
    const crossed = (first: number, second: number, mine: () => void, theirs: Promise<void>) => async (tx: Parameters<Parameters<HotelDb['transaction']>[0]>[0]) => {
      runs++;
      await tx.rows('SELECT id FROM bac WHERE id = ? FOR UPDATE', [first], lockRow);
      mine();
      await theirs;
      await tx.rows('SELECT id FROM bac WHERE id = ? FOR UPDATE', [second], lockRow);
      await tx.change("UPDATE bac SET description = CONCAT(description, '.') WHERE id = ?", [second]);
      return second;
    };
    const results = await Promise.all([db.transaction(crossed(1, 2, aLocked, bHasFirst)), other.transaction(crossed(2, 1, bLocked, aHasFirst))]);
    expect(results).toEqual([2, 1]);
    expect(runs).toBe(3);
    const rows = await hotel.query<{ id: number; description: string }>('SELECT id, description FROM bac WHERE id IN (1, 2) ORDER BY id');
    expect(rows.map((r) => r.description.endsWith('.'))).toEqual([true, true]);
  });
});
