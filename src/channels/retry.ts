// Bounded retry with exponential backoff and full jitter for channel sends.
// Only ChannelErrors flagged retryable are retried; anything else is rethrown at once.
import { abortReason, backoffDelayMs, maxAttempts, MAX_RETRY_AFTER_MS, sleep, type RetryPolicy, type SleepFn } from '../core/retry.js';
import { ChannelError } from './types.js';

export type { RetryPolicy } from '../core/retry.js';

/**
 * 4 attempts: waits of up to 0.5 s, 1 s, 2 s (8 s cap) — well under a minute even with Retry-After, which
 * is clamped to MAX_RETRY_AFTER_MS (the policy defaults: full jitter, clamp).
 */
export const DEFAULT_SEND_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 };

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
  const attempts = maxAttempts(policy);
  const wait = opts.sleep ?? sleep;
  const random = opts.random ?? Math.random;

  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    try {
      return await fn(attempt);
    } catch (err) {
      if (!(err instanceof ChannelError) || !err.retryable || attempt >= attempts) throw err;
      if (opts.signal?.aborted) throw err;
      const delayMs = retryDelayMs(err, attempt, policy, random);
      opts.onRetry?.(err, attempt, delayMs);
      await wait(delayMs, opts.signal);
    }
  }
}

/**
 * The wait after failed attempt `attempt` (1-based): the server's Retry-After when it gave one (capped,
 * by default at MAX_RETRY_AFTER_MS), else the policy's backoff.
 */
export function retryDelayMs(
  err: ChannelError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  // A send never gives up on a long Retry-After: it waits the cap instead.
  return backoffDelayMs(attempt, { ...policy, longRetryAfter: 'clamp' }, err.options.retryAfterMs, random) ?? MAX_RETRY_AFTER_MS;
}
