// One conversation key everywhere: bare waId digits for WhatsApp,
// `facebook:<subscriber id>` / `instagram:<subscriber id>` for ManyChat.
import { createHmac, randomBytes } from 'node:crypto';
import type { Channel } from './channel.js';

export type { Channel };

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

/**
 * The conversations of the chat console (`npm run chat`, src/cli/chat.ts) are `console:<name>`. No webhook
 * produces the prefix (a waId is digits, ManyChat ids carry their channel), so such a conversation is never
 * a guest's. Its channel is the one the console chose (stored with the transcript), not in the id: the console
 * runs its turns itself and never hands the id to the paths that parse it (turn runner, platforms, jobs).
 */
export const CONSOLE_CONVERSATION_PREFIX = 'console:';

export function consoleConversation(name: string, channel: Channel, externalId: string): ConversationRef {
  return { conversationId: `${CONSOLE_CONVERSATION_PREFIX}${name}`, channel, externalId };
}

export function isConsoleConversation(conversationId: string): boolean {
  return conversationId.startsWith(CONSOLE_CONVERSATION_PREFIX);
}

export function parseConversationId(conversationId: string): ConversationRef {
  const m = /^(facebook|instagram):(.+)$/.exec(conversationId);
  if (m) return manychatConversation(m[1] as 'facebook' | 'instagram', m[2] as string);
  return whatsappConversation(conversationId);
}

const LOG_PREFIX: Record<Channel, string> = { whatsapp: 'wa', facebook: 'fb', instagram: 'ig' };

// Until the installation's key is loaded (unit tests, tools that open no database) a random key per
// process: masked ids are then stable only within the process, never reversible.
let logMaskKey: Buffer = randomBytes(32);
// Masked ids already computed with the current key: every webhook logs its conversation's, and an HMAC per
// line was a measurable part of a webhook's CPU. Bounded: emptied when full (a hotel has a few thousand
// conversations a day) and when the key changes.
const maskedIds = new Map<string, string>();
const MAX_MASKED_IDS = 10_000;

/** Keys the log masking with the installation's secret (kept in the database, never logged). */
export function useLogMaskKey(secret: string): void {
  if (secret.length < 32) throw new Error('the log mask key must be at least 32 characters');
  logMaskKey = Buffer.from(secret, 'utf8');
  maskedIds.clear();
}

/**
 * The form of a conversation id that may appear in logs: `wa:…4568:1f0c9a2e` (or `fb:`/`ig:`). The last
 * four characters help staff find a conversation; the tag is an HMAC keyed by the installation's secret,
 * so it is stable for one installation, and a phone number cannot be recovered from a log by trying the
 * ten thousand numbers that end in those digits.
 */
export function loggableConversationId(conversationId: string): string {
  // A console conversation's name was chosen by staff: nothing to hide.
  if (isConsoleConversation(conversationId)) return conversationId;
  const known = maskedIds.get(conversationId);
  if (known !== undefined) return known;
  const ref = parseConversationId(conversationId);
  const tag = createHmac('sha256', logMaskKey).update(conversationId).digest('hex').slice(0, 10);
  const masked = `${LOG_PREFIX[ref.channel]}:…${ref.externalId.slice(-4)}:${tag}`;
  if (maskedIds.size >= MAX_MASKED_IDS) maskedIds.clear();
  maskedIds.set(conversationId, masked);
  return masked;
}
