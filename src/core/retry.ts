// Retry building blocks shared by the model calls, the channel clients and media downloads: one policy
// type, one backoff formula, one Retry-After parser and one abortable sleep. Each caller keeps its own
// loop (what is retryable differs) and its own numbers.

export interface RetryPolicy {
  /** Attempts in all, the first one included (at least 1). */
  maxAttempts: number;
  /** Backoff of the first retry (its ceiling with jitter); multiplied by `factor` per retry. */
  baseDelayMs: number;
  /** Backoff ceiling for any retry. */
  maxDelayMs: number;
  /**
   * 'full' (default): uniform in [0, backoff); 'equal': half fixed, half random; 'none': the backoff
   * itself.
   */
  jitter?: 'full' | 'equal' | 'none';
  /** Growth of the backoff per retry; 2 unless set. */
  factor?: number;
  /** Longest Retry-After honoured; MAX_RETRY_AFTER_MS unless set. */
  maxRetryAfterMs?: number;
  /**
   * A longer Retry-After: 'clamp' (default) waits maxRetryAfterMs, 'give_up' ends the attempts (when
   * waiting that long is worse than failing now).
   */
  longRetryAfter?: 'clamp' | 'give_up';
}

/** Default longest Retry-After honoured, so a server cannot stall a turn for minutes. */
export const MAX_RETRY_AFTER_MS = 30_000;

/** setTimeout's limit: a longer delay fires at once, so a parsed Retry-After never exceeds it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Attempts a policy allows: at least one, whole. */
export function maxAttempts(policy: RetryPolicy): number {
  return Math.max(1, Math.floor(policy.maxAttempts));
}

/**
 * The wait after failed attempt `attempt` (1-based): the server's Retry-After when it sent one (bounded
 * by the policy), else the backoff min(maxDelay, base·factor^(attempt-1)) with the policy's jitter.
 * Undefined when the policy gives up on a Retry-After longer than it accepts.
 */
export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) {
    const wait = Math.max(0, Math.round(retryAfterMs));
    const max = policy.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS;
    if (wait <= max) return wait;
    return policy.longRetryAfter === 'give_up' ? undefined : max;
  }
  const base = Math.max(0, policy.baseDelayMs);
  // The exponent is capped so a long run of attempts cannot overflow to Infinity·0 = NaN.
  const backoff = Math.min(Math.max(0, policy.maxDelayMs), base * (policy.factor ?? 2) ** Math.min(attempt - 1, 30));
  switch (policy.jitter ?? 'full') {
    case 'full':
      return Math.floor(random() * backoff);
    case 'equal':
      return backoff / 2 + random() * (backoff / 2);
    case 'none':
      return backoff;
  }
}

/**
 * `Retry-After` as milliseconds: delay-seconds (decimals tolerated) or an HTTP date (a past date gives 0),
 * capped at setTimeout's limit. Undefined when absent or unparsable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(MAX_TIMER_MS, Math.round(Number(v) * 1000));
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(MAX_TIMER_MS, Math.max(0, at - now));
}

/** setTimeout as a promise; rejects with the signal's reason when aborted (before or during the wait). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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

/** The signal's reason, or an AbortError when it was aborted without one. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}
