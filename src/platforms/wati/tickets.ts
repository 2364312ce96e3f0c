// WATI v1 calls around the conversation (not sending): ticket status, operator assignment and the message
// history. Each call is one bounded attempt through http.ts, except getMessages, which pages (bounded) and
// waits on 429 (bounded).
import { z } from 'zod';
import { normalizeWatiBaseUrl } from './config.js';
import { sleep as abortableSleep } from '../../core/retry.js';
import { httpRequest, postJson, type HttpOptions } from '../../channels/http.js';
import { ChannelError } from '../../channels/types.js';
import type { HistoryItem, HistoryQuery, PlatformHistory, TicketStatus } from '../types.js';

export type { TicketStatus } from '../types.js';
export type WatiHistoryItem = HistoryItem;
export type GetMessagesOptions = HistoryQuery;

export interface WatiApiConfig {
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
}

export interface WatiTickets extends PlatformHistory {
  readonly enabled: boolean;
  updateChatStatus(waId: string, status: TicketStatus, signal?: AbortSignal): Promise<void>;
  assignOperator(waId: string, email: string, signal?: AbortSignal): Promise<void>;
  /** Messages newest first, as WATI pages them. */
  getMessages(waId: string, opts: GetMessagesOptions): Promise<WatiHistoryItem[]>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const idish = z.union([z.string(), z.number()]).nullish().transform((v) => (v == null ? undefined : String(v)));
const historyItem = z.looseObject({
  id: idish,
  whatsappMessageId: idish,
  text: z.string().nullish(),
  type: z.string().nullish(),
  // A file: `{id, mimeType, caption}` (what sendSessionFile answered the original service); null for a text.
  media: z.looseObject({ caption: z.string().nullish() }).nullish().catch(undefined),
  created: z.string().nullish(),
  createdDateTime: z.string().nullish(),
  timestamp: idish,
  eventType: z.string().nullish(),
  operatorName: z.string().nullish(),
  owner: z.union([z.boolean(), z.string()]).nullish(),
  isOwner: z.union([z.boolean(), z.string()]).nullish(),
});
const historyPage = z.looseObject({
  messages: z.looseObject({ items: z.array(z.unknown()).nullish() }).nullish(),
});

/** WATI times: ISO with variable fractional digits and optional `Z` (UTC assumed), or Unix seconds. */
export function parseWatiTime(...values: (string | undefined | null)[]): number | undefined {
  for (const v of values) {
    if (!v) continue;
    const t = v.trim();
    if (/^\d{9,11}$/.test(t)) return Number(t) * 1000;
    if (/^\d{12,14}$/.test(t)) return Number(t);
    const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(t) ? t : `${t}Z`;
    const ms = Date.parse(iso.replace(/(\.\d{3})\d+/, '$1'));
    if (!Number.isNaN(ms)) return ms;
  }
  return undefined;
}

const truthy = (v: boolean | string | null | undefined) => v === true || v === 'true';

export function toHistoryItem(raw: unknown): WatiHistoryItem | undefined {
  const parsed = historyItem.safeParse(raw);
  if (!parsed.success) return undefined;
  const i = parsed.data;
  const operatorName = i.operatorName?.trim() || undefined;
  return {
    platformMessageId: i.whatsappMessageId ?? i.id,
    ids: [i.whatsappMessageId, i.id].filter((x): x is string => Boolean(x)),
    text: i.text ?? '',
    at: parseWatiTime(i.created, i.createdDateTime, i.timestamp),
    // Older items lack owner/isOwner; a named operator means the business side sent it.
    fromBusiness: truthy(i.owner) || truthy(i.isOwner) || (i.owner == null && i.isOwner == null && operatorName !== undefined),
    operatorName,
    eventType: i.eventType ?? undefined,
    type: i.type ?? undefined,
    caption: i.media?.caption ?? undefined,
  };
}

export function createWatiTickets(config: WatiApiConfig): WatiTickets {
  const enabled = Boolean(config.baseUrl && config.apiKey);
  const base = config.baseUrl ? `${normalizeWatiBaseUrl(config.baseUrl)}/api/v1` : '';
  const headers = { authorization: `Bearer ${config.apiKey ?? ''}` };
  const opts = (label: string, signal?: AbortSignal): HttpOptions => ({
    headers,
    label,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    ...(signal ? { signal } : {}),
  });
  const check = (label: string) => {
    if (!enabled) throw new ChannelError('CHANNEL_DISABLED', `${label}: WATI_API_URL / WATI_API_KEY not set`);
  };

  return {
    enabled,

    async updateChatStatus(waId, status, signal) {
      check('WATI updateChatStatus');
      // JSON body, as the original sent it (wati_client.py).
      await postJson(`${base}/updateChatStatus`, { whatsappNumber: waId, ticketStatus: status }, opts('WATI updateChatStatus', signal));
    },

    async assignOperator(waId, email, signal) {
      check('WATI assignOperator');
      // UNVERIFIED shape: the original posted form fields `whatsappNumber` and `email`; third-party code and the
      // multi-number article put them in the query. We send both (query + identical form body) so either
      // reading of the v1 endpoint finds them.
      const qs = new URLSearchParams({ email, whatsappNumber: waId });
      await httpRequest({
        ...opts('WATI assignOperator', signal),
        method: 'POST',
        url: `${base}/assignOperator?${qs.toString()}`,
        body: qs.toString(),
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      });
    },

    async getMessages(waId, o) {
      check('WATI getMessages');
      const pageSize = o.pageSize ?? 100;
      const sleep = o.sleep ?? abortableSleep;
      const maxRetries = o.max429Retries ?? 2;
      const maxWait = o.maxRetryWaitMs ?? 5_000;
      const items: WatiHistoryItem[] = [];
      for (let page = 1; page <= o.maxPages; page++) {
        const url = `${base}/getMessages/${encodeURIComponent(waId)}?pageSize=${pageSize}&pageNumber=${page}`;
        let json: unknown;
        for (let attempt = 0; ; attempt++) {
          try {
            const res = await httpRequest({
              ...opts('WATI getMessages', o.signal),
              method: 'GET',
              timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
              headers: { ...headers, accept: 'application/json' },
              url,
            });
            json = res.json;
            break;
          } catch (err) {
            if (err instanceof ChannelError && err.code === 'RATE_LIMITED' && attempt < maxRetries) {
              await sleep(Math.min(maxWait, err.options.retryAfterMs ?? 1_000), o.signal);
              continue;
            }
            throw err;
          }
        }
        const parsed = historyPage.safeParse(json);
        const raw = parsed.success ? (parsed.data.messages?.items ?? []) : [];
        if (raw.length === 0) break;
        let reachedOld = false;
        for (const r of raw) {
          const item = toHistoryItem(r);
          if (!item) continue;
          items.push(item);
          if (o.notBefore !== undefined && item.at !== undefined && item.at < o.notBefore) reachedOld = true;
        }
        if (reachedOld || raw.length < pageSize) break;
        if (o.maxItems !== undefined && items.length >= o.maxItems) break;
      }
      return items;
    },
  };
}
