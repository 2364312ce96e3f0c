// Validates and normalises ManyChat "External Request" bodies (Messenger and Instagram).
import { z } from 'zod';
import type { InboundMessage, MessageKind } from '../buffer/types.js';
import { manychatConversation } from '../conversation-id.js';

const idString = z
  .union([z.string().trim().min(1), z.number().int().nonnegative()])
  .transform((v) => String(v));

const attachmentSchema = z.looseObject({
  type: z.string().nullish(),
  payload: z.looseObject({ url: z.string().trim().url({ error: 'must be a URL' }) }),
});

const manychatBodySchema = z.looseObject({
  platform: z.literal('manychat', { error: 'must be "manychat"' }),
  subscriber: z.looseObject({
    id: idString,
    ig_id: z.union([z.string(), z.number()]).nullish(),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    name: z.string().nullish(),
    ig_username: z.string().nullish(),
  }),
  message: z
    .looseObject({
      text: z.string().nullish(),
      attachments: z.array(attachmentSchema).nullish(),
    })
    .nullish(),
});

export type ManychatParseResult =
  | { kind: 'messages'; messages: InboundMessage[] }
  | { kind: 'invalid'; problems: string[] };

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
      problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`),
    };
  }
  const { subscriber, message } = parsed.data;
  const channel = subscriber.ig_id != null && String(subscriber.ig_id).trim() !== '' ? 'instagram' : 'facebook';
  const ref = manychatConversation(channel, subscriber.id);
  const senderName =
    [subscriber.first_name, subscriber.last_name].filter((p) => p && p.trim()).join(' ').trim() ||
    subscriber.name?.trim() ||
    subscriber.ig_username?.trim() ||
    undefined;
  const base = {
    ...ref,
    externalUserId: subscriber.id,
    platformMessageId: undefined,
    replyContextId: undefined,
    senderName,
  };

  const text = message?.text?.trim() ?? '';
  const attachments = message?.attachments ?? [];

  if (attachments.length > 0) {
    // Every attachment becomes one buffered message; the text travels with the first as its caption.
    return {
      kind: 'messages',
      messages: attachments.map((a, i) => ({
        ...base,
        kind: KIND_BY_ATTACHMENT_TYPE[a.type?.toLowerCase() ?? ''] ?? 'other',
        text: i === 0 ? text : '',
        mediaRef: a.payload.url,
      })),
    };
  }

  if (text === '') {
    return { kind: 'invalid', problems: ['message: text must be non-empty or attachments must be given'] };
  }

  const linkKind = kindOfBareMediaLink(text);
  if (linkKind) return { kind: 'messages', messages: [{ ...base, kind: linkKind, text: '', mediaRef: text }] };

  return { kind: 'messages', messages: [{ ...base, kind: 'text', text, mediaRef: undefined }] };
}
