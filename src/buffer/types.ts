// The shape of a guest message once it has been accepted and buffered.
import type { Channel } from '../conversation-id.js';

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
}

/** A buffered message as stored, in arrival order within its conversation. */
export interface BufferedMessage extends InboundMessage {
  seq: number;
  receivedAt: number;
}
