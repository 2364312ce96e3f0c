import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { acquireInstanceLock, InstanceLockError, LOCK_STALE_MS } from '../../src/store/instance-lock.js';
import { createTestAgent } from '../support/test-agent.js';
import { tempDbPath, testConfig } from '../support/test-config.js';

function seedLock(dbPath: string, pid: number, heartbeatAt: number): void {
  const db = openMigratedDatabase(dbPath);
  db.prepare(
    `INSERT INTO instance_lock (id, instance_id, pid, hostname, started_at, heartbeat_at) VALUES (1, 'other', ?, ?, ?, ?)`,
  ).run(pid, hostname(), heartbeatAt, heartbeatAt);
  db.close();
}

describe('one server process per database', () => {
  it('refuses to start a second app on the same database until the first has closed', async () => {
    const config = testConfig();
    const first = await buildApp({ config, agent: createTestAgent() });
    await first.ready();
    await expect(buildApp({ config, agent: createTestAgent() })).rejects.toBeInstanceOf(InstanceLockError);
    await first.close();
    const second = await buildApp({ config, agent: createTestAgent() });
    await second.ready();
    await second.close();
  });

  it('takes over at once from a process that died (kill -9 leaves its lock behind)', () => {
    const dbPath = tempDbPath();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    seedLock(dbPath, dead, Date.now());
    const db = openMigratedDatabase(dbPath);
    expect(() => acquireInstanceLock(db, Date.now())).not.toThrow();
    db.close();
  });

  it('keeps the lock of a live owner while its heartbeat is fresh, and takes over a stale one', () => {
    const dbPath = tempDbPath();
    const now = Date.now();
    seedLock(dbPath, process.pid, now); // alive: this very process, another instance
    const db = openMigratedDatabase(dbPath);
    expect(() => acquireInstanceLock(db, now + 1_000)).toThrow(/pid \d+/);
    const lock = acquireInstanceLock(db, now + LOCK_STALE_MS + 1);
    expect(lock.heartbeat(now + LOCK_STALE_MS + 2)).toBe(true);
    lock.release();
    db.close();
  });
});
