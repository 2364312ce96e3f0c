// The legacy files' rows grouped by our conversation: a WhatsApp waId, `facebook:<id>` / `instagram:<id>`, or a
// bare ManyChat subscriber id whose channel the logs give (part of `npm run migrate-legacy`, src/legacy/importer.ts).
import { manychatConversation, whatsappConversation, type ConversationRef } from '../core/conversation-id.js';
import type { LegacyBufferRow, LegacyMessage, LegacyRead, LegacyThread } from './readers.js';

export interface LegacyData {
  threads: LegacyRead<LegacyThread>;
  webhookMessages: LegacyRead<LegacyMessage>;
  conversationLog: LegacyRead<LegacyMessage>;
  buffer: LegacyRead<LegacyBufferRow>;
}

export interface LegacyConversation {
  ref: ConversationRef;
  keys: Set<string>;
  threads: LegacyThread[];
  messages: LegacyMessage[];
  buffer: LegacyBufferRow[];
  notes: string[];
}

const MANYCHAT_KEY = /^(facebook|instagram):(.+)$/;
const WA_ID = /^\+?\d{6,20}$/;

/** Groups every legacy row under our conversation id. Keys that name no conversation are returned apart. */
export function groupLegacyConversations(data: LegacyData): { conversations: Map<string, LegacyConversation>; unrecognised: number } {
  // Bare ManyChat subscriber ids: the channel the logs recorded, or a `channel:id` key seen anywhere.
  const bareChannel = new Map<string, 'facebook' | 'instagram' | undefined>();
  for (const m of data.conversationLog.rows) if (!MANYCHAT_KEY.test(m.key)) bareChannel.set(m.key, m.channel ?? bareChannel.get(m.key));
  for (const key of [...data.threads.rows.map((t) => t.key), ...data.buffer.rows.map((b) => b.key)]) {
    const m = MANYCHAT_KEY.exec(key);
    if (m) bareChannel.set(m[2] as string, bareChannel.get(m[2] as string) ?? (m[1] as 'facebook' | 'instagram'));
  }
  const conversations = new Map<string, LegacyConversation>();
  let unrecognised = 0;
  const resolve = (key: string): LegacyConversation | undefined => {
    let ref: ConversationRef;
    const notes: string[] = [];
    const m = MANYCHAT_KEY.exec(key);
    if (m) ref = manychatConversation(m[1] as 'facebook' | 'instagram', m[2] as string);
    else if (bareChannel.has(key)) {
      const channel = bareChannel.get(key);
      if (!channel) notes.push('channel not recorded in conversation_log; assumed facebook');
      ref = manychatConversation(channel ?? 'facebook', key);
    } else if (WA_ID.test(key)) ref = whatsappConversation(key.replace(/^\+/, ''));
    else return undefined;
    let c = conversations.get(ref.conversationId);
    if (!c) {
      c = { ref, keys: new Set(), threads: [], messages: [], buffer: [], notes: [] };
      conversations.set(ref.conversationId, c);
    }
    c.keys.add(key);
    for (const n of notes) if (!c.notes.includes(n)) c.notes.push(n);
    return c;
  };
  for (const t of data.threads.rows) {
    const c = resolve(t.key);
    if (c) c.threads.push(t);
    else unrecognised++;
  }
  for (const m of [...data.webhookMessages.rows, ...data.conversationLog.rows]) {
    const c = resolve(m.key);
    if (c) c.messages.push(m);
    else unrecognised++;
  }
  for (const b of data.buffer.rows) {
    const c = resolve(b.key);
    if (c) c.buffer.push(b);
    else unrecognised++;
  }
  return { conversations, unrecognised };
}
