// What a conversation key means on its platform, for code that holds a ConversationRef but runs outside a
// platform's request path (the legacy import): the guest's identity, and a media reference in the form that
// platform's webhook parser gives it. Kept here so no other module branches on the channel.
import type { Guest } from '../core/messages.js';
import type { ConversationRef } from '../core/conversation-id.js';
import { normalizeWatiMediaPath } from './wati/webhook.js';

export function guestOf(ref: ConversationRef): Guest {
  return ref.channel === 'whatsapp' ? { waId: ref.externalId } : { subscriberId: ref.externalId };
}

/** WATI media are paths on the tenant (normalised like the webhook's); ManyChat media are URLs. */
export function mediaRefOf(ref: ConversationRef, raw: string): string {
  return ref.channel === 'whatsapp' ? normalizeWatiMediaPath(raw) : raw.trim();
}
