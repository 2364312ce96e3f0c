// One interface for every channel the bot answers on (WATI WhatsApp, ManyChat Messenger/Instagram).
import type { Channel } from '../conversation-id.js';

export interface OutboundMedia {
  kind: 'image' | 'document' | 'audio' | 'video';
  /** Absolute path of a local file (WATI uploads bytes) … */
  filePath: string;
  /** … and its public URL under PUBLIC_MEDIA_BASE_URL (ManyChat fetches by URL). */
  publicUrl?: string;
  caption?: string;
}

export interface SentMessage {
  /** The platform's id for the sent message, when it returns one. */
  platformMessageId: string | undefined;
}

/** What to look for in a platform's recent history: a message the bot may have sent without learning so. */
export interface SentMessageQuery {
  /** The exact text that was being sent. */
  text: string;
  /** Epoch ms by our clock: that send started after this (the reply was recorded, or the previous part delivered). */
  since: number;
  /** Ids of messages already recorded as delivered; a history item carrying one is an earlier message. */
  isRecorded: (platformMessageId: string) => boolean;
  /** Cancels the look-up (shutdown, or the caller's time bound). */
  signal: AbortSignal;
}

export type ChannelErrorCode =
  | 'CHANNEL_DISABLED' // credentials missing
  | 'RATE_LIMITED' // 429
  | 'UPSTREAM_UNAVAILABLE' // 5xx, connection error, timeout
  | 'REJECTED' // 4xx or a 200 whose body says it failed
  | 'UNSUPPORTED'; // e.g. a file on Instagram

export class ChannelError extends Error {
  constructor(
    readonly code: ChannelErrorCode,
    message: string,
    readonly options: { retryable: boolean; retryAfterMs?: number; status?: number } = { retryable: false },
  ) {
    super(message);
    this.name = 'ChannelError';
  }

  get retryable(): boolean {
    return this.options.retryable;
  }
}

export interface ChannelClient {
  readonly channels: readonly Channel[];
  /** Longest text the platform accepts in one message. */
  readonly textLimit: number;
  /** Whether credentials are configured; when not, the reason. */
  readonly disabledReason: string | undefined;
  /** Sends one text (already within textLimit). One attempt; the caller retries. */
  sendText(channel: Channel, externalUserId: string, text: string): Promise<SentMessage>;
  /** Sends one media item with an optional caption. One attempt; the caller retries. */
  sendMedia(channel: Channel, externalUserId: string, media: OutboundMedia): Promise<SentMessage>;
  /**
   * Only on platforms with a history API (WATI; ManyChat has none). Finds a text the bot sent to this user
   * after `since` that is not already recorded — the trace of a send that was in flight when the process
   * stopped. One bounded attempt, no retries; throws when the history cannot be read, so the caller sends.
   */
  findSentMessage?(channel: Channel, externalUserId: string, query: SentMessageQuery): Promise<SentMessage | undefined>;
}
