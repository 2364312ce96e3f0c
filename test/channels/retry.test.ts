import { describe, expect, it } from 'vitest';
import { DEFAULT_SEND_RETRY, retryDelayMs, withRetry, type RetryPolicy } from '../../src/channels/retry.js';
import { ChannelError } from '../../src/channels/types.js';
import { MAX_RETRY_AFTER_MS } from '../../src/core/retry.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 };
const unavailable = () => new ChannelError('UPSTREAM_UNAVAILABLE', 'down', { retryable: true, status: 503 });

function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

describe('withRetry', () => {
  it('has a bounded default policy', () => {
    expect(DEFAULT_SEND_RETRY).toEqual({ maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8000 });
  });

  it('retries retryable ChannelErrors until success, passing the attempt number', async () => {
    const { delays, sleep } = recordingSleep();
    const seen: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw unavailable();
        return 'ok';
      },
      policy,
      { sleep, random: () => 1 },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
    // full jitter with random()=1 hits the ceiling: base·2^(n-1) capped at maxDelay
    expect(delays).toEqual([100, 200]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { delays, sleep } = recordingSleep();
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        throw unavailable();
      },
      policy,
      { sleep, random: () => 1 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(calls).toBe(4);
    expect(delays).toEqual([100, 200, 250]);
  });

  it('does not retry non-retryable or foreign errors', async () => {
    const rejected = new ChannelError('REJECTED', 'bad request', { retryable: false, status: 400 });
    for (const thrown of [rejected, new TypeError('bug')]) {
      let calls = 0;
      await expect(
        withRetry(async () => {
          calls++;
          throw thrown;
        }, policy),
      ).rejects.toBe(thrown);
      expect(calls).toBe(1);
    }
  });

  it('honours retryAfterMs, capped', async () => {
    const { delays, sleep } = recordingSleep();
    const retryAfters = [1500, 120_000];
    const onRetry: Array<[string, number, number]> = [];
    await withRetry(
      async (attempt) => {
        const ms = retryAfters[attempt - 1];
        if (ms === undefined) return 1;
        throw new ChannelError('RATE_LIMITED', '429', { retryable: true, status: 429, retryAfterMs: ms });
      },
      policy,
      { sleep, onRetry: (e, attempt, delay) => onRetry.push([e.code, attempt, delay]) },
    );
    expect(delays).toEqual([1500, MAX_RETRY_AFTER_MS]);
    expect(onRetry).toEqual([
      ['RATE_LIMITED', 1, 1500],
      ['RATE_LIMITED', 2, MAX_RETRY_AFTER_MS],
    ]);
  });

  it('full jitter stays within [0, ceiling]', () => {
    const e = unavailable();
    expect(retryDelayMs(e, 1, DEFAULT_SEND_RETRY, () => 0)).toBe(0);
    expect(retryDelayMs(e, 1, DEFAULT_SEND_RETRY, () => 0.999)).toBeLessThan(500);
    expect(retryDelayMs(e, 10, DEFAULT_SEND_RETRY, () => 0.999)).toBeLessThan(8000);
  });

  it('is abortable during the backoff sleep (real timers)', async () => {
    const controller = new AbortController();
    let calls = 0;
    const started = Date.now();
    const p = withRetry(
      async () => {
        calls++;
        throw unavailable();
      },
      { maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 },
      { signal: controller.signal, random: () => 1 },
    );
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    await expect(p).rejects.toThrow('shutting down');
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('does not start when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    await expect(withRetry(async () => ++calls, policy, { signal: controller.signal })).rejects.toBeDefined();
    expect(calls).toBe(0);
  });
});
