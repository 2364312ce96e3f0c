// This turn's input after the history: a date note (date, weekday, time in TIMEZONE, channel)
// and the guest's batch, one line per message.
import type { BufferedMessage } from '../core/messages.js';
import type { Channel } from '../core/conversation-id.js';
import type { PreparedMedia } from '../media/media-service.js';
import type { UserContentPart } from '../core/transcript.js';
import { hhmm, isoDate, SPANISH_WEEKDAYS, zonedParts } from '../core/zoned-time.js';

const CHANNEL_NAMES: Record<Channel, string> = {
  whatsapp: 'WhatsApp',
  facebook: 'Facebook Messenger',
  instagram: 'Instagram',
};

export function dateNote(now: number, timeZone: string, channel: Channel): string {
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

const RESEND =
  'Ask the guest kindly to send it again as a normal image or PDF (not with the "view once" option).';

function captioned(line: string, caption: string): string {
  return caption === '' ? `(${line})` : `(${line} with caption: ${caption})`;
}

/** The line for a media message whose file was prepared (downloaded, typed, maybe transcribed). */
export function preparedMediaLine(message: BufferedMessage, prepared: PreparedMedia): string {
  const caption = message.text.trim();
  const noun = message.kind === 'audio' ? 'a voice note' : message.kind === 'document' ? 'a document' : 'an image';
  switch (prepared.status) {
    case 'image':
      return captioned(`User sent ${noun} [media_id: ${prepared.media.id}]`, caption);
    case 'pdf':
      return captioned(`User sent a PDF document [media_id: ${prepared.media.id}]`, caption);
    case 'voice':
      return `(User sent a voice note [media_id: ${prepared.media.id}]: "${prepared.transcript}")`;
    case 'unreadable':
      return captioned(
        `User sent a file of type ${prepared.media.contentType} [media_id: ${prepared.media.id}] that cannot be viewed here`,
        caption,
      );
    case 'not_understood':
      return `(User sent a voice note [media_id: ${prepared.media.id}], but it could not be understood. Ask the guest kindly to send it again or to write the message.)`;
    case 'unavailable':
      if (message.kind === 'audio') {
        return '(User sent a voice note, but it could not be downloaded. Ask the guest kindly to send it again or to write the message.)';
      }
      return prepared.reason === 'too_large'
        ? `(User sent ${noun}${caption ? ` with caption: ${caption}` : ''}, but the file is too large to process. Ask the guest to send a smaller image or a PDF.)`
        : `(User sent ${noun}${caption ? ` with caption: ${caption}` : ''}, but the file could not be downloaded. ${RESEND})`;
  }
}

export interface UserInput {
  /** What the transcript keeps: one line per message, media as short references with their ids. */
  text: string;
  /** This turn only: text and media parts in arrival order; undefined when the batch has no media to show. */
  parts: UserContentPart[] | undefined;
}

/** The guest's batch as this turn's user item: lines, with images and PDFs given natively after their line. */
export function buildUserInput(
  messages: readonly BufferedMessage[],
  prepared: ReadonlyMap<number, PreparedMedia>,
  lookup?: ReplyContextLookup,
): UserInput {
  const lines: string[] = [];
  const parts: UserContentPart[] = [];
  let pending: string[] = [];
  let hasMedia = false;
  const flush = () => {
    if (pending.length > 0) parts.push({ type: 'text', text: pending.join('\n') });
    pending = [];
  };
  for (const m of messages) {
    const p = prepared.get(m.seq);
    let line = p ? preparedMediaLine(m, p) : messageLine(m, lookup);
    if (p) {
      const replied = m.replyContextId && lookup ? lookup(m.replyContextId) : undefined;
      if (replied) line = `(Customer is replying to: "${quote(replied)}") ${line}`;
    }
    lines.push(line);
    pending.push(line);
    if (p?.status === 'image') {
      flush();
      parts.push({ type: 'image', mediaId: p.media.id, contentType: p.media.contentType, base64: p.base64 });
      hasMedia = true;
    } else if (p?.status === 'pdf') {
      flush();
      parts.push({ type: 'file', mediaId: p.media.id, contentType: p.media.contentType, fileName: `${p.media.id}.pdf`, base64: p.base64 });
      hasMedia = true;
    }
  }
  flush();
  return { text: lines.join('\n'), parts: hasMedia ? parts : undefined };
}
