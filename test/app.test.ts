// End to end: real HTTP routes, the real agent and the real openai SDK, against fake WATI, ManyChat and
// OpenAI servers on loopback — in both LLM_API modes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiAgent } from '../src/agent/openai-agent.js';
import { startHarness, type Harness } from './support/app-harness.js';
import {
  rateLimitError,
  serverError,
  startFakeOpenAI,
  textReply,
  toolCallReply,
  usage,
  type FakeOpenAI,
  type RecordedRequest,
} from './support/fake-openai.js';
import { TEST_PASSKEY } from './support/test-config.js';

const INSTRUCTIONS = 'Eres Marina, la asistente de un hotel de playa ficticio. Responde en español.';

type Api = 'responses' | 'chat_completions';
type Item = Record<string, unknown>;

/** The conversation part of a request: Responses `input`, or Chat `messages` without the system prompt. */
function conversationOf(api: Api, req: RecordedRequest): Item[] {
  if (api === 'responses') return req.body.input as Item[];
  return (req.body.messages as Item[]).slice(1);
}

function instructionsOf(api: Api, req: RecordedRequest): unknown {
  if (api === 'responses') return req.body.instructions;
  return (req.body.messages as Item[])[0];
}

/** call ids of tool outputs and of the calls they answer, as sent to the model. */
function callPairs(api: Api, items: Item[]): { calls: string[]; outputs: string[] } {
  if (api === 'responses') {
    return {
      calls: items.filter((i) => i.type === 'function_call').map((i) => i.call_id as string),
      outputs: items.filter((i) => i.type === 'function_call_output').map((i) => i.call_id as string),
    };
  }
  return {
    calls: items.flatMap((m) => ((m.tool_calls as Item[] | undefined) ?? []).map((c) => c.id as string)),
    outputs: items.filter((m) => m.role === 'tool').map((m) => m.tool_call_id as string),
  };
}

function dbRows<T>(dbPath: string, sql: string): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each<Api>(['responses', 'chat_completions'])('end to end with LLM_API=%s', (api) => {
  let openai: FakeOpenAI;
  let h: Harness;

  beforeEach(async () => {
    openai = await startFakeOpenAI();
    const dir = mkdtempSync(join(tmpdir(), 'watibot3-e2e-'));
    writeFileSync(join(dir, 'system_instructions.txt'), INSTRUCTIONS);
    h = await startHarness({
      env: {
        OPENAI_BASE_URL: openai.url,
        OPENAI_MODEL: 'gpt-5-mini',
        LLM_API: api,
        LLM_OPENAI_DIALECT: 'on',
        SYSTEM_INSTRUCTIONS_PATH: join(dir, 'system_instructions.txt'),
        FALLBACK_REPLY: 'Disculpe, un asesor le atenderá en breve.',
      },
      agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
    });
  });
  afterEach(async () => {
    await h.close();
    await openai.close();
  });

  const say = (waId: string, text: string) => h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });

  it('answers a WATI message end to end, statelessly', async () => {
    openai.queue(textReply('¡Hola! Con gusto le ayudo con su reserva.', { usage: usage(1500, 1024, 20, 5) }));
    await say('50373000001', 'Hola, quiero reservar');
    expect(await h.wati.waitForTexts(1, 5_000, '50373000001')).toEqual(['¡Hola! Con gusto le ayudo con su reserva.']);

    const [req] = openai.requests;
    expect(req!.path).toBe(api === 'responses' ? '/v1/responses' : '/v1/chat/completions');
    expect(req!.body.store).toBe(false);
    expect(req!.body.previous_response_id).toBeUndefined();
    expect(req!.body.conversation).toBeUndefined();
    expect(JSON.stringify(instructionsOf(api, req!))).toContain(INSTRUCTIONS);
    const last = conversationOf(api, req!).at(-1)!;
    expect(JSON.stringify(last)).toContain('Hola, quiero reservar');
    expect(req!.headers.authorization).toBe('Bearer sk-test');

    await sleep(100);
    const calls = dbRows<{ input_tokens: number; cached_tokens: number; output_tokens: number; reasoning_tokens: number }>(
      h.config.dbPath,
      'SELECT input_tokens, cached_tokens, output_tokens, reasoning_tokens FROM model_calls',
    );
    expect(calls).toEqual([{ input_tokens: 1500, cached_tokens: 1024, output_tokens: 20, reasoning_tokens: 5 }]);
  });

  it('runs check_office_status and sends the model its output under the same call_id', async () => {
    openai.queue(
      toolCallReply([{ name: 'check_office_status', arguments: {}, callId: 'call_office_1' }]),
      textReply('Nuestra oficina de reservas le atenderá en este chat.'),
    );
    await say('50373000002', '¿Pueden confirmar mi reserva ya?');
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['Nuestra oficina de reservas le atenderá en este chat.']);
    expect(openai.requests).toHaveLength(2);

    const second = conversationOf(api, openai.requests[1]!);
    const pairs = callPairs(api, second);
    expect(pairs).toEqual({ calls: ['call_office_1'], outputs: ['call_office_1'] });
    const output = second.find((i) => i.type === 'function_call_output' || i.role === 'tool')!;
    const result = JSON.parse((output.output ?? output.content) as string) as Record<string, unknown>;
    expect(result).toEqual({
      office_status: expect.stringMatching(/^(open|closed)$/),
      reason: expect.any(String),
      can_automate: expect.any(Boolean),
      automation_reason: expect.any(String),
      closure_rules: 'config',
    });
    // The guest only ever sees the final text.
    expect(h.wati.sentTexts()).toHaveLength(1);
  });

  it("carries the first turn's items into the second turn, after the same instructions", async () => {
    openai.queue(
      toolCallReply([{ name: 'check_office_status', callId: 'call_a' }]),
      textReply('La oficina está disponible.'),
      textReply('El check-in es desde las 15:00.'),
    );
    await say('50373000003', '¿Está abierta la oficina?');
    await h.wati.waitForTexts(1, 5_000);
    await say('50373000003', '¿A qué hora es el check-in?');
    await h.wati.waitForTexts(2, 5_000);

    const [, firstFinal, secondTurn] = openai.requests;
    expect(instructionsOf(api, secondTurn!)).toEqual(instructionsOf(api, firstFinal!));
    expect(secondTurn!.body.tools).toEqual(firstFinal!.body.tools);
    const items = JSON.stringify(conversationOf(api, secondTurn!));
    for (const text of ['¿Está abierta la oficina?', 'call_a', 'La oficina está disponible.', '¿A qué hora es el check-in?']) {
      expect(items).toContain(text);
    }
    expect(items.indexOf('La oficina está disponible.')).toBeLessThan(items.indexOf('¿A qué hora es el check-in?'));
  });

  it('keeps the history within HISTORY_MAX_TOKENS without orphan tool outputs', async () => {
    await h.close();
    const dir = mkdtempSync(join(tmpdir(), 'watibot3-e2e-'));
    writeFileSync(join(dir, 'system_instructions.txt'), INSTRUCTIONS);
    h = await startHarness({
      env: {
        OPENAI_BASE_URL: openai.url,
        LLM_API: api,
        LLM_OPENAI_DIALECT: 'on',
        SYSTEM_INSTRUCTIONS_PATH: join(dir, 'system_instructions.txt'),
        HISTORY_MAX_TOKENS: '300',
      },
      agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
    });
    const long = 'Le cuento los detalles de nuestras instalaciones y servicios con mucho gusto. '.repeat(6);
    for (let turn = 0; turn < 6; turn++) {
      openai.queue(toolCallReply([{ name: 'check_office_status', callId: `call_${turn}` }]), textReply(`${turn}: ${long}`));
      await say('50373000004', `Pregunta número ${turn}`);
      await h.wati.waitForTexts(turn + 1, 5_000);
    }
    const lastTurn = openai.requests.at(-2)!; // the last turn's first call
    const items = conversationOf(api, lastTurn);
    const text = JSON.stringify(items);
    expect(text).not.toContain('Pregunta número 0'); // the oldest turns were trimmed
    expect(text).toContain('Pregunta número 5');
    for (const req of openai.requests) {
      const conv = conversationOf(api, req);
      const { calls, outputs } = callPairs(api, conv);
      for (const id of outputs) expect(calls, `orphan output ${id}`).toContain(id);
      const first = conv[0]!;
      expect(first.type === 'function_call_output' || first.role === 'tool').toBe(false);
    }
  });

  it('gives one reply when the model answers 429 and then succeeds', async () => {
    openai.queue(rateLimitError({ retryAfterMs: 50 }), textReply('Aquí estoy.'));
    await say('50373000005', 'Hola');
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['Aquí estoy.']);
    await sleep(200);
    expect(h.wati.sentTexts()).toEqual(['Aquí estoy.']);
    expect(openai.requests).toHaveLength(2);
  });

  it('sends exactly one fallback and records a failed batch when the model keeps failing', async () => {
    openai.setFallback(serverError(500));
    await say('50373000006', 'Hola');
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['Disculpe, un asesor le atenderá en breve.']);
    await sleep(300);
    expect(h.wati.sentTexts()).toHaveLength(1);
    expect(openai.requests.length).toBeGreaterThan(1);
    expect(openai.requests.length).toBeLessThanOrEqual(4);
    const batches = dbRows<{ status: string; error_class: string }>(h.config.dbPath, 'SELECT status, error_class FROM batches');
    expect(batches).toEqual([{ status: 'failed', error_class: 'server_error' }]);
  });
});
