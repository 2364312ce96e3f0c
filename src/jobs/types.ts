// Durable jobs: side effects that must happen after a turn (handoff steps, ticket updates, payment
// follow-ups) and survive restarts and `kill -9`. The queue is an interface so that a hotel group that
// outgrows one process can put it on an existing engine (Postgres with pg-boss) instead of SQLite.
import type { Logger } from 'pino';
import type { z } from 'zod';

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

export interface JobRecord {
  id: number;
  kind: string;
  conversationId: string | null;
  /** The payload as stored (JSON); the job kind validates it before running. */
  payload: unknown;
  status: JobStatus;
  /** Runs started so far, the current one included. */
  attempts: number;
  maxAttempts: number;
  /** When a pending job is due (epoch ms). */
  runAt: number;
  lastErrorClass: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewJob {
  kind: string;
  conversationId?: string | undefined;
  payload: unknown;
  maxAttempts: number;
  /** Default: now. */
  runAt?: number | undefined;
}

/** Where jobs live. Every method is one atomic step; `enqueue` joins the caller's transaction, if any. */
export interface JobQueue {
  enqueue(job: NewJob, now: number): number;
  /** Marks up to `limit` due pending jobs running (counting the attempt) and returns them, oldest first. */
  claimDue(now: number, limit: number): JobRecord[];
  complete(id: number, now: number): void;
  /** A failed run: pending again at `retryAt`, or failed for good when `retryAt` is undefined. */
  fail(id: number, now: number, errorClass: string, retryAt: number | undefined): void;
  /** A run cut short by shutdown: pending again, the attempt not counted. */
  release(id: number, now: number): void;
  /** At start: jobs left running by a process that died are due again (their attempt stays counted). */
  releaseInterrupted(now: number): number;
  /**
   * Pending jobs of `kind` for a conversation that a newer job makes pointless (a ticket status set again):
   * marked done with error class 'superseded', so the newest request wins whatever the retries' timing.
   */
  supersedePending(kind: string, conversationId: string, now: number): number;
  /** Runs `fn` in one transaction of the queue's store (a job and what it stands for change together). */
  atomically<T>(fn: () => T): T;
  /** A pending job that will not run: marked done with error class 'cancelled'. False when it is not pending. */
  cancel(id: number, now: number): boolean;
  /** A job that failed for good, made pending again with a fresh set of attempts. */
  retry(id: number, now: number): boolean;
  get(id: number): JobRecord | undefined;
  list(filter: { status?: JobStatus | undefined; kind?: string | undefined; limit: number }): JobRecord[];
  /** Deletes done jobs finished before `before`; failed jobs are kept for staff. */
  purgeDone(before: number): number;
}

/** What a job's run gets. */
export interface JobContext {
  jobId: number;
  conversationId: string | null;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  log: Logger;
  /** Aborted at the job's timeout or at shutdown. */
  signal: AbortSignal;
}

/**
 * One kind of job. `run` must be idempotent: a run interrupted by a crash, `kill -9` or its timeout is run
 * again, so it may already have done some or all of its work.
 */
export interface JobKind<P = unknown> {
  kind: string;
  payload: z.ZodType<P>;
  /** Delays before each retry, in ms: `[10_000, 60_000]` means at most 3 runs. */
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  run(payload: P, ctx: JobContext): Promise<void>;
  /** Called when staff cancel a pending job, in the transaction that cancels it (end what the job stood for). */
  onCancel?(payload: P, conversationId: string | null): void;
  /** Called once when the job has failed for good (retries exhausted or a final error). */
  onFinalFailure?(payload: P, ctx: JobContext, errorClass: string): Promise<void> | void;
}

/** Thrown by a job to say how it failed; `final` stops the retries (e.g. a 4xx other than 429). */
export class JobError extends Error {
  constructor(
    readonly errorClass: string,
    message: string,
    readonly final = false,
  ) {
    super(message);
    this.name = 'JobError';
  }
}

/** Declares a job kind with its payload type checked against its schema. */
export function defineJobKind<P>(kind: JobKind<P>): JobKind<P> {
  return kind;
}

/** The job to enqueue for a kind: attempts follow from the kind's schedule. */
export function jobOf<P>(kind: JobKind<P>, payload: P, conversationId?: string, runAt?: number): NewJob {
  return { kind: kind.kind, payload, conversationId, maxAttempts: kind.retryDelaysMs.length + 1, runAt };
}
