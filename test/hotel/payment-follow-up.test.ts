// The payment follow-up on the real SQLite job queue and worker, with an injected clock: the schedule,
// exactly one outcome, and the same follow-up continued by a new process on the same database.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PaymentFollowUps, type AttemptOutcome } from '../../src/hotel/payment-follow-up.js';
import type { JobKind } from '../../src/jobs/types.js';
import { JobWorker } from '../../src/jobs/worker.js';
import type { Db } from '../../src/store/database.js';
import { SqliteJobQueue } from '../../src/store/jobs-repository.js';
import { PaymentFollowUpsRepository, type FollowUp } from '../../src/store/payment-follow-ups-repository.js';
import { movableClock, type MovableClock } from '../support/movable-clock.js';
import { tempDbPath } from '../support/test-config.js';
import { openMigratedDatabase } from '../support/test-db.js';

const log = pino({ level: 'silent' });
const MIN = 60_000;

function process_(db: Db, clock: MovableClock, attempt: (f: FollowUp, n: number) => AttemptOutcome, handedOff = () => false) {
  const events: string[] = [];
  const followUps = new PaymentFollowUpsRepository(db);
  const jobs = new SqliteJobQueue(db);
  let calls = 0;
  const service = new PaymentFollowUps({
    followUps,
    jobs,
    attempt: async (f) => attempt(f, ++calls),
    isHandedOff: handedOff,
    notifier: {
      confirmed: (_f, reserva) => void events.push(`confirmed ${reserva} at ${Math.round(clock.now() / MIN)}`),
      askTransferType: () => void events.push(`ask 365/UNI at ${Math.round(clock.now() / MIN)}`),
      escalate: (_f, reason) => void events.push(`escalated ${reason} at ${Math.round(clock.now() / MIN)}`),
    },
    now: clock.now,
  });
  const worker = new JobWorker({ queue: jobs, kinds: [service.jobKind as JobKind<unknown>], clock, log, pollMs: 10 });
  return { service, worker, followUps, jobs, events, calls: () => calls };
}

/** Moves the clock minute by minute and runs what is due, up to `minutes`. */
async function runFor(p: ReturnType<typeof process_>, clock: MovableClock, minutes: number): Promise<void> {
  for (let i = 0; i < minutes; i++) {
    clock.advance(MIN);
    await p.worker.runDue();
  }
}

describe('payment follow-up', () => {
  it('a transfer that appears on the third check is booked once and the guest told once', async () => {
    const db = openMigratedDatabase(tempDbPath());
    const clock = movableClock(0);
    const p = process_(db, clock, (_f, n) => (n === 3 ? { kind: 'booked', reserva: '28611' } : { kind: 'not_yet' }));
    p.service.start({ conversationId: '50370000001', paymentKey: 'BANK_2027-02-21_23600', kind: 'bank', payload: {}, firstAt: 5 * MIN });
    await runFor(p, clock, 60);
    expect(p.calls()).toBe(3);
    expect(p.events).toEqual(['confirmed 28611 at 15']);
    expect(p.followUps.activeFor('50370000001')).toEqual([]);
    db.close();
  });

  it('a payment that never appears: 16 checks over 8.5 hours, the 365/UNI question once, then exactly one escalation', async () => {
    const db = openMigratedDatabase(tempDbPath());
    const clock = movableClock(0);
    const p = process_(db, clock, () => ({ kind: 'not_yet' }));
    p.service.start({ conversationId: '50370000002', paymentKey: 'BANK_2027-02-21_30000', kind: 'bank', payload: {}, firstAt: 5 * MIN });
    await runFor(p, clock, 12 * 60);
    expect(p.calls()).toBe(16);
    // Attempts at 5…30 (5 min apart), 60…150 (30 min), 210…510 (60 min): the question after the 6th.
    expect(p.events).toEqual(['ask 365/UNI at 30', 'escalated payment_not_found at 510']);
    db.close();
  });

  it('asking again for the same payment returns the follow-up that is running', () => {
    const db = openMigratedDatabase(tempDbPath());
    const clock = movableClock(0);
    const p = process_(db, clock, () => ({ kind: 'not_yet' }));
    const a = p.service.start({ conversationId: '50370000003', paymentKey: 'CC_517364', kind: 'card', payload: {}, firstAt: 5 * MIN });
    const b = p.service.start({ conversationId: '50370000003', paymentKey: 'CC_517364', kind: 'card', payload: {}, firstAt: 5 * MIN });
    expect([a.created, b.created, b.followUp.id]).toEqual([true, false, a.followUp.id]);
    expect(p.jobs.list({ kind: 'payment.follow-up', limit: 10 })).toHaveLength(1);
    db.close();
  });

  it('keeps its schedule across a restart: a new process on the same database continues it', async () => {
    const path = tempDbPath();
    const clock = movableClock(0);
    let db = openMigratedDatabase(path);
    let p = process_(db, clock, () => ({ kind: 'not_yet' }));
    p.service.start({ conversationId: '50370000004', paymentKey: 'CC_603118', kind: 'card', payload: {}, firstAt: 5 * MIN });
    await runFor(p, clock, 12); // attempts at 5 and 10
    expect(p.calls()).toBe(2);
    await p.worker.close(100);
    db.close();

    clock.advance(3 * 60 * MIN); // down for three hours
    db = openMigratedDatabase(path);
    p = process_(db, clock, (_f, n) => (n === 1 ? { kind: 'booked', reserva: '28612' } : { kind: 'not_yet' }));
    await runFor(p, clock, 1);
    expect(p.calls()).toBe(1);
    expect(p.events).toHaveLength(1);
    expect(p.events[0]).toMatch(/^confirmed 28612/);
    db.close();
  });

  it('stops when the guest is handed to a person', async () => {
    const db = openMigratedDatabase(tempDbPath());
    const clock = movableClock(0);
    const p = process_(db, clock, () => ({ kind: 'not_yet' }), () => true);
    p.service.start({ conversationId: '50370000005', paymentKey: 'CC_111111', kind: 'card', payload: {}, firstAt: 5 * MIN });
    await runFor(p, clock, 20);
    expect(p.calls()).toBe(0);
    expect(p.events).toEqual([]);
    expect(p.followUps.activeFor('50370000005')).toEqual([]);
    db.close();
  });
  it('staff cancelling its next attempt ends the follow-up, so a new one may start for the payment', async () => {
    const db = openMigratedDatabase(tempDbPath());
    const clock = movableClock(0);
    const p = process_(db, clock, () => ({ kind: 'not_yet' }));
    const first = p.service.start({ conversationId: '50370000006', paymentKey: 'CC_222222', kind: 'card', payload: {}, firstAt: 5 * MIN });
    const [job] = p.jobs.list({ kind: 'payment.follow-up', limit: 5 });
    expect(p.worker.cancel(job!.id)).toBe(true);
    expect(p.followUps.get(first.followUp.id)?.state).toBe('cancelled');
    await runFor(p, clock, 20);
    expect(p.calls()).toBe(0);
    expect(p.service.start({ conversationId: '50370000006', paymentKey: 'CC_222222', kind: 'card', payload: {}, firstAt: 25 * MIN }).created).toBe(true);
    db.close();
  });
});
