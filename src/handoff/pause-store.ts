// Per-conversation bot pause (a person is handling the guest) and the messages human operators sent,
// persisted in SQLite (rows through store/pause-repository.ts). The pause ends BOT_PAUSE_HOURS after the last
// human activity; expiry is evaluated lazily against the injected clock, so there is no timer to lose on a restart.
import type { ConversationHistoryRepository } from '../store/conversation-history-repository.js';
import type { OperatorMessage, PauseReason, PauseRepository, ResumeReason } from '../store/pause-repository.js';

export type { OperatorMessage, PauseReason, ResumeReason } from '../store/pause-repository.js';

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

/** Runs inside the transaction that starts or refreshes a pause (e.g. the payment follow-ups stop there). */
export type PauseListener = (conversationId: string, now: number) => void;

export class PauseStore {
  private readonly listeners: PauseListener[] = [];

  constructor(
    private readonly rows: PauseRepository,
    private readonly pauseMs: number,
    private readonly history: Pick<ConversationHistoryRepository, 'isOwnMessageId'>,
  ) {}

  get(conversationId: string): PauseState | undefined {
    const row = this.rows.get(conversationId);
    if (!row) return undefined;
    return {
      conversationId,
      paused: row.paused,
      reason: row.reason,
      pausedAt: row.pausedAt,
      lastHumanAt: row.lastHumanAt,
      until: row.paused && row.lastHumanAt !== null ? row.lastHumanAt + this.pauseMs : null,
      operatorName: row.operatorName,
      resumedAt: row.resumedAt,
      resumeReason: row.resumeReason,
    };
  }

  /** Whether the bot must stay silent now; a pause past its time is ended here (resume reason `expired`). */
  isPaused(conversationId: string, now: number): boolean {
    const state = this.get(conversationId);
    if (!state?.paused) return false;
    if (state.until !== null && now >= state.until) {
      this.rows.resume(conversationId, 'expired', state.until);
      return false;
    }
    return true;
  }

  /** What else a handoff stops, in its transaction (registered once the services exist). */
  onPause(listener: PauseListener): void {
    this.listeners.push(listener);
  }

  /**
   * Starts a pause, or refreshes a running one (human activity), with the listeners in one transaction:
   * the pause and what it stops commit together or not at all. Returns whether it was already paused.
   */
  pause(conversationId: string, reason: PauseReason, now: number, operatorName?: string): boolean {
    return this.rows.atomically(() => {
      const wasPaused = this.isPaused(conversationId, now);
      this.rows.pause(conversationId, reason, now, operatorName ?? null);
      for (const listener of this.listeners) listener(conversationId, now);
      return wasPaused;
    });
  }

  /** Ends a pause; false when the conversation was not paused. */
  resume(conversationId: string, reason: ResumeReason, now: number): boolean {
    return this.rows.resume(conversationId, reason, now);
  }

  /** Records a human operator's message; false when this platform id was already recorded. */
  recordOperatorMessage(conversationId: string, message: OperatorMessage): boolean {
    return this.rows.insertOperatorMessage(conversationId, message);
  }

  operatorMessagesSince(conversationId: string, since: number): OperatorMessage[] {
    return this.rows.operatorMessagesSince(conversationId, since);
  }

  /** Whether a human operator's message with this platform id was recorded. */
  isOperatorMessage(platformMessageId: string): boolean {
    return this.rows.isOperatorMessageId(platformMessageId);
  }

  /** Whether the bot itself sent the message with this platform id. */
  isOwnMessage(platformMessageId: string): boolean {
    return this.history.isOwnMessageId(platformMessageId);
  }

  historyImported(conversationId: string): boolean {
    return (this.rows.get(conversationId)?.historyImportedAt ?? null) !== null;
  }

  markHistoryImported(conversationId: string, now: number): void {
    this.rows.markHistoryImported(conversationId, now);
  }
}
