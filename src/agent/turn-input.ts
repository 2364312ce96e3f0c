// This turn's input after the history: a context note (date, weekday, time in TIMEZONE, channel)
// and the guest's batch, one line per message.
import type { BufferedMessage } from '../buffer/types.js';
import type { Channel } from '../conversation-id.js';
import { hhmm, isoDate, SPANISH_WEEKDAYS, zonedParts } from '../tools/zoned-time.js';

const CHANNEL_NAMES: Record<Channel, string> = {
  whatsapp: 'WhatsApp',
  facebook: 'Facebook Messenger',
  instagram: 'Instagram',
};

export function contextNote(now: number, timeZone: string, channel: Channel): string {
  const p = zonedParts(now, timeZone);
  return (
    `Contexto del turno: hoy es ${SPANISH_WEEKDAYS[p.weekday]} ${isoDate(p)}, hora actual ${hhmm(p)} ` +
    `(${timeZone}). Canal de la conversación: ${CHANNEL_NAMES[channel]}.`
  );
}

/** Finds the text of a message the guest replied to (a message we sent), by platform message id. */
export type ReplyContextLookup = (platformMessageId: string) => string | undefined;

const MAX_QUOTE = 300;

function quote(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MAX_QUOTE ? `${t.slice(0, MAX_QUOTE)}…` : t;
}

function withCaption(what: string, caption: string): string {
  return caption === '' ? `(User sent ${what})` : `(User sent ${what} with caption: ${caption})`;
}

/**
 * One line per message in the original's style. Media lines are placeholders until media handling
 * (transcription, image analysis) replaces them.
 */
export function messageLine(message: BufferedMessage, lookup?: ReplyContextLookup): string {
  const text = message.text.trim();
  let line: string;
  switch (message.kind) {
    case 'text':
      line = message.text;
      break;
    case 'image':
      line = withCaption('an image', text);
      break;
    case 'audio':
      line = '(User sent a voice note, but it could not be processed)';
      break;
    case 'video':
      line = withCaption('a video', text);
      break;
    case 'document':
      line = withCaption('a document', text);
      break;
    case 'sticker':
      line = '(User sent a sticker)';
      break;
    case 'location':
      line = text === '' ? '(User sent a location)' : `(User sent a location: ${text})`;
      break;
    default:
      line = text === '' ? '(User sent a message of an unsupported type)' : message.text;
  }
  const replied = message.replyContextId && lookup ? lookup(message.replyContextId) : undefined;
  return replied ? `(Customer is replying to: "${quote(replied)}") ${line}` : line;
}

export function batchText(messages: readonly BufferedMessage[], lookup?: ReplyContextLookup): string {
  return messages.map((m) => messageLine(m, lookup)).join('\n');
}
