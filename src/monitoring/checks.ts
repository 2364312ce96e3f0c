// The cutover plan's four checks, evaluated from our own records (src/store/monitoring-repository.ts). The
// same checks, over the Prometheus metrics, are the alerting rules in deploy/prometheus/watibot3-rules.yml;
// each check names its rule.
import type { MonitoringRepository } from '../store/monitoring-repository.js';
import type { MonitoringConfig } from './config.js';

export const CHECK_NAMES = ['reply_time', 'error_rate', 'booking_success', 'cached_share'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** Each check's alert in deploy/prometheus/watibot3-rules.yml. */
export const PROMETHEUS_ALERTS: Readonly<Record<CheckName, string>> = {
  reply_time: 'WatibotReplyTimeHigh',
  error_rate: 'WatibotErrorRateHigh',
  booking_success: 'WatibotBookingSuccessLow',
  cached_share: 'WatibotCachedShareLow',
};
/** The rule that is critical while two or more of the checks' alerts fire. */
export const PROMETHEUS_DEGRADED_ALERT = 'WatibotDegraded';

const MINUTE = 60_000;
export const CHECK_WINDOWS_MS: Readonly<Record<CheckName, number>> = {
  reply_time: 15 * MINUTE,
  error_rate: 15 * MINUTE,
  booking_success: 24 * 60 * MINUTE,
  cached_share: 15 * MINUTE,
};

export interface CheckResult {
  name: CheckName;
  /** `insufficient`: fewer samples than ALERT_MIN_SAMPLES in the window, not evaluated. */
  status: 'ok' | 'failing' | 'insufficient';
  /** The measured value (seconds for reply_time, a share 0–1 otherwise); null when there were no samples. */
  value: number | null;
  /** The configured threshold, in the value's unit. */
  threshold: number;
  /** `above`: failing when value > threshold; `below`: failing when value < threshold. */
  failsWhen: 'above' | 'below';
  windowMs: number;
  /** Replies, turns, booking attempts or model calls in the window. */
  samples: number;
  /** For the rates: the numerator (failed turns, bookings made, cached tokens). */
  count?: number | undefined;
}

/** Nearest-rank percentile (p in 0–1) of unsorted values; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = values.toSorted((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1];
}

function judge(
  name: CheckName,
  value: number | null,
  threshold: number,
  failsWhen: 'above' | 'below',
  samples: number,
  minSamples: number,
  count?: number,
): CheckResult {
  const status = samples < minSamples || value === null ? 'insufficient' : (failsWhen === 'above' ? value > threshold : value < threshold) ? 'failing' : 'ok';
  return { name, status, value, threshold, failsWhen, windowMs: CHECK_WINDOWS_MS[name], samples, ...(count !== undefined ? { count } : {}) };
}

/** Every check at `now`, each over its window ending at `now`. */
export function evaluateChecks(repository: MonitoringRepository, config: MonitoringConfig, now: number): CheckResult[] {
  const since = (name: CheckName) => now - CHECK_WINDOWS_MS[name];
  const until = now + 1; // the window includes `now`
  const min = config.minSamples;

  const replies = repository.replyTimesMs(since('reply_time'), until);
  const p95 = percentile(replies, 0.95);
  const turns = repository.turnCounts(since('error_rate'), until);
  const bookings = repository.bookingCounts(since('booking_success'), until);
  const tokens = repository.tokenSums(since('cached_share'), until);

  return [
    judge('reply_time', p95 === undefined ? null : p95 / 1000, config.replyP95Ms / 1000, 'above', replies.length, min),
    judge('error_rate', turns.turns > 0 ? turns.failed / turns.turns : null, config.errorRate, 'above', turns.turns, min, turns.failed),
    judge('booking_success', bookings.attempted > 0 ? bookings.booked / bookings.attempted : null, config.bookingSuccess, 'below', bookings.attempted, min, bookings.booked),
    judge('cached_share', tokens.inputTokens > 0 ? tokens.cachedTokens / tokens.inputTokens : null, config.cachedShare, 'below', tokens.calls, min, tokens.cachedTokens),
  ];
}
