// Bounded download of a guest's media: size limit enforced while streaming, a whole-exchange timeout,
// a few retries for transient failures only. The caller decides what the bytes are (content sniffing).
// A URL from a webhook body comes with a RemoteMediaPolicy: every hop is checked and the connection itself
// refuses disallowed addresses.
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { deadline } from '../core/abort.js';
import { backoffDelayMs, maxAttempts, sleep, type RetryPolicy } from '../core/retry.js';
import { AddressRefusedError, guardedLookup, urlRefusal, type RemoteMediaPolicy } from './remote-policy.js';

// The configured WATI host: trusted, may redirect.
let redirecting: Dispatcher | undefined;
const defaultDispatcher = (): Dispatcher =>
  (redirecting ??= new Agent().compose(interceptors.redirect({ maxRedirections: 3 })));

// One connection pool per policy, resolving through it. No redirect interceptor: hops are followed (and
// checked) by requestWithPolicy.
const guardedAgents = new WeakMap<RemoteMediaPolicy, Dispatcher>();
function guardedAgent(policy: RemoteMediaPolicy): Dispatcher {
  let agent = guardedAgents.get(policy);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(policy) } });
    guardedAgents.set(policy, agent);
  }
  return agent;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export type DownloadFailure =
  | 'too_large' // over MEDIA_MAX_BYTES
  | 'not_found' // 4xx: expired, deleted, view-once
  | 'unavailable' // 5xx, network error, timeout (after retries)
  | 'invalid_ref'; // not a URL we may fetch

export class DownloadError extends Error {
  constructor(
    readonly failure: DownloadFailure,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface DownloadRequest {
  url: string;
  headers?: Record<string, string>;
  maxBytes: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** Names the source in errors (the URL may hold ids). */
  label: string;
  /** For a trusted URL only (ignored with `policy`, which brings its own). */
  dispatcher?: Dispatcher;
  /** Where an untrusted URL (from a webhook body) may lead; refusals are 'invalid_ref'. */
  policy?: RemoteMediaPolicy;
}

export interface Downloaded {
  bytes: Buffer;
  /** The Content-Type header, as sent. */
  headerType: string | undefined;
}

/** The shared retry policy, as the media service's deps name it. */
export type DownloadRetry = RetryPolicy;

/** 3 attempts, waiting 0.5 s then 2 s: a media server does not send Retry-After we could use. */
export const DEFAULT_DOWNLOAD_RETRY: DownloadRetry = {
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 2_000,
  factor: 4,
  jitter: 'none',
};

async function downloadOnce(req: DownloadRequest): Promise<Downloaded> {
  // Not AbortSignal.timeout: it can be garbage-collected before it fires (see abort.ts).
  const bound = deadline(req.timeoutMs, req.signal);
  const signal = bound.signal;
  try {
    const res = req.policy
      ? await requestWithPolicy(req, req.policy, signal)
      : await request(req.url, {
          method: 'GET',
          ...(req.headers ? { headers: req.headers } : {}),
          signal,
          dispatcher: req.dispatcher ?? defaultDispatcher(),
        });
    // Destroying the body early (size limit) must not surface as an unhandled stream error.
    res.body.on('error', () => undefined);
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump().catch(() => undefined);
      if (res.statusCode === 429 || res.statusCode >= 500) {
        throw new DownloadError('unavailable', `${req.label}: HTTP ${res.statusCode}`, true);
      }
      throw new DownloadError('not_found', `${req.label}: HTTP ${res.statusCode}`);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > req.maxBytes) {
      res.body.destroy();
      throw new DownloadError('too_large', `${req.label}: ${declared} bytes exceeds ${req.maxBytes}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > req.maxBytes) {
        res.body.destroy();
        throw new DownloadError('too_large', `${req.label}: more than ${req.maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    const ct = res.headers['content-type'];
    return { bytes: Buffer.concat(chunks), headerType: Array.isArray(ct) ? ct[0] : ct };
  } catch (err) {
    if (err instanceof DownloadError) throw err;
    if (req.signal.aborted) throw req.signal.reason ?? err;
    const refused = addressRefusal(err);
    if (refused) throw new DownloadError('invalid_ref', `${req.label}: ${refused.message}`);
    const what = bound.timedOut ? `no complete response within ${req.timeoutMs} ms` : describe(err);
    throw new DownloadError('unavailable', `${req.label}: ${what}`, true);
  } finally {
    bound.clear();
  }
}

/** Downloads with bounded retries (transient failures only). */
export async function downloadMedia(req: DownloadRequest, retry: DownloadRetry = DEFAULT_DOWNLOAD_RETRY): Promise<Downloaded> {
  if (!/^https?:\/\//i.test(req.url)) throw new DownloadError('invalid_ref', `${req.label}: not an http(s) URL`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadOnce(req);
    } catch (err) {
      if (!(err instanceof DownloadError) || !err.retryable || attempt >= maxAttempts(retry)) throw err;
      await sleep(backoffDelayMs(attempt, retry, undefined) ?? 0, req.signal);
    }
  }
}

/** GET with manual redirects: each hop's URL is checked before it is requested (its address, on connect). */
async function requestWithPolicy(req: DownloadRequest, policy: RemoteMediaPolicy, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  let url = checkedUrl(req.url, undefined, policy, req.label);
  const origin = url.origin;
  for (let redirects = 0; ; redirects++) {
    const res = await request(url, {
      method: 'GET',
      // Headers are meant for the first origin only.
      ...(req.headers && url.origin === origin ? { headers: req.headers } : {}),
      signal,
      dispatcher: guardedAgent(policy),
    });
    const location = res.headers.location;
    if (!REDIRECT_STATUSES.has(res.statusCode) || typeof location !== 'string') return res;
    await res.body.dump().catch(() => undefined);
    if (redirects >= policy.maxRedirects) {
      throw new DownloadError('invalid_ref', `${req.label}: more than ${policy.maxRedirects} redirects`);
    }
    url = checkedUrl(location, url, policy, req.label);
  }
}

function checkedUrl(raw: string, base: URL | undefined, policy: RemoteMediaPolicy, label: string): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new DownloadError('invalid_ref', `${label}: not a URL`);
  }
  const refusal = urlRefusal(url, policy);
  if (refusal) throw new DownloadError('invalid_ref', `${label}: ${refusal}`);
  return url;
}

/** The policy's refusal from inside the connection, however undici wrapped it. */
function addressRefusal(err: unknown): AddressRefusedError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof AddressRefusedError) return e;
  }
  return undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return typeof code === 'string' ? code : err.name;
  }
  return 'error';
}
