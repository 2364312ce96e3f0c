// What one guest message may carry (issue 22 §1): at most what its platform lets a person send. A longer text
// did not come from a person typing into that app (a forged or replayed webhook, a corrupted legacy row); it is
// cut there, with a marker the model reads, and the guest is answered as usual. The limits are generous on
// purpose: a guest who pastes a long text must not lose any of it; the token counter's bounded time
// (src/agent/token-count.ts) is what keeps a long message from holding everyone else up.
import type { Channel } from '../core/conversation-id.js';
import { wellFormed } from './text.js';

/**
 * WhatsApp: the app lets a person send 65,536 characters in one text (the length the red-team pass of issue 22 sent
 * through WATI; e.g. https://www.engagespark.com/support/whatsapp-business-limits/). The Cloud API's 4,096 is the
 * limit on what a business sends (developers.facebook.com/docs/whatsapp/cloud-api/reference/messages, text.body).
 */
export const WHATSAPP_TEXT_MAX_CHARS = 65_536;
/**
 * Messenger and Instagram (through ManyChat): Meta documents only what a page sends (Messenger Send API text: 2,000
 * characters; Instagram: 1,000 bytes). The Messenger app stops a person at 20,000 characters (observed,
 * github.com/fbchat-dev/fbchat/issues/44); Instagram's direct messages are shorter still.
 */
export const MANYCHAT_TEXT_MAX_CHARS = 20_000;

export const MESSAGE_MAX_CHARS: Readonly<Record<Channel, number>> = {
  whatsapp: WHATSAPP_TEXT_MAX_CHARS,
  facebook: MANYCHAT_TEXT_MAX_CHARS,
  instagram: MANYCHAT_TEXT_MAX_CHARS,
};

/** What the model reads where a text was cut (in the guests' language; plain digits, the same in every locale). */
export function cutMarker(omittedChars: number): string {
  return `[… mensaje recortado: ${omittedChars} caracteres omitidos]`;
}

export interface CappedText {
  text: string;
  /** Characters (UTF-16 units) left out; 0 when the text fits. */
  omitted: number;
}

/** `text` within its channel's limit: a longer one keeps its first MESSAGE_MAX_CHARS characters and the marker. */
export function capMessageText(text: string, channel: Channel): CappedText {
  const max = MESSAGE_MAX_CHARS[channel];
  if (text.length <= max) return { text, omitted: 0 };
  // Never split a surrogate pair: the kept part stays well-formed.
  const code = text.charCodeAt(max - 1);
  const keep = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  const omitted = text.length - keep;
  return { text: `${text.slice(0, keep)}\n${cutMarker(omitted)}`, omitted };
}

/**
 * A guest's text as the buffer and the transcript keep it, whichever way it came (webhook, legacy import, chat
 * console): well-formed, without control characters, within its channel's limit.
 */
export function guestText(text: string, channel: Channel): CappedText {
  return capMessageText(wellFormed(text), channel);
}
