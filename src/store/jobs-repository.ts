// The SQLite job queue (table `jobs`, migration 7): all SQL on that table lives here.
import { z } from 'zod';
import type { JobQueue, JobRecord, JobStatus, NewJob } from '../jobs/types.js';
import type { Db } from './database.js';

const jobRow = z.object({
  id: z.number().int(),
  kind: z.string(),
  conversation_id: z.string().nullable(),
  payload: z.string(),
  status: z.enum(['pending', 'running', 'done', 'failed']),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  run_at: z.number(),
  last_error_class: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});

function toRecord(row: unknown): JobRecord {
  const r = jobRow.parse(row);
  let payload: unknown;
  try {
    payload = JSON.parse(r.payload) as unknown;
  } catch {
    payload = undefined; // the job kind's schema rejects it and the job fails for good
  }
  return {
    id: r.id,
    kind: r.kind,
    conversationId: r.conversation_id,
    payload,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAt: r.run_at,
    lastErrorClass: r.last_error_class,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class SqliteJobQueue implements JobQueue {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO jobs (kind, conversation_id, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
         VALUES (@kind, @conversationId, @payload, 'pending', 0, @maxAttempts, @runAt, @now, @now)`,
      ),
      due: db.prepare<[number, number]>(
        `SELECT * FROM jobs WHERE status = 'pending' AND run_at <= ? ORDER BY run_at, id LIMIT ?`,
      ),
      markRunning: db.prepare<[number, number]>(
        `UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'pending'`,
      ),
      complete: db.prepare<[number, number]>(`UPDATE jobs SET status = 'done', updated_at = ? WHERE id = ?`),
      retryLater: db.prepare<[string, number, number, number]>(
        `UPDATE jobs SET status = 'pending', last_error_class = ?, run_at = ?, updated_at = ? WHERE id = ?`,
      ),
      failForGood: db.prepare<[string, number, number]>(
        `UPDATE jobs SET status = 'failed', last_error_class = ?, updated_at = ? WHERE id = ?`,
      ),
      release: db.prepare<[number, number]>(
        `UPDATE jobs SET status = 'pending', attempts = MAX(attempts - 1, 0), updated_at = ? WHERE id = ? AND status = 'running'`,
      ),
      releaseInterrupted: db.prepare<[number, number]>(
        `UPDATE jobs SET status = 'pending', last_error_class = COALESCE(last_error_class, 'interrupted'), run_at = ?, updated_at = ?
          WHERE status = 'running'`,
      ),
      retry: db.prepare<[number, number, number]>(
        `UPDATE jobs SET status = 'pending', attempts = 0, run_at = ?, updated_at = ? WHERE id = ? AND status = 'failed'`,
      ),
      cancel: db.prepare<[number, number]>(
        `UPDATE jobs SET status = 'done', last_error_class = 'cancelled', updated_at = ? WHERE id = ? AND status = 'pending'`,
      ),
      supersede: db.prepare<[number, string, string]>(
        `UPDATE jobs SET status = 'done', last_error_class = 'superseded', updated_at = ?
          WHERE kind = ? AND conversation_id = ? AND status = 'pending'`,
      ),
      get: db.prepare<[number]>('SELECT * FROM jobs WHERE id = ?'),
      list: db.prepare<[{ status: string | null; kind: string | null; limit: number }]>(
        `SELECT * FROM jobs WHERE (@status IS NULL OR status = @status) AND (@kind IS NULL OR kind = @kind)
          ORDER BY updated_at DESC, id DESC LIMIT @limit`,
      ),
      purgeDone: db.prepare<[number]>(`DELETE FROM jobs WHERE status = 'done' AND updated_at < ?`),
    };
  }

  enqueue(job: NewJob, now: number): number {
    return Number(
      this.stmts.insert.run({
        kind: job.kind,
        conversationId: job.conversationId ?? null,
        payload: JSON.stringify(job.payload ?? null),
        maxAttempts: Math.max(1, Math.floor(job.maxAttempts)),
        runAt: job.runAt ?? now,
        now,
      }).lastInsertRowid,
    );
  }

  claimDue(now: number, limit: number): JobRecord[] {
    if (limit <= 0) return [];
    return this.db.transaction(() =>
      this.stmts.due.all(now, limit).flatMap((row) => {
        const job = toRecord(row);
        if (this.stmts.markRunning.run(now, job.id).changes !== 1) return [];
        return [{ ...job, status: 'running' as const, attempts: job.attempts + 1, updatedAt: now }];
      }),
    )();
  }

  complete(id: number, now: number): void {
    this.stmts.complete.run(now, id);
  }

  fail(id: number, now: number, errorClass: string, retryAt: number | undefined): void {
    if (retryAt === undefined) this.stmts.failForGood.run(errorClass, now, id);
    else this.stmts.retryLater.run(errorClass, retryAt, now, id);
  }

  release(id: number, now: number): void {
    this.stmts.release.run(now, id);
  }

  releaseInterrupted(now: number): number {
    return this.stmts.releaseInterrupted.run(now, now).changes;
  }

  retry(id: number, now: number): boolean {
    return this.stmts.retry.run(now, now, id).changes === 1;
  }

  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  cancel(id: number, now: number): boolean {
    return this.stmts.cancel.run(now, id).changes === 1;
  }

  supersedePending(kind: string, conversationId: string, now: number): number {
    return this.stmts.supersede.run(now, kind, conversationId).changes;
  }

  get(id: number): JobRecord | undefined {
    const row = this.stmts.get.get(id);
    return row === undefined ? undefined : toRecord(row);
  }

  list(filter: { status?: JobStatus | undefined; kind?: string | undefined; limit: number }): JobRecord[] {
    return this.stmts.list.all({ status: filter.status ?? null, kind: filter.kind ?? null, limit: filter.limit }).map(toRecord);
  }

  purgeDone(before: number): number {
    return this.stmts.purgeDone.run(before).changes;
  }
}
