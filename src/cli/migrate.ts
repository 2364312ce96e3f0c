// `npm run migrate` (node dist/server.js --migrate): brings the database to this version's schema and
// exits. Refuses while a server holds the database, so a schema never changes under a running process.
import { hasTable, migrate, openDatabase, schemaVersion } from '../store/database.js';
import { acquireInstanceLock } from '../store/instance-lock.js';

export interface MigrationOutcome {
  from: number;
  to: number;
}

export function runMigrations(dbPath: string, now = Date.now()): MigrationOutcome {
  const db = openDatabase(dbPath);
  try {
    const from = schemaVersion(db);
    // A database older than the lock (migration 5) has no server holding it.
    const lock = hasTable(db, 'instance_lock') ? acquireInstanceLock(db, now) : undefined;
    try {
      const to = migrate(db);
      return { from, to };
    } finally {
      lock?.release();
    }
  } finally {
    db.close();
  }
}
