// Opens the SQLite database (WAL). Migrations are a separate, explicit step (migrate), run by the server at
// start and by `npm run migrate`; a read-only tool opens the database without them and without the lock.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/** Opens (creating it if needed) the database for reading and writing. Does not migrate. */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable against process crashes in WAL mode (only an OS crash can lose the last commits).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
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
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new DatabaseNotReadyError(`cannot open ${path} read-only: ${err instanceof Error ? err.message : String(err)}`);
  }
  db.pragma('busy_timeout = 5000');
  const version = schemaVersion(db);
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
