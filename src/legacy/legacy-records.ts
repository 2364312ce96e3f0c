// What legacy rows become in our records (part of `npm run migrate-legacy`, src/legacy/importer.ts): history
// entries as agent turns in the transcript's own format, message_buffer rows as pending inbound messages.
import { createHash } from 'node:crypto';
import type { MessageKind } from '../core/messages.js';
import type { ConversationRef } from '../core/conversation-id.js';
import { normalizeText } from '../handoff/missed-messages.js';
import { guestOf, mediaRefOf } from '../platforms/identity.js';
import type { TurnRecord } from '../store/conversation-records.js';
import { countItemTokens } from '../store/item-tokens.js';
import type { NewTranscriptItem } from '../core/transcript.js';
import type { LegacyPendingMessage } from '../store/legacy-import-repository.js';
import { LEGACY_IMPORT } from '../core/origin.js';
import type { LegacyBufferRow, LegacyMessage, LegacyThread } from './readers.js';

/** The model name of the agent turns the import writes (no model call is made); the stores recognise it. */
export const IMPORT_MODEL = LEGACY_IMPORT;
export interface HistoryEntry {
  role: 'user' | 'assistant';
  text: string;
  at: number;
  key: string;
}

export function entryKey(role: string, at: number, text: string): string {
  return createHash('sha256').update(`${role}\u0000${at}\u0000${normalizeText(text)}`).digest('hex').slice(0, 16);
}

const KIND_BY_TYPE: Record<string, MessageKind> = {
  text: 'text',
  image: 'image',
  photo: 'image',
  audio: 'audio',
  voice: 'audio',
  document: 'document',
  file: 'document',
  video: 'video',
  sticker: 'sticker',
  location: 'location',
};

export function pendingOf(ref: ConversationRef, row: LegacyBufferRow): LegacyPendingMessage {
  const kind = KIND_BY_TYPE[row.type] ?? 'other';
  const media = kind !== 'text' && kind !== 'location' && kind !== 'other';
  const mediaRef = media ? mediaRefOf(ref, row.content) : undefined;
  return {
    conversationId: ref.conversationId,
    channel: ref.channel,
    externalUserId: ref.externalId,
    platformMessageId: undefined,
    kind,
    text: media ? (row.caption ?? '') : row.content,
    mediaRef,
    replyContextId: row.replyContextId,
    senderName: undefined,
    receivedAt: row.at,
  };
}

/** One agent turn per exchange (the guest's messages and the replies after them), in the transcript's own format. */
export function turnsOf(ref: ConversationRef, entries: readonly HistoryEntry[]): TurnRecord[] {
  const turns: TurnRecord[] = [];
  let current: { items: NewTranscriptItem[]; startedAt: number; endedAt: number } | undefined;
  let previous: HistoryEntry | undefined;
  const guest = guestOf(ref);
  const flush = () => {
    if (!current) return;
    turns.push({
      conversationId: ref.conversationId,
      channel: ref.channel,
      guest,
      startedAt: current.startedAt,
      endedAt: current.endedAt,
      model: IMPORT_MODEL,
      api: 'responses',
      rounds: 0,
      status: 'answered',
      historyItems: 0,
      historyTokens: 0,
      items: current.items,
      calls: [],
    });
    current = undefined;
  };
  for (const e of entries) {
    if (!current || (e.role === 'user' && previous?.role === 'assistant')) {
      flush();
      current = { items: [], startedAt: e.at, endedAt: e.at };
    }
    const item = { kind: e.role, text: e.text };
    // Legacy rows are anyone's text, the bot's included: counted in bounded time (issue 22 §1).
    current.items.push({ item, boundary: current.items.length === 0 ? 2 : 1, tokens: countItemTokens(item, true) });
    current.endedAt = Math.max(current.endedAt, e.at);
    previous = e;
  }
  flush();
  return turns;
}

/**
 * The Conversations API gives no time per item: each takes the time of the matching local log message
 * (same role and text, searched forward), else the previous item's, so the order stays the API's.
 */
export function timeApiItems(
  items: readonly { role: 'user' | 'assistant'; text: string }[],
  local: readonly LegacyMessage[],
  threads: readonly LegacyThread[],
): HistoryEntry[] {
  const base =
    Math.min(...threads.map((t) => t.createdAt ?? Number.POSITIVE_INFINITY), local[0]?.at ?? Number.POSITIVE_INFINITY);
  let at = Number.isFinite(base) ? base : Math.max(0, ...threads.map((t) => t.lastUpdated ?? 0));
  let cursor = 0;
  return items.map((item) => {
    const text = normalizeText(item.text);
    for (let j = cursor; j < local.length && j < cursor + 50; j++) {
      const m = local[j] as LegacyMessage;
      if (m.role === item.role && normalizeText(m.text) === text) {
        at = Math.max(at, m.at);
        cursor = j + 1;
        break;
      }
    }
    return { role: item.role, text: item.text, at, key: entryKey(item.role, at, item.text) };
  });
}
