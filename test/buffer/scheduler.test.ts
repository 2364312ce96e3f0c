// The scheduler's memory is bounded by the conversations that have a timer armed, a turn due or a turn
// running, never by every conversation that ever wrote: answered conversations are forgotten, and so are
// conversations that cannot be answered yet (their messages wait in the database, which is asked again).
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TurnScheduler, type SchedulerFootprint } from '../../src/buffer/scheduler.js';
import { systemClock } from '../../src/core/clock.js';
import { BufferStore } from '../../src/store/buffer-store.js';
import type { Db } from '../../src/store/database.js';
import { whatsappText } from '../support/inbound-message.js';
import { openMigratedDatabase } from '../support/test-db.js';

const CONVERSATIONS = 60;
const EMPTY: SchedulerFootprint = { timers: 0, windows: 0, ready: 0, running: 0 };

let db: Db | undefined;
let scheduler: TurnScheduler | undefined;
afterEach(async () => {
  await scheduler?.close(1_000);
  db?.close();
  scheduler = undefined;
  db = undefined;
});

const message = (waId: string, text: string) => whatsappText(waId, text);

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function setup() {
  db = openMigratedDatabase(':memory:');
  const store = new BufferStore(db);
  const state = { canRun: false, answered: [] as string[], postponed: 0 };
  scheduler = new TurnScheduler({
    store,
    timing: { quietMs: 5, mediaQuietMs: 5, maxWaitMs: 20, maxConcurrentTurns: 4 },
    clock: systemClock,
    log: pino({ level: 'silent' }),
    recheckMs: 30,
    canRun: () => {
      if (!state.canRun) state.postponed++;
      return state.canRun;
    },
    runTurn: async (conversationId) => {
      await new Promise((r) => setImmediate(r));
      const batch = store.claimBatch(conversationId, Date.now());
      if (!batch) return;
      store.finishBatch(batch.batchId, 'delivered', undefined, Date.now());
      state.answered.push(conversationId);
    },
  });
  const s = scheduler;
  const write = (waId: string, text: string) => {
    const result = store.accept([message(waId, text)], Date.now());
    if (result.accepted) s.noteAccepted(waId, Date.now(), false);
  };
  const pendingConversations = () =>
    (db as Db).prepare(`SELECT COUNT(DISTINCT conversation_id) AS n FROM inbound_messages WHERE status = 'pending'`).pluck().get() as number;
  return { scheduler: s, store, state, write, pendingConversations };
}

const waIdOf = (i: number) => `5037100${String(i).padStart(4, '0')}`;

describe('scheduler memory', () => {
  it('holds nothing for conversations once they are answered', async () => {
    const { scheduler, state, write, pendingConversations } = setup();
    state.canRun = true;
    for (let i = 0; i < CONVERSATIONS; i++) write(waIdOf(i), `hola ${i}`);
    expect(scheduler.footprint().timers).toBe(CONVERSATIONS);
    await until('every conversation answered', () => new Set(state.answered).size === CONVERSATIONS && scheduler.activeTurns === 0);
    expect(scheduler.footprint()).toEqual(EMPTY);
    expect(pendingConversations()).toBe(0);
  });

  it('forgets conversations that cannot run, keeps their messages, and answers them once they can', async () => {
    const { scheduler, state, write, pendingConversations } = setup();
    for (let i = 0; i < CONVERSATIONS; i++) write(waIdOf(i), `hola ${i}`);
    await until('every conversation postponed', () => state.postponed >= CONVERSATIONS && scheduler.footprint().timers === 0);
    expect(scheduler.footprint()).toEqual(EMPTY);
    expect(state.answered).toEqual([]);
    expect(pendingConversations()).toBe(CONVERSATIONS);

    // More messages for conversations that still cannot run: each is postponed again, nothing accumulates.
    for (let round = 1; round <= 3; round++) {
      const postponedBefore = state.postponed;
      for (let i = 0; i < CONVERSATIONS; i++) write(waIdOf(i), `mensaje ${round}.${i}`);
      await until(`round ${round} postponed`, () => state.postponed >= postponedBefore + CONVERSATIONS && scheduler.footprint().timers === 0);
      expect(scheduler.footprint()).toEqual(EMPTY);
    }
    expect(pendingConversations()).toBe(CONVERSATIONS);

    // The service becomes able to answer (e.g. the instructions file is fixed): no new message is needed.
    state.canRun = true;
    await until('every waiting conversation answered', () => new Set(state.answered).size === CONVERSATIONS && scheduler.activeTurns === 0);
    expect(state.answered).toHaveLength(CONVERSATIONS); // one turn each, holding all four of its messages
    expect(pendingConversations()).toBe(0);
    expect(scheduler.footprint()).toEqual(EMPTY);
  });

  it('stops looking again once nothing waits', async () => {
    const { scheduler, state, write } = setup();
    write(waIdOf(1), 'hola');
    await until('postponed', () => state.postponed >= 1 && scheduler.footprint().timers === 0);
    state.canRun = true;
    await until('answered', () => state.answered.length === 1 && scheduler.activeTurns === 0);
    const checks = state.postponed;
    state.canRun = false;
    await new Promise((r) => setTimeout(r, 150)); // several recheck intervals
    expect(state.postponed).toBe(checks); // canRun is not asked again: nothing is pending
    expect(scheduler.footprint()).toEqual(EMPTY);
  });
});
