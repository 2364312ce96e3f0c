// deploy/prometheus/watibot3-rules.yml: checked by promtool where it is installed (`promtool check rules`, and
// the unit tests in watibot3-rules.test.yml with `promtool test rules`); CI installs Debian's `prometheus`
// package, so under CI=true a missing promtool fails. Everywhere, the YAML is parsed and every rule's
// structure, thresholds and metric names are checked against what src/metrics registers.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import type { TurnOutcome } from '../../src/metrics/service-metrics.js';
import { CHECK_NAMES, PROMETHEUS_ALERTS, PROMETHEUS_DEGRADED_ALERT } from '../../src/monitoring/checks.js';
import { MetricsRepository } from '../../src/store/metrics-repository.js';
import { openMigratedDatabase } from '../support/test-db.js';

const RULES_PATH = fileURLToPath(new URL('../../deploy/prometheus/watibot3-rules.yml', import.meta.url));
const RULES_TEST_PATH = fileURLToPath(new URL('../../deploy/prometheus/watibot3-rules.test.yml', import.meta.url));
const promtoolAvailable = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function loadRules(): Rule[] {
  const doc = parse(readFileSync(RULES_PATH, 'utf8')) as { groups?: unknown };
  expect(Array.isArray(doc.groups) && doc.groups.length > 0, 'the file has groups').toBe(true);
  return (doc.groups as { name?: unknown; rules?: unknown }[]).flatMap((group) => {
    expect(typeof group.name).toBe('string');
    expect(Array.isArray(group.rules) && group.rules.length > 0, `group ${String(group.name)} has rules`).toBe(true);
    return group.rules as Rule[];
  });
}

/** A metrics registry like the service's, with every series the rules select recorded once. */
async function registeredSeries() {
  const metrics = createMetrics({
    repository: new MetricsRepository(openMigratedDatabase(':memory:')),
    models: ['gpt-5'],
    jobKinds: () => [],
    pauseMs: 3600_000,
    now: () => Date.now(),
    log: pino({ level: 'silent' }),
  });
  for (const outcome of ['answered', 'failed', 'undelivered', 'held'] as TurnOutcome[]) metrics.turn(outcome, outcome === 'answered' || outcome === 'held' ? undefined : 'timeout');
  metrics.turnDuration(3);
  for (const outcome of ['booked', 'pending', 'failed', 'error', 'repeated', 'payment_rejected']) metrics.booking(outcome);
  metrics.modelCall('gpt-5', 'ok', 1, { inputTokens: 100, cachedTokens: 50, outputTokens: 10, reasoningTokens: 5 });
  const json = await metrics.registry.getMetricsAsJSON();
  const names = new Set<string>();
  const labelValues = new Map<string, Set<string>>(); // `metric\0label` → values seen
  for (const metric of json) {
    // prom-client types `type` as an enum; at run time it is the exposition's word.
    const series = (metric.type as unknown as string) === 'histogram' ? ['_bucket', '_count', '_sum'].map((s) => metric.name + s) : [metric.name];
    for (const name of series) names.add(name);
    for (const value of metric.values) {
      for (const [label, v] of Object.entries(value.labels)) {
        for (const name of series) {
          const key = `${name}\u0000${label}`;
          labelValues.set(key, (labelValues.get(key) ?? new Set()).add(String(v)));
        }
      }
    }
  }
  return { names, labelValues };
}

describe('deploy/prometheus/watibot3-rules.yml', () => {
  it.runIf(promtoolAvailable)('passes promtool check rules and its unit tests', () => {
    const check = spawnSync('promtool', ['check', 'rules', RULES_PATH], { encoding: 'utf8' });
    expect(check.status, `${check.stdout}\n${check.stderr}`).toBe(0);
    expect(check.stdout).toContain('SUCCESS: 5 rules found');
    const unit = spawnSync('promtool', ['test', 'rules', RULES_TEST_PATH], { encoding: 'utf8' });
    expect(unit.status, `${unit.stdout}\n${unit.stderr}`).toBe(0);
  });

  it('promtool is installed in CI (Debian package prometheus)', () => {
    if (process.env.CI === 'true') expect(promtoolAvailable, 'CI must install promtool: apt-get install prometheus').toBe(true);
  });

  it('has one warning rule per check, at the ALERT_* defaults, and a critical one for two or more', () => {
    const rules = loadRules();
    const defaults = loadConfig({}).monitoring;
    for (const rule of rules) {
      expect(Object.keys(rule).every((k) => ['alert', 'expr', 'for', 'labels', 'annotations', 'keep_firing_for'].includes(k)), rule.alert).toBe(true);
      expect(rule.alert).toMatch(/^Watibot[A-Z][A-Za-z]+$/);
      expect(typeof rule.expr === 'string' && rule.expr.trim() !== '', rule.alert).toBe(true);
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels.severity);
      expect(typeof rule.annotations.summary, rule.alert).toBe('string');
      expect(typeof rule.annotations.description, rule.alert).toBe('string');
    }
    expect(rules.map((r) => r.alert).toSorted()).toEqual([...Object.values(PROMETHEUS_ALERTS), PROMETHEUS_DEGRADED_ALERT].toSorted());

    const byCheck = (name: (typeof CHECK_NAMES)[number]) => rules.find((r) => r.alert === PROMETHEUS_ALERTS[name]) as Rule;
    for (const name of CHECK_NAMES) {
      expect(byCheck(name).labels).toEqual({ severity: 'warning', check: name });
      expect(byCheck(name).expr, name).toMatch(new RegExp(`>= ${defaults.minSamples}\\s*$`));
    }
    const flat = (rule: Rule) => rule.expr.replace(/\s+/g, ' ');
    expect(flat(byCheck('reply_time'))).toContain(`histogram_quantile(0.95, sum by (le) (rate(watibot3_turn_duration_seconds_bucket[15m]))) > ${defaults.replyP95Ms / 1000} `);
    expect(flat(byCheck('error_rate'))).toContain(`) > ${defaults.errorRate} `);
    expect(flat(byCheck('booking_success'))).toContain(`) < ${defaults.bookingSuccess} `);
    expect(flat(byCheck('booking_success'))).toContain('[1d]');
    expect(flat(byCheck('cached_share'))).toContain(`) < ${defaults.cachedShare} `);

    const degraded = rules.find((r) => r.alert === PROMETHEUS_DEGRADED_ALERT) as Rule;
    expect(degraded.labels.severity).toBe('critical');
    for (const alert of Object.values(PROMETHEUS_ALERTS)) expect(degraded.expr).toContain(alert);
    expect(flat(degraded)).toMatch(/\) >= 2\s*$/);
  });

  it('uses only metrics src/metrics registers, with label values it records', async () => {
    const { names, labelValues } = await registeredSeries();
    const used = new Set<string>();
    for (const rule of loadRules()) {
      for (const [, metric] of rule.expr.matchAll(/\b(watibot3_[a-z0-9_]+)/g)) used.add(metric as string);
      // Every `label="a|b"` matcher of a watibot3 selector names values the registry records (not clipped to `other`).
      for (const [, metric, matchers] of rule.expr.matchAll(/\b(watibot3_[a-z0-9_]+)\{([^}]*)\}/g)) {
        for (const [, label, values] of (matchers as string).matchAll(/(\w+)\s*=~?\s*"([^"]*)"/g)) {
          for (const value of (values as string).split('|')) {
            expect(labelValues.get(`${metric}\u0000${label}`), `${metric}{${label}="${value}"} in ${rule.alert}`).toContain(value);
          }
        }
      }
    }
    expect([...used].toSorted()).toEqual([
      'watibot3_bookings_total',
      'watibot3_model_calls_total',
      'watibot3_model_tokens_total',
      'watibot3_turn_duration_seconds_bucket',
      'watibot3_turn_duration_seconds_count',
      'watibot3_turns_total',
    ]);
    for (const metric of used) expect(names, metric).toContain(metric);
  });
});
