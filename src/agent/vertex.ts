// Gemini on Vertex AI (LLM_PROVIDER=vertex): Vertex AI's OpenAI-compatible Chat Completions endpoint, which
// takes no API key but a short-lived OAuth access token of a service account.
//
// The token is obtained from the service account's JSON key (GOOGLE_APPLICATION_CREDENTIALS) by
// google-auth-library's JWT client (the JWT-bearer grant, scope cloud-platform), cached, and replaced
// REFRESH_EARLY_MS before it expires by the injected clock; concurrent calls share one fetch. The openai SDK
// asks for it before every request (its `apiKey` may be an async function, called per request), so the one
// long-lived client always sends a valid token; a 401 drops the cached token so the next call gets another.
// Neither the token nor the key ever reaches a log or an error message: a failure is an AccessTokenError with
// a short reason (HTTP status, OAuth error code, system error code), which errors.ts classifies
// `auth_unavailable` (retryable; the turn ends with the fallback when it persists).
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type * as GoogleAuth from 'google-auth-library';
import type OpenAI from 'openai';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { AccessTokenError } from './errors.js';
import { createOpenAiClient } from './openai-client.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Where google-auth-library sends every service-account token request (it ignores the key's token_uri). */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** A cached token is replaced this long before it expires (tokens last an hour). */
export const REFRESH_EARLY_MS = 5 * 60_000;
const TOKEN_TIMEOUT_MS = 10_000;
/** How long readiness trusts its last look at the key file. */
const PROBLEM_TTL_MS = 30_000;

/** What is used of a service account's JSON key. */
export interface ServiceAccountKey {
  clientEmail: string;
  privateKey: string;
  /** The key's token endpoint (Google's own in every real key file; a loopback fake in tests). */
  tokenUri: string;
}

const fail = (reason: string): never => {
  throw new AccessTokenError(`GOOGLE_APPLICATION_CREDENTIALS: ${reason}`);
};

/**
 * Reads and checks a service-account JSON key. Throws AccessTokenError naming what is wrong, never quoting
 * the file (JSON.parse's and OpenSSL's messages may quote it, so they are not used).
 */
export function readServiceAccountKey(path: string): ServiceAccountKey {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return fail(`cannot read the key file${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail('the key file is not JSON');
  }
  if (!json || typeof json !== 'object') return fail('the key file is not a JSON object');
  const key = json as Record<string, unknown>;
  if (key.type !== undefined && key.type !== 'service_account') {
    return fail(`the key file is not a service-account key (type ${JSON.stringify(String(key.type).slice(0, 40))})`);
  }
  if (typeof key.client_email !== 'string' || key.client_email === '') return fail('the key file has no client_email');
  if (typeof key.private_key !== 'string' || key.private_key === '') return fail('the key file has no private_key');
  try {
    createPrivateKey(key.private_key);
  } catch {
    return fail('the key file\'s private_key is not a PEM private key');
  }
  const tokenUri = key.token_uri === undefined ? GOOGLE_TOKEN_URL : key.token_uri;
  if (typeof tokenUri !== 'string' || !/^https?:\/\/[^\s]+$/i.test(tokenUri)) return fail('the key file\'s token_uri is not an http(s) URL');
  return { clientEmail: key.client_email, privateKey: key.private_key, tokenUri };
}

// google-auth-library (~13 MB of RSS) is imported by the first token request, not at start: the service
// loads this module whatever the provider, and only LLM_PROVIDER=vertex ever asks for a token.
let googleAuth: typeof GoogleAuth | undefined;
async function loadGoogleAuth(): Promise<typeof GoogleAuth> {
  googleAuth ??= await import('google-auth-library');
  return googleAuth;
}

/**
 * The HTTP client of the token request: no retries of its own (the turn loop retries the model call), a
 * timeout, and the request sent to the key's token_uri (google-auth-library always posts to Google's URL;
 * a real key's token_uri is that URL, so this changes nothing there).
 */
function tokenTransporter({ gaxios }: typeof GoogleAuth, tokenUri: string): GoogleAuth.gaxios.Gaxios {
  const transporter = new gaxios.Gaxios({ timeout: TOKEN_TIMEOUT_MS, retryConfig: { retry: 0, noResponseRetries: 0 } });
  if (tokenUri !== GOOGLE_TOKEN_URL) {
    transporter.interceptors.request.add({
      resolved: (options) => {
        if (options.url.href === GOOGLE_TOKEN_URL) options.url = new URL(tokenUri);
        return Promise.resolve(options);
      },
    });
  }
  return transporter;
}

/** Why a token request failed, in words safe to log: an HTTP status, an OAuth error code, a system error code. */
export function tokenFailureReason(err: unknown): string {
  // Before google-auth-library was loaded no GaxiosError can exist.
  if (googleAuth && err instanceof googleAuth.gaxios.GaxiosError && err.response) {
    const data: unknown = err.response.data;
    const code = data && typeof data === 'object' ? (data as { error?: unknown }).error : undefined;
    const oauth = typeof code === 'string' && /^[a-z_]{1,64}$/i.test(code) ? ` (${code})` : '';
    return `the token endpoint answered ${err.response.status}${oauth}`;
  }
  // A network error: the system code (ECONNREFUSED, ENOTFOUND, …) somewhere down the cause chain.
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (name === 'TimeoutError' || name === 'AbortError') return 'the token endpoint did not answer in time';
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return `could not reach the token endpoint (${code})`;
    e = (e as { cause?: unknown }).cause;
  }
  return 'could not obtain a token';
}

/** A source of short-lived bearer tokens. */
export interface AccessTokens {
  /** A valid token: the cached one, or a new one when it is within REFRESH_EARLY_MS of expiring. */
  token(): Promise<string>;
  /** Drops the cached token if it is `token` (the endpoint refused it), so the next call fetches another. */
  invalidate(token: string): void;
  /** Why no token can be had whatever the network does (a bad key file), for readiness; undefined if none. */
  problem(): string | undefined;
}

export interface ServiceAccountTokensOptions {
  /** Path of the service account's JSON key. */
  keyFile: string;
  clock: Clock;
  log?: Logger | undefined;
  refreshEarlyMs?: number | undefined;
}

/** Access tokens of a service account, cached by the injected clock. */
export class ServiceAccountTokens implements AccessTokens {
  private cached: { token: string; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  private lastProblem: { at: number; problem: string | undefined } | undefined;

  constructor(private readonly opts: ServiceAccountTokensOptions) {}

  token(): Promise<string> {
    const now = this.opts.clock.now();
    if (this.cached && now < this.cached.expiresAt - (this.opts.refreshEarlyMs ?? REFRESH_EARLY_MS)) {
      return Promise.resolve(this.cached.token);
    }
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  problem(): string | undefined {
    const now = this.opts.clock.now();
    if (this.lastProblem && now - this.lastProblem.at < PROBLEM_TTL_MS) return this.lastProblem.problem;
    let problem: string | undefined;
    try {
      readServiceAccountKey(this.opts.keyFile);
    } catch (err) {
      problem = err instanceof AccessTokenError ? err.message : 'GOOGLE_APPLICATION_CREDENTIALS: unusable key file';
    }
    this.lastProblem = { at: now, problem };
    return problem;
  }

  private async fetchToken(): Promise<string> {
    const { clock, log } = this.opts;
    try {
      const key = readServiceAccountKey(this.opts.keyFile);
      const startedAt = clock.now();
      let credentials;
      try {
        const auth = await loadGoogleAuth();
        const jwt = new auth.JWT({
          email: key.clientEmail,
          key: key.privateKey,
          scopes: [CLOUD_PLATFORM_SCOPE],
          transporter: tokenTransporter(auth, key.tokenUri),
        });
        credentials = await jwt.authorize();
      } catch (err) {
        throw new AccessTokenError(`no Vertex AI access token: ${tokenFailureReason(err)}`);
      }
      const token = credentials.access_token;
      if (!token) throw new AccessTokenError('no Vertex AI access token: the token endpoint sent none');
      // google-auth-library dates the expiry by the system clock; the lifetime is carried over to ours.
      const lifetimeMs = credentials.expiry_date ? Math.max(0, credentials.expiry_date - Date.now()) : 0;
      this.cached = { token, expiresAt: startedAt + lifetimeMs };
      log?.info({ expiresInSeconds: Math.round(lifetimeMs / 1000) }, 'Vertex AI access token obtained');
      return token;
    } catch (err) {
      const problem = err instanceof AccessTokenError ? err.message : 'no Vertex AI access token';
      log?.warn({ problem }, 'Vertex AI access token unavailable');
      throw err instanceof AccessTokenError ? err : new AccessTokenError(problem);
    }
  }
}

export interface VertexClientOptions {
  /** Vertex's base URL (or the OPENAI_BASE_URL override). */
  baseUrl: string;
  timeoutMs: number;
  /** The fetch under the token handling (default: the global one). */
  fetch?: typeof fetch | undefined;
}

/** An openai client for Vertex AI: a fresh token per request, the cached one dropped when refused. */
export function createVertexClient(tokens: AccessTokens, opts: VertexClientOptions): OpenAI {
  const inner = opts.fetch ?? fetch;
  return createOpenAiClient({
    apiKey: () => tokens.token(),
    baseUrl: opts.baseUrl,
    timeoutMs: opts.timeoutMs,
    fetch: async (input: string | URL | Request, init?: RequestInit) => {
      const res = await inner(input, init);
      if (res.status === 401) {
        const sent = new Headers(init?.headers).get('authorization');
        if (sent?.startsWith('Bearer ')) tokens.invalidate(sent.slice('Bearer '.length));
      }
      return res;
    },
  });
}
