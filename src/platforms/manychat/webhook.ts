// Validates and normalises ManyChat "External Request" bodies (Messenger and Instagram).
import { z } from 'zod';
import type { MessageKind } from '../../core/messages.js';
import { manychatConversation } from '../../core/conversation-id.js';
import { firstVisible } from '../../ingest/text.js';
import { describeIssues } from '../../core/errors.js';
import type { InboundParseResult, PlatformInbound } from '../types.js';

/** ManyChat ids are digit strings; numbers too large for a double arrive as strings (see json-text.ts). */
const subscriberId = z
  .union([
    z.string().trim().regex(/^\d{1,32}$/, { error: 'must be 1 to 32 digits' }),
    z.number({ error: 'must be 1 to 32 digits' }).int({ error: 'must be 1 to 32 digits' }).nonnegative({ error: 'must be 1 to 32 digits' }).safe({ error: 'must be 1 to 32 digits' }),
  ], { error: 'must be 1 to 32 digits' })
  .transform((v) => String(v));

const attachmentSchema = z.looseObject({
  type: z.string().nullish(),
  payload: z.looseObject({ url: z.string().trim().url({ error: 'must be a URL' }) }),
});

/** More attachments than this in one message are dropped: no guest sends more, and each one is a download. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

// The subscriber is either the fields a flow author picked or ManyChat's whole "Full Contact Data" object
// (`id`, `key: "user:<id>"`, `page_id`, names, `last_input_text`, `ig_id`, `custom_fields`, …).
const subscriberSchema = z
  .looseObject({
    id: subscriberId.optional(),
    key: z.string().nullish(),
    ig_id: z.union([z.string(), z.number()]).nullish(),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    name: z.string().nullish(),
    ig_username: z.string().nullish(),
    last_input_text: z.string().nullish(),
    custom_fields: z.unknown().optional(),
  })
  .transform((s, ctx) => {
    const fromKey = /^user:(\d{1,32})$/.exec(s.key?.trim() ?? '')?.[1];
    const id = s.id ?? fromKey;
    if (id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'required (the ManyChat subscriber id)' });
      return z.NEVER;
    }
    return { ...s, id };
  });

const manychatBodySchema = z.looseObject({
  platform: z.literal('manychat', { error: 'must be "manychat"' }),
  subscriber: subscriberSchema,
  message: z
    .looseObject({
      text: z.string().nullish(),
      attachments: z.array(attachmentSchema).nullish(),
    })
    .nullish(),
});

/** One body's reading: its messages (a text with attachments is several), never an outgoing event. */
export type ManychatParseResult =
  | Extract<InboundParseResult, { kind: 'messages' | 'invalid' }>
  | { kind: 'ignored'; reason: string };

const KIND_BY_ATTACHMENT_TYPE: Record<string, MessageKind> = {
  image: 'image',
  audio: 'audio',
  file: 'document',
  document: 'document',
  video: 'video',
};

const AUDIO_EXTENSIONS = /\.(mp3|m4a|aac|amr|oga|ogg|wav|mp4)$/i;
const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp|gif)$/i;

/** Messenger/Instagram sometimes deliver a voice note or photo as a bare CDN link in the text. */
function kindOfBareMediaLink(text: string): MessageKind | undefined {
  if (!/^https?:\/\/\S+$/i.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  const path = url.pathname.toLowerCase();
  if ((host === 'fbsbx.com' || host.endsWith('.fbsbx.com')) && (/audioclip|ig_messaging_cdn/.test(path) || AUDIO_EXTENSIONS.test(path))) {
    return 'audio';
  }
  // Only Meta's own CDN hosts: a guest-typed link to any other host stays text and is never fetched.
  if ((host === 'fbcdn.net' || host.endsWith('.fbcdn.net')) && IMAGE_EXTENSIONS.test(path)) return 'image';
  return undefined;
}

export function parseManychatBody(body: unknown): ManychatParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { kind: 'invalid', problems: ['body: must be a JSON object'] };
  }
  const parsed = manychatBodySchema.safeParse(body);
  if (!parsed.success) {
    return {
      kind: 'invalid',
      problems: describeIssues(parsed.error.issues, 'body'),
    };
  }
  const { subscriber, message } = parsed.data;
  const channel = subscriber.ig_id != null && String(subscriber.ig_id).trim() !== '' ? 'instagram' : 'facebook';
  const ref = manychatConversation(channel, subscriber.id);
  const senderName = firstVisible(
    [subscriber.first_name, subscriber.last_name].filter((p) => p && p.trim()).join(' ').trim(),
    subscriber.name,
    subscriber.ig_username,
  )?.trim();
  const base = {
    ...ref,
    externalUserId: subscriber.id,
    platformMessageId: undefined,
    replyContextId: undefined,
    senderName,
  };

  // `last_input_text` (Full Contact Data) is what the guest typed when the flow did not map `message.text`.
  const text = firstVisible(message?.text, subscriber.last_input_text)?.trim() ?? '';
  const allAttachments = message?.attachments ?? [];
  const attachments = allAttachments.slice(0, MAX_ATTACHMENTS_PER_MESSAGE);
  const droppedAttachments = allAttachments.length - attachments.length;

  if (attachments.length > 0) {
    // Every attachment becomes one buffered message; the text travels with the first as its caption.
    return {
      kind: 'messages',
      droppedAttachments,
      messages: attachments.map((a, i) => ({
        ...base,
        kind: KIND_BY_ATTACHMENT_TYPE[a.type?.toLowerCase() ?? ''] ?? 'other',
        text: i === 0 ? text : '',
        mediaRef: a.payload.url,
      })),
    };
  }

  // Nothing a person would see (empty, spaces, zero-width characters): acknowledged, not a message.
  if (text === '') return { kind: 'ignored', reason: 'empty_message' };

  const linkKind = kindOfBareMediaLink(text);
  if (linkKind) return { kind: 'messages', droppedAttachments: 0, messages: [{ ...base, kind: linkKind, text: '', mediaRef: text }] };

  return { kind: 'messages', droppedAttachments: 0, messages: [{ ...base, kind: 'text', text, mediaRef: undefined }] };
}

const MANYCHAT_ACKNOWLEDGEMENT = Object.freeze({ status: 'ok', detail: 'Message buffered' });

/** POST /manychat/webhook: the External Request body of the hotel's ManyChat flow. */
export const manychatInbound: PlatformInbound = {
  path: '/manychat/webhook',
  parse: parseManychatBody,
  staffCanWrite: false,
  ignoredLogMessage: 'webhook body acknowledged and ignored',
  acknowledgement: MANYCHAT_ACKNOWLEDGEMENT,
  bufferedLogFields: (conversationId, messages, duplicate) => ({ conversationId, messages: messages.length, duplicate }),
};
