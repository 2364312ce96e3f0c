// Bounded download of a guest's media: size limit enforced while streaming, a whole-exchange timeout,
// a few retries for transient failures only. The caller decides what the bytes are (content sniffing).
import { Agent, interceptors, request, type Dispatcher } from 'undici';

// CDN links (ManyChat) may redirect; WATI answers directly.
let redirecting: Dispatcher | undefined;
const defaultDispatcher = (): Dispatcher =>
  (redirecting ??= new Agent().compose(interceptors.redirect({ maxRedirections: 3 })));

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
  dispatcher?: Dispatcher;
}

export interface Downloaded {
  bytes: Buffer;
  /** The Content-Type header, as sent. */
  headerType: string | undefined;
}

export interface DownloadRetry {
  attempts: number;
  delaysMs: readonly number[];
}

export const DEFAULT_DOWNLOAD_RETRY: DownloadRetry = { attempts: 3, delaysMs: [500, 2_000] };

async function downloadOnce(req: DownloadRequest): Promise<Downloaded> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = AbortSignal.any([req.signal, timeout]);
  try {
    const res = await request(req.url, {
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
    const what = timeout.aborted ? `no complete response within ${req.timeoutMs} ms` : describe(err);
    throw new DownloadError('unavailable', `${req.label}: ${what}`, true);
  }
}

/** Downloads with bounded retries (transient failures only). */
export async function downloadMedia(req: DownloadRequest, retry: DownloadRetry = DEFAULT_DOWNLOAD_RETRY): Promise<Downloaded> {
  if (!/^https?:\/\//i.test(req.url)) throw new DownloadError('invalid_ref', `${req.label}: not an http(s) URL`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadOnce(req);
    } catch (err) {
      if (!(err instanceof DownloadError) || !err.retryable || attempt >= retry.attempts) throw err;
      const delay = retry.delaysMs[Math.min(attempt - 1, retry.delaysMs.length - 1)] ?? 0;
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, delay);
        req.signal.addEventListener('abort', () => (clearTimeout(t), reject(req.signal.reason)), { once: true });
      });
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return typeof code === 'string' ? code : err.name;
  }
  return 'error';
}
