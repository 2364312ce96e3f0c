// Opens the SQLite database (WAL). Migrations are a separate, explicit step (migrate), run by the server at
// start and by `npm run migrate`; a read-only tool opens the database without them and without the lock.
import { accessSync, closeSync, constants, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PathError, ensureDirectory, errnoText, kindOf } from '../core/file-paths.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

// SQLite's answers that mean "this path cannot hold the database" (a setting to fix), not a passing condition.
const UNUSABLE_FILE_CODES = /^SQLITE_(CANTOPEN|NOTADB|IOERR|CORRUPT|READONLY|PERM|AUTH)/;

/**
 * Checks that the path can hold our database before SQLite touches it: a new file in a folder this user may write
 * (created if missing), or an existing regular SQLite file (an empty one too). Anything else — a folder, a device
 * such as /dev/null, a file of another kind such as /etc/passwd — is refused with PathError, and never written.
 */
export function prepareDatabaseFile(path: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch (err) {
    // ENOTDIR: a file where a folder of the path should be, said by ensureDirectory below.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new PathError(path, `cannot be examined (${errnoText(err)})`);
  }
  if (!stats) {
    try {
      ensureDirectory(dirname(path));
    } catch (err) {
      throw err instanceof PathError ? new PathError(path, err.reason) : err;
    }
    return;
  }
  checkDatabaseFileKind(path, stats);
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (err) {
    throw new PathError(path, `is not writable by this user (${errnoText(err)})`);
  }
  try {
    // The -wal and -shm files are created beside it.
    accessSync(dirname(path), constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new PathError(path, `its folder ${dirname(path)} is not writable by this user, and SQLite keeps its -wal and -shm files there (${errnoText(err)})`);
  }
}

/** Refuses an existing path that is not a regular file starting with the SQLite header (an empty file passes). */
function checkDatabaseFileKind(path: string, stats: Stats): void {
  if (stats.isDirectory()) throw new PathError(path, 'is a folder: give the path of the database file in it (e.g. …/watibot3.db)');
  if (!stats.isFile()) throw new PathError(path, `is ${kindOf(stats)}, not a file: give the path of the database file`);
  if (stats.size > 0) {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    let fd: number | undefined;
    try {
      fd = openSync(path, 'r');
      readSync(fd, head, 0, head.length, 0);
    } catch (err) {
      throw new PathError(path, `cannot be read (${errnoText(err)})`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    if (!head.equals(SQLITE_HEADER)) throw new PathError(path, 'is not a SQLite database (it does not start with the SQLite header); it was left untouched');
  }
}

/**
 * Opens (creating it if needed) the database for reading and writing. Does not migrate. A path that cannot hold
 * the database throws PathError saying why (the caller names the setting it came from).
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') prepareDatabaseFile(path);
  let db: Db | undefined;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    // NORMAL is durable against process crashes in WAL mode (only an OS crash can lose the last commits).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (err) {
    db?.close();
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && UNUSABLE_FILE_CODES.test(code)) {
      throw new PathError(path, `cannot be opened as a SQLite database (${code}: ${err instanceof Error ? err.message : String(err)})`);
    }
    throw err;
  }
}

/** The schema version the database is at (`PRAGMA user_version`; 0 before any migration). */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Whether the database has this table (e.g. one a later migration creates). */
export function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Thrown when a read-only tool finds a database it cannot read as it is. */
export class DatabaseNotReadyError extends Error {
  override readonly name = 'DatabaseNotReadyError';
}

/**
 * Opens an existing, migrated database read-only (reports, consoles): no lock, no writes, no migrations,
 * so it can run beside the server. A database at another schema version is refused, naming both.
 */
export function openReadonlyDatabase(path: string): Db {
  let db: Db | undefined;
  let version: number;
  try {
    checkDatabaseFileKind(path, statSync(path));
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    version = schemaVersion(db);
  } catch (err) {
    db?.close();
    const why = err instanceof PathError ? err.reason : (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : err instanceof Error ? err.message : String(err);
    throw new DatabaseNotReadyError(`cannot open ${path} read-only: ${why}`);
  }
  if (version !== LATEST_SCHEMA_VERSION) {
    db.close();
    throw new DatabaseNotReadyError(`${path} is at schema ${version}, this version needs ${LATEST_SCHEMA_VERSION}: run \`npm run migrate\` first`);
  }
  return db;
}

/** Applies migrations newer than `PRAGMA user_version`, each in its own transaction. */
export function migrate(db: Db): number {
  const current = schemaVersion(db);
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return schemaVersion(db);
}

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
