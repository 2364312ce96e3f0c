// Error classification for model calls: by error class, HTTP status and the error body's code/type,
// never by message text.
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';

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

export interface ClassifiedError {
  /** Stable class for logs, the turn record and the batch (e.g. rate_limited, server_error). */
  errorClass: string;
  retryable: boolean;
  /** The request did not fit the model's context window. */
  contextLength: boolean;
  httpStatus?: number | undefined;
  requestId?: string | undefined;
  /** From Retry-After / retry-after-ms. */
  retryAfterMs?: number | undefined;
}

function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const CONTEXT_LENGTH_CODES: ReadonlySet<string> = new Set(['context_length_exceeded', 'string_above_max_length']);

export function classifyError(err: unknown, now: number = Date.now()): ClassifiedError {
  if (err instanceof ModelResponseError) {
    return { errorClass: err.errorClass, retryable: err.retryable, contextLength: false };
  }
  if (err instanceof APIUserAbortError) return { errorClass: 'aborted', retryable: false, contextLength: false };
  // Timeout before connection error: it is a subclass.
  if (err instanceof APIConnectionTimeoutError) return { errorClass: 'timeout', retryable: true, contextLength: false };
  if (err instanceof APIConnectionError) {
    return { errorClass: 'connection_error', retryable: true, contextLength: false };
  }
  if (err instanceof APIError) {
    const status = typeof err.status === 'number' ? err.status : undefined;
    const base = { httpStatus: status, requestId: err.requestID ?? undefined };
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
    if (status === 404) return { ...base, errorClass: 'not_found', retryable: false, contextLength: false };
    if (status === 400 || status === 422) return { ...base, errorClass: 'bad_request', retryable: false, contextLength: false };
    return { ...base, errorClass: 'client_error', retryable: false, contextLength: false };
  }
  return { errorClass: 'internal_error', retryable: false, contextLength: false };
}

export interface RetryPolicy {
  /** Attempts per model call, first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After honoured; a longer one ends the attempts. */
  maxRetryAfterMs: number;
}

export const DEFAULT_MODEL_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 30_000,
};

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): Retry-After when the server sent one,
 * else exponential backoff with jitter (half fixed, half random). Undefined when Retry-After is longer
 * than the policy accepts.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfter: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfter !== undefined) return retryAfter > policy.maxRetryAfterMs ? undefined : retryAfter;
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return exp / 2 + random() * (exp / 2);
}
