// Error classification for model calls: by error class, HTTP status and the error body's code/type,
// never by message text.
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import { parseRetryAfter, type RetryPolicy } from '../core/retry.js';

/** Thrown by respond() when the turn's signal aborts (shutdown); the buffer re-runs the batch later. */
export class TurnAbortedError extends Error {
  override readonly name = 'TurnAbortedError';
  constructor() {
    super('Turn aborted');
  }
}

/** A 2xx response we cannot use (malformed body, `status: failed`, no choices). */
export class ModelResponseError extends Error {
  override readonly name = 'ModelResponseError';
  constructor(
    readonly errorClass: string,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

/**
 * A provider's short-lived bearer token could not be obtained (Vertex AI: the service account's token
 * endpoint failed or the key file is unusable). Its message never holds the key or a token.
 */
export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
}

export interface ClassifiedError {
  /** Stable class for logs, the turn record and the batch (e.g. rate_limited, server_error). */
  errorClass: string;
  retryable: boolean;
  /** The request did not fit the model's context window. */
  contextLength: boolean;
  /** The API refused the replayed reasoning items (stateless replay); a call without them may pass. */
  replayRejected?: boolean;
  httpStatus?: number | undefined;
  requestId?: string | undefined;
  /** The request field the API refused (the error body's `param`), when it names one. */
  param?: string | undefined;
  /** From Retry-After / retry-after-ms. */
  retryAfterMs?: number | undefined;
}

function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  // OpenAI's own header, in milliseconds, before the standard one.
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  return parseRetryAfter(headers.get('retry-after'), now);
}

const CONTEXT_LENGTH_CODES: ReadonlySet<string> = new Set(['context_length_exceeded', 'string_above_max_length']);

/** OpenAI's messages when replayed reasoning is refused (missing following item, not persisted, bad encrypted content). */
const REPLAY_REJECTED = /without its required following item|without its required 'reasoning' item|not persisted when `?store`? is set to false|encrypted content/i;

export function classifyError(err: unknown, now: number = Date.now()): ClassifiedError {
  if (err instanceof ModelResponseError) {
    return { errorClass: err.errorClass, retryable: err.retryable, contextLength: false };
  }
  // The openai SDK wraps what its apiKey function throws in an OpenAIError, with the original as `cause`.
  if (err instanceof AccessTokenError || (err instanceof Error && err.cause instanceof AccessTokenError)) {
    return { errorClass: 'auth_unavailable', retryable: true, contextLength: false };
  }
  if (err instanceof APIUserAbortError) return { errorClass: 'aborted', retryable: false, contextLength: false };
  // Timeout before connection error: it is a subclass.
  if (err instanceof APIConnectionTimeoutError) return { errorClass: 'timeout', retryable: true, contextLength: false };
  if (err instanceof APIConnectionError) {
    return { errorClass: 'connection_error', retryable: true, contextLength: false };
  }
  if (err instanceof APIError) {
    const status = typeof err.status === 'number' ? err.status : undefined;
    const base = {
      httpStatus: status,
      requestId: err.requestID ?? undefined,
      ...(typeof err.param === 'string' ? { param: err.param } : {}),
    };
    const code = typeof err.code === 'string' ? err.code : undefined;
    const type = typeof err.type === 'string' ? err.type : undefined;
    if (code !== undefined && CONTEXT_LENGTH_CODES.has(code)) {
      return { ...base, errorClass: 'context_length_exceeded', retryable: false, contextLength: true };
    }
    if (status === 429) {
      // Out of credit: waiting does not help.
      if (code === 'insufficient_quota' || type === 'insufficient_quota') {
        return { ...base, errorClass: 'quota_exceeded', retryable: false, contextLength: false };
      }
      return {
        ...base,
        errorClass: 'rate_limited',
        retryable: true,
        contextLength: false,
        retryAfterMs: retryAfterMs(err.headers, now),
      };
    }
    if (status !== undefined && status >= 500) {
      return {
        ...base,
        errorClass: 'server_error',
        retryable: true,
        contextLength: false,
        retryAfterMs: retryAfterMs(err.headers, now),
      };
    }
    if (status === 408) return { ...base, errorClass: 'timeout', retryable: true, contextLength: false };
    if (status === 409) return { ...base, errorClass: 'conflict', retryable: true, contextLength: false };
    if (status === 401 || status === 403) return { ...base, errorClass: 'auth_error', retryable: false, contextLength: false };
    const replayRejected = (status === 400 || status === 404) && REPLAY_REJECTED.test(err.message);
    if (status === 404) return { ...base, errorClass: 'not_found', retryable: false, contextLength: false, replayRejected };
    if (status === 400 || status === 422) return { ...base, errorClass: 'bad_request', retryable: false, contextLength: false, replayRejected };
    return { ...base, errorClass: 'client_error', retryable: false, contextLength: false };
  }
  return { errorClass: 'internal_error', retryable: false, contextLength: false };
}

/**
 * Model calls: 4 attempts, waits between half and all of 1 s, 2 s, 4 s (15 s cap). A Retry-After over 30 s
 * ends the attempts: the turn would rather fail over to the fallback than keep the guest waiting.
 */
export const DEFAULT_MODEL_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 15_000,
  jitter: 'equal',
  maxRetryAfterMs: 30_000,
  longRetryAfter: 'give_up',
};
