// One interface for every channel the bot answers on (WATI WhatsApp, ManyChat Messenger/Instagram).
import type { Channel } from '../core/conversation-id.js';

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

/** The content of a part that was being sent: a text, or a media item (by its kind and caption). */
export type SentContent =
  | { text: string; media?: undefined }
  | { media: { kind: OutboundMedia['kind']; caption: string | undefined }; text?: undefined };

/** What to look for in a platform's recent history: a message the bot may have sent without learning so. */
export type SentMessageQuery = SentContent & {
  /** Epoch ms by our clock: that send started after this (the reply was recorded, the previous part delivered, or the timed-out attempt started). */
  since: number;
  /** Ids of messages already recorded as delivered; a history item carrying one is an earlier message. */
  isRecorded: (platformMessageId: string) => boolean;
  /** Cancels the look-up (shutdown, or the caller's time bound). */
  signal: AbortSignal;
};

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
    readonly options: {
      retryable: boolean;
      retryAfterMs?: number;
      status?: number;
      /**
       * The request went out whole and no answer came in time: the platform may have acted on it, and sending
       * it again may duplicate it. Only timeouts; a refused connection or an error status is not in doubt.
       */
      inDoubt?: boolean;
    } = { retryable: false },
  ) {
    super(message);
    this.name = 'ChannelError';
  }

  get retryable(): boolean {
    return this.options.retryable;
  }

  get inDoubt(): boolean {
    return this.options.inDoubt === true;
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
   * Only on platforms with a history API (WATI; ManyChat has none). Finds a text or media item the bot sent to
   * this user after `since` that is not already recorded — the trace of a send that was in flight when the
   * process stopped, or whose answer came too late. One bounded attempt, no retries; throws when the history
   * cannot be read, so the caller sends.
   */
  findSentMessage?(channel: Channel, externalUserId: string, query: SentMessageQuery): Promise<SentMessage | undefined>;
}
