// createMetrics on its own: labels clipped to fixed sets, gauges read from SQLite at scrape time, one
// registry per service.
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/core/messages.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { BufferStore } from '../../src/store/buffer-store.js';
import type { Db } from '../../src/store/database.js';
import { SqliteJobQueue } from '../../src/store/jobs-repository.js';
import { MetricsRepository } from '../../src/store/metrics-repository.js';
import { PauseRepository } from '../../src/store/pause-repository.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { parseSamples, valueOf } from './prometheus-text.js';

const HOUR = 3600_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');

function message(conversationId: string, text: string): InboundMessage {
  return { conversationId, channel: 'whatsapp', externalUserId: conversationId, kind: 'text', text } as InboundMessage;
}

describe('createMetrics', () => {
  let db: Db;
  let metrics: Metrics;
  const build = () =>
    createMetrics({
      repository: new MetricsRepository(db),
      models: ['gpt-5-mini'],
      jobKinds: () => ['guest.notice', 'wati.assign_operator'],
      pauseMs: 12 * HOUR,
      now: () => NOW,
      log: pino({ level: 'silent' }),
    });
  const samples = async (m: Metrics = metrics) => parseSamples(await m.scrape());

  beforeEach(() => {
    db = openMigratedDatabase(':memory:');
    metrics = build();
  });
  afterEach(() => {
    if (db.open) db.close();
  });

  it('clips every label to its fixed set: unknown values become `other`', async () => {
    metrics.webhook('/webhook/../x', 200);
    metrics.webhook('/webhook', 9999);
    metrics.turn('failed', 'Error: connect ECONNREFUSED 10.0.0.1:443');
    metrics.turn('answered', undefined);
    metrics.modelCall('some-other-model', 'weird_error', 1.5, { inputTokens: 10, cachedTokens: 0, outputTokens: 2, reasoningTokens: 0 });
    metrics.toolCall('other', 'handler_error', 0.1);
    metrics.toolCall('check_office_status', 'something new', 0.1);
    metrics.jobFinished('old.kind', 'done');
    metrics.jobFinished('guest.notice', 'retried');
    metrics.booking('sold_out');
    metrics.booking('free text from somewhere');
    metrics.messages('whatsapp', 'accepted', 3);
    metrics.messages('whatsapp', 'deduplicated', 0);
    const s = await samples();
    expect(valueOf(s, 'watibot3_webhooks_total', { route: 'other', status: '200' })).toBe(1);
    expect(valueOf(s, 'watibot3_webhooks_total', { route: '/webhook', status: 'other' })).toBe(1);
    expect(valueOf(s, 'watibot3_turns_total', { outcome: 'failed', error_class: 'other' })).toBe(1);
    expect(valueOf(s, 'watibot3_turns_total', { outcome: 'answered', error_class: 'none' })).toBe(1);
    expect(valueOf(s, 'watibot3_model_calls_total', { model: 'other', outcome: 'other' })).toBe(1);
    expect(valueOf(s, 'watibot3_model_tokens_total', { model: 'other', kind: 'input' })).toBe(10);
    expect(valueOf(s, 'watibot3_tool_calls_total', { tool: 'other', outcome: 'handler_error' })).toBe(1);
    expect(valueOf(s, 'watibot3_tool_calls_total', { tool: 'check_office_status', outcome: 'other' })).toBe(1);
    expect(valueOf(s, 'watibot3_jobs_finished_total', { kind: 'other', outcome: 'done' })).toBe(1);
    expect(valueOf(s, 'watibot3_jobs_finished_total', { kind: 'guest.notice', outcome: 'retried' })).toBe(1);
    expect(valueOf(s, 'watibot3_bookings_total', { outcome: 'sold_out' })).toBe(1);
    expect(valueOf(s, 'watibot3_bookings_total', { outcome: 'other' })).toBe(1);
    expect(valueOf(s, 'watibot3_messages_accepted_total', { channel: 'whatsapp' })).toBe(3);
    expect(valueOf(s, 'watibot3_messages_deduplicated_total')).toBeUndefined();
  });

  it('computes pending conversations, paused conversations and jobs by kind and state from SQLite at scrape time', async () => {
    let s = await samples();
    expect(valueOf(s, 'watibot3_pending_conversations')).toBe(0);
    expect(valueOf(s, 'watibot3_jobs', { kind: 'guest.notice', state: 'pending' })).toBe(0);

    const store = new BufferStore(db);
    store.accept([message('50370000001', 'hola')], NOW);
    store.accept([message('50370000001', 'otra vez')], NOW);
    store.accept([message('50370000002', 'buenas')], NOW);
    const pauses = new PauseRepository(db);
    pauses.pause('50370000001', 'handoff', NOW - HOUR, null);
    pauses.pause('50370000003', 'operator', NOW - 13 * HOUR, 'Ana'); // past BOT_PAUSE_HOURS: no longer paused
    pauses.pause('50370000004', 'admin', NOW - 2 * HOUR, null);
    pauses.resume('50370000004', 'admin', NOW - HOUR);
    const jobs = new SqliteJobQueue(db);
    for (let i = 0; i < 3; i++) jobs.enqueue({ kind: 'guest.notice', payload: {}, maxAttempts: 3 }, NOW);
    const failed = jobs.enqueue({ kind: 'wati.assign_operator', payload: {}, maxAttempts: 1 }, NOW);
    jobs.fail(failed, NOW, 'rejected', undefined);
    jobs.enqueue({ kind: 'a.kind.no.longer.registered', payload: {}, maxAttempts: 1 }, NOW);

    s = await samples();
    expect(valueOf(s, 'watibot3_pending_conversations')).toBe(2);
    expect(valueOf(s, 'watibot3_paused_conversations')).toBe(1);
    expect(valueOf(s, 'watibot3_jobs', { kind: 'guest.notice', state: 'pending' })).toBe(3);
    expect(valueOf(s, 'watibot3_jobs', { kind: 'guest.notice', state: 'failed' })).toBe(0);
    expect(valueOf(s, 'watibot3_jobs', { kind: 'wati.assign_operator', state: 'failed' })).toBe(1);
    expect(valueOf(s, 'watibot3_jobs', { kind: 'other', state: 'pending' })).toBe(1);
    expect(s.filter((x) => x.name === 'watibot3_jobs')).toHaveLength(9);

    store.claimBatch('50370000002', NOW);
    expect(valueOf(await samples(), 'watibot3_pending_conversations')).toBe(1);
  });

  it('a scrape after the database closed still answers, the gauges at their last value', async () => {
    new BufferStore(db).accept([message('50370000001', 'hola')], NOW);
    expect(valueOf(await samples(), 'watibot3_pending_conversations')).toBe(1);
    metrics.booking('booked');
    db.close();
    const s = await samples();
    expect(valueOf(s, 'watibot3_pending_conversations')).toBe(1);
    expect(valueOf(s, 'watibot3_jobs', { kind: 'guest.notice', state: 'pending' })).toBe(0);
    expect(valueOf(s, 'watibot3_bookings_total', { outcome: 'booked' })).toBe(1);
  });

  it('each service has its own registry (never the global one); the process metrics appear in every one', async () => {
    const second = build();
    metrics.channelSend('whatsapp', 'ok');
    expect(valueOf(await samples(), 'watibot3_channel_sends_total', { channel: 'whatsapp', outcome: 'ok' })).toBe(1);
    expect(valueOf(await samples(second), 'watibot3_channel_sends_total')).toBeUndefined();
    const { register } = await import('prom-client');
    expect(await register.metrics()).not.toContain('watibot3_');
    for (const m of [metrics, second]) {
      expect(valueOf(await samples(m), 'watibot3_process_start_time_seconds')).toBeGreaterThan(0);
    }
  });
});
