// Read-only queries of the staff dashboard (src/dashboard/): which conversations need a person, the guest's
// name, and the turns and pauses of a period for the day's numbers and the 14-day chart. It never writes;
// pausing and resuming go through the handoff's pause store, retrying a job through the job queue.
import { z } from 'zod';
import type { BatchStatus } from './buffer-store.js';
import type { PauseReason } from './pause-repository.js';
import { PAUSE_REASONS } from './pause-repository.js';
import type { Db } from './database.js';

/** A conversation whose bot is paused, as last written (the pause's expiry is the pause store's to judge). */
export interface PausedRow {
  conversationId: string;
  reason: PauseReason | null;
  pausedAt: number | null;
  operatorName: string | null;
}

/** A conversation whose newest finished turn went wrong. */
export interface TurnProblemRow {
  conversationId: string;
  status: 'failed' | 'undelivered';
  errorClass: string | null;
  at: number;
}

export interface EscalatedFollowUpRow {
  conversationId: string;
  at: number;
}

/** One turn (batch) of a period, for counting. */
export interface PeriodBatch {
  conversationId: string;
  status: BatchStatus;
  createdAt: number;
}

const pausedRow = z.object({
  conversation_id: z.string(),
  reason: z.enum(PAUSE_REASONS).nullable(),
  paused_at: z.number().nullable(),
  operator_name: z.string().nullable(),
});
const problemRow = z.object({
  conversation_id: z.string(),
  status: z.enum(['failed', 'undelivered']),
  error_class: z.string().nullable(),
  updated_at: z.number(),
});
const escalatedRow = z.object({ conversation_id: z.string(), at: z.number() });
const nameRow = z.object({ name: z.string().nullable() });
// Listed as a record, so a new batch status fails to compile here until it is added.
const BATCH_STATUSES: Record<BatchStatus, true> = {
  running: true, delivering: true, delivered: true, failed: true, undelivered: true, abandoned: true, held: true,
};
const batchStatus = z.enum(Object.keys(BATCH_STATUSES) as [BatchStatus, ...BatchStatus[]]);
const periodBatchRow = z.object({ conversation_id: z.string(), status: batchStatus, created_at: z.number() });
const atRow = z.object({ at: z.number() });

export class DashboardRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      paused: db.prepare<[]>(
        'SELECT conversation_id, reason, paused_at, operator_name FROM conversation_pauses WHERE paused = 1',
      ),
      // The newest finished turn of each conversation active since the cutoff (batches_by_conversation);
      // a turn still running or held (bot paused) does not hide the last answer's fate.
      turnProblems: db.prepare<[number]>(
        `SELECT b.conversation_id, b.status, b.error_class, b.updated_at FROM batches b
          WHERE b.id IN (SELECT MAX(id) FROM batches
                          WHERE status IN ('delivered', 'failed', 'undelivered') AND updated_at >= ?
                          GROUP BY conversation_id)
            AND b.status IN ('failed', 'undelivered')`,
      ),
      escalated: db.prepare<[number]>(
        `SELECT conversation_id, MAX(updated_at) AS at FROM payment_follow_ups
          WHERE state = 'escalated' AND updated_at >= ? GROUP BY conversation_id`,
      ),
      storedName: db.prepare<[string]>('SELECT guest_name AS name FROM conversations WHERE id = ?'),
      // The newest name the platform sent with a message (batches_by_conversation, inbound_by_batch).
      senderName: db.prepare<[string]>(
        `SELECT m.sender_name AS name FROM batches b JOIN inbound_messages m ON m.batch_id = b.id
          WHERE b.conversation_id = ? AND m.sender_name IS NOT NULL AND m.sender_name <> ''
          ORDER BY b.id DESC, m.seq DESC LIMIT 1`,
      ),
      batchesBetween: db.prepare<[number, number]>(
        'SELECT conversation_id, status, created_at FROM batches WHERE created_at >= ? AND created_at < ?',
      ),
      pausesStartedBetween: db.prepare<[number, number]>(
        'SELECT paused_at AS at FROM conversation_pauses WHERE paused_at >= ? AND paused_at < ?',
      ),
    };
  }

  /** Conversations whose pause row says paused (expired pauses included: the caller checks `until`). */
  pausedConversations(): PausedRow[] {
    return this.stmts.paused.all().map((row) => {
      const r = pausedRow.parse(row);
      return { conversationId: r.conversation_id, reason: r.reason, pausedAt: r.paused_at, operatorName: r.operator_name };
    });
  }

  /** Conversations whose newest finished turn (finished since `since`) failed or could not be delivered. */
  lastTurnProblems(since: number): TurnProblemRow[] {
    return this.stmts.turnProblems.all(since).map((row) => {
      const r = problemRow.parse(row);
      return { conversationId: r.conversation_id, status: r.status, errorClass: r.error_class, at: r.updated_at };
    });
  }

  /** Conversations with a payment follow-up escalated to staff since `since` (the newest escalation each). */
  escalatedFollowUps(since: number): EscalatedFollowUpRow[] {
    return this.stmts.escalated.all(since).map((row) => {
      const r = escalatedRow.parse(row);
      return { conversationId: r.conversation_id, at: r.at };
    });
  }

  /** The guest's name: the agent's stored one, else the newest the platform sent with a message. */
  guestName(conversationId: string): string | undefined {
    const stored = this.stmts.storedName.get(conversationId);
    const name = stored === undefined ? null : nameRow.parse(stored).name;
    if (name) return name;
    const sent = this.stmts.senderName.get(conversationId);
    return sent === undefined ? undefined : (nameRow.parse(sent).name ?? undefined);
  }

  /** The turns created in [from, to). */
  batchesBetween(from: number, to: number): PeriodBatch[] {
    return this.stmts.batchesBetween.all(from, to).map((row) => {
      const r = periodBatchRow.parse(row);
      return { conversationId: r.conversation_id, status: r.status, createdAt: r.created_at };
    });
  }

  /** When the pauses started in [from, to) began (a pause refreshed by later activity keeps its start). */
  pausesStartedBetween(from: number, to: number): number[] {
    return this.stmts.pausesStartedBetween.all(from, to).map((row) => atRow.parse(row).at);
  }
}
