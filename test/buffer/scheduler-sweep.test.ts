// The scheduler's periodic sweep: pending messages written by another process (no noteAccepted, so no
// timer) are picked up within the sweep interval; postponed conversations are not re-armed by it.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TurnScheduler } from '../../src/buffer/scheduler.js';
import { systemClock } from '../../src/core/clock.js';
import { BufferStore } from '../../src/store/buffer-store.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { tempDbPath } from '../support/test-config.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { whatsappText } from '../support/inbound-message.js';
import { until } from '../support/wait.js';

const message = (waId: string, text: string) => whatsappText(waId, text);

const dbs: Db[] = [];
let scheduler: TurnScheduler | undefined;
afterEach(async () => {
  await scheduler?.close(1_000);
  scheduler = undefined;
  for (const db of dbs.splice(0)) db.close();
});

function setup(dbPath: string, sweepMs: number, canRun: () => boolean = () => true) {
  const db = openMigratedDatabase(dbPath);
  dbs.push(db);
  const store = new BufferStore(db);
  const answered: string[] = [];
  scheduler = new TurnScheduler({
    store,
    timing: { quietMs: 5, mediaQuietMs: 5, maxWaitMs: 20, maxConcurrentTurns: 4 },
    clock: systemClock,
    log: pino({ level: 'silent' }),
    sweepMs,
    recheckMs: 60_000,
    canRun,
    runTurn: async (conversationId) => {
      const batch = store.claimBatch(conversationId, Date.now());
      if (!batch) return;
      store.finishBatch(batch.batchId, 'delivered', undefined, Date.now());
      answered.push(conversationId);
    },
  });
  scheduler.start();
  return { answered, scheduler };
}

describe('scheduler sweep', () => {
  it('answers pending messages another connection wrote, within the sweep interval', async () => {
    const dbPath = tempDbPath();
    const { answered } = setup(dbPath, 50);
    // Another process: its own connection, no timer of ours.
    const other = openDatabase(dbPath);
    dbs.push(other);
    new BufferStore(other).accept([message('50370009999', 'hola')], Date.now() - 10_000);
    const t0 = Date.now();
    await until(() => answered.includes('50370009999'), 'the swept conversation to be answered', 2_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('is off with sweepMs 0, and does not re-arm a conversation that cannot run', async () => {
    const dbPath = tempDbPath();
    let asked = 0;
    const { answered, scheduler: s } = setup(dbPath, 0);
    const other = openDatabase(dbPath);
    dbs.push(other);
    new BufferStore(other).accept([message('50370008888', 'hola')], Date.now());
    await new Promise((r) => setTimeout(r, 200));
    expect(answered).toEqual([]);
    await s.close(100);

    const second = setup(dbPath, 30, () => {
      asked++;
      return false;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(second.answered).toEqual([]);
    expect(second.scheduler.footprint()).toEqual({ timers: 0, windows: 0, ready: 0, running: 0 });
    // start() schedules it once (and the turn is postponed); the sweep only asks canRun, it arms no timer.
    expect(asked).toBeGreaterThan(1);
  });
});
