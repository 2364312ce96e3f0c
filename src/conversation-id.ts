// One conversation key everywhere: bare waId digits for WhatsApp,
// `facebook:<subscriber id>` / `instagram:<subscriber id>` for ManyChat.
import { createHash } from 'node:crypto';

export type Channel = 'whatsapp' | 'facebook' | 'instagram';

export interface ConversationRef {
  conversationId: string;
  channel: Channel;
  /** waId for WhatsApp, subscriber id for ManyChat. */
  externalId: string;
}

export function whatsappConversation(waId: string): ConversationRef {
  return { conversationId: waId, channel: 'whatsapp', externalId: waId };
}

export function manychatConversation(channel: 'facebook' | 'instagram', subscriberId: string): ConversationRef {
  return { conversationId: `${channel}:${subscriberId}`, channel, externalId: subscriberId };
}

export function parseConversationId(conversationId: string): ConversationRef {
  const m = /^(facebook|instagram):(.+)$/.exec(conversationId);
  if (m) return manychatConversation(m[1] as 'facebook' | 'instagram', m[2] as string);
  return whatsappConversation(conversationId);
}

/**
 * The form of a conversation id that may appear in logs: WhatsApp ids are phone numbers,
 * so only their last four digits and a short hash are logged.
 */
export function loggableConversationId(conversationId: string): string {
  const ref = parseConversationId(conversationId);
  if (ref.channel !== 'whatsapp') return conversationId;
  const hash = createHash('sha256').update(conversationId).digest('hex').slice(0, 8);
  return `wa:…${conversationId.slice(-4)}:${hash}`;
}
