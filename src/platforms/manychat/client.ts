// Facebook Messenger and Instagram DMs through ManyChat's sending API. The two channels are
// separate ManyChat accounts (separate keys) on the same endpoint; Instagram marks its content
// with type "instagram" and cannot take files, audio or video.
import { z } from 'zod';
import type { Channel } from '../../core/conversation-id.js';
import { postJson, type ChannelClientOptions } from '../../channels/http.js';
import { MANYCHAT_TEXT_LIMIT, splitText } from '../../channels/split-text.js';
import { ChannelError, type ChannelClient, type OutboundMedia, type SentMessage } from '../../channels/types.js';

export interface ManychatClientConfig {
  baseUrl: string;
  facebookApiKey?: string | undefined;
  instagramApiKey?: string | undefined;
}

/** A message in a Dynamic Block v2 `content.messages` array (the subset we send). */
export type ManychatMessage =
  | { type: 'text'; text: string }
  | { type: 'image' | 'file' | 'audio' | 'video'; url: string };

/** ManyChat accepts at most 10 messages per sendContent call. */
const MAX_MESSAGES = 10;
/**
 * Long on purpose: ManyChat has no history to check and no idempotency key, so a send that times out is taken
 * as delivered in doubt rather than sent again (turn-runner.ts); the longer the wait, the rarer the doubt.
 */
export const MANYCHAT_SEND_TIMEOUT_MS = 30_000;

const KEY_VARIABLE = { facebook: 'MANYCHAT_API_KEY', instagram: 'MANYCHAT_INSTAGRAM_API_KEY' } as const;

const manychatResponse = z.looseObject({ status: z.unknown().optional(), message: z.unknown().optional() });

/** Why `channel` cannot be sent on through ManyChat, or undefined when its key is configured. */
export function manychatChannelDisabledReason(config: ManychatClientConfig, channel: Channel): string | undefined {
  if (channel === 'facebook') {
    return config.facebookApiKey ? undefined : `Facebook disabled: ${KEY_VARIABLE.facebook} not set`;
  }
  if (channel === 'instagram') {
    return config.instagramApiKey ? undefined : `Instagram disabled: ${KEY_VARIABLE.instagram} not set`;
  }
  return `ManyChat does not handle channel ${channel}`;
}

export function createManychatClient(config: ManychatClientConfig, opts: ChannelClientOptions = {}): ChannelClient {
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const sendUrl = `${baseUrl}/fb/sending/sendContent`;
  const disabledReason =
    !config.facebookApiKey && !config.instagramApiKey
      ? `ManyChat disabled: ${KEY_VARIABLE.facebook} and ${KEY_VARIABLE.instagram} not set`
      : undefined;
  const textTimeoutMs = opts.timeoutMs ?? MANYCHAT_SEND_TIMEOUT_MS;
  const mediaTimeoutMs = opts.mediaTimeoutMs ?? textTimeoutMs;

  function keyFor(channel: Channel): string {
    if (channel !== 'facebook' && channel !== 'instagram') {
      throw new ChannelError('UNSUPPORTED', `ManyChat client cannot send on channel ${channel}`);
    }
    const key = channel === 'facebook' ? config.facebookApiKey : config.instagramApiKey;
    if (!key) throw new ChannelError('CHANNEL_DISABLED', manychatChannelDisabledReason(config, channel)!);
    return key;
  }

  async function sendContent(
    channel: Channel,
    subscriberId: string,
    messages: ManychatMessage[],
    timeoutMs: number,
  ): Promise<SentMessage> {
    const key = keyFor(channel);
    if (subscriberId.trim() === '') throw new ChannelError('REJECTED', 'ManyChat: empty subscriber id');
    if (messages.length === 0 || messages.length > MAX_MESSAGES) {
      throw new ChannelError('REJECTED', `ManyChat sendContent: ${messages.length} messages (1–${MAX_MESSAGES})`);
    }
    const content = channel === 'instagram' ? { type: 'instagram', messages } : { messages };
    // subscriber_id stays a string: ManyChat ids can exceed Number.MAX_SAFE_INTEGER.
    const res = await postJson(
      sendUrl,
      { subscriber_id: subscriberId, data: { version: 'v2', content } },
      {
        headers: { authorization: `Bearer ${key}` },
        timeoutMs,
        label: `ManyChat sendContent (${channel})`,
        ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
      },
    );
    const body = manychatResponse.safeParse(res.json);
    if (!body.success || body.data.status !== 'success') {
      const why = !body.success
        ? 'unexpected response body'
        : typeof body.data.message === 'string'
          ? body.data.message
          : `status ${JSON.stringify(body.data.status ?? null)}`;
      throw new ChannelError('REJECTED', `ManyChat sendContent (${channel}): ${why}`, {
        retryable: false,
        status: res.status,
      });
    }
    // ManyChat returns no message id.
    return { platformMessageId: undefined };
  }

  return {
    channels: ['facebook', 'instagram'],
    textLimit: MANYCHAT_TEXT_LIMIT,
    disabledReason,

    async sendText(channel, subscriberId, text): Promise<SentMessage> {
      keyFor(channel);
      if (text.trim() === '') throw new ChannelError('REJECTED', 'ManyChat sendContent: empty text');
      if (text.length > MANYCHAT_TEXT_LIMIT) {
        throw new ChannelError(
          'REJECTED',
          `ManyChat sendContent: text of ${text.length} chars exceeds ${MANYCHAT_TEXT_LIMIT}; split it first`,
        );
      }
      return sendContent(channel, subscriberId, [{ type: 'text', text }], textTimeoutMs);
    },

    async sendMedia(channel, subscriberId, media: OutboundMedia): Promise<SentMessage> {
      keyFor(channel);
      if (!media.publicUrl) {
        throw new ChannelError('UNSUPPORTED', 'ManyChat needs a public URL for media (PUBLIC_MEDIA_BASE_URL not set?)');
      }
      return sendContent(channel, subscriberId, mediaMessages(channel, media, media.publicUrl), mediaTimeoutMs);
    },
  };
}

/**
 * The messages for one media item: caption first as text, then the attachment. Instagram has
 * only images, so any other kind becomes a text with caption and link.
 */
export function mediaMessages(channel: Channel, media: OutboundMedia, url: string): ManychatMessage[] {
  const caption = media.caption?.trim() ?? '';
  if (channel === 'instagram' && media.kind !== 'image') {
    const combined = caption ? `${caption}\n${url}` : url;
    return splitText(combined, MANYCHAT_TEXT_LIMIT).map((text) => ({ type: 'text', text }));
  }
  const type = media.kind === 'document' ? 'file' : media.kind;
  const captionMessages: ManychatMessage[] = splitText(caption, MANYCHAT_TEXT_LIMIT).map((text) => ({
    type: 'text',
    text,
  }));
  return [...captionMessages, { type, url }];
}
