// `npm run migrate` (node dist/server.js --migrate): brings the database to this version's schema and
// exits. Refuses while a server holds the database, so a schema never changes under a running process.
import { migrate, openDatabase } from '../store/database.js';
import { acquireInstanceLock } from '../store/instance-lock.js';

export interface MigrationOutcome {
  from: number;
  to: number;
}

export function runMigrations(dbPath: string, now = Date.now()): MigrationOutcome {
  const db = openDatabase(dbPath);
  try {
    const from = db.pragma('user_version', { simple: true }) as number;
    const hasLockTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'instance_lock'").get() !== undefined;
    const lock = hasLockTable ? acquireInstanceLock(db, now) : undefined;
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
