// Thin undici wrapper for the channel clients: one attempt, a generous timeout, and every
// failure mapped onto a ChannelError so the retry loop can decide by code, never by message.
import { request, type Dispatcher, type FormData } from 'undici';
import { deadline } from '../core/abort.js';
import { parseRetryAfter } from '../core/retry.js';
import { ChannelError } from './types.js';

/** Generous on purpose: a slow 200 that we give up on may be retried into a duplicate message. */
export const DEFAULT_HTTP_TIMEOUT_MS = 15_000;

/** Options shared by the channel client factories. */
export interface ChannelClientOptions {
  /** Per-request timeout for text sends. Default 15 s. */
  timeoutMs?: number;
  /** Per-request timeout for uploads / media sends. WATI default 30 s (the original's file timeout). */
  mediaTimeoutMs?: number;
  /** Custom undici dispatcher, e.g. an Agent with its own connection limits. */
  dispatcher?: Dispatcher;
}

export interface HttpOptions {
  headers?: Record<string, string>;
  /** Whole-exchange timeout (connect + headers + body). Default 15 s. */
  timeoutMs?: number;
  /** Caller cancellation; an abort by the caller is rethrown as is (not a ChannelError). */
  signal?: AbortSignal;
  /** Names the call in error messages (the URL may hold phone numbers or message text). */
  label?: string;
  /** Custom undici dispatcher (Agent/Pool); defaults to undici's global dispatcher. */
  dispatcher?: Dispatcher;
}

export interface HttpRequest extends HttpOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  body?: string | Buffer | FormData;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body text. */
  text: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
}

/**
 * Sends one request. Resolves only for 2xx; otherwise throws ChannelError:
 * 429 → RATE_LIMITED (retryable, retryAfterMs from Retry-After), 5xx / connection error /
 * timeout → UPSTREAM_UNAVAILABLE (retryable), other statuses → REJECTED (not retryable).
 */
export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const timeoutMs = req.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const label = req.label ?? `${req.method} ${safeOrigin(req.url)}`;
  // Not AbortSignal.timeout: it can be garbage-collected before it fires (see abort.ts).
  const bound = deadline(timeoutMs, req.signal);

  let status: number;
  let headers: Record<string, string | string[] | undefined>;
  let text: string;
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: bound.signal,
      ...(req.dispatcher ? { dispatcher: req.dispatcher } : {}),
    });
    status = res.statusCode;
    headers = res.headers;
    // Always drain the body (also on errors) so the keep-alive socket is released.
    text = await res.body.text();
  } catch (err) {
    if (req.signal?.aborted) throw req.signal.reason ?? err;
    if (bound.timedOut) {
      // The upstream may still have acted on it: a retry can duplicate the message.
      throw new ChannelError('UPSTREAM_UNAVAILABLE', `${label}: no response within ${timeoutMs} ms`, {
        retryable: true,
        inDoubt: true,
      });
    }
    throw new ChannelError('UPSTREAM_UNAVAILABLE', `${label}: ${describeNetworkError(err)}`, {
      retryable: true,
    });
  } finally {
    bound.clear();
  }

  const json = parseJson(text);
  if (status >= 200 && status < 300) return { status, headers, text, json };

  const detail = errorDetail(json, text);
  const message = `${label}: HTTP ${status}${detail ? ` — ${detail}` : ''}`;
  const retryAfterMs = parseRetryAfter(headerValue(headers['retry-after']));
  if (status === 429) {
    throw new ChannelError('RATE_LIMITED', message, { retryable: true, status, retryAfterMs });
  }
  if (status >= 500) {
    throw new ChannelError('UPSTREAM_UNAVAILABLE', message, { retryable: true, status, retryAfterMs });
  }
  throw new ChannelError('REJECTED', message, { retryable: false, status });
}

export function postJson(url: string, body: unknown, opts: HttpOptions = {}): Promise<HttpResponse> {
  return httpRequest({
    ...opts,
    method: 'POST',
    url,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', accept: 'application/json', ...opts.headers },
  });
}

/** POST with an empty body (e.g. WATI v1 calls whose parameters all travel in the query). */
export function postEmpty(url: string, opts: HttpOptions = {}): Promise<HttpResponse> {
  return httpRequest({ ...opts, method: 'POST', url, headers: { accept: 'application/json', ...opts.headers } });
}

/** multipart/form-data POST; undici sets the boundary header itself. */
export function postMultipart(url: string, form: FormData, opts: HttpOptions = {}): Promise<HttpResponse> {
  return httpRequest({
    ...opts,
    method: 'POST',
    url,
    body: form,
    headers: { accept: 'application/json', ...opts.headers },
  });
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A short, log-safe description of an error body: its message-like field or a text snippet. */
function errorDetail(json: unknown, text: string): string {
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    for (const key of ['message', 'info', 'error', 'detail', 'title']) {
      const v = o[key];
      if (typeof v === 'string' && v.trim() !== '') return truncate(v.trim(), 300);
      if (v && typeof v === 'object' && typeof (v as Record<string, unknown>).message === 'string') {
        return truncate(String((v as Record<string, unknown>).message), 300);
      }
    }
  }
  return truncate(text.replace(/\s+/g, ' ').trim(), 300);
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${err.message}` : err.message;
  }
  return String(err);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}
