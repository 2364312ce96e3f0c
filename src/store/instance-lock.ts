// One server process per database: timers and single flight live in the process, so a second process on
// the same file (a stray `npm start` next to the service) would answer every conversation twice.
// The owner keeps a heartbeat; a lock whose process is gone (crash, kill -9) is taken over at once.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from './database.js';

export const LOCK_HEARTBEAT_MS = 10_000;
/** A heartbeat older than this means the owner is gone even if its pid now belongs to another process. */
export const LOCK_STALE_MS = 35_000;

export class InstanceLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstanceLockError';
  }
}

interface LockRow {
  instance_id: string;
  pid: number;
  hostname: string;
  heartbeat_at: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface InstanceLock {
  /** Refreshes the heartbeat; false when another process has taken the lock over. */
  heartbeat(now: number): boolean;
  release(): void;
}

/** Takes the database for this process, or throws InstanceLockError naming the current owner. */
export function acquireInstanceLock(db: Db, now: number): InstanceLock {
  const me = { instanceId: randomUUID(), pid: process.pid, hostname: hostname() };
  db.transaction(() => {
    const row = db.prepare<[], LockRow>('SELECT instance_id, pid, hostname, heartbeat_at FROM instance_lock WHERE id = 1').get();
    if (row) {
      const fresh = now - row.heartbeat_at < LOCK_STALE_MS;
      const ownerAlive = row.hostname !== me.hostname || processAlive(row.pid);
      if (fresh && ownerAlive) {
        throw new InstanceLockError(
          `the database is in use by another watibot3 process (pid ${row.pid} on ${row.hostname}); ` +
            'run one process per CONVERSATION_DB_PATH',
        );
      }
    }
    db.prepare(
      `INSERT INTO instance_lock (id, instance_id, pid, hostname, started_at, heartbeat_at)
       VALUES (1, @instanceId, @pid, @hostname, @now, @now)
       ON CONFLICT(id) DO UPDATE SET instance_id = excluded.instance_id, pid = excluded.pid,
         hostname = excluded.hostname, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
    ).run({ ...me, now });
  }).immediate();

  const beat = db.prepare<[number, string]>('UPDATE instance_lock SET heartbeat_at = ? WHERE id = 1 AND instance_id = ?');
  const drop = db.prepare<[string]>('DELETE FROM instance_lock WHERE id = 1 AND instance_id = ?');
  return {
    heartbeat: (at) => beat.run(at, me.instanceId).changes === 1,
    release: () => void drop.run(me.instanceId),
  };
}
