// The bot pause per conversation and the messages human operators sent (tables `conversation_pauses` and
// `operator_messages`, migration 3): all SQL on those tables lives here. The pause rules (expiry after
// BOT_PAUSE_HOURS) are the handoff's, in handoff/pause-store.ts.
import { z } from 'zod';
import type { Db } from './database.js';

export const PAUSE_REASONS = ['handoff', 'operator', 'assigned', 'admin'] as const;
export const RESUME_REASONS = ['expired', 'admin', 'solved'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];
export type ResumeReason = (typeof RESUME_REASONS)[number];

export interface OperatorMessage {
  platformMessageId: string | null;
  operatorName: string | null;
  text: string;
  sentAt: number;
}

/** A conversation's pause row as stored; `paused` is whether a pause was running when last written. */
export interface PauseRecord {
  conversationId: string;
  paused: boolean;
  reason: PauseReason | null;
  pausedAt: number | null;
  lastHumanAt: number | null;
  operatorName: string | null;
  resumedAt: number | null;
  resumeReason: ResumeReason | null;
  historyImportedAt: number | null;
}

const pauseRow = z.object({
  conversation_id: z.string(),
  paused: z.union([z.literal(0), z.literal(1)]),
  reason: z.enum(PAUSE_REASONS).nullable(),
  paused_at: z.number().nullable(),
  last_human_at: z.number().nullable(),
  operator_name: z.string().nullable(),
  resumed_at: z.number().nullable(),
  resume_reason: z.enum(RESUME_REASONS).nullable(),
  history_imported_at: z.number().nullable(),
});

const operatorMessageRow = z.object({
  platform_message_id: z.string().nullable(),
  operator_name: z.string().nullable(),
  text: z.string(),
  sent_at: z.number(),
});

export class PauseRepository {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      get: db.prepare<[string]>('SELECT * FROM conversation_pauses WHERE conversation_id = ?'),
      // A new pause keeps its original start and reason while one is running; every call refreshes the clock.
      pause: db.prepare<[{ id: string; reason: PauseReason; now: number; operator: string | null }]>(
        `INSERT INTO conversation_pauses (conversation_id, paused, reason, paused_at, last_human_at, operator_name)
         VALUES (@id, 1, @reason, @now, @now, @operator)
         ON CONFLICT(conversation_id) DO UPDATE SET
           reason = CASE WHEN paused = 1 THEN reason ELSE excluded.reason END,
           paused_at = CASE WHEN paused = 1 THEN paused_at ELSE excluded.paused_at END,
           paused = 1,
           last_human_at = MAX(COALESCE(last_human_at, 0), excluded.last_human_at),
           operator_name = COALESCE(excluded.operator_name, operator_name)`,
      ),
      resume: db.prepare<[number, ResumeReason, string]>(
        `UPDATE conversation_pauses SET paused = 0, resumed_at = ?, resume_reason = ? WHERE conversation_id = ? AND paused = 1`,
      ),
      markImported: db.prepare<[string, number]>(
        `INSERT INTO conversation_pauses (conversation_id, paused, history_imported_at) VALUES (?, 0, ?)
         ON CONFLICT(conversation_id) DO UPDATE SET history_imported_at = excluded.history_imported_at`,
      ),
      insertOperatorMessage: db.prepare<[{ conversationId: string } & OperatorMessage]>(
        `INSERT OR IGNORE INTO operator_messages (conversation_id, platform_message_id, operator_name, text, sent_at)
         VALUES (@conversationId, @platformMessageId, @operatorName, @text, @sentAt)`,
      ),
      operatorMessagesSince: db.prepare<[string, number]>(
        `SELECT platform_message_id, operator_name, text, sent_at FROM operator_messages
          WHERE conversation_id = ? AND sent_at > ? ORDER BY id`,
      ),
      operatorById: db.prepare<[string]>('SELECT 1 AS one FROM operator_messages WHERE platform_message_id = ? LIMIT 1'),
    };
  }

  get(conversationId: string): PauseRecord | undefined {
    const row = this.stmts.get.get(conversationId);
    if (row === undefined) return undefined;
    const r = pauseRow.parse(row);
    return {
      conversationId: r.conversation_id,
      paused: r.paused === 1,
      reason: r.reason,
      pausedAt: r.paused_at,
      lastHumanAt: r.last_human_at,
      operatorName: r.operator_name,
      resumedAt: r.resumed_at,
      resumeReason: r.resume_reason,
      historyImportedAt: r.history_imported_at,
    };
  }

  /** Runs `fn` in one SQLite transaction (joins the caller's, if any). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Starts a pause at `now`, or refreshes the running one (its start and reason stay). */
  pause(conversationId: string, reason: PauseReason, now: number, operatorName: string | null): void {
    this.stmts.pause.run({ id: conversationId, reason, now, operator: operatorName });
  }

  /** Ends a running pause as of `at`; false when none was running. */
  resume(conversationId: string, reason: ResumeReason, at: number): boolean {
    return this.stmts.resume.run(at, reason, conversationId).changes === 1;
  }

  markHistoryImported(conversationId: string, now: number): void {
    this.stmts.markImported.run(conversationId, now);
  }

  /** False when a message with this platform id was already recorded. */
  insertOperatorMessage(conversationId: string, message: OperatorMessage): boolean {
    const { platformMessageId, operatorName, text, sentAt } = message;
    return this.stmts.insertOperatorMessage.run({ conversationId, platformMessageId, operatorName, text, sentAt }).changes === 1;
  }

  /** Operator messages sent after `since`, oldest first. */
  operatorMessagesSince(conversationId: string, since: number): OperatorMessage[] {
    return this.stmts.operatorMessagesSince.all(conversationId, since).map((row) => {
      const r = operatorMessageRow.parse(row);
      return { platformMessageId: r.platform_message_id, operatorName: r.operator_name, text: r.text, sentAt: r.sent_at };
    });
  }

  /** Whether an operator message with this platform id was recorded. */
  isOperatorMessageId(platformMessageId: string): boolean {
    return this.stmts.operatorById.get(platformMessageId) !== undefined;
  }
}
