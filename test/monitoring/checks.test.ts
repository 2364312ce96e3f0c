// The monitor's checks over seeded SQLite rows: the reply time's p95 (last guest message → first part handed
// to the channel), the rates, their windows and the fewest samples a check needs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { evaluateChecks, percentile, type CheckName, type CheckResult } from '../../src/monitoring/checks.js';
import type { Db } from '../../src/store/database.js';
import { MonitoringRepository } from '../../src/store/monitoring-repository.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { seedBooking, seedModelCall, seedReply, seedTurn } from './seed.js';

const NOW = Date.parse('2026-11-20T15:00:00Z');
const MIN = 60_000;

let db: Db;
let repo: MonitoringRepository;
beforeEach(() => {
  db = openMigratedDatabase(':memory:');
  repo = new MonitoringRepository(db);
});
afterEach(() => db.close());

const check = (name: CheckName, env: Record<string, string> = {}): CheckResult =>
  evaluateChecks(repo, loadConfig(env).monitoring, NOW).find((c) => c.name === name) as CheckResult;

describe('percentile', () => {
  it('is the nearest rank', () => {
    expect(percentile([], 0.95)).toBeUndefined();
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile(Array.from({ length: 20 }, (_, i) => 20 - i), 0.95)).toBe(19);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 0.95)).toBe(95);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
  });
});

describe('reply time', () => {
  it('p95 over the replies of the last 15 minutes, from the last guest message to the first part sent', () => {
    // 20 replies of 1..20 s in the window: p95 (nearest rank) is 19 s.
    for (let s = 1; s <= 20; s++) seedReply(db, NOW - s * 30_000, s);
    expect(repo.replyTimesMs(NOW - 15 * MIN, NOW + 1).toSorted((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 1000));
    expect(check('reply_time')).toMatchObject({ status: 'ok', value: 19, threshold: 30, failsWhen: 'above', samples: 20, windowMs: 15 * MIN });
    expect(check('reply_time', { ALERT_REPLY_P95_SECONDS: '18' }).status).toBe('failing');
  });

  it('counts the last message of the batch and the first part of the reply; ignores older, held and undelivered batches', () => {
    // Messages 60 s and 10 s before the first of two parts (sent 10 s and 50 s after the last message): 10 s.
    seedTurn(db, { messagesAt: [NOW - 2 * MIN - 60_000, NOW - 2 * MIN - 10_000], partsSentAt: [NOW - 2 * MIN, NOW - 2 * MIN + 40_000], status: 'delivered' });
    // The fallback sent after a failed turn is a reply too.
    seedReply(db, NOW - MIN, 4, 'failed');
    // Finished 16 minutes ago: outside the window.
    seedReply(db, NOW - 16 * MIN, 100);
    // Held (bot paused) and undelivered batches have no reply time.
    seedTurn(db, { messagesAt: [NOW - 3 * MIN], partsSentAt: [], status: 'held' });
    seedTurn(db, { messagesAt: [NOW - 5 * MIN], partsSentAt: [], status: 'undelivered', finishedAt: NOW - 4 * MIN });
    expect(repo.replyTimesMs(NOW - 15 * MIN, NOW + 1).toSorted((a, b) => a - b)).toEqual([4_000, 10_000]);
  });

  it('is not evaluated with fewer replies than ALERT_MIN_SAMPLES', () => {
    for (let i = 0; i < 4; i++) seedReply(db, NOW - i * MIN, 120);
    expect(check('reply_time')).toMatchObject({ status: 'insufficient', value: 120, samples: 4 });
    expect(check('reply_time', { ALERT_MIN_SAMPLES: '4' })).toMatchObject({ status: 'failing', value: 120 });
    expect(check('reply_time', { ALERT_MIN_SAMPLES: '4' }).value).toBe(120);
    // No replies at all: nothing to say.
    db.exec('DELETE FROM outbound_messages; DELETE FROM inbound_messages; DELETE FROM batches;');
    expect(check('reply_time', { ALERT_MIN_SAMPLES: '1' })).toMatchObject({ status: 'insufficient', value: null, samples: 0 });
  });
});

describe('error rate', () => {
  it('failed and undelivered turns over delivered, failed and undelivered ones in the last 15 minutes', () => {
    for (let i = 0; i < 7; i++) seedReply(db, NOW - i * MIN, 3);
    seedReply(db, NOW - 2 * MIN, 3, 'failed');
    seedReply(db, NOW - 14 * MIN, 3, 'failed');
    seedTurn(db, { messagesAt: [NOW - 5 * MIN], partsSentAt: [], status: 'undelivered', finishedAt: NOW - 4 * MIN });
    // Not turns here: a held batch; outside the window: an old failure.
    seedTurn(db, { messagesAt: [NOW - 3 * MIN], partsSentAt: [], status: 'held' });
    seedReply(db, NOW - 15 * MIN - 1, 3, 'failed');
    expect(repo.turnCounts(NOW - 15 * MIN, NOW + 1)).toEqual({ turns: 10, failed: 3 });
    expect(check('error_rate')).toMatchObject({ status: 'failing', value: 0.3, threshold: 0.05, samples: 10, count: 3 });
    expect(check('error_rate', { ALERT_ERROR_RATE: '0.3' }).status).toBe('ok');
  });

  it('one failed turn at night is not an alert', () => {
    seedReply(db, NOW - MIN, 3, 'failed');
    expect(check('error_rate')).toMatchObject({ status: 'insufficient', value: 1, samples: 1 });
    expect(repo.turnCounts(NOW - 15 * MIN, NOW + 1)).toEqual({ turns: 1, failed: 1 });
  });

  it('no turns: zero counts', () => {
    expect(repo.turnCounts(NOW - 15 * MIN, NOW + 1)).toEqual({ turns: 0, failed: 0 });
    expect(check('error_rate')).toMatchObject({ status: 'insufficient', value: null, samples: 0 });
  });
});

describe('booking success', () => {
  it('bookings made over attempts started in the last day; payment refusals and attempts in flight are not counted', () => {
    for (let i = 0; i < 8; i++) seedBooking(db, NOW - i * 3600_000, 'booked');
    seedBooking(db, NOW - 2 * 3600_000, 'failed', 'booking API refused: rejected: no rooms');
    seedBooking(db, NOW - 3 * 3600_000, 'in_doubt', 'timeout');
    seedBooking(db, NOW - 4 * 3600_000, 'failed', 'payment not_found');
    seedBooking(db, NOW - 60_000, 'posting');
    seedBooking(db, NOW - 25 * 3600_000, 'failed', 'booking API refused');
    expect(repo.bookingCounts(NOW - 24 * 3600_000, NOW + 1)).toEqual({ attempted: 10, booked: 8 });
    expect(check('booking_success')).toMatchObject({ status: 'failing', value: 0.8, threshold: 0.9, failsWhen: 'below', samples: 10, count: 8, windowMs: 24 * 3600_000 });
    expect(check('booking_success', { ALERT_BOOKING_SUCCESS: '0.8' }).status).toBe('ok');
  });

  it('staff checking a booking counts as not made; too few attempts are not evaluated', () => {
    seedBooking(db, NOW - 3600_000, 'staff', 'unknown');
    seedBooking(db, NOW - 3600_000, 'booked');
    expect(check('booking_success')).toMatchObject({ status: 'insufficient', value: 0.5, samples: 2 });
    expect(check('booking_success', { ALERT_MIN_SAMPLES: '2' }).status).toBe('failing');
  });
});

describe('cached share', () => {
  it('cached over input tokens of the successful calls of the last 15 minutes', () => {
    for (let i = 0; i < 5; i++) seedModelCall(db, NOW - i * MIN, { input: 10_000, cached: 2_000 });
    seedModelCall(db, NOW - 10 * MIN, { input: 10_000, cached: null });
    // Failed calls and calls outside the window do not count.
    seedModelCall(db, NOW - MIN, { input: 50_000, cached: 50_000 }, 'error');
    seedModelCall(db, NOW - 16 * MIN, { input: 50_000, cached: 50_000 });
    expect(repo.tokenSums(NOW - 15 * MIN, NOW + 1)).toEqual({ calls: 6, inputTokens: 60_000, cachedTokens: 10_000 });
    expect(check('cached_share').value).toBeCloseTo(1 / 6);
    expect(check('cached_share')).toMatchObject({ status: 'failing', threshold: 0.5, failsWhen: 'below', samples: 6, count: 10_000 });
  });

  it('a cached prefix is fine', () => {
    for (let i = 0; i < 5; i++) seedModelCall(db, NOW - i * MIN, { input: 43_000, cached: 42_000 });
    expect(check('cached_share').status).toBe('ok');
  });
});
