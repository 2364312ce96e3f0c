// GET /metrics after scripted turns through the running app, the real OpenAI agent and the fake model.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { fixture, startHarness, type Harness } from '../support/app-harness.js';
import { startFakeOpenAI, textReply, toolCallReply, usage, type FakeOpenAI } from '../support/fake-openai.js';
import { TEST_PASSKEY } from '../support/test-config.js';
import { until } from '../support/wait.js';
import { parseSamples, valueOf, type Sample } from './prometheus-text.js';

const MODEL = 'gpt-5-mini';

describe('GET /metrics after a turn', () => {
  let openai: FakeOpenAI;
  let h: Harness;

  beforeEach(async () => {
    openai = await startFakeOpenAI();
    const dir = mkdtempSync(join(tmpdir(), 'watibot3-metrics-'));
    writeFileSync(join(dir, 'system_instructions.txt'), 'Eres la asistente de un hotel ficticio.');
    h = await startHarness({
      env: { OPENAI_BASE_URL: openai.url, OPENAI_MODEL: MODEL, SYSTEM_INSTRUCTIONS_PATH: join(dir, 'system_instructions.txt'), HISTORY_IMPORT_MESSAGES: '0' },
      agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
    });
  });
  afterEach(async () => {
    await h.close();
    await openai.close();
  });

  async function scrape(): Promise<{ text: string; samples: Sample[] }> {
    const res = await h.get('/metrics');
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = (res.body as Buffer).toString('utf8');
    return { text, samples: parseSamples(text) };
  }

  it('counts the webhook, the message, the turn, both model calls with their tokens, the tool call and the send', async () => {
    const body = fixture('wati_event_text.json');
    const waId = String(body.waId);
    openai.queue(
      toolCallReply([{ name: 'check_office_status', callId: 'call_m1' }], { usage: usage(1200, 1000, 40, 25) }),
      textReply('¡Hola! Sí, tenemos habitaciones para el sábado.', { usage: usage(1350, 1150, 60, 10) }),
    );
    expect((await h.post('/webhook', body)).status).toBe(200);
    await h.wati.waitForTexts(1, 5_000);
    let samples: Sample[] = [];
    let text = '';
    await until(async () => {
      ({ text, samples } = await scrape());
      return valueOf(samples, 'watibot3_turns_total', { outcome: 'answered' }) === 1;
    }, 'the turn to be counted');

    expect(valueOf(samples, 'watibot3_webhooks_total', { route: '/webhook', status: '200' })).toBe(1);
    expect(samples.filter((s) => s.name === 'watibot3_webhooks_total')).toHaveLength(1);
    expect(valueOf(samples, 'watibot3_messages_accepted_total', { channel: 'whatsapp' })).toBe(1);
    expect(valueOf(samples, 'watibot3_messages_deduplicated_total')).toBeUndefined();
    expect(valueOf(samples, 'watibot3_turns_total', { outcome: 'answered', error_class: 'none' })).toBe(1);
    expect(samples.filter((s) => s.name === 'watibot3_turns_total')).toHaveLength(1);

    expect(valueOf(samples, 'watibot3_model_calls_total', { model: MODEL, outcome: 'ok' })).toBe(2);
    expect(valueOf(samples, 'watibot3_model_call_duration_seconds_count', { model: MODEL })).toBe(2);
    const tokens = (kind: string) => valueOf(samples, 'watibot3_model_tokens_total', { model: MODEL, kind });
    expect([tokens('input'), tokens('cached'), tokens('output'), tokens('reasoning')]).toEqual([2550, 2150, 100, 35]);

    expect(valueOf(samples, 'watibot3_tool_calls_total', { tool: 'check_office_status', outcome: 'ok' })).toBe(1);
    expect(samples.filter((s) => s.name === 'watibot3_tool_calls_total')).toHaveLength(1);
    expect(valueOf(samples, 'watibot3_tool_call_duration_seconds_count', { tool: 'check_office_status' })).toBe(1);
    expect(valueOf(samples, 'watibot3_channel_sends_total', { channel: 'whatsapp', outcome: 'ok' })).toBe(1);
    expect(samples.filter((s) => s.name === 'watibot3_channel_sends_total')).toHaveLength(1);

    // From the guest's message to the reply handed to WATI: at least the quiet period (0.2 s in tests).
    expect(valueOf(samples, 'watibot3_turn_duration_seconds_count')).toBe(1);
    expect(valueOf(samples, 'watibot3_turn_duration_seconds_sum')).toBeGreaterThanOrEqual(0.2);
    expect(valueOf(samples, 'watibot3_turn_duration_seconds_bucket', { le: '+Inf' })).toBe(1);

    // Gauges read from SQLite at scrape time; every job kind the worker runs is listed, at 0.
    expect(valueOf(samples, 'watibot3_pending_conversations')).toBe(0);
    expect(valueOf(samples, 'watibot3_paused_conversations')).toBe(0);
    expect(valueOf(samples, 'watibot3_jobs', { kind: 'wati.update_chat_status', state: 'failed' })).toBe(0);
    expect(valueOf(samples, 'watibot3_bookings_total')).toBeUndefined();
    // The process's default metrics, with the prefix.
    expect(valueOf(samples, 'watibot3_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE watibot3_nodejs_eventloop_lag_seconds gauge');

    // No phone number, conversation id, masked id, name or text anywhere; labels hold only short words.
    // (The masked id's last four digits could occur in a value by chance, e.g. a byte count: looked for in labels only.)
    const guestStrings = [waId, String(body.senderName), String(body.text).slice(0, 10), String(body.id), String(body.conversationId)];
    for (const s of guestStrings) expect(text).not.toContain(s);
    const labelValues = new Set(samples.flatMap((s) => Object.values(s.labels)));
    for (const value of labelValues) expect(value).not.toContain(waId.slice(-4));
    for (const value of labelValues) expect(value).toMatch(/^(?:[a-z0-9_./+-]{1,64}|\d+(?:\.\d+)?|\+Inf)$/i);
    for (const value of labelValues) expect(value).not.toMatch(/\d{5,}/);
  });

  it('counts a repeated delivery as deduplicated, and a refused webhook by its status', async () => {
    const body = fixture('wati_event_text.json');
    openai.queue(textReply('¡Hola!'));
    expect((await h.post('/webhook', body)).status).toBe(200);
    expect((await h.post('/webhook', body)).status).toBe(200);
    expect((await h.post('/webhook', { ...body, passkey: 'wrong' })).status).toBe(401);
    expect((await h.post('/manychat/webhook', {}, { raw: '{not json' })).status).toBe(400);
    await h.wati.waitForTexts(1, 5_000);
    await until(async () => valueOf((await scrape()).samples, 'watibot3_turns_total', { outcome: 'answered' }) === 1, 'the turn to be counted');

    const { samples } = await scrape();
    expect(valueOf(samples, 'watibot3_webhooks_total', { route: '/webhook', status: '200' })).toBe(2);
    expect(valueOf(samples, 'watibot3_webhooks_total', { route: '/webhook', status: '401' })).toBe(1);
    expect(valueOf(samples, 'watibot3_webhooks_total', { route: '/manychat/webhook', status: '400' })).toBe(1);
    expect(valueOf(samples, 'watibot3_messages_accepted_total', { channel: 'whatsapp' })).toBe(1);
    expect(valueOf(samples, 'watibot3_messages_deduplicated_total', { channel: 'whatsapp' })).toBe(1);
    // Scrapes and other routes are not webhooks.
    expect(samples.filter((s) => s.name === 'watibot3_webhooks_total').map((s) => s.labels.route).toSorted()).toEqual(['/manychat/webhook', '/webhook', '/webhook']);
  });

  it('counts a failed turn by its error class and the fallback sent', async () => {
    openai.queue({ type: 'error', status: 401, message: 'bad key' });
    expect((await h.post('/webhook', { waId: '50370009999', userMessage: 'Hola', passkey: TEST_PASSKEY })).status).toBe(200);
    await h.wati.waitForTexts(1, 5_000);
    await until(async () => valueOf((await scrape()).samples, 'watibot3_turns_total', { outcome: 'failed' }) === 1, 'the failed turn to be counted');
    const { samples, text } = await scrape();
    expect(valueOf(samples, 'watibot3_turns_total', { outcome: 'failed', error_class: 'auth_error' })).toBe(1);
    expect(valueOf(samples, 'watibot3_model_calls_total', { model: MODEL, outcome: 'auth_error' })).toBe(1);
    expect(valueOf(samples, 'watibot3_model_tokens_total', { model: MODEL, kind: 'input' })).toBeUndefined();
    expect(valueOf(samples, 'watibot3_channel_sends_total', { channel: 'whatsapp', outcome: 'ok' })).toBe(1);
    expect(valueOf(samples, 'watibot3_turn_duration_seconds_count')).toBe(1);
    expect(text).not.toContain('50370009999');
  });
});
