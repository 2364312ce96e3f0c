// The switch from the Python service as our stores see it: `npm run migrate-legacy` writing a conversation's
// history and its pending messages (through LegacyImportRepository, the importer's own write path), then the
// server answering what is pending (BufferStore: claim, reply with a live turn, part handed over, batch closed),
// and a live guest writing for the first time — for the figures' tests (monitor, report, dashboard).
import { turnsOf } from '../../src/legacy/legacy-records.js';
import { parseConversationId } from '../../src/core/conversation-id.js';
import { BufferStore } from '../../src/store/buffer-store.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import type { Db } from '../../src/store/database.js';
import { LegacyImportRepository } from '../../src/store/legacy-import-repository.js';
import { PauseRepository } from '../../src/store/pause-repository.js';

export interface LegacyConversationSpec {
  conversationId: string;
  /** History items of the Python service, oldest first. */
  history?: { role: 'user' | 'assistant'; text: string; at: number }[];
  /** Messages pending in its message_buffer, with the time it received them. */
  pending?: { text: string; at: number }[];
}

/** What `npm run migrate-legacy` writes for these conversations (one transaction, as the importer does). */
export function importLegacy(db: Db, conversations: readonly LegacyConversationSpec[], now: number): void {
  const repo = new LegacyImportRepository(db, new ConversationStore(db), new PauseRepository(db));
  repo.write(
    conversations.map((c) => {
      const ref = parseConversationId(c.conversationId);
      const entries = (c.history ?? []).map((h, i) => ({ ...h, key: `k${i}` }));
      const turns = turnsOf(ref, entries);
      const last = entries.at(-1);
      return {
        conversationId: c.conversationId,
        turns,
        pending: (c.pending ?? []).map((p) => ({
          conversationId: ref.conversationId,
          channel: ref.channel,
          externalUserId: ref.externalId,
          platformMessageId: undefined,
          kind: 'text' as const,
          text: p.text,
          mediaRef: undefined,
          replyContextId: undefined,
          senderName: undefined,
          receivedAt: p.at,
        })),
        markHistoryImported: entries.length > 0,
        progress: {
          source: entries.length > 0 ? 'webhook_messages' : 'none',
          addedItems: turns.reduce((n, t) => n + t.items.length, 0),
          addedPending: c.pending?.length ?? 0,
          watermarkAt: last?.at ?? null,
          watermarkKeys: last ? [last.key] : [],
          apiDone: [],
        },
      };
    }),
    now,
  );
}

/**
 * The server answering what is pending in the conversation: one batch claimed at `at`, its reply recorded with a
 * live agent turn, its first part handed to the channel `replyMs` later, the batch closed. Returns the batch id.
 */
export function answerPending(db: Db, conversationId: string, at: number, replyMs = 2_000, name?: string): number {
  const buffer = new BufferStore(db);
  const store = new ConversationStore(db);
  const ref = parseConversationId(conversationId);
  const batch = buffer.claimBatch(conversationId, at);
  if (!batch) throw new Error(`nothing pending in ${conversationId}`);
  const text = `Respuesta a: ${batch.messages.map((m) => m.text).join(' | ')}`;
  const sentAt = at + replyMs;
  buffer.atomically(() => {
    buffer.recordReply(batch.batchId, { parts: [{ type: 'text', text }], outcome: 'answered' }, sentAt - 500);
    store.commitTurn({
      conversationId,
      channel: ref.channel,
      guest: ref.channel === 'whatsapp' ? { waId: ref.externalId, name } : { subscriberId: ref.externalId, name },
      startedAt: at,
      endedAt: sentAt - 500,
      model: 'gpt-5',
      api: 'responses',
      rounds: 1,
      status: 'answered',
      historyItems: 0,
      historyTokens: 0,
      items: [
        { item: { kind: 'user', text: batch.messages.map((m) => m.text).join('\n') }, boundary: 2 },
        { item: { kind: 'assistant', text }, boundary: 1 },
      ],
      calls: [],
    });
  });
  buffer.recordPartDelivered(batch, 0, { type: 'text', text }, undefined, sentAt);
  buffer.finishBatch(batch.batchId, 'delivered', undefined, sentAt);
  return batch.batchId;
}

/** A guest writing through a webhook (a live message) at `at`, answered `replyMs` later. */
export function liveExchange(db: Db, conversationId: string, text: string, at: number, replyMs = 2_000, name?: string): number {
  const ref = parseConversationId(conversationId);
  const accepted = new BufferStore(db).accept(
    [{ conversationId, channel: ref.channel, externalUserId: ref.externalId, platformMessageId: `wamid.${conversationId}.${at}`, kind: 'text', text, mediaRef: undefined, replyContextId: undefined, senderName: name }],
    at,
  );
  if (!accepted.accepted) throw new Error('the live message was refused as a duplicate');
  return answerPending(db, conversationId, at + 1_000, replyMs, name);
}

