// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that crosses
// 1,000 WAL pages: it copies the pages into the database file and fsyncs twice, synchronously, on the thread
// that committed — for the server, the event loop, which then answers no webhook for several milliseconds
// (the p99 of the ingest bench at 1,000 req/s). Here a worker thread with its own connection to the same file
// runs the checkpoints (PASSIVE: never blocks a writer or a reader), and the server's connection only past a
// high bound.
// A commit is exactly as durable as before: it is in the WAL when it returns; the checkpoint only moves
// committed pages into the main file. If the worker cannot start or fails, the server's connection takes its
// automatic checkpoints back (as before) and a warning says so.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Db } from './database.js';

/** SQLite's default wal_autocheckpoint, restored when the worker is not running. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** How often the worker checkpoints (a checkpoint with nothing new to copy costs a few microseconds). */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 200;
/**
 * The server connection keeps an automatic checkpoint at this many pages (64 MiB) as a bound. The worker's
 * checkpoints are PASSIVE (they never wait for writers), so under writes that never pause they rarely copy the
 * last frame, and SQLite starts the WAL over only after a checkpoint that did: without this bound the file grew
 * without limit (the soak bench: 180 MB after 100,000 webhooks). A checkpoint inside a commit always reaches the
 * last frame; by then the worker has copied nearly everything, so it is short.
 */
export const WAL_SAFETY_PAGES = 16_384;
/** How long the worker's connection waits for a lock (its last checkpoint at close waits for a commit in progress). */
const WORKER_BUSY_TIMEOUT_MS = 2_000;
/**
 * The worker (a thread with its own V8 heap and SQLite connection: ~11 MB of RSS) is started only once the WAL
 * file reaches this size, i.e. once webhooks arrive faster than the idle trickle: an idle server keeps SQLite's
 * own checkpoints, which at that rate cost the event loop nothing worth a thread.
 */
export const WAL_WORKER_START_BYTES = 1024 * 1024;
const WAL_WATCH_INTERVAL_MS = 1_000;
/** A WAL grown by a burst is cut back to this size once it has been checkpointed. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface WalCheckpointerOptions {
  intervalMs?: number;
  /** The server connection's own automatic checkpoint while the worker runs (default WAL_SAFETY_PAGES). */
  safetyPages?: number;
  /** WAL file size from which the worker is started (default WAL_WORKER_START_BYTES; 0 = at once). */
  startAtWalBytes?: number;
  /** How often the WAL's size is looked at until then (default 1 s). */
  watchIntervalMs?: number;
}

export interface WalCheckpointer {
  /** True while checkpoints run in the worker (false: the server's connection checkpoints itself). */
  readonly offThread: boolean;
  /** Runs a last checkpoint in the worker and stops it; the server's connection checkpoints itself again. */
  close(): Promise<void>;
}

interface WorkerData {
  /** A file path from which the worker resolves better-sqlite3 (the one this module uses). */
  requireFrom: string;
  dbPath: string;
  intervalMs: number;
  walSizeLimit: number;
  busyTimeoutMs: number;
  /** The server connection's automatic checkpoint (pages): past it the worker leaves the checkpoint to it. */
  safetyPages: number;
}

type FromWorker = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'closed' };

// Plain CommonJS, evaluated by the worker: it needs no TypeScript loader, so it runs the same from dist/,
// under tsx and under vitest. It only opens the database and checkpoints it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('node:module').createRequire(workerData.requireFrom)('better-sqlite3');
let db;
let timer;
let lastLog = 0;
const fail = (err) => {
  clearInterval(timer);
  try { db && db.close(); } catch {}
  parentPort.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  parentPort.close();
};
try {
  db = new Database(workerData.dbPath, { fileMustExist: true });
  db.pragma('journal_size_limit = ' + workerData.walSizeLimit);
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
  timer = setInterval(() => {
    try {
      // At the bound the worker stands aside: the server connection's own checkpoint, inside its next commit, then
      // finds the lock free, reaches the last frame and starts the WAL over (one held by the worker would be
      // skipped, and the WAL would go on growing).
      if (lastLog >= workerData.safetyPages) {
        lastLog = 0;
        return;
      }
      const [passive] = db.pragma('wal_checkpoint(PASSIVE)');
      lastLog = passive ? passive.log : 0;
    } catch (err) { fail(err); }
  }, workerData.intervalMs);
  parentPort.postMessage({ type: 'ready' });
} catch (err) {
  fail(err);
}
parentPort.on('message', (msg) => {
  if (msg !== 'close') return;
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); db.close(); } catch {}
  parentPort.postMessage({ type: 'closed' });
  parentPort.close();
});
`;

/**
 * Moves the WAL checkpoints of `db` (opened on `dbPath`) to a worker thread once the WAL reaches
 * `startAtWalBytes`. With 0 (or a WAL already that big) it resolves once the worker has opened the database (or
 * has failed, and the server's connection checkpoints itself); otherwise at once, the size being looked at every
 * `watchIntervalMs` until then.
 */
export async function startWalCheckpointer(db: Db, dbPath: string, log: Logger, opts: WalCheckpointerOptions = {}): Promise<WalCheckpointer> {
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  if (dbPath === ':memory:' || db.memory) return INLINE;
  const startAt = opts.startAtWalBytes ?? WAL_WORKER_START_BYTES;
  if (walBytes(dbPath) >= startAt) return startWorker(db, dbPath, log, opts);

  let current: WalCheckpointer | undefined;
  let starting: Promise<WalCheckpointer> | undefined;
  const watch = setInterval(() => {
    if (starting || walBytes(dbPath) < startAt) return;
    clearInterval(watch);
    starting = startWorker(db, dbPath, log, opts).then((c) => (current = c));
  }, opts.watchIntervalMs ?? WAL_WATCH_INTERVAL_MS);
  watch.unref();
  return {
    get offThread() {
      return current?.offThread ?? false;
    },
    async close() {
      clearInterval(watch);
      await (current ?? (await starting))?.close();
    },
  };
}

const INLINE: WalCheckpointer = { offThread: false, close: async () => undefined };

/** The WAL file's size (0 while there is none). */
function walBytes(dbPath: string): number {
  try {
    return statSync(`${dbPath}-wal`).size;
  } catch {
    return 0;
  }
}

async function startWorker(db: Db, dbPath: string, log: Logger, opts: WalCheckpointerOptions): Promise<WalCheckpointer> {
  const inline = INLINE;

  const workerData: WorkerData = {
    requireFrom: createRequire(import.meta.url).resolve('better-sqlite3'),
    dbPath,
    intervalMs: opts.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
    walSizeLimit: WAL_SIZE_LIMIT_BYTES,
    busyTimeoutMs: WORKER_BUSY_TIMEOUT_MS,
    safetyPages: opts.safetyPages ?? WAL_SAFETY_PAGES,
  };
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData, stdout: false, stderr: false });
  } catch (err) {
    log.warn({ err }, 'WAL checkpoint worker could not start; checkpoints run on the main thread');
    return inline;
  }
  // The worker never holds the process open: close() stops it, and a process that exits without close()
  // leaves nothing the next start cannot take over (the WAL is checkpointed by whoever opens it).
  worker.unref();

  // starting → running (the worker checkpoints) → stopped (the server's connection checkpoints itself).
  let state: 'starting' | 'running' | 'stopped' = 'starting';
  let closing = false;
  let settleStart: (running: boolean) => void = () => undefined;
  const started = new Promise<boolean>((resolve) => (settleStart = resolve));
  const stop = (why: string) => {
    if (state === 'stopped') return;
    const was = state;
    state = 'stopped';
    settleStart(false);
    if (was === 'running') {
      try {
        db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
      } catch {
        // The database is closed already: nothing left to checkpoint from this connection.
      }
    }
    if (!closing) {
      log.warn({ reason: why }, was === 'running'
        ? 'WAL checkpoint worker stopped; checkpoints run on the main thread again'
        : 'WAL checkpoint worker could not start; checkpoints run on the main thread');
    }
  };
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (msg: FromWorker) => {
    if (msg.type === 'ready' && state === 'starting') {
      // Only once the worker is there to do them; the bound stays (WAL_SAFETY_PAGES).
      db.pragma(`wal_autocheckpoint = ${opts.safetyPages ?? WAL_SAFETY_PAGES}`);
      state = 'running';
      settleStart(true);
    } else if (msg.type === 'failed') {
      stop(msg.message);
    }
  });
  worker.on('error', (err) => stop(err.message));
  worker.once('exit', (code) => stop(`exited with code ${code}`));
  await started;

  return {
    get offThread() {
      return state === 'running';
    },
    async close() {
      if (closing) return exited;
      closing = true;
      stop('closing');
      worker.postMessage('close');
      // A worker stuck in a checkpoint (a disk that does not answer) must not hold the shutdown.
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
