// Our side of `npm run migrate-legacy` (src/legacy/importer.ts): the progress table (migration 14), the
// checks that keep a second run from importing anything twice, and the one short transaction per group
// of conversations that writes their transcript items, their pending messages, the history-imported flag
// and their progress rows together; the pending messages are marked as migrated (inbound_messages.origin). It
// never takes the server's instance lock: the server may run on the same database (WAL, busy timeout), and
// notices the pending messages by its sweep (buffer/scheduler.ts).
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { InboundMessage } from '../core/messages.js';
import type { TurnRecord } from './conversation-records.js';
import type { ConversationStore } from './conversation-store.js';
import { migrate, openDatabase, type Db } from './database.js';
import { LEGACY_IMPORT } from '../core/origin.js';
import type { PauseRepository } from './pause-repository.js';

export interface LegacyProgress {
  conversationId: string;
  source: string;
  items: number;
  pending: number;
  watermarkAt: number | null;
  watermarkKeys: string[];
  /** Conversations API ids done: their items imported, or gone (404). Not requested again. */
  apiDone: string[];
  importedAt: number;
  updatedAt: number;
}

/** The model name of the agent turns the import writes (no model call is made). */
export const LEGACY_IMPORT_MODEL = LEGACY_IMPORT;

/** What the import knows of one of our conversations before writing to it. */
export interface ConversationState {
  /** Transcript items our server wrote (not imported). */
  ownItems: number;
  /** When the first turn our server wrote began, if any: older legacy history goes before it. */
  firstOwnAt: number | null;
  /** The newest item our server wrote, if any: newer legacy history goes after it. */
  lastOwnAt: number | null;
}

/** A legacy pending message, with the time the Python service received it. */
export interface LegacyPendingMessage extends InboundMessage {
  receivedAt: number;
}

export interface LegacyConversationWrite {
  conversationId: string;
  /**
   * Transcript turns to commit, oldest first (through ConversationStore: the transcript's own format). Those
   * older than the first turn our server wrote go before it, the others after everything.
   */
  turns: TurnRecord[];
  pending: LegacyPendingMessage[];
  /** Sets the history-imported flag, so the server's first-contact WATI import is skipped. */
  markHistoryImported: boolean;
  progress: { source: string; addedItems: number; addedPending: number; watermarkAt: number | null; watermarkKeys: string[]; apiDone: string[] };
}

const progressRow = z.object({
  conversation_id: z.string(),
  source: z.string(),
  items: z.number().int(),
  pending: z.number().int(),
  watermark_at: z.number().nullable(),
  watermark_keys: z.string(),
  api_done: z.string(),
  imported_at: z.number(),
  updated_at: z.number(),
});
const stateRow = z.object({ own: z.number(), first_at: z.number().nullable(), last_at: z.number().nullable() });
const firstOwnRow = z.object({ cum: z.number().nullable(), at: z.number().nullable() });
const keyRow = z.object({ value: z.string() });

export class LegacyImportRepository {
  private readonly stmts;
  private readonly writeTx;

  constructor(
    private readonly db: Db,
    private readonly conversations: ConversationStore,
    private readonly pauses: PauseRepository,
  ) {
    this.stmts = {
      progress: db.prepare<[string]>('SELECT * FROM legacy_import_progress WHERE conversation_id = ?'),
      countProgress: db.prepare<[]>('SELECT COUNT(*) AS n FROM legacy_import_progress'),
      state: db.prepare<[string, string]>(
        `SELECT COUNT(*) AS own, MIN(t.started_at) AS first_at, MAX(i.created_at) AS last_at
           FROM transcript_items i JOIN agent_turns t ON t.id = i.turn_id
          WHERE i.conversation_id = ? AND t.model <> ?`,
      ),
      firstOwn: db.prepare<[string, string]>(
        `SELECT MIN(i.cum_tokens) AS cum, MIN(t.started_at) AS at
           FROM transcript_items i JOIN agent_turns t ON t.id = i.turn_id
          WHERE i.conversation_id = ? AND t.model <> ?`,
      ),
      // Any status: a message we already have, answered or not, is not added again.
      similarInbound: db.prepare<[{ id: string; text: string; media: string | null; from: number; to: number }]>(
        `SELECT 1 AS one FROM inbound_messages
          WHERE conversation_id = @id AND received_at BETWEEN @from AND @to
            AND text = @text AND COALESCE(media_ref, '') = COALESCE(@media, '') LIMIT 1`,
      ),
      // Marked as migrated (migration 15): the hours it waited in the old service are no reply time of ours.
      insertPending: db.prepare(
        `INSERT INTO inbound_messages
           (conversation_id, channel, external_user_id, platform_message_id, kind, text, media_ref,
            reply_context_id, sender_name, received_at, origin)
         VALUES (@conversationId, @channel, @externalUserId, NULL, @kind, @text, @mediaRef,
                 @replyContextId, NULL, @receivedAt, @origin)`,
      ),
      upsertProgress: db.prepare(
        `INSERT INTO legacy_import_progress
           (conversation_id, source, items, pending, watermark_at, watermark_keys, api_done, imported_at, updated_at)
         VALUES (@conversationId, @source, @items, @pending, @watermarkAt, @watermarkKeys, @apiDone, @now, @now)
         ON CONFLICT(conversation_id) DO UPDATE SET
           source = CASE WHEN excluded.items > 0 THEN excluded.source ELSE legacy_import_progress.source END,
           items = legacy_import_progress.items + excluded.items,
           pending = legacy_import_progress.pending + excluded.pending,
           watermark_at = COALESCE(excluded.watermark_at, legacy_import_progress.watermark_at),
           watermark_keys = CASE WHEN excluded.watermark_at IS NULL THEN legacy_import_progress.watermark_keys
                                 ELSE excluded.watermark_keys END,
           api_done = excluded.api_done,
           updated_at = excluded.updated_at`,
      ),
      logMaskKey: db.prepare<[]>("SELECT value FROM installation WHERE name = 'log_mask_key'"),
    };
    this.writeTx = db.transaction((writes: readonly LegacyConversationWrite[], now: number) => {
      for (const w of writes) this.writeOne(w, now);
    });
  }

  progress(conversationId: string): LegacyProgress | undefined {
    const row = this.stmts.progress.get(conversationId);
    if (row === undefined) return undefined;
    const r = progressRow.parse(row);
    return {
      conversationId: r.conversation_id,
      source: r.source,
      items: r.items,
      pending: r.pending,
      watermarkAt: r.watermark_at,
      watermarkKeys: z.array(z.string()).parse(JSON.parse(r.watermark_keys)),
      apiDone: z.array(z.string()).parse(JSON.parse(r.api_done)),
      importedAt: r.imported_at,
      updatedAt: r.updated_at,
    };
  }

  /** How many conversations have a progress row (tests, the report). */
  progressCount(): number {
    return z.object({ n: z.number() }).parse(this.stmts.countProgress.get()).n;
  }

  conversationState(conversationId: string): ConversationState {
    const r = stateRow.parse(this.stmts.state.get(conversationId, LEGACY_IMPORT_MODEL));
    return { ownItems: r.own, firstOwnAt: r.first_at, lastOwnAt: r.last_at };
  }

  /** Whether the conversation has an inbound message with this text and media within `windowMs` of `at`. */
  hasSimilarInbound(conversationId: string, text: string, mediaRef: string | undefined, at: number, windowMs: number): boolean {
    return this.stmts.similarInbound.get({ id: conversationId, text, media: mediaRef ?? null, from: at - windowMs, to: at + windowMs }) !== undefined;
  }

  /** The installation's log mask key (conversation-id.ts useLogMaskKey), so the report's ids match the server's logs. */
  logMaskKey(): string | undefined {
    const row = this.stmts.logMaskKey.get();
    return row === undefined ? undefined : keyRow.parse(row).value;
  }

  /** Writes a group of conversations in one transaction (IMMEDIATE: a busy server makes it wait, never fail half-way). */
  write(writes: readonly LegacyConversationWrite[], now: number): void {
    if (writes.length > 0) this.writeTx.immediate(writes, now);
  }

  private writeOne(w: LegacyConversationWrite, now: number): void {
    // Read here, in the write transaction: the server may have answered the guest since the plan was made.
    const first = firstOwnRow.parse(this.stmts.firstOwn.get(w.conversationId, LEGACY_IMPORT_MODEL));
    const firstAt = first.cum === null ? null : first.at;
    const isOlder = (t: TurnRecord): boolean => firstAt !== null && t.endedAt < firstAt;
    const older = w.turns.filter(isOlder);
    if (older.length > 0) this.conversations.commitTurnsBefore(older, first.cum as number);
    for (const turn of w.turns.filter((t) => !isOlder(t))) this.conversations.commitTurn(turn);
    for (const m of w.pending) {
      this.stmts.insertPending.run({
        conversationId: m.conversationId,
        channel: m.channel,
        externalUserId: m.externalUserId,
        kind: m.kind,
        text: m.text,
        mediaRef: m.mediaRef ?? null,
        replyContextId: m.replyContextId ?? null,
        receivedAt: m.receivedAt,
        origin: LEGACY_IMPORT,
      });
    }
    if (w.markHistoryImported && this.pauses.get(w.conversationId)?.historyImportedAt == null) {
      this.pauses.markHistoryImported(w.conversationId, now);
    }
    this.stmts.upsertProgress.run({
      conversationId: w.conversationId,
      source: w.progress.source,
      items: w.progress.addedItems,
      pending: w.progress.addedPending,
      watermarkAt: w.progress.watermarkAt,
      watermarkKeys: JSON.stringify(w.progress.watermarkKeys),
      apiDone: JSON.stringify(w.progress.apiDone),
      now,
    });
  }
}

/**
 * For --dry-run: a migrated in-memory copy of the database (an empty one when the file does not exist), so the
 * run does exactly what a real one would and the file is not touched (opened read-only, never written).
 */
export function openDryRunCopy(dbPath: string): Db {
  if (!existsSync(dbPath)) {
    const db = openDatabase(':memory:');
    migrate(db);
    return db;
  }
  const source = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const image = source.serialize();
    // The file is in WAL mode (header bytes 18-19 = 2), which an in-memory database cannot open: rollback mode.
    image[18] = 1;
    image[19] = 1;
    const copy = new Database(image);
    copy.pragma('foreign_keys = ON');
    migrate(copy);
    return copy;
  } finally {
    source.close();
  }
}
