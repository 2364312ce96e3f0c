// WhatsApp through WATI's v1 API (tenant in the base URL, bearer token).
// Session messages only; templates and media download live elsewhere.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { FormData } from 'undici';
import { z } from 'zod';
import { normalizeWatiBaseUrl } from './config.js';
import { contentTypeByExtension } from '../../core/content-type.js';
import type { Channel } from '../../core/conversation-id.js';
import { postEmpty, postMultipart, type ChannelClientOptions, type HttpResponse } from '../../channels/http.js';
import { WHATSAPP_TEXT_LIMIT } from '../../channels/split-text.js';
import {
  ChannelError,
  type ChannelClient,
  type OutboundMedia,
  type SentContent,
  type SentMessage,
  type SentMessageQuery,
} from '../../channels/types.js';
import { createWatiTickets, type WatiHistoryItem } from './tickets.js';

export interface WatiClientConfig {
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
}

const DEFAULT_TEXT_TIMEOUT_MS = 15_000;
const DEFAULT_MEDIA_TIMEOUT_MS = 30_000;

/** The in-flight check reads one page of the history: the message sought is among the newest. */
export const SENT_CHECK_PAGE_SIZE = 100;
export const SENT_CHECK_TIMEOUT_MS = 5_000;
/**
 * How far WATI's clock may be behind ours. A message WATI accepted carries WATI's time of acceptance, which
 * is after our `since` by at least the request's latency — but only if both clocks agree. 10 s covers a
 * loosely synchronised host and the whole seconds of `timestamp` (used when `created` is absent). It also
 * bounds the risk the other way: an identical business message created up to 10 s before the reply was
 * recorded, and not one we recorded (those are excluded by id), would be taken for the one in flight.
 */
export const SENT_CHECK_CLOCK_SKEW_MS = 10_000;

export function contentTypeForFile(filePath: string): string {
  return contentTypeByExtension(filePath) ?? 'application/octet-stream';
}

const idSchema = z.union([z.string(), z.number()]).transform(String);

// Both observed success shapes: {"ok":true,"result":"success","message":{…}} (text) and
// {"result":true,"message":{…}} (file). Failures come back as 200 with result/ok false.
const watiSendResponse = z.looseObject({
  ok: z.boolean().optional(),
  result: z.union([z.boolean(), z.string()]).nullish(),
  info: z.string().nullish(),
  message: z
    .union([
      z.looseObject({ whatsappMessageId: idSchema.nullish(), id: idSchema.nullish() }),
      z.string(),
    ])
    .nullish(),
  id: idSchema.nullish(),
});

export function watiDisabledReason(config: WatiClientConfig): string | undefined {
  const missing = [!config.baseUrl && 'WATI_API_URL', !config.apiKey && 'WATI_API_KEY'].filter(Boolean);
  return missing.length > 0 ? `WhatsApp disabled: ${missing.join(' and ')} not set` : undefined;
}

/** Exact text, up to Unicode normalisation, line endings and surrounding blanks. */
const sameText = (a: string, b: string) => {
  const norm = (t: string) => t.normalize('NFC').replace(/\r\n/g, '\n').trim();
  return norm(a) === norm(b);
};

/** WATI's message types for a media kind we send (`type` of the history item). */
const WATI_TYPES: Record<OutboundMedia['kind'], readonly string[]> = {
  image: ['image'],
  document: ['document', 'file'],
  audio: ['audio', 'voice'],
  video: ['video'],
};

/** WATI keeps a sent file under its own name (`data/images/<uuid>.jpg`) in `text`; that is not a caption. */
const WATI_FILE_PATH = /^data\/[a-z]+\/[^\s]+$/i;

/** A history item's caption: `media.caption`, else its text unless that is WATI's path of the file. */
function captionOf(item: WatiHistoryItem): string {
  if (item.caption !== undefined) return item.caption;
  return WATI_FILE_PATH.test(item.text.trim()) ? '' : item.text;
}

/** Whether a history item carries the query's content: the same text, or a file of that kind with that caption. */
function sameContent(item: WatiHistoryItem, query: SentContent): boolean {
  if (query.media === undefined) return (item.type === undefined || item.type === 'text') && sameText(item.text, query.text);
  // The file itself cannot be compared: WATI renames it and lists no bytes or original name.
  return item.type !== undefined && WATI_TYPES[query.media.kind].includes(item.type) && sameText(captionOf(item), query.media.caption ?? '');
}

/**
 * The history item (newest first, as WATI pages them) that is the trace of a send in flight: from the business
 * side, with exactly the query's text (or a file of the query's kind with exactly its caption), timed after
 * `since` (less the clock skew), carrying no id we recorded. The oldest such item, if several.
 */
export function findSentInHistory(
  items: readonly WatiHistoryItem[],
  query: SentContent & Pick<SentMessageQuery, 'since' | 'isRecorded'>,
  skewMs = SENT_CHECK_CLOCK_SKEW_MS,
): WatiHistoryItem | undefined {
  return items.findLast(
    (item) =>
      item.fromBusiness &&
      item.at !== undefined &&
      item.at >= query.since - skewMs &&
      sameContent(item, query) &&
      !item.ids.some((id) => query.isRecorded(id)),
  );
}

export function createWatiClient(config: WatiClientConfig, opts: ChannelClientOptions = {}): ChannelClient {
  const disabledReason = watiDisabledReason(config);
  const history = createWatiTickets(config);
  const baseUrl = config.baseUrl ? normalizeWatiBaseUrl(config.baseUrl) : '';
  const apiKey = config.apiKey ?? '';
  const textTimeoutMs = opts.timeoutMs ?? DEFAULT_TEXT_TIMEOUT_MS;
  const mediaTimeoutMs = opts.mediaTimeoutMs ?? Math.max(DEFAULT_MEDIA_TIMEOUT_MS, textTimeoutMs);
  const headers = { authorization: `Bearer ${apiKey}` };

  function check(channel: Channel, waId: string): void {
    if (disabledReason) throw new ChannelError('CHANNEL_DISABLED', disabledReason);
    if (channel !== 'whatsapp') {
      throw new ChannelError('UNSUPPORTED', `WATI client cannot send on channel ${channel}`);
    }
    if (waId.trim() === '') throw new ChannelError('REJECTED', 'WATI: empty waId');
  }

  function endpoint(name: string, waId: string, query: Record<string, string>): string {
    const qs = new URLSearchParams(query).toString();
    return `${baseUrl}/api/v1/${name}/${encodeURIComponent(waId)}${qs ? `?${qs}` : ''}`;
  }

  return {
    channels: ['whatsapp'],
    textLimit: WHATSAPP_TEXT_LIMIT,
    disabledReason,

    async sendText(channel, waId, text): Promise<SentMessage> {
      check(channel, waId);
      if (text.trim() === '') throw new ChannelError('REJECTED', 'WATI sendSessionMessage: empty text');
      if (text.length > WHATSAPP_TEXT_LIMIT) {
        throw new ChannelError(
          'REJECTED',
          `WATI sendSessionMessage: text of ${text.length} chars exceeds ${WHATSAPP_TEXT_LIMIT}; split it first`,
        );
      }
      // v1 documents messageText as a query parameter; no body is needed.
      const res = await postEmpty(endpoint('sendSessionMessage', waId, { messageText: text }), {
        headers,
        timeoutMs: textTimeoutMs,
        label: 'WATI sendSessionMessage',
        ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
      });
      return interpret(res, 'WATI sendSessionMessage');
    },

    async sendMedia(channel, waId, media: OutboundMedia): Promise<SentMessage> {
      check(channel, waId);
      let bytes: Buffer;
      try {
        bytes = await readFile(media.filePath);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'read error';
        throw new ChannelError('REJECTED', `WATI sendSessionFile: cannot read local file (${code})`);
      }
      const filename = basename(media.filePath);
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)], { type: contentTypeForFile(filename) }), filename);
      // The caption travels in the query; without it WATI may show the attachment as "null".
      const res = await postMultipart(endpoint('sendSessionFile', waId, { caption: media.caption ?? '' }), form, {
        headers,
        timeoutMs: mediaTimeoutMs,
        label: 'WATI sendSessionFile',
        ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
      });
      return interpret(res, 'WATI sendSessionFile');
    },

    async findSentMessage(channel, waId, query): Promise<SentMessage | undefined> {
      check(channel, waId);
      // One page, one attempt (a 429 is not waited out): when WATI cannot tell, the caller sends again.
      const items = await history.getMessages(waId, {
        maxPages: 1,
        pageSize: SENT_CHECK_PAGE_SIZE,
        max429Retries: 0,
        timeoutMs: SENT_CHECK_TIMEOUT_MS,
        signal: query.signal,
      });
      const found = findSentInHistory(items, query);
      return found ? { platformMessageId: found.platformMessageId } : undefined;
    },
  };
}

/** A 2xx is only a success when the body says so; WATI reports many failures as 200 + result:false. */
function interpret(res: HttpResponse, label: string): SentMessage {
  const parsed = watiSendResponse.safeParse(res.json);
  if (!parsed.success) {
    throw new ChannelError('REJECTED', `${label}: unexpected response body (HTTP ${res.status})`, {
      retryable: false,
      status: res.status,
    });
  }
  const body = parsed.data;
  const failed =
    body.ok === false ||
    body.result === false ||
    (typeof body.result === 'string' && /^(false|fail(ed|ure)?|error)$/i.test(body.result));
  if (failed) {
    const why = body.info ?? (typeof body.message === 'string' ? body.message : undefined) ?? 'result false';
    throw new ChannelError('REJECTED', `${label}: ${why}`, { retryable: false, status: res.status });
  }
  const msg = typeof body.message === 'object' && body.message !== null ? body.message : undefined;
  const platformMessageId = msg?.whatsappMessageId ?? msg?.id ?? body.id ?? undefined;
  return { platformMessageId };
}
