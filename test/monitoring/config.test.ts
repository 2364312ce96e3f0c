// The monitoring slice: the cutover plan's defaults, shares between 0 and 1, an http(s) webhook.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { issuesOf } from '../support/config-issues.js';

describe('monitoring configuration', () => {
  it('defaults to the cutover plan thresholds', () => {
    expect(loadConfig({}).monitoring).toStrictEqual({
      replyP95Ms: 30_000,
      errorRate: 0.05,
      bookingSuccess: 0.9,
      cachedShare: 0.5,
      webhookUrl: undefined,
      cooldownMs: 3_600_000,
      minSamples: 5,
    });
    expect(loadConfig({ ALERT_REPLY_P95_SECONDS: '12.5', ALERT_WEBHOOK_URL: 'http://10.0.0.5:9000/alerts' }).monitoring).toMatchObject({
      replyP95Ms: 12_500,
      webhookUrl: 'http://10.0.0.5:9000/alerts',
    });
  });

  it('names each bad variable', () => {
    expect(issuesOf({ ALERT_ERROR_RATE: '5' })).toEqual(['ALERT_ERROR_RATE: must be between 0 and 1 (0.05 is 5 %)']);
    expect(issuesOf({ ALERT_BOOKING_SUCCESS: 'most' })[0]).toMatch(/^ALERT_BOOKING_SUCCESS: /);
    expect(issuesOf({ ALERT_CACHED_SHARE: '-0.1' })[0]).toMatch(/^ALERT_CACHED_SHARE: /);
    expect(issuesOf({ ALERT_REPLY_P95_SECONDS: '0' })[0]).toMatch(/^ALERT_REPLY_P95_SECONDS: /);
    expect(issuesOf({ ALERT_WEBHOOK_URL: 'ftp://alerts.example.com' })).toEqual(['ALERT_WEBHOOK_URL: must be an http(s) URL']);
    expect(issuesOf({ ALERT_COOLDOWN_MINUTES: '1.5' })[0]).toMatch(/^ALERT_COOLDOWN_MINUTES: must be an integer/);
    expect(issuesOf({ ALERT_MIN_SAMPLES: '0' })[0]).toMatch(/^ALERT_MIN_SAMPLES: must be at least 1/);
  });
});
