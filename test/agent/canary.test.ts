// LLM_CANARY_*: which conversations go to the canary (a stable share by a hash of the conversation id), and
// real turns through the running app, the real agent and two fake model servers on 127.0.0.1 — one per
// configuration — each landing on its side, recorded on agent_turns, in GET /metrics and in the report.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canaryPosition, modelConfigFor } from '../../src/agent/canary.js';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { buildReport } from '../../src/report/build.js';
import { formatHtml } from '../../src/report/html.js';
import { formatText } from '../../src/report/text.js';
import { openReadonlyDatabase } from '../../src/store/database.js';
import { ReportRepository } from '../../src/store/report-repository.js';
import { UsageRepository } from '../../src/store/usage-repository.js';
import { parseSamples, valueOf, type Sample } from '../metrics/prometheus-text.js';
import { fixture, startHarness, type Harness } from '../support/app-harness.js';
import { startFakeOpenAI, textReply, usage, type FakeOpenAI } from '../support/fake-openai.js';
import { until } from '../support/wait.js';
import { makeAgent, testConfig, textMessage, turnOf } from './helpers.js';

const ids = (n: number, prefix = '5037') => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(7, '0')}`);

/** The first id of `candidates` on `side` for `percent`. */
function idOn(side: 'primary' | 'canary', percent: number, candidates = ids(200, '5036')): string {
  const id = candidates.find((c) => modelConfigFor(c, percent) === side);
  if (!id) throw new Error(`no ${side} id among the candidates`);
  return id;
}

describe('canary share', () => {
  it('puts the same conversation on the same side every time, whatever the order of the calls', () => {
    const sample = [...ids(50), 'facebook:123456789', 'instagram:987654321'];
    const first = sample.map((id) => modelConfigFor(id, 30));
    const again = [...sample].reverse().map((id) => modelConfigFor(id, 30)).reverse();
    expect(again).toEqual(first);
    expect(sample.map((id) => canaryPosition(id))).toEqual(sample.map((id) => canaryPosition(id)));
  });

  it('sends about P % of 1,000 conversations to the canary; 0 and 100 exactly none and all', () => {
    const thousand = ids(1000);
    const onCanary = (percent: number) => thousand.filter((id) => modelConfigFor(id, percent) === 'canary').length;
    expect(onCanary(0)).toBe(0);
    expect(onCanary(100)).toBe(1000);
    for (const percent of [5, 10, 25, 50, 90]) {
      // Binomial(1000, P): within ~4 standard deviations.
      const sd = Math.sqrt(1000 * (percent / 100) * (1 - percent / 100));
      expect(Math.abs(onCanary(percent) - percent * 10)).toBeLessThan(4 * sd);
    }
  });

  it('raising the share only moves conversations to the canary, never back', () => {
    for (const id of ids(300)) {
      const at10 = modelConfigFor(id, 10);
      if (at10 === 'canary') expect(modelConfigFor(id, 40)).toBe('canary');
    }
  });
});

describe('canary turns through the real agent', () => {
  it('answers on the canary server with the canary model and records it; the primary server sees nothing', async () => {
    const primary = await startFakeOpenAI();
    const canary = await startFakeOpenAI();
    try {
      const config = testConfig('responses', primary.url, {
        LLM_CANARY_PERCENT: '100',
        LLM_CANARY_MODEL: 'gpt-5-nano',
        LLM_CANARY_API: 'chat_completions',
        LLM_CANARY_BASE_URL: canary.url,
        LLM_CANARY_API_KEY: 'sk-canary-fake',
      });
      const { agent } = makeAgent(config);
      canary.queue(textReply('Hola desde el canario', { usage: usage(100, 0, 10) }));
      const result = await agent.respond(turnOf([textMessage('hola')]));
      expect(result).toMatchObject({ outcome: 'answered', reply: 'Hola desde el canario', config: 'canary' });
      result.commit?.();
      expect(primary.requests).toHaveLength(0);
      expect(canary.requests).toHaveLength(1);
      expect(canary.requests[0]?.path).toBe('/v1/chat/completions');
      expect(canary.requests[0]?.headers.authorization).toBe('Bearer sk-canary-fake');
      expect(canary.requests[0]?.body.model).toBe('gpt-5-nano');
      const turns = agent.store.listTurns(turnOf([]).conversationId);
      expect(turns.map((t) => [t.config, t.model, t.api])).toEqual([['canary', 'gpt-5-nano', 'chat_completions']]);
    } finally {
      await Promise.all([primary.close(), canary.close()]);
    }
  });

  it('fails a canary turn as not_configured when the canary has no key, and says so on readiness', async () => {
    const config = testConfig('responses', 'http://127.0.0.1:9', { OPENAI_API_KEY: '', LLM_CANARY_PERCENT: '100', LLM_CANARY_API_KEY: '' });
    const { agent } = makeAgent(config);
    expect(agent.readiness().reasons.join(' ')).toMatch(/LLM_CANARY_API_KEY/);
    const result = await agent.respond(turnOf([textMessage('hola')]));
    expect(result).toMatchObject({ outcome: 'failed', errorClass: 'not_configured', config: 'canary' });
    result.commit?.();
    expect(agent.store.listTurns(turnOf([]).conversationId).map((t) => [t.config, t.status])).toEqual([['canary', 'failed']]);
  });

  it('with the canary off, every turn is the primary and no canary is built', async () => {
    const fake = await startFakeOpenAI();
    try {
      const { agent } = makeAgent(testConfig('responses', fake.url, { LLM_CANARY_MODEL: 'gpt-5-nano' }));
      fake.queue(textReply('hola'));
      const result = await agent.respond(turnOf([textMessage('hola')]));
      expect(result).toMatchObject({ outcome: 'answered', config: 'primary' });
      expect(fake.requests[0]?.body.model).toBe('gpt-5-mini');
      expect(agent.configFor('50370001234')).toBe('primary');
    } finally {
      await fake.close();
    }
  });
});

describe('canary and primary side by side in the running app', () => {
  const PERCENT = 50;
  let primary: FakeOpenAI;
  let canary: FakeOpenAI;
  let h: Harness;

  beforeEach(async () => {
    primary = await startFakeOpenAI({ fallback: textReply('Respuesta del primario', { usage: usage(1000, 0, 20) }) });
    canary = await startFakeOpenAI({ fallback: textReply('Respuesta del canario', { usage: usage(2000, 0, 40) }) });
    const dir = mkdtempSync(join(tmpdir(), 'watibot3-canary-'));
    writeFileSync(join(dir, 'system_instructions.txt'), 'Eres la asistente de un hotel ficticio.');
    h = await startHarness({
      env: {
        OPENAI_BASE_URL: primary.url,
        OPENAI_MODEL: 'gpt-5-mini',
        LLM_API: 'responses',
        LLM_CANARY_PERCENT: String(PERCENT),
        LLM_CANARY_MODEL: 'gpt-4.1-mini',
        LLM_CANARY_API: 'chat_completions',
        LLM_CANARY_BASE_URL: canary.url,
        SYSTEM_INSTRUCTIONS_PATH: join(dir, 'system_instructions.txt'),
        HISTORY_IMPORT_MESSAGES: '0',
      },
      agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
    });
  });
  afterEach(async () => {
    await h.close();
    await Promise.all([primary.close(), canary.close()]);
  });

  async function samples(): Promise<Sample[]> {
    const res = await h.get('/metrics');
    return parseSamples((res.body as Buffer).toString('utf8'));
  }

  it('each conversation lands on its side, turn after turn; agent_turns, /metrics and the report say which', async () => {
    const onPrimary = idOn('primary', PERCENT);
    const onCanary = idOn('canary', PERCENT);
    let n = 0;
    const send = async (waId: string) => {
      n++;
      const body = { ...fixture('wati_event_text.json'), waId, id: `msg-${n}`, whatsappMessageId: `wamid.CANARY${n}`, text: `hola ${n}` };
      expect((await h.post('/webhook', body)).status).toBe(200);
    };
    // Two turns each: the second one must stay on the conversation's side.
    for (let round = 1; round <= 2; round++) {
      await send(onPrimary);
      await send(onCanary);
      await h.wati.waitForTexts(round, 5_000, onPrimary);
      await h.wati.waitForTexts(round, 5_000, onCanary);
    }
    expect(h.wati.texts.filter((t) => t.waId === onPrimary).map((t) => t.text)).toEqual(['Respuesta del primario', 'Respuesta del primario']);
    expect(h.wati.texts.filter((t) => t.waId === onCanary).map((t) => t.text)).toEqual(['Respuesta del canario', 'Respuesta del canario']);
    expect(primary.requests.map((r) => r.path)).toEqual(['/v1/responses', '/v1/responses']);
    expect(canary.requests.map((r) => [r.path, r.body.model])).toEqual([
      ['/v1/chat/completions', 'gpt-4.1-mini'],
      ['/v1/chat/completions', 'gpt-4.1-mini'],
    ]);
    // Same instructions and the same tools on both sides.
    const primaryTools = (primary.requests[0]?.body.tools as { name: string }[]).map((t) => t.name);
    const canaryTools = (canary.requests[0]?.body.tools as { function: { name: string } }[]).map((t) => t.function.name);
    expect(canaryTools).toEqual(primaryTools);
    expect((canary.requests[0]?.body.messages as { content: string }[])[0]?.content).toBe(primary.requests[0]?.body.instructions);

    let s: Sample[] = [];
    await until(async () => {
      s = await samples();
      return (valueOf(s, 'watibot3_turns_total', { outcome: 'answered', config: 'canary' }) ?? 0) === 2 &&
        (valueOf(s, 'watibot3_turns_total', { outcome: 'answered', config: 'primary' }) ?? 0) === 2;
    }, 'the four turns to be counted');
    expect(valueOf(s, 'watibot3_model_calls_total', { model: 'gpt-5-mini', outcome: 'ok', config: 'primary' })).toBe(2);
    expect(valueOf(s, 'watibot3_model_calls_total', { model: 'gpt-4.1-mini', outcome: 'ok', config: 'canary' })).toBe(2);
    const configLabels = new Set(s.filter((x) => x.name === 'watibot3_turns_total' || x.name === 'watibot3_model_calls_total').map((x) => x.labels.config));
    expect([...configLabels].toSorted()).toEqual(['canary', 'primary']);

    const db = openReadonlyDatabase(h.config.dbPath);
    try {
      const rows = db.prepare('SELECT conversation_id AS id, config, model, api FROM agent_turns ORDER BY id').all() as { id: string; config: string; model: string; api: string }[];
      expect(rows.filter((r) => r.id === onPrimary).map((r) => [r.config, r.model, r.api])).toEqual([
        ['primary', 'gpt-5-mini', 'responses'],
        ['primary', 'gpt-5-mini', 'responses'],
      ]);
      expect(rows.filter((r) => r.id === onCanary).map((r) => [r.config, r.model, r.api])).toEqual([
        ['canary', 'gpt-4.1-mini', 'chat_completions'],
        ['canary', 'gpt-4.1-mini', 'chat_completions'],
      ]);

      const now = Date.now();
      const report = buildReport(
        { usage: new UsageRepository(db), records: new ReportRepository(db), timeZone: 'America/El_Salvador', mask: (id) => id, now: () => now },
        { since: now - 3_600_000, until: now + 60_000 },
      );
      expect(report.byConfig.map((c) => [c.config, c.models, c.turns, c.failedTurns, c.calls])).toEqual([
        ['primary', ['gpt-5-mini'], 2, 0, 2],
        ['canary', ['gpt-4.1-mini'], 2, 0, 2],
      ]);
      expect(report.byConfig.every((c) => c.costUsd > 0)).toBe(true);
      expect(formatText(report)).toMatch(/canary\s+gpt-4\.1-mini\s+2\s+0\s+2\s+US\$/);
      expect(formatHtml(report)).toContain('<td>canary</td><td>gpt-4.1-mini</td>');
    } finally {
      db.close();
    }
  });
});
