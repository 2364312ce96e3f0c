// Bounded retry with exponential backoff and full jitter for channel sends.
// Only ChannelErrors flagged retryable are retried; anything else is rethrown at once.
import { ChannelError } from './types.js';

export interface RetryPolicy {
  /** Total attempts including the first (clamped to ≥ 1). */
  maxAttempts: number;
  /** Backoff ceiling for the first retry; doubles per retry. */
  baseDelayMs: number;
  /** Backoff ceiling for any retry. */
  maxDelayMs: number;
}

/** 4 attempts: waits of up to 0.5 s, 1 s, 2 s (8 s cap) — well under a minute even with Retry-After. */
export const DEFAULT_SEND_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 };

/** Longest Retry-After we honour; a longer one is clamped so a send never stalls a turn for minutes. */
export const MAX_RETRY_AFTER_MS = 30_000;

export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryOptions {
  signal?: AbortSignal;
  /** Called before each wait: the failed attempt's error, its number (1-based) and the wait. */
  onRetry?: (err: ChannelError, attempt: number, delayMs: number) => void;
  /** Injectable for tests; defaults to an abortable setTimeout. */
  sleep?: SleepFn;
  /** Injectable for tests; defaults to Math.random. */
  random?: () => number;
}

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  opts: RetryOptions = {},
): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  const sleep = opts.sleep ?? abortableSleep;
  const random = opts.random ?? Math.random;

  for (let attempt = 1; ; attempt++) {
    throwIfAborted(opts.signal);
    try {
      return await fn(attempt);
    } catch (err) {
      if (!(err instanceof ChannelError) || !err.retryable || attempt >= maxAttempts) throw err;
      if (opts.signal?.aborted) throw err;
      const delayMs = retryDelayMs(err, attempt, policy, random);
      opts.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs, opts.signal);
    }
  }
}

/**
 * The wait after failed attempt `attempt` (1-based): the server's Retry-After when it gave one
 * (capped at MAX_RETRY_AFTER_MS), else full jitter in [0, min(maxDelay, base·2^(attempt-1))].
 */
export function retryDelayMs(
  err: ChannelError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const retryAfter = err.options.retryAfterMs;
  if (retryAfter !== undefined && Number.isFinite(retryAfter)) {
    return Math.min(Math.max(0, Math.round(retryAfter)), MAX_RETRY_AFTER_MS);
  }
  const base = Math.max(0, policy.baseDelayMs);
  const ceiling = Math.min(Math.max(0, policy.maxDelayMs), base * 2 ** Math.min(attempt - 1, 30));
  return Math.floor(random() * ceiling);
}

/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}
