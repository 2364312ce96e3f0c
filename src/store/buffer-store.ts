// Durable message buffer: accepted guest messages, the batches (turns) that claim them, and the
// delivery progress of each batch's reply. Every state change is one SQLite transaction, so a crash at
// any point leaves a state the scheduler can resume from.
import { createHash } from 'node:crypto';
import { parseStoredParts, partSummary, type OutboxPart } from '../core/outbox-parts.js';
import type { BufferedMessage, InboundMessage, MessageKind } from '../core/messages.js';
import { MEDIA_KINDS } from '../core/messages.js';
import type { Channel } from '../core/conversation-id.js';
import type { Db } from './database.js';
import type { MessageOrigin } from '../core/origin.js';

/** WATI re-delivers for up to 24 h; keep platform ids twice that. */
export const PLATFORM_ID_RETENTION_MS = 48 * 3600_000;
/**
 * A message that reaches us through both the WATI flow webhook (no id) and WATI's standard webhook (with
 * an id) within this window is stored once.
 */
export const CONTENT_DEDUPE_WINDOW_MS = 60_000;


export type BatchStatus = 'running' | 'delivering' | 'delivered' | 'failed' | 'undelivered' | 'abandoned' | 'held';

export interface PendingSummary {
  conversationId: string;
  count: number;
  oldestAt: number;
  newestAt: number;
  hasMedia: boolean;
}

export interface ClaimedBatch {
  batchId: number;
  conversationId: string;
  messages: BufferedMessage[];
  /** Highest number of times any of these messages has been claimed (1 on a first attempt). */
  maxClaimCount: number;
}

export interface DeliveringBatch {
  batchId: number;
  conversationId: string;
  parts: OutboxPart[];
  deliveredParts: number;
  outcome: 'answered' | 'failed';
  errorClass: string | null;
  /**
   * When the reply was recorded or its last delivered part was (store clock): a send of the next part that
   * a crash cut short started after this.
   */
  lastProgressAt: number;
}

interface MessageRow {
  seq: number;
  conversation_id: string;
  channel: Channel;
  external_user_id: string;
  platform_message_id: string | null;
  kind: MessageKind;
  text: string;
  media_ref: string | null;
  reply_context_id: string | null;
  sender_name: string | null;
  received_at: number;
  claim_count: number;
  origin: MessageOrigin;
}

interface BatchRow {
  id: number;
  conversation_id: string;
  reply_parts: string | null;
  delivered_parts: number;
  outcome: 'answered' | 'failed' | null;
  error_class: string | null;
  updated_at: number;
}

/** Content key: same conversation, same kinds, same normalised text and media. */
export function contentDedupeKey(messages: readonly InboundMessage[]): string {
  const normalized = messages
    .map((m) => `${m.kind}\u0000${m.text.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase()}\u0000${m.mediaRef ?? ''}`)
    .join('\u0001');
  const digest = createHash('sha256').update(normalized).digest('hex').slice(0, 32);
  return `content:${messages[0]?.conversationId ?? ''}:${digest}`;
}

export type AcceptResult = { accepted: true; seqs: number[] } | { accepted: false; reason: 'duplicate' };

export class BufferStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      getDedupe: db.prepare<[string, number], { source: string; unmatched: number }>(
        'SELECT source, unmatched FROM inbound_dedupe WHERE key = ? AND expires_at > ?',
      ),
      // A copy from the same route adds to the count of copies waiting for a twin; an expired key or one
      // left by the other route (its copies all paired) starts again at 1.
      putContentKey: db.prepare<[{ key: string; source: string; expiresAt: number; now: number }]>(
        `INSERT INTO inbound_dedupe (key, source, expires_at, unmatched) VALUES (@key, @source, @expiresAt, 1)
         ON CONFLICT(key) DO UPDATE SET
           unmatched = CASE WHEN inbound_dedupe.source = excluded.source AND inbound_dedupe.expires_at > @now
                            THEN inbound_dedupe.unmatched + 1 ELSE 1 END,
           source = excluded.source, expires_at = excluded.expires_at`,
      ),
      pairContentKey: db.prepare<[string]>('UPDATE inbound_dedupe SET unmatched = unmatched - 1 WHERE key = ?'),
      putDedupe: db.prepare<[string, string, number]>(
        'INSERT INTO inbound_dedupe (key, source, expires_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT(key) DO UPDATE SET source = excluded.source, expires_at = excluded.expires_at',
      ),
      purgeDedupe: db.prepare<[number]>('DELETE FROM inbound_dedupe WHERE expires_at <= ?'),
      insertMessage: db.prepare(
        `INSERT INTO inbound_messages
           (conversation_id, channel, external_user_id, platform_message_id, kind, text, media_ref,
            reply_context_id, sender_name, received_at)
         VALUES (@conversationId, @channel, @externalUserId, @platformMessageId, @kind, @text, @mediaRef,
                 @replyContextId, @senderName, @receivedAt)`,
      ),
      pendingSummary: db.prepare<[string], { count: number; oldest: number | null; newest: number | null; media: number }>(
        `SELECT COUNT(*) AS count, MIN(received_at) AS oldest, MAX(received_at) AS newest,
                SUM(kind IN (${[...MEDIA_KINDS].map((k) => `'${k}'`).join(',')})) AS media
           FROM inbound_messages WHERE conversation_id = ? AND status = 'pending'`,
      ),
      conversationsWithWork: db.prepare<[], { conversation_id: string }>(
        `SELECT DISTINCT conversation_id FROM inbound_messages WHERE status = 'pending'
         UNION SELECT conversation_id FROM batches WHERE status = 'delivering'`,
      ),
      insertBatch: db.prepare<[string, number, number]>(
        `INSERT INTO batches (conversation_id, status, created_at, updated_at) VALUES (?, 'running', ?, ?)`,
      ),
      claimMessages: db.prepare<[number, string]>(
        `UPDATE inbound_messages SET status = 'claimed', batch_id = ?, claim_count = claim_count + 1
          WHERE conversation_id = ? AND status = 'pending'`,
      ),
      batchMessages: db.prepare<[number], MessageRow>(
        'SELECT * FROM inbound_messages WHERE batch_id = ? ORDER BY seq',
      ),
      releaseMessages: db.prepare<[number]>(
        `UPDATE inbound_messages SET status = 'pending', batch_id = NULL WHERE batch_id = ? AND status = 'claimed'`,
      ),
      setBatchStatus: db.prepare<[string, number, number]>(
        'UPDATE batches SET status = ?, updated_at = ? WHERE id = ?',
      ),
      recordReply: db.prepare<[string, string, string | null, number, number]>(
        `UPDATE batches SET status = 'delivering', reply_parts = ?, outcome = ?, error_class = ?, updated_at = ?
          WHERE id = ? AND status = 'running'`,
      ),
      advanceDelivery: db.prepare<[number, number, number]>(
        'UPDATE batches SET delivered_parts = ?, updated_at = ? WHERE id = ?',
      ),
      insertOutbound: db.prepare(
        `INSERT INTO outbound_messages (conversation_id, batch_id, part_index, kind, text, platform_message_id, sent_at, in_doubt)
         VALUES (@conversationId, @batchId, @partIndex, @kind, @text, @platformMessageId, @sentAt, @inDoubt)`,
      ),
      finishBatch: db.prepare<[string, string | null, number, number]>(
        'UPDATE batches SET status = ?, error_class = COALESCE(?, error_class), updated_at = ? WHERE id = ?',
      ),
      completeMessages: db.prepare<[number]>(`UPDATE inbound_messages SET status = 'done' WHERE batch_id = ?`),
      deliveringForConversation: db.prepare<[string], BatchRow>(
        `SELECT id, conversation_id, reply_parts, delivered_parts, outcome, error_class, updated_at
           FROM batches WHERE conversation_id = ? AND status = 'delivering' ORDER BY id`,
      ),
      hasDelivering: db.prepare<[string], { one: number }>(
        `SELECT 1 AS one FROM batches WHERE conversation_id = ? AND status = 'delivering' LIMIT 1`,
      ),
      runningBatches: db.prepare<[], { id: number }>(`SELECT id FROM batches WHERE status = 'running'`),
      outboundById: db.prepare<[string], { one: number }>(
        'SELECT 1 AS one FROM outbound_messages WHERE platform_message_id = ? LIMIT 1',
      ),
    };
  }

  /**
   * Stores the messages of one webhook delivery, unless it is a repeat. A delivery with a platform id is a
   * repeat when that id (or one of its aliases) was seen (48 h). Content is compared only across the two
   * WATI routes: a flow body (no id) and a standard event (with id) of the same content within 60 s are
   * one message, each copy pairing with one copy from the other route. Two deliveries through the same
   * route are never content duplicates: a guest who writes "sí" twice is heard twice.
   */
  accept(messages: readonly InboundMessage[], now: number): AcceptResult {
    return this.acceptMany([messages], now)[0] as AcceptResult;
  }

  /**
   * Group commit: several deliveries in one transaction (one WAL write), each with exactly the semantics of
   * accept(); a repeat of an earlier delivery in the same group is a duplicate too. Results follow the
   * order of `deliveries`. If the transaction fails, nothing is stored and it throws.
   */
  acceptMany(deliveries: readonly (readonly InboundMessage[])[], now: number): AcceptResult[] {
    return this.db.transaction(() => deliveries.map((messages) => this.acceptOne(messages, now)))();
  }

  private acceptOne(messages: readonly InboundMessage[], now: number): AcceptResult {
    const first = messages[0];
    if (!first) throw new Error('a delivery needs at least one message');
    const ids = first.platformMessageId ? [first.platformMessageId, ...(first.platformMessageAliases ?? [])] : [];
    const idKeys = [...new Set(ids)].map((id) => `id:${first.channel}:${id}`);
    if (idKeys.some((key) => this.stmts.getDedupe.get(key, now))) return { accepted: false, reason: 'duplicate' };
    for (const key of idKeys) this.stmts.putDedupe.run(key, 'id', now + PLATFORM_ID_RETENTION_MS);

    // The two routes the same WhatsApp message may take; content dedupe pairs one copy of each, nothing else.
    const source = first.dedupeRoute;
    if (source) {
      const contentKey = contentDedupeKey(messages);
      const seen = this.stmts.getDedupe.get(contentKey, now);
      if (seen && seen.source !== source && seen.unmatched > 0) {
        // The other route's copy of this message: pair them and store nothing (its ids are kept above).
        this.stmts.pairContentKey.run(contentKey);
        return { accepted: false, reason: 'duplicate' };
      }
      this.stmts.putContentKey.run({ key: contentKey, source, expiresAt: now + CONTENT_DEDUPE_WINDOW_MS, now });
    }

    const seqs = messages.map((m) =>
      Number(
        this.stmts.insertMessage.run({
          conversationId: m.conversationId,
          channel: m.channel,
          externalUserId: m.externalUserId,
          platformMessageId: m.platformMessageId ?? null,
          kind: m.kind,
          text: m.text,
          mediaRef: m.mediaRef ?? null,
          replyContextId: m.replyContextId ?? null,
          senderName: m.senderName ?? null,
          receivedAt: now,
        }).lastInsertRowid,
      ),
    );
    return { accepted: true, seqs };
  }

  purgeExpiredDedupeKeys(now: number): number {
    return this.stmts.purgeDedupe.run(now).changes;
  }

  pendingSummary(conversationId: string): PendingSummary | undefined {
    const row = this.stmts.pendingSummary.get(conversationId);
    if (!row || row.count === 0 || row.oldest == null || row.newest == null) return undefined;
    return { conversationId, count: row.count, oldestAt: row.oldest, newestAt: row.newest, hasMedia: row.media > 0 };
  }

  /** Conversations with pending messages or a reply whose delivery did not finish. */
  conversationsWithWork(): string[] {
    return this.stmts.conversationsWithWork.all().map((r) => r.conversation_id);
  }

  /** Atomically moves every pending message of the conversation into a new batch. */
  claimBatch(conversationId: string, now: number): ClaimedBatch | undefined {
    return this.db.transaction((): ClaimedBatch | undefined => {
      const summary = this.stmts.pendingSummary.get(conversationId);
      if (!summary || summary.count === 0) return undefined;
      const batchId = Number(this.stmts.insertBatch.run(conversationId, now, now).lastInsertRowid);
      this.stmts.claimMessages.run(batchId, conversationId);
      const rows = this.stmts.batchMessages.all(batchId);
      return {
        batchId,
        conversationId,
        messages: rows.map(toBufferedMessage),
        maxClaimCount: rows.reduce((max, r) => Math.max(max, r.claim_count), 0),
      };
    })();
  }

  /** Gives a batch's messages back to the buffer (shutdown before the agent answered). */
  releaseBatch(batchId: number, now: number): void {
    this.db.transaction(() => {
      this.stmts.releaseMessages.run(batchId);
      this.stmts.setBatchStatus.run('abandoned', now, batchId);
    })();
  }

  /** Startup: batches whose agent turn was cut by a crash go back to pending, to be answered once. */
  releaseInterruptedBatches(now: number): number {
    const running = this.stmts.runningBatches.all();
    for (const { id } of running) this.releaseBatch(id, now);
    return running.length;
  }

  /**
   * Runs `work` in one SQLite transaction (a unit of work): the turn runner fixes a batch's reply and the
   * turn's other writes (the transcript, the effects' jobs) through it, so they all commit or none does.
   * Nested calls join the outer transaction as a savepoint.
   */
  atomically<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /**
   * Fixes the reply of a batch (one statement). The turn runner calls it inside `atomically` together with the
   * agent's transcript write, so after a crash either both exist (delivery resumes, the agent is not re-run) or
   * neither (the turn re-runs). Throws when the batch is not running, which rolls that unit of work back.
   */
  recordReply(batchId: number, reply: { parts: OutboxPart[]; outcome: 'answered' | 'failed'; errorClass?: string }, now: number): void {
    const changed = this.stmts.recordReply.run(JSON.stringify(reply.parts), reply.outcome, reply.errorClass ?? null, now, batchId).changes;
    if (changed !== 1) throw new Error(`batch ${batchId} is not running`);
  }

  /** Records one part as handed to the channel, so a resumed delivery starts after it. */
  recordPartDelivered(
    batch: { batchId: number; conversationId: string },
    partIndex: number,
    part: OutboxPart,
    platformMessageId: string | undefined,
    now: number,
    opts: { inDoubt?: boolean } = {},
  ): void {
    this.db.transaction(() => {
      this.stmts.insertOutbound.run({
        conversationId: batch.conversationId,
        batchId: batch.batchId,
        partIndex,
        kind: part.type === 'text' ? 'text' : part.kind,
        text: partSummary(part),
        platformMessageId: platformMessageId ?? null,
        sentAt: now,
        inDoubt: opts.inDoubt ? 1 : 0,
      });
      this.stmts.advanceDelivery.run(partIndex + 1, now, batch.batchId);
    })();
  }

  /** A part that cannot be delivered and must not hold back the rest (a media file gone): skipped, not recorded as sent. */
  skipPart(batchId: number, partIndex: number, now: number): void {
    this.stmts.advanceDelivery.run(partIndex + 1, now, batchId);
  }

  /** Closes a batch: its messages are done, whatever became of the reply ('held': not answered, bot paused). */
  finishBatch(batchId: number, status: 'delivered' | 'failed' | 'undelivered' | 'held', errorClass: string | undefined, now: number): void {
    this.db.transaction(() => {
      this.stmts.finishBatch.run(status, errorClass ?? null, now, batchId);
      this.stmts.completeMessages.run(batchId);
    })();
  }

  /**
   * A text the bot sent outside a turn (a job telling the guest a booking's outcome): recorded like a reply
   * part, so WATI's echo of it is known as the bot's own and does not pause the bot as an operator would.
   */
  recordNotice(conversationId: string, text: string, platformMessageId: string | undefined, now: number): void {
    this.stmts.insertOutbound.run({ conversationId, batchId: null, partIndex: null, kind: 'text', text, platformMessageId: platformMessageId ?? null, sentAt: now, inDoubt: 0 });
  }

  hasUnfinishedDelivery(conversationId: string): boolean {
    return this.stmts.hasDelivering.get(conversationId) !== undefined;
  }

  deliveringBatches(conversationId: string): DeliveringBatch[] {
    return this.stmts.deliveringForConversation.all(conversationId).map((r) => ({
      batchId: r.id,
      conversationId: r.conversation_id,
      parts: parseParts(r.reply_parts),
      deliveredParts: r.delivered_parts,
      outcome: r.outcome ?? 'failed',
      errorClass: r.error_class,
      lastProgressAt: r.updated_at,
    }));
  }

  /** Whether a part was recorded as delivered with this platform message id. */
  isDeliveredMessageId(platformMessageId: string): boolean {
    return this.stmts.outboundById.get(platformMessageId) !== undefined;
  }
}

function parseParts(json: string | null): OutboxPart[] {
  return json ? parseStoredParts(json) : [];
}

function toBufferedMessage(r: MessageRow): BufferedMessage {
  return {
    seq: r.seq,
    conversationId: r.conversation_id,
    channel: r.channel,
    externalUserId: r.external_user_id,
    platformMessageId: r.platform_message_id ?? undefined,
    kind: r.kind,
    text: r.text,
    mediaRef: r.media_ref ?? undefined,
    replyContextId: r.reply_context_id ?? undefined,
    senderName: r.sender_name ?? undefined,
    receivedAt: r.received_at,
    origin: r.origin,
  };
}
