import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_RETRY } from '../src/agent/errors.js';
import { DEFAULT_SEND_RETRY } from '../src/channels/retry.js';
import { DEFAULT_DOWNLOAD_RETRY } from '../src/media/download.js';
import { backoffDelayMs, MAX_RETRY_AFTER_MS, maxAttempts, parseRetryAfter, sleep, type RetryPolicy } from '../src/core/retry.js';

describe('backoffDelayMs', () => {
  const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 };

  it('full jitter by default: uniform in [0, min(max, base·2^(n-1))), whole milliseconds', () => {
    expect(backoffDelayMs(1, policy, undefined, () => 0)).toBe(0);
    expect(backoffDelayMs(1, policy, undefined, () => 0.5)).toBe(50);
    expect(backoffDelayMs(2, policy, undefined, () => 1)).toBe(200);
    expect(backoffDelayMs(3, policy, undefined, () => 1)).toBe(250);
    expect(backoffDelayMs(500, policy, undefined, () => 1)).toBe(250); // no overflow on long runs
    expect(backoffDelayMs(1, policy, undefined, () => 0.3337)).toBe(33);
  });

  it("equal jitter: half fixed, half random (the model calls' policy)", () => {
    const p = DEFAULT_MODEL_RETRY;
    expect(backoffDelayMs(1, p, undefined, () => 0)).toBe(500);
    expect(backoffDelayMs(1, p, undefined, () => 1)).toBe(1000);
    expect(backoffDelayMs(3, p, undefined, () => 1)).toBe(4000);
    expect(backoffDelayMs(10, p, undefined, () => 1)).toBe(15_000);
  });

  it("no jitter and another factor (the downloads' policy: 0.5 s, then 2 s)", () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(n, DEFAULT_DOWNLOAD_RETRY, undefined, () => 0.5))).toEqual([500, 2000, 2000]);
  });

  it('honours Retry-After, rounded, never negative, clamped to the cap by default', () => {
    expect(backoffDelayMs(1, policy, 1500.4, () => 0)).toBe(1500);
    expect(backoffDelayMs(1, policy, -5)).toBe(0);
    expect(backoffDelayMs(1, policy, 120_000)).toBe(MAX_RETRY_AFTER_MS);
    expect(backoffDelayMs(1, { ...policy, maxRetryAfterMs: 5_000 }, 6_000)).toBe(5_000);
    expect(backoffDelayMs(1, DEFAULT_SEND_RETRY, 120_000)).toBe(30_000);
    // not a number: the backoff instead
    expect(backoffDelayMs(2, policy, Number.NaN, () => 1)).toBe(200);
  });

  it("gives up on a Retry-After longer than the cap when the policy says so (the model calls')", () => {
    expect(backoffDelayMs(1, DEFAULT_MODEL_RETRY, 2500)).toBe(2500);
    expect(backoffDelayMs(1, DEFAULT_MODEL_RETRY, 30_000)).toBe(30_000);
    expect(backoffDelayMs(1, DEFAULT_MODEL_RETRY, 60_000)).toBeUndefined();
  });

  it('maxAttempts is at least one, whole', () => {
    expect(maxAttempts({ ...policy, maxAttempts: 0 })).toBe(1);
    expect(maxAttempts({ ...policy, maxAttempts: 3.7 })).toBe(3);
  });

  it("keeps each caller's numbers", () => {
    expect(DEFAULT_SEND_RETRY).toEqual({ maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8000 });
    expect(DEFAULT_MODEL_RETRY).toMatchObject({ maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 15_000, maxRetryAfterMs: 30_000 });
    expect(DEFAULT_DOWNLOAD_RETRY.maxAttempts).toBe(3);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('parses delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 3 ', now)).toBe(3000);
    expect(parseRetryAfter('0.05', now)).toBe(50);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });

  it('is undefined when absent or unparsable', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('  ', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it("is capped at setTimeout's limit (a longer timer would fire at once)", () => {
    expect(parseRetryAfter('99999999999', now)).toBe(2 ** 31 - 1);
    expect(parseRetryAfter('Fri, 01 Jan 2100 00:00:00 GMT', now)).toBe(2 ** 31 - 1);
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const t = Date.now();
    await sleep(15);
    expect(Date.now() - t).toBeGreaterThanOrEqual(10);
  });

  it("rejects with the signal's reason when aborted during the wait", async () => {
    const controller = new AbortController();
    const t = Date.now();
    const p = sleep(10_000, controller.signal);
    setTimeout(() => controller.abort(new Error('shutting down')), 10);
    await expect(p).rejects.toThrow('shutting down');
    expect(Date.now() - t).toBeLessThan(1000);
  });

  it('rejects at once when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(sleep(10_000, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('removes its abort listener once it resolves', async () => {
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => (added++, add(...args))) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => (removed++, remove(...args))) as typeof remove;
    await sleep(1, signal);
    expect([added, removed]).toEqual([1, 1]);
  });
});
