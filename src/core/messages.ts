// The shape of a guest message once it has been accepted and buffered, and who sent it.
import type { Channel } from './channel.js';
import type { MessageOrigin } from './origin.js';

export type MessageKind = 'text' | 'image' | 'audio' | 'document' | 'video' | 'sticker' | 'location' | 'other';

export const MEDIA_KINDS: ReadonlySet<MessageKind> = new Set(['image', 'audio', 'document', 'video', 'sticker']);

/** What a webhook route hands to the buffer (validated and normalised). */
export interface InboundMessage {
  conversationId: string;
  channel: Channel;
  /** waId (WhatsApp) or subscriber id (ManyChat). */
  externalUserId: string;
  /** Platform message id (WATI `whatsappMessageId` or `id`), when the payload carries one. */
  platformMessageId: string | undefined;
  /** Other ids the platform gave the same message (WATI's own `id` beside the `whatsappMessageId`). */
  platformMessageAliases?: string[] | undefined;
  kind: MessageKind;
  /** The text, or the caption of a media message. */
  text: string;
  /** WATI `data/…` path or ManyChat attachment URL. */
  mediaRef: string | undefined;
  replyContextId: string | undefined;
  senderName: string | undefined;
  /**
   * The route a platform with two webhooks sent this by (WATI: the flow body or the standard event), set by
   * its parser. The same message may come by both; content dedupe pairs one copy of each. Undefined for a
   * platform with a single route (ManyChat).
   */
  dedupeRoute?: DedupeRoute | undefined;
}

export type DedupeRoute = 'wati_flow' | 'wati_event';

/** A buffered message as stored, in arrival order within its conversation. */
export interface BufferedMessage extends InboundMessage {
  seq: number;
  receivedAt: number;
  /** legacy-import: migrated from the Python service's buffer (it waited there, not here); absent: live. */
  origin?: MessageOrigin | undefined;
}

/** The guest a conversation is with, as the platform names them. */
export interface Guest {
  /** WhatsApp waId (digits), when the conversation is on WhatsApp. */
  waId?: string;
  /** ManyChat subscriber id, when the conversation is on Messenger or Instagram. */
  subscriberId?: string;
  name?: string;
}
