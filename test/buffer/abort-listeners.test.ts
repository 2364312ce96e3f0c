// Concurrent turns through the real app, the real OpenAI agent and the fake model must not pile abort listeners
// onto one signal: every server printed `MaxListenersExceededWarning: 11 abort listeners added to [AbortSignal]`
// under concurrent turns (issue 22 §5), because the scheduler gave every turn the same shutdown signal and each
// turn's model call, deadlines and sends listened on it. Each turn now has a signal of its own.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { fixture, startHarness, type Harness } from '../support/app-harness.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI } from '../support/fake-openai.js';

const CONVERSATIONS = 16;
const ROUNDS = 14;

describe('abort listeners under concurrent turns', () => {
  let openai: FakeOpenAI;
  let h: Harness;
  const warnings: Error[] = [];
  const onWarning = (w: Error) => void warnings.push(w);

  beforeEach(async () => {
    process.on('warning', onWarning);
    openai = await startFakeOpenAI();
    const dir = mkdtempSync(join(tmpdir(), 'watibot3-listeners-'));
    writeFileSync(join(dir, 'system_instructions.txt'), 'Eres la asistente de un hotel ficticio.');
    h = await startHarness({
      env: {
        OPENAI_BASE_URL: openai.url,
        SYSTEM_INSTRUCTIONS_PATH: join(dir, 'system_instructions.txt'),
        HISTORY_IMPORT_MESSAGES: '0',
        MAX_CONCURRENT_TURNS: String(CONVERSATIONS),
        MAX_TOOL_ROUNDS: String(ROUNDS + 1),
      },
      agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
    });
  });
  afterEach(async () => {
    process.off('warning', onWarning);
    await h.close();
    await openai.close();
  });

  it(`${CONVERSATIONS} guests answered at once: no MaxListenersExceededWarning`, async () => {
    // The model answers slowly, so every turn is in flight at the same time.
    for (let i = 0; i < CONVERSATIONS; i++) openai.queue(textReply(`Respuesta ${i}`, { delayMs: 1_500 }));
    const base = fixture('wati_event_text.json');
    const posts = Array.from({ length: CONVERSATIONS }, (_, i) =>
      h.post('/webhook', { ...base, waId: `5035555${String(1000 + i)}`, id: `listeners-${i}`, whatsappMessageId: `wamid.LISTENERS${i}`, text: `hola ${i}` }),
    );
    for (const res of await Promise.all(posts)) expect(res.status).toBe(200);
    await h.wati.waitForTexts(CONVERSATIONS, 30_000);
    const leaks = warnings.filter((w) => w.name === 'MaxListenersExceededWarning');
    expect(leaks.map((w) => `${w.message}\n${w.stack ?? ''}`)).toEqual([]);
  }, 60_000);

  it(`one turn of ${ROUNDS} tool rounds (a model call and a tool call each): no MaxListenersExceededWarning`, async () => {
    for (let i = 0; i < ROUNDS; i++) openai.queue(toolCallReply([{ name: 'check_office_status', callId: `call_r${i}` }]));
    openai.queue(textReply('Listo.'));
    expect((await h.post('/webhook', fixture('wati_event_text.json'))).status).toBe(200);
    await h.wati.waitForTexts(1, 30_000);
    expect(openai.requests).toHaveLength(ROUNDS + 1);
    const leaks = warnings.filter((w) => w.name === 'MaxListenersExceededWarning');
    expect(leaks.map((w) => `${w.message}\n${w.stack ?? ''}`)).toEqual([]);
  }, 60_000);
});
