// Runs due jobs: claims them from the queue, runs each with its kind's timeout and bounded concurrency,
// records the outcome and reschedules failures on the kind's schedule, ending in its final-failure
// handler. Polls at a fixed interval and when woken (a job was enqueued), so a job never waits long
// past its due time; everything it knows is in the queue, so a restart loses nothing.
import type { Logger } from 'pino';
import { deadline } from '../core/abort.js';
import type { Clock } from '../core/clock.js';
import { redactUrl } from '../core/logger.js';
import { JobError, type JobContext, type JobKind, type JobQueue, type JobRecord } from './types.js';
import { describeIssues } from '../core/errors.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';

export interface JobWorkerOptions {
  queue: JobQueue;
  kinds: readonly JobKind<unknown>[];
  clock: Clock;
  log: Logger;
  /** Jobs running at the same time. */
  concurrency?: number;
  /** How often due jobs are looked for. */
  pollMs?: number;
  /** Job runs by kind and outcome. */
  metrics?: Pick<ServiceMetrics, 'jobFinished'> | undefined;
}

export const DEFAULT_JOB_CONCURRENCY = 4;
export const DEFAULT_JOB_POLL_MS = 1_000;

export class JobWorker {
  private readonly kinds = new Map<string, JobKind<unknown>>();
  private readonly running = new Map<number, Promise<void>>();
  private readonly shutdown = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private wakeQueued = false;
  private started = false;
  private closing = false;

  constructor(private readonly opts: JobWorkerOptions) {
    this.register(...opts.kinds);
  }

  /**
   * Adds job kinds before start(): the services that enqueue jobs are given the worker (to wake it) and only
   * then give their kinds, so neither has to be built before the other.
   */
  register(...kinds: readonly JobKind<unknown>[]): void {
    if (this.started) throw new Error('job kinds are registered before the worker starts');
    for (const kind of kinds) {
      if (this.kinds.has(kind.kind)) throw new Error(`job kind ${kind.kind} is registered twice`);
      this.kinds.set(kind.kind, kind);
    }
  }

  get activeJobs(): number {
    return this.running.size;
  }

  /** The registered kinds' names. */
  get kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  /** Makes jobs left running by a process that died due again, then starts polling. */
  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    const released = this.opts.queue.releaseInterrupted(this.opts.clock.now());
    if (released > 0) this.opts.log.warn({ jobs: released }, 'jobs interrupted by the last shutdown will run again');
    this.timer = setInterval(() => this.poll(), this.opts.pollMs ?? DEFAULT_JOB_POLL_MS);
    this.timer.unref();
    this.poll();
  }

  /** Looks for due jobs soon (after the caller's transaction has committed). */
  wake(): void {
    if (!this.started || this.wakeQueued || this.closing) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      this.poll();
    });
  }

  /**
   * Staff cancel a pending job: it will not run, and its kind ends what it stood for (a payment follow-up
   * stops) in the same transaction. False when the job is not pending.
   */
  cancel(id: number): boolean {
    const { queue, clock } = this.opts;
    return queue.atomically(() => {
      const job = queue.get(id);
      if (!job || !queue.cancel(id, clock.now())) return false;
      const kind = this.kinds.get(job.kind);
      const parsed = kind?.payload.safeParse(job.payload);
      if (kind?.onCancel && parsed?.success) kind.onCancel(parsed.data, job.conversationId);
      return true;
    });
  }

  /** Claims and runs what is due now; resolves when those runs end. For tests and the CLI. */
  async runDue(): Promise<void> {
    const started = this.claimAndRun();
    await Promise.all(started);
  }

  /** Stops claiming; waits up to `graceMs` for running jobs, then aborts them (they run again after restart). */
  async close(graceMs = 5_000): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const runs = [...this.running.values()];
    if (runs.length > 0) {
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(runs),
        new Promise<void>((resolve) => (timeout = setTimeout(resolve, graceMs))),
      ]);
      if (timeout) clearTimeout(timeout);
    }
    this.shutdown.abort();
    await Promise.all([...this.running.values()]);
  }

  private poll(): void {
    try {
      this.claimAndRun();
    } catch (err) {
      // A database error in a timer must not end the process; the next poll tries again.
      this.opts.log.error({ err }, 'job poll failed');
    }
  }

  private claimAndRun(): Promise<void>[] {
    if (this.closing) return [];
    const free = (this.opts.concurrency ?? DEFAULT_JOB_CONCURRENCY) - this.running.size;
    if (free <= 0) return [];
    return this.opts.queue.claimDue(this.opts.clock.now(), free).map((job) => this.launch(job));
  }

  private launch(job: JobRecord): Promise<void> {
    const done = this.execute(job).finally(() => {
      this.running.delete(job.id);
    });
    this.running.set(job.id, done);
    return done;
  }

  private async execute(job: JobRecord): Promise<void> {
    const { queue, clock } = this.opts;
    const log = this.opts.log.child({ jobId: job.id, job: job.kind, attempt: job.attempts });
    const kind = this.kinds.get(job.kind);
    if (!kind) {
      queue.fail(job.id, clock.now(), 'unknown_kind', undefined);
      this.opts.metrics?.jobFinished('other', 'failed');
      log.error('job of an unknown kind failed for good');
      return;
    }
    const payload = kind.payload.safeParse(job.payload);
    if (!payload.success) {
      queue.fail(job.id, clock.now(), 'invalid_payload', undefined);
      this.opts.metrics?.jobFinished(job.kind, 'failed');
      log.error({ problems: describeIssues(payload.error.issues, 'payload') }, 'job payload invalid; failed for good');
      return;
    }
    const bound = deadline(kind.timeoutMs, this.shutdown.signal);
    const signal = bound.signal;
    const ctx: JobContext = {
      jobId: job.id,
      conversationId: job.conversationId,
      attempt: job.attempts,
      maxAttempts: job.maxAttempts,
      log,
      signal,
    };
    try {
      await raceAbort(kind.run(payload.data, ctx), signal);
      queue.complete(job.id, clock.now());
      this.opts.metrics?.jobFinished(job.kind, 'done');
      log.info('job done');
      return;
    } catch (err) {
      if (this.shutdown.signal.aborted && !bound.timedOut) {
        queue.release(job.id, clock.now());
        log.info('job interrupted by shutdown; it runs again after restart');
        return;
      }
      const errorClass = bound.timedOut ? 'timeout' : err instanceof JobError ? err.errorClass : 'exception';
      const final = (err instanceof JobError && err.final) || job.attempts >= job.maxAttempts;
      if (!final) {
        const delay = kind.retryDelaysMs[job.attempts - 1] ?? kind.retryDelaysMs[kind.retryDelaysMs.length - 1] ?? 0;
        queue.fail(job.id, clock.now(), errorClass, clock.now() + delay);
        this.opts.metrics?.jobFinished(job.kind, 'retried');
        log.warn({ errorClass, retryInMs: delay, err: errorMessage(err) }, 'job failed; retrying later');
        return;
      }
      queue.fail(job.id, clock.now(), errorClass, undefined);
      this.opts.metrics?.jobFinished(job.kind, 'failed');
      log.error({ errorClass, err: errorMessage(err) }, 'job failed for good');
      if (kind.onFinalFailure) {
        try {
          await kind.onFinalFailure(payload.data, ctx, errorClass);
        } catch (handlerErr) {
          log.error({ err: errorMessage(handlerErr) }, 'final-failure handler failed');
        }
      }
    } finally {
      bound.clear();
    }
  }
}

/** Settles with the run, or rejects as soon as the signal aborts (a run that ignores its signal is left behind). */
function raceAbort<T>(run: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    run.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Error text for logs only; upstream bodies may echo a phone number or carry a key in a URL. */
function errorMessage(err: unknown): string {
  return redactUrl(err instanceof Error ? err.message : String(err)).slice(0, 300);
}
