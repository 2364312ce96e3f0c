// The `config` label of watibot3_turns_total and watibot3_model_calls_total: primary or canary, nothing else.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ModelConfigName } from '../../src/core/model-config.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { MetricsRepository } from '../../src/store/metrics-repository.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { parseSamples, valueOf } from './prometheus-text.js';

describe('metrics: the model configuration label', () => {
  it('labels turns and model calls primary or canary; unset is primary; no third value', async () => {
    const db = openMigratedDatabase(':memory:');
    const metrics = createMetrics({
      repository: new MetricsRepository(db),
      models: ['gpt-5-mini', 'gpt-4.1-mini'],
      jobKinds: () => [],
      pauseMs: 3_600_000,
      now: () => Date.now(),
      log: pino({ level: 'silent' }),
    });
    metrics.turn('answered', undefined);
    metrics.turn('answered', undefined, 'canary');
    metrics.turn('failed', 'timeout', 'canary');
    metrics.turn('held', undefined, 'evil' as ModelConfigName);
    metrics.modelCall('gpt-5-mini', 'ok', 1, undefined);
    metrics.modelCall('gpt-4.1-mini', 'ok', 1, undefined, 'canary');
    metrics.modelCall('gpt-4.1-mini', 'rate_limited', 1, undefined, 'canary');
    const s = parseSamples(await metrics.scrape());
    expect(valueOf(s, 'watibot3_turns_total', { outcome: 'answered', config: 'primary' })).toBe(1);
    expect(valueOf(s, 'watibot3_turns_total', { outcome: 'answered', config: 'canary' })).toBe(1);
    expect(valueOf(s, 'watibot3_turns_total', { outcome: 'failed', error_class: 'timeout', config: 'canary' })).toBe(1);
    expect(valueOf(s, 'watibot3_turns_total', { outcome: 'held', config: 'primary' })).toBe(1);
    expect(valueOf(s, 'watibot3_model_calls_total', { model: 'gpt-5-mini', outcome: 'ok', config: 'primary' })).toBe(1);
    expect(valueOf(s, 'watibot3_model_calls_total', { model: 'gpt-4.1-mini', outcome: 'rate_limited', config: 'canary' })).toBe(1);
    const labels = new Set(s.filter((x) => x.name === 'watibot3_turns_total' || x.name === 'watibot3_model_calls_total').map((x) => x.labels.config));
    expect([...labels].toSorted()).toEqual(['canary', 'primary']);
    db.close();
  });
});
