// The components' metric hooks on their own: the job worker's run outcomes and the booking service's outcomes.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BookingService, type BookingServiceDeps } from '../../src/hotel/booking-service.js';
import type { BookingRequest } from '../../src/hotel/booking-request.js';
import { JobError, defineJobKind, jobOf } from '../../src/jobs/types.js';
import { JobWorker } from '../../src/jobs/worker.js';
import type { JobRunOutcome } from '../../src/metrics/service-metrics.js';
import type { Db } from '../../src/store/database.js';
import { SqliteJobQueue } from '../../src/store/jobs-repository.js';
import { movableClock } from '../support/movable-clock.js';
import { openMigratedDatabase } from '../support/test-db.js';

const log = pino({ level: 'silent' });

describe('metric hooks', () => {
  let db: Db | undefined;
  afterEach(() => {
    if (db?.open) db.close();
  });

  it('the job worker counts each run: done, retried, failed for good (an unknown kind as `other`)', async () => {
    db = openMigratedDatabase(':memory:');
    const queue = new SqliteJobQueue(db);
    const clock = movableClock(Date.parse('2026-12-01T12:00:00Z'));
    const finished: [string, JobRunOutcome][] = [];
    const kind = defineJobKind({
      kind: 'test.hooks',
      payload: z.object({ fail: z.enum(['no', 'retry', 'final']) }),
      retryDelaysMs: [1_000],
      timeoutMs: 1_000,
      async run({ fail }) {
        if (fail === 'retry') throw new JobError('upstream_unavailable', 'try later');
        if (fail === 'final') throw new JobError('rejected', 'no', true);
      },
    });
    const worker = new JobWorker({ queue, kinds: [kind as never], clock, log, pollMs: 60_000, metrics: { jobFinished: (k, o) => void finished.push([k, o]) } });
    expect(worker.kindNames).toEqual(['test.hooks']);
    for (const fail of ['no', 'retry', 'final'] as const) queue.enqueue(jobOf(kind, { fail }), clock.now());
    queue.enqueue({ kind: 'gone.kind', payload: {}, maxAttempts: 1 }, clock.now());
    await worker.runDue();
    await worker.close(100);
    expect(finished.toSorted()).toEqual(
      [
        ['test.hooks', 'done'],
        ['test.hooks', 'retried'],
        ['test.hooks', 'failed'],
        ['other', 'failed'],
      ].toSorted(),
    );
  });

  it('the booking service counts each request by its outcome, `error` when it threw', async () => {
    const outcomes: string[] = [];
    let live: unknown;
    let rates: () => Promise<Map<string, unknown>> = () => Promise.resolve(new Map());
    const deps = {
      attempts: { paymentUse: () => ({ inFlight: live, booked: [] }) },
      rates: { ratesFor: () => rates() },
      now: () => 0,
      log,
      metrics: { booking: (o: string) => void outcomes.push(o) },
    } as unknown as BookingServiceDeps;
    const service = new BookingService(deps);
    const request = {
      conversationId: '50370000001',
      nights: ['2026-12-24'],
      payment: { method: 'CompraClick', authorization: '123456', amountCents: 10_000 },
    } as unknown as BookingRequest;

    expect((await service.book(request)).kind).toBe('rates_missing');
    live = { conversationId: '50370000002', reserva: null, state: 'posting' };
    expect((await service.book(request)).kind).toBe('payment_in_use');
    live = { conversationId: '50370000001', state: 'in_doubt' };
    expect((await service.book(request)).kind).toBe('pending');
    live = undefined;
    rates = () => Promise.reject(new Error('hotel database down'));
    await expect(service.book(request)).rejects.toThrow('hotel database down');
    expect(outcomes).toEqual(['rates_missing', 'payment_in_use', 'pending', 'error']);
  });
});
