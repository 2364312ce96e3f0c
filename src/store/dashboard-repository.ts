// Read-only queries of the staff dashboard (src/dashboard/): which conversations need a person, the guest's
// name, the history imported from the Python service, the search for a conversation by number or name, and
// the turns and pauses of a period for the day's numbers and the 14-day chart. It never writes;
// pausing and resuming go through the handoff's pause store, retrying a job through the job queue.
import { z } from 'zod';
import type { BatchStatus } from './buffer-store.js';
import type { PauseReason } from './pause-repository.js';
import { PAUSE_REASONS } from './pause-repository.js';
import type { Db } from './database.js';
import { LEGACY_IMPORT } from '../core/origin.js';

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

/** One item of the history imported from the Python service (npm run migrate-legacy). */
export interface ImportedHistoryItem {
  role: 'guest' | 'assistant';
  text: string;
  /**
   * The time of its exchange: the import keeps the guest's messages and the replies after them as one turn, so
   * a guest's item takes the turn's start and a reply its end.
   */
  at: number;
}

/** A conversation's name as stored or as a platform sent it with a message (one row per distinct name). */
export interface NamedConversation {
  conversationId: string;
  name: string;
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
const maybeAtRow = z.object({ at: z.number().nullable() });
const importedRow = z.object({ kind: z.enum(['user', 'assistant']), data: z.string(), started_at: z.number(), ended_at: z.number() });
const itemText = z.object({ text: z.string() });
const idRow = z.object({ id: z.string() });
const namedRow = z.object({ id: z.string(), name: z.string() });

/** Staff trials of `npm run chat` (conversation-id.ts CONSOLE_CONVERSATION_PREFIX) are no guest's. */
const NOT_CONSOLE = `NOT LIKE 'console:%'`;

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
      // The guest's and assistant's texts of the turns the import wrote (transcript_by_conversation; each
      // item's turn by its primary key), the newest first.
      importedHistory: db.prepare<[string, number]>(
        `SELECT i.kind, i.data, t.started_at, t.ended_at
           FROM transcript_items i JOIN agent_turns t ON t.id = i.turn_id
          WHERE i.conversation_id = ? AND t.model = '${LEGACY_IMPORT}' AND i.kind IN ('user', 'assistant')
          ORDER BY t.started_at DESC, i.id DESC LIMIT ?`,
      ),
      // Every conversation any table knows (a guest message is pending or in a batch), whose channel id ends
      // in these digits. Digits only (the caller validates them), so LIKE needs no escaping.
      idsEndingIn: db.prepare<[{ digits: string; limit: number }]>(
        `SELECT id FROM (
           SELECT id FROM conversations
           UNION SELECT conversation_id FROM batches
           UNION SELECT conversation_id FROM inbound_messages WHERE status = 'pending'
           UNION SELECT conversation_id FROM conversation_pauses)
          WHERE id LIKE '%' || @digits AND id ${NOT_CONSOLE} ORDER BY id LIMIT @limit`,
      ),
      // Names to search: the agent's stored one and every name a platform sent with a message (a scan of
      // inbound_messages: staff search now and then, the table is not large).
      names: db.prepare<[]>(
        `SELECT id, guest_name AS name FROM conversations WHERE guest_name IS NOT NULL AND guest_name <> '' AND id ${NOT_CONSOLE}
         UNION
         SELECT conversation_id, sender_name FROM inbound_messages
          WHERE sender_name IS NOT NULL AND sender_name <> '' AND conversation_id ${NOT_CONSOLE}`,
      ),
      lastActivity: db.prepare<[{ id: string }]>(
        `SELECT MAX(at) AS at FROM (
           SELECT last_activity_at AS at FROM conversations WHERE id = @id
           UNION ALL SELECT MAX(updated_at) FROM batches WHERE conversation_id = @id
           UNION ALL SELECT MAX(received_at) FROM inbound_messages WHERE conversation_id = @id AND status = 'pending'
           UNION ALL SELECT MAX(COALESCE(last_human_at, paused_at)) FROM conversation_pauses WHERE conversation_id = @id)`,
      ),
      imported: db.prepare<[string]>('SELECT 1 AS one FROM legacy_import_progress WHERE conversation_id = ?'),
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

  /** The newest `limit` guest and assistant items of the history imported from the Python service, oldest first. */
  importedHistory(conversationId: string, limit: number): ImportedHistoryItem[] {
    return this.stmts.importedHistory
      .all(conversationId, limit)
      .map((row) => {
        const r = importedRow.parse(row);
        const text = itemText.parse(JSON.parse(r.data)).text;
        return r.kind === 'user' ? { role: 'guest' as const, text, at: r.started_at } : { role: 'assistant' as const, text, at: r.ended_at };
      })
      .reverse();
  }

  /** Conversations (any channel, trials of the console excepted) whose id ends in `digits`, at most `limit`. */
  conversationsEndingIn(digits: string, limit: number): string[] {
    if (!/^\d+$/.test(digits)) throw new Error('conversationsEndingIn: digits only');
    return this.stmts.idsEndingIn.all({ digits, limit }).map((row) => idRow.parse(row).id);
  }

  /** Every name a conversation is known by (stored or sent by a platform), one row per conversation and name. */
  namedConversations(): NamedConversation[] {
    return this.stmts.names.all().map((row) => {
      const r = namedRow.parse(row);
      return { conversationId: r.id, name: r.name };
    });
  }

  /** The conversation's latest activity: a turn, a message waiting for one, a person's action. */
  lastActivityAt(conversationId: string): number | undefined {
    return maybeAtRow.parse(this.stmts.lastActivity.get({ id: conversationId })).at ?? undefined;
  }

  /** Whether npm run migrate-legacy imported anything of this conversation (legacy_import_progress). */
  hasImportedHistory(conversationId: string): boolean {
    return this.stmts.imported.get(conversationId) !== undefined;
  }
}
