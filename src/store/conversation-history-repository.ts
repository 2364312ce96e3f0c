// Read-only views of what a conversation went through (tables batches, inbound_messages, outbound_messages,
// conversations), for the admin API, the missed-messages context and staff alerts. It never writes: the
// buffer's writes and the reads the turn loop needs stay in buffer-store.ts, the transcript's in
// conversation-store.ts.
import { parseStoredParts, type OutboxPart } from '../core/outbox-parts.js';
import { z } from 'zod';
import type { MessageKind } from '../core/messages.js';
import type { BatchStatus } from './buffer-store.js';
import type { Db } from './database.js';
import { LEGACY_IMPORT, MESSAGE_ORIGINS } from '../core/origin.js';

// Records, so adding a kind or a status to its type fails to compile here until it is listed.
const MESSAGE_KINDS: Record<MessageKind, true> = {
  text: true, image: true, audio: true, document: true, video: true, sticker: true, location: true, other: true,
};
const BATCH_STATUSES: Record<BatchStatus, true> = {
  running: true, delivering: true, delivered: true, failed: true, undelivered: true, abandoned: true, held: true,
};
const messageKind = z.enum(Object.keys(MESSAGE_KINDS) as [MessageKind, ...MessageKind[]]);
const batchStatus = z.enum(Object.keys(BATCH_STATUSES) as [BatchStatus, ...BatchStatus[]]);

/** A guest message of a held batch (received while the bot was paused). */
export interface HeldMessage {
  platformMessageId: string | null;
  kind: MessageKind;
  text: string;
  replyContextId: string | null;
  receivedAt: number;
}

/** One message of a conversation as a staff alert quotes it: the guest's, or the bot's (a reply part or a notice). */
export interface RecentMessage {
  role: 'guest' | 'bot';
  text: string;
  at: number;
  /** Set on a guest message migrated from the Python service's buffer (npm run migrate-legacy). */
  migrated?: true;
}

/** One turn (batch) as staff see it: what the guest wrote and what the bot replied. */
export interface TurnSummary {
  batchId: number;
  status: BatchStatus;
  outcome: string | null;
  errorClass: string | null;
  createdAt: number;
  updatedAt: number;
  guest: { kind: MessageKind; text: string; receivedAt: number }[];
  /** The reply parts as recorded (`batches.reply_parts`): texts and media; empty before a reply. */
  replyParts: OutboxPart[];
}

const heldRow = z.object({
  platform_message_id: z.string().nullable(),
  kind: messageKind,
  text: z.string(),
  reply_context_id: z.string().nullable(),
  received_at: z.number(),
});
const inboundIdTextRow = z.object({ platform_message_id: z.string().nullable(), text: z.string() });
const textRow = z.object({ text: z.string() });
const atRow = z.object({ at: z.number() });
const batchRow = z.object({
  id: z.number().int(),
  status: batchStatus,
  created_at: z.number(),
  updated_at: z.number(),
  outcome: z.string().nullable(),
  error_class: z.string().nullable(),
  reply_parts: z.string().nullable(),
});
const guestRow = z.object({ kind: messageKind, text: z.string(), received_at: z.number() });
const recentInboundRow = z.object({ seq: z.number(), kind: messageKind, text: z.string(), at: z.number(), origin: z.enum(MESSAGE_ORIGINS) });
const recentOutboundRow = z.object({ id: z.number(), text: z.string(), at: z.number() });
// SUM over no rows is NULL.
const countsRow = z.object({ pending: z.number().nullable(), total: z.number() });

export class ConversationHistoryRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      // The newest batch's messages and those still waiting for one (both through their indexes).
      lastGuestMessageAt: db.prepare<[string, string]>(
        `SELECT MAX(at) AS at FROM (
           SELECT MAX(received_at) AS at FROM inbound_messages
            WHERE batch_id = (SELECT id FROM batches WHERE conversation_id = ? ORDER BY id DESC LIMIT 1)
           UNION ALL
           SELECT MAX(received_at) FROM inbound_messages WHERE conversation_id = ? AND status = 'pending')`,
      ),
      lastReplyAt: db.prepare<[string]>(
        'SELECT sent_at AS at FROM outbound_messages WHERE conversation_id = ? ORDER BY id DESC LIMIT 1',
      ),
      // Held batches are few (batches_by_status); their messages come through inbound_by_batch.
      heldSince: db.prepare<[string, number]>(
        `SELECT m.platform_message_id, m.kind, m.text, m.reply_context_id, m.received_at
           FROM batches b JOIN inbound_messages m ON m.batch_id = b.id
          WHERE b.status = 'held' AND b.conversation_id = ? AND m.received_at > ? ORDER BY m.seq`,
      ),
      // Everything received after the cutoff is in a batch created after it (batches_by_conversation).
      inboundSince: db.prepare<[string, number]>(
        `SELECT m.platform_message_id, m.text FROM batches b JOIN inbound_messages m ON m.batch_id = b.id
          WHERE b.conversation_id = ? AND b.created_at > ?`,
      ),
      outboundSince: db.prepare<[string, number]>('SELECT text FROM outbound_messages WHERE conversation_id = ? AND sent_at >= ?'),
      outboundById: db.prepare<[string]>('SELECT 1 AS one FROM outbound_messages WHERE platform_message_id = ? LIMIT 1'),
      outboundTextById: db.prepare<[string]>(
        'SELECT text FROM outbound_messages WHERE platform_message_id = ? ORDER BY id DESC LIMIT 1',
      ),
      knownConversation: db.prepare<[string, string]>(
        `SELECT 1 AS one FROM conversations WHERE id = ?
         UNION SELECT 1 FROM outbound_messages WHERE conversation_id = ? LIMIT 1`,
      ),
      lastBatches: db.prepare<[string, number]>(
        `SELECT id, status, created_at, updated_at, outcome, error_class, reply_parts FROM batches
          WHERE conversation_id = ? ORDER BY id DESC LIMIT ?`,
      ),
      batchMessages: db.prepare<[number]>('SELECT kind, text, received_at FROM inbound_messages WHERE batch_id = ? ORDER BY seq'),
      // Every batch holds at least one message, so the newest `limit` batches and the messages still waiting
      // for one hold the newest `limit` guest messages (batches_by_conversation, inbound_by_batch, inbound_pending).
      recentInbound: db.prepare<[string, number, string, number]>(
        `SELECT seq, kind, text, received_at AS at, origin FROM (
           SELECT m.seq, m.kind, m.text, m.received_at, m.origin
             FROM (SELECT id FROM batches WHERE conversation_id = ? ORDER BY id DESC LIMIT ?) b
             JOIN inbound_messages m ON m.batch_id = b.id
           UNION ALL
           SELECT seq, kind, text, received_at, origin FROM inbound_messages WHERE conversation_id = ? AND status = 'pending')
          ORDER BY seq DESC LIMIT ?`,
      ),
      recentOutbound: db.prepare<[string, number]>(
        'SELECT id, text, sent_at AS at FROM outbound_messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?',
      ),
      counts: db.prepare<[string]>(
        `SELECT SUM(status = 'pending') AS pending, COUNT(*) AS total FROM inbound_messages WHERE conversation_id = ?`,
      ),
    };
  }

  /** When the bot last delivered a reply part in this conversation. */
  lastReplyAt(conversationId: string): number | undefined {
    const row = this.stmts.lastReplyAt.get(conversationId);
    return row === undefined ? undefined : atRow.parse(row).at;
  }

  /** Guest messages of held batches received after `after`, in arrival order. */
  heldMessagesSince(conversationId: string, after: number): HeldMessage[] {
    return this.stmts.heldSince.all(conversationId, after).map((row) => {
      const r = heldRow.parse(row);
      return { platformMessageId: r.platform_message_id, kind: r.kind, text: r.text, replyContextId: r.reply_context_id, receivedAt: r.received_at };
    });
  }

  /** Guest messages in batches created after `after` (any status). */
  inboundSince(conversationId: string, after: number): { platformMessageId: string | null; text: string }[] {
    return this.stmts.inboundSince.all(conversationId, after).map((row) => {
      const r = inboundIdTextRow.parse(row);
      return { platformMessageId: r.platform_message_id, text: r.text };
    });
  }

  /** Texts of the reply parts delivered at or after `from`. */
  outboundTextsSince(conversationId: string, from: number): string[] {
    return this.stmts.outboundSince.all(conversationId, from).map((row) => textRow.parse(row).text);
  }

  /** When the guest last wrote (epoch ms), if ever: the platforms' 24-hour window for messages they did not ask for. */
  lastGuestMessageAt(conversationId: string): number | undefined {
    const row = z.object({ at: z.number().nullable() }).parse(this.stmts.lastGuestMessageAt.get(conversationId, conversationId));
    return row.at ?? undefined;
  }

  /** Whether the bot itself sent the message with this platform id. */
  isOwnMessageId(platformMessageId: string): boolean {
    return this.stmts.outboundById.get(platformMessageId) !== undefined;
  }

  /** The text of the bot's message with this platform id (what a guest's reply quotes), if it sent one. */
  outboundTextById(platformMessageId: string): string | undefined {
    const row = this.stmts.outboundTextById.get(platformMessageId);
    return row === undefined ? undefined : textRow.parse(row).text;
  }

  /** Whether the agent has a transcript for this conversation or the bot ever replied in it. */
  isKnownConversation(conversationId: string): boolean {
    return this.stmts.knownConversation.get(conversationId, conversationId) !== undefined;
  }

  /** The newest `limit` turns, newest first, each with its guest messages. */
  recentTurns(conversationId: string, limit: number): TurnSummary[] {
    return this.stmts.lastBatches.all(conversationId, limit).map((row) => {
      const b = batchRow.parse(row);
      return {
        batchId: b.id,
        status: b.status,
        outcome: b.outcome,
        errorClass: b.error_class,
        createdAt: b.created_at,
        updatedAt: b.updated_at,
        guest: this.stmts.batchMessages.all(b.id).map((m) => {
          const r = guestRow.parse(m);
          return { kind: r.kind, text: r.text, receivedAt: r.received_at };
        }),
        replyParts: b.reply_parts ? parseStoredParts(b.reply_parts) : [],
      };
    });
  }

  /**
   * The newest `limit` messages of the conversation, guest's and bot's together, oldest first (a media
   * message without a caption reads `[image]`, …).
   */
  lastMessages(conversationId: string, limit: number): RecentMessage[] {
    if (limit <= 0) return [];
    const guest = this.stmts.recentInbound.all(conversationId, limit, conversationId, limit).map((row) => {
      const r = recentInboundRow.parse(row);
      const text = r.kind === 'text' ? r.text : `[${r.kind}]${r.text ? ` ${r.text}` : ''}`;
      return { role: 'guest' as const, text, at: r.at, order: r.seq, migrated: r.origin === LEGACY_IMPORT };
    });
    const bot = this.stmts.recentOutbound.all(conversationId, limit).map((row) => {
      const r = recentOutboundRow.parse(row);
      return { role: 'bot' as const, text: r.text, at: r.at, order: r.id, migrated: false };
    });
    // By time; within one side the insertion order breaks ties, and a guest message precedes a reply of the same ms.
    const merged = [...guest, ...bot].sort(
      (a, b) => a.at - b.at || (a.role === b.role ? a.order - b.order : a.role === 'guest' ? -1 : 1),
    );
    return merged.slice(-limit).map(({ role, text, at, migrated }) => (migrated ? { role, text, at, migrated: true as const } : { role, text, at }));
  }

  /** How many guest messages the conversation has, and how many wait for a turn. */
  messageCounts(conversationId: string): { total: number; pending: number } {
    const c = countsRow.parse(this.stmts.counts.get(conversationId));
    return { total: c.total, pending: c.pending ?? 0 };
  }
}
