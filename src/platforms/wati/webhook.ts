// Validates and normalises the two body shapes WATI posts to /webhook:
//  - the chatbot-flow body the hotel configured (`waId`, `userMessage`|`text`|`message`, `dataType`+`filePath`)
//  - WATI's standard webhook events (`eventType`, `owner`, `type`, `data`, `whatsappMessageId`, …).
import { z } from 'zod';
import type { InboundMessage, MessageKind } from '../../core/messages.js';
import { whatsappConversation } from '../../core/conversation-id.js';
import { firstVisible, wellFormed } from '../../ingest/text.js';
import { describeIssues } from '../../core/errors.js';
import type { InboundParseResult, OutgoingMessageEvent, PlatformInbound } from '../types.js';

const nullableString = z.string().nullish();
// Ids and timestamps arrive as strings or numbers depending on the sender.
const stringish = z.union([z.string(), z.number()]).nullish().transform((v) => (v == null ? undefined : String(v)));
/** WATI message ids are short (a wamid is ~40 characters); a longer one is not from WATI. */
export const MAX_MESSAGE_ID_LENGTH = 128;
const messageId = stringish.refine((v) => v === undefined || v.length <= MAX_MESSAGE_ID_LENGTH, {
  error: `must be at most ${MAX_MESSAGE_ID_LENGTH} characters`,
});

// z.object, not looseObject: only the fields named here are read, and copying a standard event's ~30 other
// keys into the parsed result made this parse ~10× dearer (it ran on every webhook).
const watiBodySchema = z.object({
  waId: stringish,
  phone: stringish,
  // flow-builder body
  userMessage: nullableString,
  message: nullableString,
  dataType: nullableString,
  filePath: nullableString,
  // standard event / shared
  text: nullableString,
  type: nullableString,
  data: z.unknown().optional(),
  id: messageId,
  whatsappMessageId: messageId,
  owner: z.union([z.boolean(), z.literal('true'), z.literal('false')]).nullish(),
  eventType: nullableString,
  operatorName: nullableString,
  assignedId: nullableString,
  senderName: nullableString,
  replyContextId: nullableString,
  timestamp: stringish,
  buttonReply: z.object({ text: nullableString }).nullish(),
  listReply: z.object({ title: nullableString, description: nullableString }).nullish(),
  interactiveButtonReply: z.object({ title: nullableString }).nullish(),
});

/** A message sent from the business side (`owner: true`): the bot's own send or a human operator's. */
export type WatiOutgoingEvent = OutgoingMessageEvent;

/** One body's reading: one message at most (WATI posts one per message). */
export type WatiParseResult = Exclude<InboundParseResult, { kind: 'messages' }>;

/** Event types that carry a guest's message; everything else (status updates, sent messages…) is ignored. */
const GUEST_MESSAGE_EVENTS = new Set(['message', 'newContactMessageReceived']);

/** Message `type`s of guest events we answer; others (reaction, sticker, location, contacts…) are acknowledged only. */
const HANDLED_MESSAGE_TYPES = new Set(['text', 'image', 'photo', 'document', 'audio', 'voice', 'video', 'button', 'interactive']);

/** WATI's current docs name events `<name>_v2` (`sessionMessageSent_v2`, `sentMessageREAD_v2`…); same meaning. */
export function baseEventType(eventType: string): string {
  return eventType.replace(/_v2$/i, '');
}

/** A reason that is safe to echo and log, whatever name a sender made up. */
function reasonSlug(prefix: string, name: string): string {
  return `${prefix}${name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64)}`;
}

const KIND_BY_WATI_TYPE: Record<string, MessageKind> = {
  image: 'image',
  photo: 'image',
  document: 'document',
  audio: 'audio',
  voice: 'audio',
  video: 'video',
  sticker: 'sticker',
};

/** A message that is nothing but a WATI media path or `…showFile?fileName=data/…` URL. */
const BARE_MEDIA_REF = /^(?:https?:\/\/\S*?[?&]fileName=)?data\/(images|audios|documents|videos|stickers)\/\S+$/i;

const KIND_BY_DATA_FOLDER: Record<string, MessageKind> = {
  images: 'image',
  audios: 'audio',
  documents: 'document',
  videos: 'video',
  stickers: 'sticker',
};

/** Reduces `https://…/showFile?fileName=data/audios/x.opus` (or any URL holding `data/…`) to `data/audios/x.opus`. */
export function normalizeWatiMediaPath(ref: string): string {
  const trimmed = ref.trim();
  const fileName = /[?&]fileName=([^&#]+)/i.exec(trimmed);
  if (fileName?.[1]) {
    try {
      return decodeURIComponent(fileName[1]);
    } catch {
      return fileName[1];
    }
  }
  const dataIndex = trimmed.indexOf('data/');
  return dataIndex > 0 ? trimmed.slice(dataIndex) : trimmed;
}

function kindFromMediaPath(path: string): MessageKind | undefined {
  const folder = /^data\/([a-z]+)\//i.exec(path)?.[1]?.toLowerCase();
  return folder ? KIND_BY_DATA_FOLDER[folder] : undefined;
}

function parseEventTime(timestamp: string | undefined, created: unknown): number | undefined {
  if (timestamp && /^\d{9,11}$/.test(timestamp.trim())) return Number(timestamp.trim()) * 1000;
  if (typeof created === 'string') {
    const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(created) ? created : `${created}Z`);
    if (!Number.isNaN(ms)) return ms;
  }
  return undefined;
}

export function parseWatiBody(body: unknown): WatiParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { kind: 'invalid', problems: ['body: must be a JSON object'] };
  }
  const parsed = watiBodySchema.safeParse(body);
  if (!parsed.success) {
    return {
      kind: 'invalid',
      problems: describeIssues(parsed.error.issues, 'body'),
    };
  }
  const b = parsed.data;
  const isEvent = b.eventType != null;
  const eventType = b.eventType != null ? baseEventType(b.eventType) : undefined;

  // Not a guest's message: our own or an operator's outgoing message, or a status/other event.
  if (b.owner === true || b.owner === 'true') {
    const waId = (b.waId ?? b.phone)?.replace(/^\+/, '').trim();
    // Only sent messages are someone writing to the guest (not template/status events).
    const isSend = /^(sessionMessageSent|message)$/i.test(eventType ?? 'sessionMessageSent');
    const outgoing: WatiOutgoingEvent | undefined =
      waId && /^\d{6,20}$/.test(waId) && isSend
        ? {
            // A WhatsApp conversation's id is the guest's number (whatsappConversation).
            conversationId: waId,
            platformMessageIds: [b.whatsappMessageId, b.id].filter((x): x is string => Boolean(x)),
            text: firstVisible(b.text, typeof b.data === 'string' ? b.data : undefined)?.trim() ?? '',
            operatorName: firstVisible(b.operatorName)?.trim(),
            sentAt: parseEventTime(b.timestamp, (body as { created?: unknown }).created),
          }
        : undefined;
    return { kind: 'ignored', reason: 'outgoing_message', ...(outgoing ? { outgoing } : {}) };
  }

  const rawWaId = b.waId ?? b.phone;
  const waId = rawWaId?.replace(/^\+/, '').trim();
  const validWaId = waId && /^\d{6,20}$/.test(waId) ? waId : undefined;
  // A well-formed event we do not act on is acknowledged: WATI re-delivers anything but a 200 for 24 h.
  const ignored = (reason: string): WatiParseResult => ({ kind: 'ignored', reason, ...(validWaId ? { conversationId: validWaId } : {}) });
  if (eventType !== undefined && !GUEST_MESSAGE_EVENTS.has(eventType)) return ignored(reasonSlug('event_type_', eventType));

  if (!waId) return { kind: 'invalid', problems: ['waId: required (the guest WhatsApp number)'] };
  if (!validWaId) return { kind: 'invalid', problems: ['waId: must be the WhatsApp number in digits'] };

  const operatorName = firstVisible(b.operatorName)?.trim();
  const wrap = (message: InboundMessage): WatiParseResult =>
    operatorName ? { kind: 'message', message, operatorName } : { kind: 'message', message };
  const { conversationId, channel } = whatsappConversation(waId);
  const platformMessageId = b.whatsappMessageId ?? b.id;
  const senderName = firstVisible(b.senderName)?.trim();
  // WATI's own id of the message too: the same message may come as `newContactMessageReceived` and as `message`.
  const platformMessageAliases = b.whatsappMessageId && b.id && b.id !== b.whatsappMessageId ? [b.id] : undefined;
  // The flow body carries no id, the standard event does: the same message may come by both routes.
  const dedupeRoute = platformMessageId ? ('wati_event' as const) : ('wati_flow' as const);
  // Built field by field, not by spreading a shared base: on this hot path (every webhook) V8 made
  // `{ ...base, kind, text }` ~50× dearer than the literal.
  const message = (kind: MessageKind, text: string, mediaRef: string | undefined): WatiParseResult =>
    wrap({
      conversationId,
      channel,
      externalUserId: waId,
      platformMessageId,
      platformMessageAliases,
      kind,
      text,
      mediaRef,
      replyContextId: b.replyContextId ?? undefined,
      senderName,
      dedupeRoute,
    });
  const watiType = b.type?.trim().toLowerCase() || undefined;
  if (isEvent && watiType && !HANDLED_MESSAGE_TYPES.has(watiType)) return ignored(reasonSlug('unsupported_message_type_', watiType));

  // Standard event with media: `data` is the media path, `text` its caption.
  if (watiType && watiType !== 'text' && typeof b.data === 'string' && b.data.trim() !== '') {
    const mediaRef = normalizeWatiMediaPath(b.data);
    const kind = KIND_BY_WATI_TYPE[watiType] ?? kindFromMediaPath(mediaRef) ?? 'other';
    return message(kind, firstVisible(b.text)?.trim() ?? '', wellFormed(mediaRef));
  }

  const text = firstVisible(
    b.text,
    b.userMessage,
    b.message,
    b.buttonReply?.text,
    b.interactiveButtonReply?.title,
    b.listReply?.title,
  );

  // Flow body with explicit media fields.
  const filePath = firstVisible(b.filePath);
  if (filePath) {
    const mediaRef = normalizeWatiMediaPath(filePath);
    const declared = b.dataType?.toLowerCase();
    const kind = (declared && KIND_BY_WATI_TYPE[declared]) || kindFromMediaPath(mediaRef) || 'document';
    const caption = text && normalizeWatiMediaPath(text) !== mediaRef ? text.trim() : '';
    return message(kind, caption, wellFormed(mediaRef));
  }

  if (!text) {
    // An event, or a flow body whose message field is there but shows nothing (spaces, zero-width
    // characters), is acknowledged and not stored. A flow body without any message field is a
    // misconfigured flow step: 400 tells whoever set it up.
    const hasMessageField = [b.text, b.userMessage, b.message, b.buttonReply, b.interactiveButtonReply, b.listReply].some((v) => v != null);
    if (isEvent || hasMessageField) return ignored(isEvent && watiType && watiType !== 'text' ? reasonSlug('unsupported_message_type_', watiType) : 'empty_message');
    return {
      kind: 'invalid',
      problems: ['message: one of userMessage, text or message must be given, or filePath/data must name a media file'],
    };
  }

  // The production flow puts media in `userMessage` as a bare path or showFile URL.
  const trimmed = text.trim();
  const bare = BARE_MEDIA_REF.exec(trimmed);
  if (bare) {
    const mediaRef = normalizeWatiMediaPath(trimmed);
    return message(KIND_BY_DATA_FOLDER[bare[1]!.toLowerCase()] ?? 'other', '', mediaRef);
  }

  return message('text', trimmed, undefined);
}

const WATI_ACKNOWLEDGEMENT = Object.freeze({ ai_response: 'Gathering questions for the assistant' });

/** POST /webhook: the flow body or a standard event; staff numbers may write here (answering an alert). */
export const watiInbound: PlatformInbound = {
  path: '/webhook',
  parse: parseWatiBody,
  staffCanWrite: true,
  ignoredLogMessage: 'webhook event acknowledged and ignored',
  acknowledgement: WATI_ACKNOWLEDGEMENT,
  bufferedLogFields: (conversationId, messages, duplicate) => ({ conversationId, kind: messages[0]?.kind, duplicate }),
};
