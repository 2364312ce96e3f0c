// Prepares a batch's media for the model, inside the turn: download once from where the conversation's
// platform says (WATI getMedia with the bearer key, ManyChat CDN without auth), type by real content, keep under the media directory,
// transcribe voice notes once. Nothing here fails the turn: a problem becomes a line asking the guest
// to resend.
import { toFile, type OpenAI } from 'openai';
import type { Logger } from 'pino';
import { deadline } from '../core/abort.js';
import type { BufferedMessage } from '../core/messages.js';
import type { Clock } from '../core/clock.js';
import type { AgentConfig } from '../core/llm-config.js';
import type { MediaConfig } from './config.js';

/** What guest media reads of the configuration: its slice, the model client's timeout and, for the platforms it
 *  builds when none are given, their slices. */
type MediaServiceConfig = { llm: Pick<AgentConfig, 'timeoutMs'>; media: MediaConfig } & Parameters<typeof createPlatforms>[0];
import { createPlatforms } from '../platforms/index.js';
import type { Platforms } from '../platforms/types.js';
import { IMAGE_TYPES, PDF_TYPE, receivedContentType } from '../core/content-type.js';
import { DEFAULT_DOWNLOAD_RETRY, DownloadError, downloadMedia, type DownloadRetry } from './download.js';
import type { MediaStore, StoredMedia } from './media-store.js';
import { remoteMediaPolicy, type RemoteMediaPolicy } from './remote-policy.js';

export type PreparedMedia =
  | { status: 'image'; media: StoredMedia; base64: string }
  | { status: 'pdf'; media: StoredMedia; base64: string }
  | { status: 'voice'; media: StoredMedia; transcript: string }
  /** Downloaded but not something the model can read (video, office documents, …). */
  | { status: 'unreadable'; media: StoredMedia }
  /** Not downloaded: unavailable, expired, view-once, an error body instead of the file, too large. */
  | { status: 'unavailable'; reason: 'unavailable' | 'too_large' }
  /** A voice note that could not be transcribed. */
  | { status: 'not_understood'; media: StoredMedia };

/** Transcribes one audio file; rejects on any failure. */
export type Transcriber = (file: { bytes: Buffer; fileName: string; contentType: string }, signal: AbortSignal) => Promise<string>;

/** Message kinds whose media is downloaded; stickers and videos keep their short line. */
const DOWNLOADED_KINDS = new Set(['image', 'audio', 'document']);

const TRANSCRIBABLE: Record<string, string> = {
  'audio/ogg': 'voice-note.ogg', // WhatsApp Ogg/Opus: the API rejects *.opus names
  'audio/mp4': 'audio.m4a',
  'video/mp4': 'audio.mp4',
  'audio/mpeg': 'audio.mp3',
  'audio/wav': 'audio.wav',
  'video/webm': 'audio.webm',
};

export function createOpenAiTranscriber(client: OpenAI, config: MediaServiceConfig): Transcriber {
  return async (file, signal) => {
    const result = await client.audio.transcriptions.create(
      {
        file: await toFile(file.bytes, file.fileName, { type: file.contentType }),
        model: config.media.transcriptionModel,
        language: config.media.transcriptionLanguage,
        response_format: 'json',
      },
      { signal, timeout: config.llm.timeoutMs, maxRetries: 1 },
    );
    return result.text.trim();
  };
}

export interface MediaServiceDeps {
  config: MediaServiceConfig;
  store: MediaStore;
  clock: Clock;
  transcriber: Transcriber | undefined;
  downloadRetry?: DownloadRetry;
  /**
   * Where ManyChat attachment URLs (chosen by whoever posts the webhook) may be fetched from. Default: https,
   * config.media.allowedHosts, public addresses. Tests widen it for a fake CDN on 127.0.0.1; nothing from
   * the environment or a request can.
   */
  remotePolicy?: RemoteMediaPolicy;
  /** Where each channel's media references are downloaded from; by default the adapters built from config. */
  platforms?: Pick<Platforms, 'forChannel'> | undefined;
}

export class MediaService {
  private readonly remotePolicy: RemoteMediaPolicy;
  private readonly platforms: Pick<Platforms, 'forChannel'>;

  constructor(private readonly deps: MediaServiceDeps) {
    this.remotePolicy = deps.remotePolicy ?? remoteMediaPolicy(deps.config.media.allowedHosts);
    this.platforms = deps.platforms ?? createPlatforms(deps.config);
  }

  get store(): MediaStore {
    return this.deps.store;
  }

  /**
   * Prepared media by message seq, for every media message of the batch that has a reference. The whole
   * phase is bounded by `budgetMs`: what is not ready by then is reported unavailable. Throws only when
   * the turn itself is aborted.
   */
  async prepare(
    conversationId: string,
    messages: readonly BufferedMessage[],
    log: Logger,
    turnSignal: AbortSignal,
    budgetMs: number,
  ): Promise<Map<number, PreparedMedia>> {
    const bound = deadline(Math.max(1, budgetMs), turnSignal);
    try {
      return await this.prepareWithin(conversationId, messages, log, turnSignal, bound.signal, budgetMs);
    } finally {
      bound.clear();
    }
  }

  private async prepareWithin(
    conversationId: string,
    messages: readonly BufferedMessage[],
    log: Logger,
    turnSignal: AbortSignal,
    signal: AbortSignal,
    budgetMs: number,
  ): Promise<Map<number, PreparedMedia>> {
    const out = new Map<number, PreparedMedia>();
    for (const m of messages) {
      if (!m.mediaRef || !DOWNLOADED_KINDS.has(m.kind)) continue;
      if (turnSignal.aborted) throw turnSignal.reason;
      if (signal.aborted) {
        out.set(m.seq, { status: 'unavailable', reason: 'unavailable' });
        continue;
      }
      try {
        out.set(m.seq, await this.prepareOne(conversationId, m, log, signal));
      } catch (err) {
        if (turnSignal.aborted) throw err;
        log.warn({ budgetMs, error: err instanceof Error ? err.name : 'error' }, 'media not ready within its share of the turn budget');
        out.set(m.seq, { status: 'unavailable', reason: 'unavailable' });
      }
    }
    return out;
  }

  private async prepareOne(conversationId: string, m: BufferedMessage, log: Logger, signal: AbortSignal): Promise<PreparedMedia> {
    const ref = m.mediaRef as string;
    let media = this.deps.store.findBySource(conversationId, ref);
    let bytes = media ? await this.deps.store.read(media) : undefined;
    if (!media || !bytes) {
      const fetched = await this.fetch(m, log, signal);
      if ('reason' in fetched) return { status: 'unavailable', reason: fetched.reason };
      bytes = fetched.bytes;
      media = await this.deps.store.save({ conversationId, sourceRef: ref, contentType: fetched.contentType, bytes, now: this.deps.clock.now() });
      log.info({ mediaId: media.id, contentType: media.contentType, bytes: media.sizeBytes }, 'media downloaded');
    }
    const type = media.contentType;
    if (IMAGE_TYPES.has(type)) return { status: 'image', media, base64: bytes.toString('base64') };
    if (type === PDF_TYPE) return { status: 'pdf', media, base64: bytes.toString('base64') };
    const fileName = TRANSCRIBABLE[type];
    if (!fileName || m.kind === 'document') return { status: 'unreadable', media };
    if (media.transcript !== null) return { status: 'voice', media, transcript: media.transcript };
    if (!this.deps.transcriber) return { status: 'not_understood', media };
    try {
      const transcript = await this.deps.transcriber({ bytes, fileName, contentType: type }, signal);
      if (transcript === '') throw new Error('empty transcript');
      this.deps.store.setTranscript(media.id, transcript);
      log.info({ mediaId: media.id, chars: transcript.length }, 'voice note transcribed');
      return { status: 'voice', media: { ...media, transcript }, transcript };
    } catch (err) {
      if (signal.aborted) throw err;
      const status = (err as { status?: unknown }).status;
      log.warn({ mediaId: media.id, status: typeof status === 'number' ? status : undefined, error: err instanceof Error ? err.name : 'error' }, 'voice note not transcribed');
      return { status: 'not_understood', media };
    }
  }

  private async fetch(
    m: BufferedMessage,
    log: Logger,
    signal: AbortSignal,
  ): Promise<{ bytes: Buffer; contentType: string } | { reason: 'unavailable' | 'too_large' }> {
    const { config } = this.deps;
    const source = this.platforms.forChannel(m.channel).mediaSource(m.mediaRef as string);
    if (!source) return { reason: 'unavailable' };
    const { url, headers, label } = source;
    // A URL chosen by whoever posted the webhook (ManyChat's CDN) is fetched only under the policy.
    const policy = source.policed ? this.remotePolicy : undefined;
    try {
      const got = await downloadMedia(
        { url, ...(headers ? { headers } : {}), ...(policy ? { policy } : {}), maxBytes: config.media.maxBytes, timeoutMs: config.media.downloadTimeoutMs, signal, label },
        this.deps.downloadRetry ?? DEFAULT_DOWNLOAD_RETRY,
      );
      const contentType = receivedContentType(got.bytes, got.headerType);
      if (!contentType) {
        // WATI answers unavailable or view-once media with HTTP 200 and a JSON error body: never the file.
        log.warn({ source: label, headerType: got.headerType, bytes: got.bytes.length }, 'media download returned no file (error body or unknown type)');
        return { reason: 'unavailable' };
      }
      return { bytes: got.bytes, contentType };
    } catch (err) {
      if (signal.aborted) throw err;
      if (err instanceof DownloadError && err.failure === 'invalid_ref') {
        // The message names the host and the rule, never the path or query (signed ids).
        log.warn({ source: label, error: err.message }, 'media URL refused');
        return { reason: 'unavailable' };
      }
      if (err instanceof DownloadError) {
        log.warn({ source: label, failure: err.failure, error: err.message }, 'media download failed');
        return { reason: err.failure === 'too_large' ? 'too_large' : 'unavailable' };
      }
      log.error({ source: label, err }, 'media download crashed');
      return { reason: 'unavailable' };
    }
  }
}
