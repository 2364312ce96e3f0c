// Monitoring configuration slice: the cutover plan's alert thresholds, the generic JSON webhook alerts are
// also posted to, the cooldown between reminders and the fewest samples a check needs to be evaluated.
import { z } from 'zod';
import { emptyToUndefined, httpUrl, positiveInt, seconds, secondsToMs } from '../core/config-schema.js';

/** A share between 0 and 1 (0.05 is 5 %). */
const fraction = (def: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number between 0 and 1 (0.05 is 5 %)' })
      .min(0, { error: 'must be between 0 and 1 (0.05 is 5 %)' })
      .max(1, { error: 'must be between 0 and 1 (0.05 is 5 %)' })
      .default(def),
  );

export const monitoringConfig = z
  .object({
    ALERT_REPLY_P95_SECONDS: seconds(30),
    ALERT_ERROR_RATE: fraction(0.05),
    ALERT_BOOKING_SUCCESS: fraction(0.9),
    ALERT_CACHED_SHARE: fraction(0.5),
    ALERT_WEBHOOK_URL: z.preprocess(emptyToUndefined, httpUrl.optional()),
    ALERT_COOLDOWN_MINUTES: positiveInt(60, 7 * 24 * 60),
    ALERT_MIN_SAMPLES: positiveInt(5, 1_000_000),
  })
  .transform((e) => ({
    /** p95 of the reply time over 15 minutes above this fails (guest's last message → reply handed to the channel). */
    replyP95Ms: secondsToMs(e.ALERT_REPLY_P95_SECONDS),
    /** Failed turns / turns over 15 minutes above this fails. */
    errorRate: e.ALERT_ERROR_RATE,
    /** Successful / attempted bookings over a day below this fails. */
    bookingSuccess: e.ALERT_BOOKING_SUCCESS,
    /** Cached share of input tokens over 15 minutes below this fails (the prompt prefix stopped being cached). */
    cachedShare: e.ALERT_CACHED_SHARE,
    /** A generic JSON webhook every alert is also posted to; unset ⇒ staff alerts only. */
    webhookUrl: e.ALERT_WEBHOOK_URL,
    /** While the level stays the same, a reminder at most this often. */
    cooldownMs: e.ALERT_COOLDOWN_MINUTES * 60_000,
    /** A check with fewer samples in its window is not evaluated. */
    minSamples: e.ALERT_MIN_SAMPLES,
  }));

export type MonitoringConfig = z.output<typeof monitoringConfig>;
