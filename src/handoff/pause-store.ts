// Per-conversation bot pause (a person is handling the guest) and the messages human operators sent,
// persisted in SQLite (migration 3). The pause ends BOT_PAUSE_HOURS after the last human activity; expiry
// is evaluated lazily against the injected clock, so there is no timer to lose on a restart.
import type { Db } from '../store/database.js';

export type PauseReason = 'handoff' | 'operator' | 'assigned' | 'admin';
export type ResumeReason = 'expired' | 'admin' | 'solved';

export interface PauseState {
  conversationId: string;
  paused: boolean;
  reason: PauseReason | null;
  pausedAt: number | null;
  lastHumanAt: number | null;
  /** When the pause ends on its own (lastHumanAt + BOT_PAUSE_HOURS), while paused. */
  until: number | null;
  operatorName: string | null;
  resumedAt: number | null;
  resumeReason: ResumeReason | null;
}

export interface OperatorMessage {
  platformMessageId: string | null;
  operatorName: string | null;
  text: string;
  sentAt: number;
}

interface PauseRow {
  conversation_id: string;
  paused: number;
  reason: PauseReason | null;
  paused_at: number | null;
  last_human_at: number | null;
  operator_name: string | null;
  resumed_at: number | null;
  resume_reason: ResumeReason | null;
  history_imported_at: number | null;
}

export class PauseStore {
  private readonly stmts;

  constructor(
    private readonly db: Db,
    private readonly pauseMs: number,
  ) {
    this.stmts = {
      get: db.prepare<[string], PauseRow>('SELECT * FROM conversation_pauses WHERE conversation_id = ?'),
      // A new pause keeps its original start and reason while one is running; every call refreshes the clock.
      pause: db.prepare(
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
      insertOperatorMessage: db.prepare(
        `INSERT OR IGNORE INTO operator_messages (conversation_id, platform_message_id, operator_name, text, sent_at)
         VALUES (@conversationId, @platformMessageId, @operatorName, @text, @sentAt)`,
      ),
      operatorMessagesSince: db.prepare<[string, number], { platform_message_id: string | null; operator_name: string | null; text: string; sent_at: number }>(
        `SELECT platform_message_id, operator_name, text, sent_at FROM operator_messages
          WHERE conversation_id = ? AND sent_at > ? ORDER BY id`,
      ),
      outboundById: db.prepare<[string], { one: number }>(
        'SELECT 1 AS one FROM outbound_messages WHERE platform_message_id = ? LIMIT 1',
      ),
    };
  }

  get(conversationId: string): PauseState | undefined {
    const row = this.stmts.get.get(conversationId);
    if (!row) return undefined;
    return {
      conversationId,
      paused: row.paused === 1,
      reason: row.reason,
      pausedAt: row.paused_at,
      lastHumanAt: row.last_human_at,
      until: row.paused === 1 && row.last_human_at !== null ? row.last_human_at + this.pauseMs : null,
      operatorName: row.operator_name,
      resumedAt: row.resumed_at,
      resumeReason: row.resume_reason,
    };
  }

  /** Whether the bot must stay silent now; a pause past its time is ended here (resume reason `expired`). */
  isPaused(conversationId: string, now: number): boolean {
    const state = this.get(conversationId);
    if (!state?.paused) return false;
    if (state.until !== null && now >= state.until) {
      this.stmts.resume.run(state.until, 'expired', conversationId);
      return false;
    }
    return true;
  }

  /** Starts a pause, or refreshes a running one (human activity). Returns whether it was already paused. */
  pause(conversationId: string, reason: PauseReason, now: number, operatorName?: string): boolean {
    const wasPaused = this.isPaused(conversationId, now);
    this.stmts.pause.run({ id: conversationId, reason, now, operator: operatorName ?? null });
    return wasPaused;
  }

  /** Ends a pause; false when the conversation was not paused. */
  resume(conversationId: string, reason: ResumeReason, now: number): boolean {
    return this.stmts.resume.run(now, reason, conversationId).changes === 1;
  }

  /** Records a human operator's message; false when this platform id was already recorded. */
  recordOperatorMessage(conversationId: string, message: OperatorMessage): boolean {
    return (
      this.stmts.insertOperatorMessage.run({
        conversationId,
        platformMessageId: message.platformMessageId,
        operatorName: message.operatorName,
        text: message.text,
        sentAt: message.sentAt,
      }).changes === 1
    );
  }

  operatorMessagesSince(conversationId: string, since: number): OperatorMessage[] {
    return this.stmts.operatorMessagesSince.all(conversationId, since).map((r) => ({
      platformMessageId: r.platform_message_id,
      operatorName: r.operator_name,
      text: r.text,
      sentAt: r.sent_at,
    }));
  }

  /** Whether the bot itself sent the message with this platform id. */
  isOwnMessage(platformMessageId: string): boolean {
    return this.stmts.outboundById.get(platformMessageId) !== undefined;
  }

  historyImported(conversationId: string): boolean {
    return (this.stmts.get.get(conversationId)?.history_imported_at ?? null) !== null;
  }

  markHistoryImported(conversationId: string, now: number): void {
    this.stmts.markImported.run(conversationId, now);
  }
}
