// The durable job worker against the real SQLite queue: schedules, final failures, timeouts, restarts.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobError, defineJobKind, jobOf, type JobKind } from '../../src/jobs/types.js';
import { JobWorker } from '../../src/jobs/worker.js';
import { type Db } from '../../src/store/database.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { SqliteJobQueue } from '../../src/store/jobs-repository.js';
import { movableClock, type MovableClock } from '../support/movable-clock.js';
import { tempDbPath } from '../support/test-config.js';

const log = pino({ level: 'silent' });
const T0 = Date.parse('2026-11-17T16:00:00Z');
const SCHEDULE = [10_000, 60_000, 300_000];

let open: { db: Db; worker: JobWorker }[] = [];
afterEach(async () => {
  for (const { db, worker } of open.reverse()) {
    await worker.close(100);
    if (db.open) db.close();
  }
  open = [];
});

function setup(kinds: JobKind<never>[] | JobKind<{ n: number }>[], opts: { path?: string; clock?: MovableClock; concurrency?: number } = {}) {
  const db = openMigratedDatabase(opts.path ?? tempDbPath());
  const queue = new SqliteJobQueue(db);
  const clock = opts.clock ?? movableClock(T0);
  const worker = new JobWorker({ queue, kinds: kinds as JobKind<unknown>[], clock, log, concurrency: opts.concurrency ?? 4, pollMs: 60_000 });
  open.push({ db, worker });
  return { db, queue, clock, worker };
}

/** A job kind whose runs follow a script: 'ok', a retryable error class, 'final', or 'hang'. */
function scripted(script: string[], timeoutMs = 1_000) {
  const runs: { n: number; attempt: number }[] = [];
  const finals: string[] = [];
  const kind = defineJobKind({
    kind: 'test.scripted',
    payload: z.object({ n: z.number() }),
    retryDelaysMs: SCHEDULE,
    timeoutMs,
    async run(payload, ctx) {
      runs.push({ n: payload.n, attempt: ctx.attempt });
      const step = script[runs.length - 1] ?? 'ok';
      if (step === 'ok') return;
      if (step === 'hang') return new Promise<void>(() => {});
      if (step === 'final') throw new JobError('upstream_rejected', 'HTTP 400', true);
      throw new JobError(step, `failed with ${step}`);
    },
    onFinalFailure(_payload, _ctx, errorClass) {
      finals.push(errorClass);
    },
  });
  return { kind, runs, finals };
}

describe('JobWorker', () => {
  it('retries a failing job on its schedule and records its success', async () => {
    const { kind, runs } = scripted(['upstream_unavailable', 'timeout_upstream', 'ok']);
    const { queue, clock, worker } = setup([kind]);
    const id = queue.enqueue(jobOf(kind, { n: 1 }, '50370000001'), clock.now());

    await worker.runDue();
    expect(queue.get(id)).toMatchObject({ status: 'pending', attempts: 1, lastErrorClass: 'upstream_unavailable' });
    expect(queue.get(id)!.runAt - clock.now()).toBeGreaterThan(9_000);
    clock.advance(5_000);
    await worker.runDue();
    expect(runs).toHaveLength(1); // not due yet
    clock.advance(5_000);
    await worker.runDue();
    expect(queue.get(id)).toMatchObject({ status: 'pending', attempts: 2, lastErrorClass: 'timeout_upstream' });
    clock.advance(59_000);
    await worker.runDue();
    expect(runs).toHaveLength(2);
    clock.advance(1_000);
    await worker.runDue();
    expect(queue.get(id)).toMatchObject({ status: 'done', attempts: 3 });
    expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
  });

  it('stops at a final error or after the last attempt, and calls the final-failure handler once', async () => {
    const final = scripted(['final']);
    const a = setup([final.kind]);
    const id = a.queue.enqueue(jobOf(final.kind, { n: 1 }), a.clock.now());
    await a.worker.runDue();
    expect(a.queue.get(id)).toMatchObject({ status: 'failed', attempts: 1, lastErrorClass: 'upstream_rejected' });
    expect(final.finals).toEqual(['upstream_rejected']);

    const exhausted = scripted(['e1', 'e2', 'e3', 'e4', 'ok']);
    const b = setup([exhausted.kind]);
    const id2 = b.queue.enqueue(jobOf(exhausted.kind, { n: 2 }), b.clock.now());
    for (let i = 0; i < 6; i++) {
      await b.worker.runDue();
      b.clock.advance(300_000);
    }
    expect(exhausted.runs).toHaveLength(4); // 1 + 3 retries
    expect(b.queue.get(id2)).toMatchObject({ status: 'failed', attempts: 4, lastErrorClass: 'e4' });
    expect(exhausted.finals).toEqual(['e4']);
    expect(b.queue.list({ status: 'failed', limit: 10 }).map((j) => j.id)).toEqual([id2]);

    // Staff retry it: a fresh set of attempts, and this time it succeeds.
    expect(b.queue.retry(id2, b.clock.now())).toBe(true);
    await b.worker.runDue();
    expect(b.queue.get(id2)).toMatchObject({ status: 'done', attempts: 1 });
    expect(b.queue.retry(id2, b.clock.now())).toBe(false); // only failed jobs
  });

  it('times out a run that hangs and retries it', async () => {
    const { kind } = scripted(['hang', 'ok'], 50);
    const { queue, clock, worker } = setup([kind]);
    const id = queue.enqueue(jobOf(kind, { n: 1 }), clock.now());
    await worker.runDue();
    expect(queue.get(id)).toMatchObject({ status: 'pending', lastErrorClass: 'timeout' });
    clock.advance(10_000);
    await worker.runDue();
    expect(queue.get(id)!.status).toBe('done');
  });

  it('fails a job with an invalid payload or an unknown kind for good, without running it', async () => {
    const { kind, runs } = scripted([]);
    const { queue, clock, worker } = setup([kind]);
    const bad = queue.enqueue({ kind: kind.kind, payload: { n: 'x' }, maxAttempts: 3 }, clock.now());
    const unknown = queue.enqueue({ kind: 'test.gone', payload: {}, maxAttempts: 3 }, clock.now());
    await worker.runDue();
    expect(runs).toHaveLength(0);
    expect(queue.get(bad)).toMatchObject({ status: 'failed', lastErrorClass: 'invalid_payload' });
    expect(queue.get(unknown)).toMatchObject({ status: 'failed', lastErrorClass: 'unknown_kind' });
  });

  it('runs at most `concurrency` jobs at once', async () => {
    const { kind, runs } = scripted(Array(10).fill('hang'), 200);
    const { queue, clock, worker } = setup([kind], { concurrency: 2 });
    for (let n = 0; n < 10; n++) queue.enqueue(jobOf(kind, { n }), clock.now());
    const first = worker.runDue();
    expect(worker.activeJobs).toBe(2);
    await worker.runDue(); // nothing free: claims nothing
    expect(runs).toHaveLength(2);
    await first;
    expect(queue.list({ status: 'pending', limit: 20 })).toHaveLength(10);
  });

  it('keeps jobs across a restart: one cut short by shutdown or by kill -9 runs again', async () => {
    const path = tempDbPath();
    const clock = movableClock(T0);
    const first = scripted(['hang']);
    const a = setup([first.kind], { path, clock });
    const cutByShutdown = a.queue.enqueue(jobOf(first.kind, { n: 1 }), clock.now());
    const running = a.worker.runDue();
    await a.worker.close(20);
    await running;
    expect(a.queue.get(cutByShutdown)).toMatchObject({ status: 'pending', attempts: 0 });

    // A process that died mid-run (kill -9) leaves the job 'running': the next start makes it due again.
    const killed = a.queue.enqueue(jobOf(first.kind, { n: 2 }, undefined, clock.now() - 60_000), clock.now());
    expect(a.queue.claimDue(clock.now(), 1).map((j) => j.id)).toEqual([killed]);
    expect(a.queue.get(killed)).toMatchObject({ status: 'running' });
    a.db.close();

    const second = scripted(['ok', 'ok']);
    const b = setup([second.kind], { path, clock });
    b.worker.start();
    await b.worker.close(1_000);
    expect(second.runs.map((r) => r.n).sort()).toEqual([1, 2]);
    expect(b.queue.get(cutByShutdown)).toMatchObject({ status: 'done', attempts: 1 });
    expect(b.queue.get(killed)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('enqueues inside the caller\'s transaction: rolled back with it', () => {
    const { kind } = scripted([]);
    const { db, queue, clock } = setup([kind]);
    expect(() =>
      db.transaction(() => {
        queue.enqueue(jobOf(kind, { n: 1 }), clock.now());
        throw new Error('reply not recorded');
      })(),
    ).toThrow('reply not recorded');
    expect(queue.list({ limit: 10 })).toEqual([]);
  });
});
