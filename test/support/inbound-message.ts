// Guest messages as a platform parser hands them over, for tests that start below the webhook: a WhatsApp
// text with no platform id, no media, no reply context and no sender name unless the test says otherwise.
import type { InboundMessage } from '../../src/core/messages.js';

const DEFAULT_WA_ID = '50312345678';

/** A message; the external user id follows the conversation id unless given. */
export function inboundMessage(over: Partial<InboundMessage> = {}): InboundMessage {
  const conversationId = over.conversationId ?? DEFAULT_WA_ID;
  return {
    conversationId,
    channel: 'whatsapp',
    externalUserId: conversationId,
    platformMessageId: undefined,
    kind: 'text',
    text: 'Hola',
    mediaRef: undefined,
    replyContextId: undefined,
    senderName: undefined,
    ...over,
  };
}

/** A WhatsApp text from `waId` (its own conversation). */
export function whatsappText(waId: string, text: string, over: Partial<InboundMessage> = {}): InboundMessage {
  return inboundMessage({ conversationId: waId, externalUserId: waId, text, ...over });
}
