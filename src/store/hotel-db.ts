// The hotel's MySQL database (rates, payment ledgers, booking locks, guest bookings) through one small
// mysql2 pool. The statements themselves live in src/store/hotel/; this is only the connection: prepared
// statements, rows checked with zod, errors mapped to HotelDbError, and every wait bounded. The original
// opened a connection per call and, at HEAD, retried forever with blocking sleeps; here a database that is
// down fails within a few seconds and an aborted signal stops at once.
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { z } from 'zod';
import { deadline } from '../core/abort.js';
import { describeIssues } from '../core/errors.js';
import { abortReason, backoffDelayMs, sleep, type RetryPolicy } from '../core/retry.js';
import {
  driverCodeOf,
  HotelDbError,
  isFatal,
  TIMEOUT_CODES,
  transientOf,
  UNAVAILABLE_CODES,
  type HotelDbErrorCode,
} from './hotel-db-errors.js';

export { HotelDbError, type HotelDbErrorCode } from './hotel-db-errors.js';

export interface HotelDbOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  /** transient failures retried this many times */
  retries: number;
}

export type SqlParam = string | number | null;

export interface HotelQuery {
  /**
   * Prepared statement (execute), rows validated with the zod schema; a row that does not match throws
   * HotelDbError('bad_row') naming the column. Inside a transaction the signal is the transaction's.
   */
  rows<S extends z.ZodType>(sql: string, params: readonly SqlParam[], row: S, signal?: AbortSignal): Promise<z.output<S>[]>;
  /** INSERT/UPDATE/DELETE: affected (matched) rows. */
  change(sql: string, params: readonly SqlParam[], signal?: AbortSignal): Promise<number>;
}

export interface HotelDb extends HotelQuery {
  /**
   * One transaction on one connection; rolled back when fn throws. The whole fn is retried (bounded) on
   * deadlock / lock-wait timeout / lost connection before commit, so fn must only talk to the database.
   */
  transaction<T>(fn: (tx: HotelQuery) => Promise<T>, signal?: AbortSignal): Promise<T>;
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

const POOL_SIZE = 3;
/** Callers waiting for one of the pool's connections; more fail at once (and are retried after a pause). */
const QUEUE_LIMIT = 30;
/** Our own backstop beyond mysql2's timers, in case a timer of the driver never fires. */
const BACKSTOP_GRACE_MS = 250;
/** 200 ms, then 800 ms, … (equal jitter: concurrent deadlock victims do not retry in step). */
const RETRY_POLICY: Omit<RetryPolicy, 'maxAttempts'> = { baseDelayMs: 200, factor: 4, maxDelayMs: 2_000, jitter: 'equal' };

/** A settled-later promise whose rejection nobody waits for any more must not become an unhandled rejection. */
function ignoreLater(p: Promise<unknown>): void {
  p.catch(() => undefined);
}

/** `work`, or the signal's reason as soon as it aborts (work keeps running; the caller cleans up). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    ignoreLater(work);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      ignoreLater(work);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') return value === null ? 'null' : (value.constructor?.name ?? 'object');
  return typeof value;
}

/** Parameters are the code's own values: a wrong type is a bug, reported before anything is sent. */
function checkParams(sql: string, params: readonly unknown[]): void {
  if (typeof sql !== 'string' || sql.trim() === '') throw new TypeError('hotel database: empty SQL text');
  params.forEach((p, i) => {
    if (p === null || typeof p === 'string' || (typeof p === 'number' && Number.isFinite(p))) return;
    throw new TypeError(`hotel database: parameter ${i + 1} must be a string, a finite number or null, got ${describeValue(p)}`);
  });
}

/** A pooled connection that goes back exactly once: released when clean, destroyed when its state is unknown. */
class Lease {
  private settled = false;
  constructor(readonly conn: PoolConnection) {}

  get usable(): boolean {
    return !this.settled;
  }

  release(): void {
    if (this.settled) return;
    this.settled = true;
    this.conn.release();
  }

  /** A statement may still be running on it (timeout, abort) or the protocol broke: never reuse it. */
  destroy(): void {
    if (this.settled) return;
    this.settled = true;
    this.conn.destroy();
  }
}

/** What a failed transaction statement left behind: once set, the transaction is over on the server side. */
interface TxState {
  failure: HotelDbError | undefined;
}

export function createHotelDb(options: HotelDbOptions): HotelDb {
  const { password, queryTimeoutMs, connectTimeoutMs } = options;
  const retries = Math.max(0, Math.floor(options.retries));
  const poolOptions = {
    host: options.host,
    port: options.port,
    user: options.user,
    password,
    database: options.database,
    connectionLimit: POOL_SIZE,
    maxIdle: POOL_SIZE,
    idleTimeout: 60_000,
    waitForConnections: true,
    queueLimit: QUEUE_LIMIT,
    connectTimeout: connectTimeoutMs,
    enableKeepAlive: true,
    keepAliveInitialDelay: 10_000,
    // DATETIMEs stay 'YYYY-MM-DD HH:MM:SS' text and DECIMALs exact text ('138.00'): values.ts converts both.
    dateStrings: true,
    decimalNumbers: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: 'utf8mb4',
    // Only matters for JS Date parameters, which are never sent; explicit so nothing depends on the host's zone.
    timezone: 'Z',
    multipleStatements: false,
  };
  // mysql2 (~17 MB of RSS) is imported and the pool made by the first statement: the pool connects lazily
  // anyway, and an idle service (most hours) runs none. A failed import is tried again by the next statement.
  let pool: Promise<Pool> | undefined;
  const poolOf = (): Promise<Pool> =>
    (pool ??= import('mysql2/promise').then(
      ({ default: mysql }) => mysql.createPool(poolOptions),
      (err: unknown) => {
        pool = undefined;
        throw err;
      },
    ));
  let closed = false;

  /** The driver's error as a HotelDbError whose message cannot carry the password. */
  function mapError(err: unknown): HotelDbError {
    if (err instanceof HotelDbError) return err;
    const code = driverCodeOf(err);
    const text = err instanceof Error ? err.message : String(err);
    const kind: HotelDbErrorCode = code && TIMEOUT_CODES.has(code) ? 'timeout' : code && UNAVAILABLE_CODES.has(code) ? 'unavailable' : 'query_failed';
    let message = `hotel database: ${code ? `${code}: ` : ''}${text || 'failed'}`;
    if (password !== '') message = message.split(password).join('***');
    return new HotelDbError(kind, message, code);
  }

  function ensureOpen(): void {
    if (closed) throw new HotelDbError('unavailable', 'hotel database: the connection pool is closed', 'POOL_CLOSED');
  }

  function throwIfAborted(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw abortReason(signal);
  }

  function retryDelay(attempt: number): number {
    return backoffDelayMs(attempt, { maxAttempts: retries + 1, ...RETRY_POLICY }, undefined) ?? RETRY_POLICY.baseDelayMs;
  }

  /** One of the pool's connections within the connect timeout (queue wait included). */
  async function acquire(signal: AbortSignal | undefined): Promise<Lease> {
    ensureOpen();
    const bound = deadline(connectTimeoutMs + BACKSTOP_GRACE_MS, signal);
    const pending = poolOf().then((p) => p.getConnection());
    try {
      return new Lease(await raceAbort(pending, bound.signal));
    } catch (err) {
      if (!bound.signal.aborted) throw mapError(err);
      // The pool may still hand over a connection later: it goes straight back.
      pending.then((conn) => conn.release(), () => undefined);
      throwIfAborted(signal);
      throw new HotelDbError('timeout', `hotel database: no connection within ${connectTimeoutMs} ms`, 'ACQUIRE_TIMEOUT');
    } finally {
      bound.clear();
    }
  }

  /** One driver call on a leased connection, bounded; on timeout or abort the connection is destroyed. */
  async function guarded<T>(lease: Lease, op: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    throwIfAborted(signal);
    const bound = deadline(queryTimeoutMs + BACKSTOP_GRACE_MS, signal);
    try {
      return await raceAbort(op(), bound.signal);
    } catch (err) {
      if (bound.signal.aborted) {
        lease.destroy();
        throwIfAborted(signal);
        throw new HotelDbError('timeout', `hotel database: no answer within ${queryTimeoutMs} ms`, 'STATEMENT_TIMEOUT');
      }
      if (isFatal(err)) lease.destroy();
      throw mapError(err);
    } finally {
      bound.clear();
    }
  }

  function execute(lease: Lease, sql: string, params: readonly SqlParam[], signal: AbortSignal | undefined): Promise<RowDataPacket[] | ResultSetHeader> {
    return guarded(
      lease,
      async () => {
        const [result] = await lease.conn.execute<RowDataPacket[] | ResultSetHeader>({ sql, timeout: queryTimeoutMs }, [...params]);
        return result;
      },
      signal,
    );
  }

  function rowsOf<S extends z.ZodType>(result: RowDataPacket[] | ResultSetHeader, row: S): z.output<S>[] {
    if (!Array.isArray(result)) throw new TypeError('hotel database: rows() got no result set; use change() for statements without rows');
    return result.map((r, i) => {
      const parsed = row.safeParse(r);
      if (!parsed.success) {
        throw new HotelDbError('bad_row', `hotel database: unexpected row ${i + 1}: ${describeIssues(parsed.error.issues, 'row').join('; ')}`);
      }
      return parsed.data;
    });
  }

  function affectedOf(result: RowDataPacket[] | ResultSetHeader): number {
    if (Array.isArray(result)) throw new TypeError('hotel database: change() got a result set; use rows() for SELECT');
    return result.affectedRows;
  }

  /** A connection, or undefined after waiting out a retryable failure to get one (the caller tries again). */
  async function leaseOrWait(attempt: number, signal: AbortSignal | undefined): Promise<Lease | undefined> {
    try {
      return await acquire(signal);
    } catch (err) {
      if (attempt <= retries && retryableAcquire(err)) {
        await sleep(retryDelay(attempt), signal);
        return undefined;
      }
      throw err;
    }
  }

  /**
   * One statement outside a transaction (autocommit). A failure to get a connection, a deadlock and a
   * lock-wait timeout are retried; a connection lost mid-statement only for reads, since a write may have
   * been applied.
   */
  async function single(sql: string, params: readonly SqlParam[], write: boolean, signal: AbortSignal | undefined): Promise<RowDataPacket[] | ResultSetHeader> {
    checkParams(sql, params);
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(signal);
      const lease = await leaseOrWait(attempt, signal);
      if (!lease) continue;
      try {
        const result = await execute(lease, sql, params, signal);
        lease.release();
        return result;
      } catch (err) {
        lease.release();
        throwIfAborted(signal);
        const transient = transientOf(err);
        if (attempt <= retries && (transient === 'lock' || (transient === 'connection' && !write))) {
          await sleep(retryDelay(attempt), signal);
          continue;
        }
        throw err;
      }
    }
  }

  /** A connect timeout already waited the whole bound: retrying it would only double an outage's cost. */
  function retryableAcquire(err: unknown): boolean {
    if (!(err instanceof HotelDbError) || err.code === 'timeout') return false;
    return transientOf(err) === 'connection';
  }

  function txQuery(lease: Lease, state: TxState, signal: AbortSignal | undefined): HotelQuery {
    const run = async (sql: string, params: readonly SqlParam[]) => {
      checkParams(sql, params);
      // After a deadlock or a lost connection the server has rolled back: a further statement would run
      // outside the transaction (autocommit), so none is sent.
      if (state.failure) throw state.failure;
      if (!lease.usable) throw new HotelDbError('unavailable', 'hotel database: the transaction lost its connection', 'PROTOCOL_CONNECTION_LOST');
      try {
        return await execute(lease, sql, params, signal);
      } catch (err) {
        const mapped = mapError(err);
        if (transientOf(mapped) !== undefined || !lease.usable) state.failure = mapped;
        throw mapped;
      }
    };
    return {
      rows: async (sql, params, row) => rowsOf(await run(sql, params), row),
      change: async (sql, params) => affectedOf(await run(sql, params)),
    };
  }

  async function rollbackQuietly(lease: Lease): Promise<void> {
    if (!lease.usable) return;
    try {
      await guarded(lease, () => lease.conn.rollback(), undefined);
      lease.release();
    } catch {
      // Closing the connection rolls the transaction back on the server.
      lease.destroy();
    }
  }

  return {
    async rows(sql, params, row, signal) {
      return rowsOf(await single(sql, params, false, signal), row);
    },

    async change(sql, params, signal) {
      return affectedOf(await single(sql, params, true, signal));
    },

    async transaction(fn, signal) {
      for (let attempt = 1; ; attempt++) {
        throwIfAborted(signal);
        const lease = await leaseOrWait(attempt, signal);
        if (!lease) continue;
        const state: TxState = { failure: undefined };
        let phase: 'begin' | 'body' | 'commit' = 'begin';
        try {
          await guarded(lease, () => lease.conn.beginTransaction(), signal);
          phase = 'body';
          const result = await fn(txQuery(lease, state, signal));
          // fn swallowed a deadlock or lost connection: its work is gone, so it is not "done".
          if (state.failure) throw state.failure;
          phase = 'commit';
          await guarded(lease, () => lease.conn.commit(), signal);
          lease.release();
          return result;
        } catch (err) {
          await rollbackQuietly(lease);
          throwIfAborted(signal);
          // A failed COMMIT may have committed: only failures before it are repeated. A statement timeout is
          // not: the same work would most likely time out again.
          const transient = phase !== 'commit' && transientOf(state.failure ?? err) !== undefined;
          if (attempt <= retries && transient) {
            await sleep(retryDelay(attempt), signal);
            continue;
          }
          // fn's own errors (its checks) pass through unchanged; the driver's are mapped.
          throw phase === 'body' ? err : mapError(err);
        }
      }
    },

    async ping(signal) {
      // One attempt: a health check reports the database as it is now.
      const lease = await acquire(signal);
      try {
        await guarded(lease, () => lease.conn.ping(), signal);
      } finally {
        lease.release();
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      const made = await pool?.catch(() => undefined);
      // end() rejects with the error of a connection attempt still failing (ETIMEDOUT under load): that
      // connection holds nothing to release, and a shutdown must not fail on it.
      await made?.end().catch(() => undefined);
    },
  };
}
