// The agent loop through the real openai SDK against the fake server, in both LLM_API modes.
import { utimesSync, writeFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentResult } from '../../src/agent/types.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import {
  contextLengthError,
  errorReply,
  rateLimitError,
  serverError,
  startFakeOpenAI,
  textReply,
  toolCallReply,
  usage,
  type FakeOpenAI,
  type FakeReply,
  type RecordedRequest,
} from '../support/fake-openai.js';
import { makeAgent, testConfig, textMessage, turnOf, WA_ID } from './helpers.js';

type Api = 'responses' | 'chat_completions';
type Obj = Record<string, unknown>;

const asArray = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** The request's conversation: Responses `input`, or chat `messages` without the leading system one. */
function conversationOf(api: Api, req: RecordedRequest): Obj[] {
  return api === 'responses' ? asArray(req.body.input) : asArray(req.body.messages).slice(1);
}

function instructionsOf(api: Api, req: RecordedRequest): unknown {
  return api === 'responses' ? req.body.instructions : asArray(req.body.messages)[0]?.content;
}

function outputsOf(api: Api, req: RecordedRequest): { callId: unknown; output: unknown }[] {
  return api === 'responses'
    ? conversationOf(api, req)
        .filter((i) => i.type === 'function_call_output')
        .map((i) => ({ callId: i.call_id, output: i.output }))
    : conversationOf(api, req)
        .filter((m) => m.role === 'tool')
        .map((m) => ({ callId: m.tool_call_id, output: m.content }));
}

function callIdsOf(api: Api, req: RecordedRequest): unknown[] {
  return api === 'responses'
    ? conversationOf(api, req)
        .filter((i) => i.type === 'function_call')
        .map((i) => i.call_id)
    : conversationOf(api, req).flatMap((m) => asArray(m.tool_calls).map((c) => c.id));
}

function textsOf(api: Api, req: RecordedRequest): string[] {
  return conversationOf(api, req).map((m) => {
    const content = m.content;
    if (typeof content === 'string') return content;
    return asArray(content)
      .map((c) => (typeof c.text === 'string' ? c.text : ''))
      .join('');
  });
}

function expectAnswered(result: AgentResult): asserts result is Extract<AgentResult, { outcome: 'answered' }> {
  expect(result.outcome).toBe('answered');
}

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

describe.each<Api>(['responses', 'chat_completions'])('OpenAI agent (%s)', (api) => {
  const endpoint = api === 'responses' ? '/v1/responses' : '/v1/chat/completions';

  it('runs a check_office_status round trip and replies with the final text', async () => {
    const h = makeAgent(testConfig(api, fake.url));
    fake.queue(toolCallReply([{ name: 'check_office_status', callId: 'call_abc' }]), textReply('La oficina está abierta.'));

    const result = await h.agent.respond(turnOf([textMessage('¿Está abierta la oficina?')]));
    expectAnswered(result);
    expect(result.reply).toBe('La oficina está abierta.');
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests.every((r) => r.path === endpoint)).toBe(true);

    const second = fake.requests[1] as RecordedRequest;
    const outputs = outputsOf(api, second);
    expect(outputs).toHaveLength(1);
    expect(outputs[0]?.callId).toBe('call_abc');
    const status = JSON.parse(String(outputs[0]?.output)) as Obj;
    expect(status).toMatchObject({ office_status: 'open', can_automate: false });
    expect(Object.keys(status).sort()).toEqual(['automation_reason', 'can_automate', 'closure_rules', 'office_status', 'reason']);
    expect(callIdsOf(api, second)).toEqual(['call_abc']);

    for (const req of fake.requests) {
      expect(req.body.store).toBe(false);
      expect(req.body.previous_response_id).toBeUndefined();
      expect(req.body.conversation).toBeUndefined();
      // Routed by the static prefix (model, instructions, tools), one bucket: wb3-<24 hex>-0.
      expect(req.body.prompt_cache_key).toMatch(/^wb3-[0-9a-f]{24}-0$/);
      expect(String(req.body.prompt_cache_key)).not.toContain(WA_ID);
    }
    expect(instructionsOf(api, fake.requests[0] as RecordedRequest)).toBe(instructionsOf(api, second));
    expect(JSON.stringify(fake.requests[0]?.body.tools)).toBe(JSON.stringify(second.body.tools));

    result.commit?.();
    const store = new ConversationStore(h.db);
    expect(store.listItems(WA_ID).map((s) => s.item.kind)).toEqual([
      'developer',
      'user',
      'function_call',
      'function_output',
      'assistant',
    ]);
  });

  it('sends the date note and the batch, one line per message, after the history', async () => {
    const h = makeAgent(testConfig(api, fake.url));
    fake.queue(textReply('¡Hola Ana!'));
    const image = { ...textMessage('mi habitación'), kind: 'image' as const };
    await h.agent.respond(turnOf([textMessage('Hola'), image, textMessage('¿precio?')]));
    const texts = textsOf(api, fake.requests[0] as RecordedRequest);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe(
      'Contexto del turno: hoy es martes 2026-03-03, hora actual 10:00 (America/El_Salvador). ' +
        'Canal de la conversación: WhatsApp.',
    );
    expect(texts[1]).toBe('Hola\n(User sent an image with caption: mi habitación)\n¿precio?');
    const roles = conversationOf(api, fake.requests[0] as RecordedRequest).map((m) => m.role);
    expect(roles).toEqual(api === 'responses' ? ['developer', 'user'] : ['system', 'user']);
  });

  it("carries the first turn's items into the second turn after the same instructions", async () => {
    const h = makeAgent(testConfig(api, fake.url));
    fake.queue(toolCallReply([{ name: 'check_office_status', callId: 'call_1' }]), textReply('Abierta.'));
    const first = await h.agent.respond(turnOf([textMessage('¿Abierto?')]));
    first.commit?.();
    const firstFinal = fake.requests[1] as RecordedRequest;

    fake.queue(textReply('De nada.'));
    const second = await h.agent.respond(turnOf([textMessage('Gracias')]));
    expectAnswered(second);
    second.commit?.();
    const req = fake.requests[2] as RecordedRequest;

    expect(instructionsOf(api, req)).toBe(instructionsOf(api, firstFinal));
    const prior = conversationOf(api, firstFinal);
    const now = conversationOf(api, req);
    // The first turn's final request is a prefix of the second turn's request (cache friendly) …
    expect(now.slice(0, prior.length)).toEqual(prior);
    // … followed by the first turn's answer, then this turn's note and message.
    const rest = now.slice(prior.length);
    expect(rest).toHaveLength(3);
    expect(textsOf(api, req).slice(-3)).toEqual(['Abierta.', expect.stringContaining('Contexto del turno'), 'Gracias']);
    expect(outputsOf(api, req).map((o) => o.callId)).toEqual(['call_1']);
  });

  it('retries a 429 and gives one reply', async () => {
    const h = makeAgent(testConfig(api, fake.url));
    fake.queue(rateLimitError({ retryAfterMs: 5 }), textReply('Listo.'));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expectAnswered(result);
    expect(result.reply).toBe('Listo.');
    expect(fake.requests).toHaveLength(2);
    result.commit?.();
    const store = new ConversationStore(h.db);
    const turn = store.listTurns(WA_ID)[0];
    expect(turn?.status).toBe('answered');
    const calls = store.listCalls(turn?.id ?? -1);
    expect(calls.map((c) => [c.status, c.errorClass, c.httpStatus])).toEqual([
      ['error', 'rate_limited', 429],
      ['ok', null, null],
    ]);
    expect(calls[0]?.requestId).toMatch(/^req_fake_/);
  });

  it('fails with server_error after a bounded number of attempts on a persistent 500', async () => {
    const h = makeAgent(testConfig(api, fake.url));
    fake.setFallback(serverError(500));
    try {
      const result = await h.agent.respond(turnOf([textMessage('Hola')]));
      expect(result).toMatchObject({ outcome: 'failed', errorClass: 'server_error' });
      expect(fake.requests).toHaveLength(3);
      result.commit?.();
      const store = new ConversationStore(h.db);
      const [turn] = store.listTurns(WA_ID);
      expect(turn).toMatchObject({ status: 'failed', errorClass: 'server_error' });
      expect(store.listCalls(turn?.id ?? -1)).toHaveLength(3);
      // No tool calls from a failed turn; the guest's message and the fallback they received are kept.
      const items = store.listItems(WA_ID).map((s) => s.item);
      expect(items.map((i) => i.kind)).toEqual(['developer', 'user', 'assistant']);
      expect(items[2]).toMatchObject({ kind: 'assistant', synthetic: true, text: h.config.fallbackReply });
    } finally {
      fake.setFallback(undefined);
    }
  });

  it('does not retry other 4xx errors', async () => {
    const h = makeAgent(testConfig(api, fake.url));
    fake.queue(errorReply(401, { message: 'Incorrect API key provided', code: 'invalid_api_key' }));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(result).toMatchObject({ outcome: 'failed', errorClass: 'auth_error' });
    expect(fake.requests).toHaveLength(1);
  });

  it('does not retry insufficient_quota (429)', async () => {
    const h = makeAgent(testConfig(api, fake.url));
    fake.queue(rateLimitError({ code: 'insufficient_quota' }));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(result).toMatchObject({ outcome: 'failed', errorClass: 'quota_exceeded' });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries after a dropped connection and after a timeout', async () => {
    const h = makeAgent(testConfig(api, fake.url, { OPENAI_TIMEOUT_SECONDS: '0.15' }));
    fake.queue({ type: 'disconnect' }, textReply('lento', { delayMs: 400 }), textReply('Aquí estoy.'));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expectAnswered(result);
    expect(result.reply).toBe('Aquí estoy.');
    result.commit?.();
    const store = new ConversationStore(h.db);
    const calls = store.listCalls(store.listTurns(WA_ID)[0]?.id ?? -1);
    expect(calls.map((c) => c.errorClass)).toEqual(['connection_error', 'timeout', null]);
  });

  it('halves the history budget once on a context-length error', async () => {
    // Six turns of about 260 tokens: all fit in 2000, half of them in 1000.
    const h = makeAgent(testConfig(api, fake.url, { HISTORY_MAX_TOKENS: '2000' }));
    for (let i = 0; i < 6; i++) {
      fake.queue(textReply(`Respuesta número ${i}. `.repeat(20)));
      const r = await h.agent.respond(turnOf([textMessage(`Pregunta ${i}. `.repeat(20))]));
      r.commit?.();
    }
    const total = new ConversationStore(h.db).getConversation(WA_ID)?.totalTokens ?? 0;
    expect(total).toBeGreaterThan(1000);
    expect(total).toBeLessThanOrEqual(2000);
    fake.reset();
    fake.queue(contextLengthError(), textReply('Ahora sí.'));
    const result = await h.agent.respond(turnOf([textMessage('¿Y ahora?')]));
    expectAnswered(result);
    expect(fake.requests).toHaveLength(2);
    const [a, b] = fake.requests.map((r) => conversationOf(api, r).length);
    expect(b).toBeLessThan(a as number);
    // Once only: a second context-length error fails the turn.
    fake.reset();
    fake.queue(contextLengthError(), contextLengthError(), textReply('nunca'));
    const failed = await h.agent.respond(turnOf([textMessage('¿Otra vez?')]));
    expect(failed).toMatchObject({ outcome: 'failed', errorClass: 'context_length_exceeded' });
    expect(fake.requests).toHaveLength(2);
  });

  it('keeps the history within HISTORY_MAX_TOKENS without orphan outputs', async () => {
    const budget = 400;
    const h = makeAgent(testConfig(api, fake.url, { HISTORY_MAX_TOKENS: String(budget) }));
    const store = new ConversationStore(h.db);
    for (let i = 0; i < 12; i++) {
      fake.queue(
        toolCallReply([{ name: 'check_office_status', callId: `call_${i}` }]),
        textReply(`Respuesta ${i}: la oficina atiende de lunes a viernes.`),
      );
      const r = await h.agent.respond(turnOf([textMessage(`Pregunta número ${i} sobre el horario de la oficina`)]));
      r.commit?.();
    }
    fake.reset();
    fake.queue(textReply('Fin.'));
    await h.agent.respond(turnOf([textMessage('¿Algo más?')]));
    const req = fake.requests[0] as RecordedRequest;
    const conv = conversationOf(api, req);
    const history = conv.slice(0, -2);
    expect(history.length).toBeGreaterThan(0);
    expect(history.length).toBeLessThan(store.listItems(WA_ID).length);
    // Counted with the cached per-item tokens of the same items.
    const turn = store.listTurns(WA_ID).at(-1);
    expect(turn).toBeDefined();
    const loaded = store.loadHistory(WA_ID, budget);
    expect(loaded.tokens).toBeLessThanOrEqual(budget);
    // Never starts with an output; every output's call is present.
    const first = history[0] as Obj;
    expect(first.type === 'function_call_output' || first.role === 'tool').toBe(false);
    expect(first.role === 'developer' || first.role === 'system').toBe(true);
    const calls = new Set(callIdsOf(api, req));
    for (const o of outputsOf(api, req)) expect(calls.has(o.callId)).toBe(true);
    expect(outputsOf(api, req)).toHaveLength(calls.size);
  });

  it('records per-call usage including cached tokens', async () => {
    const h = makeAgent(testConfig(api, fake.url));
    fake.queue(
      toolCallReply([{ name: 'check_office_status' }], { usage: usage(1500, 1280, 20, 8) }),
      textReply('Ok.', { usage: usage(1600, 1536, 12, 4) }),
    );
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    result.commit?.();
    const store = new ConversationStore(h.db);
    const turn = store.listTurns(WA_ID)[0];
    expect(turn).toMatchObject({ status: 'answered', rounds: 1, api, model: 'gpt-5-mini' });
    expect(store.listCalls(turn?.id ?? -1).map((c) => [c.inputTokens, c.cachedTokens, c.outputTokens, c.reasoningTokens])).toEqual([
      [1500, 1280, 20, 8],
      [1600, 1536, 12, 4],
    ]);
    const calls = store.listCalls(turn?.id ?? -1);
    expect(calls.map((c) => c.responseId)).toEqual(
      api === 'responses' ? [expect.stringMatching(/^resp_fake_/), expect.stringMatching(/^resp_fake_/)] : [expect.stringMatching(/^chatcmpl-fake-/), expect.stringMatching(/^chatcmpl-fake-/)],
    );
  });

  it('answers invalid tool arguments, invalid JSON and unknown tools with error outputs', async () => {
    const h = makeAgent(testConfig(api, fake.url));
    fake.queue(
      toolCallReply([
        { name: 'send_location_pin', callId: 'c_args', arguments: { latitude: 'norte', longitude: -89, name: 'X', address: 'Y' } },
        { name: 'send_location_pin', callId: 'c_json', arguments: '{"latitude": 13.3,' },
        { name: 'book_spa', callId: 'c_unknown', arguments: {} },
      ]),
      textReply('Disculpe, ¿me repite?'),
    );
    const result = await h.agent.respond(turnOf([textMessage('¿Dónde están?')]));
    expectAnswered(result);
    const outputs = outputsOf(api, fake.requests[1] as RecordedRequest);
    expect(outputs.map((o) => o.callId)).toEqual(['c_args', 'c_json', 'c_unknown']);
    const errors = outputs.map((o) => (JSON.parse(String(o.output)) as { error: string }).error);
    expect(errors[0]).toMatch(/^Invalid arguments for send_location_pin: latitude: /);
    expect(errors[1]).toMatch(/^Invalid JSON in the arguments of send_location_pin/);
    expect(errors[2]).toMatch(/^Unknown tool "book_spa"\. Available tools: analyze_payment_proof, check_office_status, send_location_pin, transfer_to_human_agent\.$/);
  });

  it('makes one last call without tools when MAX_TOOL_ROUNDS is reached', async () => {
    const h = makeAgent(testConfig(api, fake.url, { MAX_TOOL_ROUNDS: '2' }));
    fake.queue(
      toolCallReply([{ name: 'check_office_status' }]),
      toolCallReply([{ name: 'check_office_status' }]),
      textReply('Respuesta final.'),
    );
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expectAnswered(result);
    expect(result.reply).toBe('Respuesta final.');
    expect(fake.requests.map((r) => r.body.tool_choice)).toEqual(['auto', 'auto', 'none']);
    // Same tool list (cached prefix) even when calls are forbidden.
    expect(JSON.stringify(fake.requests[2]?.body.tools)).toBe(JSON.stringify(fake.requests[0]?.body.tools));
    expect(textsOf(api, fake.requests[2] as RecordedRequest).at(-1)).toMatch(/Ya no puedes usar más herramientas/);
    result.commit?.();
    expect(new ConversationStore(h.db).listTurns(WA_ID)[0]?.rounds).toBe(2);
  });

  it('drops calls a model makes despite tool_choice none and fails when nothing is left', async () => {
    const h = makeAgent(testConfig(api, fake.url, { MAX_TOOL_ROUNDS: '1' }));
    fake.queue(toolCallReply([{ name: 'check_office_status' }]), toolCallReply([{ name: 'check_office_status' }]));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(result).toMatchObject({ outcome: 'failed', errorClass: 'tool_rounds_exhausted' });
  });

  it('asks again without tools once when the reply imitates a tool call in JSON', async () => {
    const h = makeAgent(testConfig(api, fake.url));
    fake.queue(
      textReply('{"name": "check_office_status", "arguments": {}}'),
      textReply('Claro, con gusto le ayudo.'),
    );
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expectAnswered(result);
    expect(result.reply).toBe('Claro, con gusto le ayudo.');
    expect(fake.requests.map((r) => r.body.tool_choice)).toEqual(['auto', 'none']);
    result.commit?.();
    const items = new ConversationStore(h.db).listItems(WA_ID).map((s) => s.item);
    expect(items.some((i) => i.kind === 'assistant' && i.text.includes('"arguments"'))).toBe(false);

    fake.reset();
    fake.queue(textReply('```json\n{"function": "x"}\n```'), textReply('{"tool_calls": []}'));
    const again = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(again).toMatchObject({ outcome: 'failed', errorClass: 'tool_call_imitation' });
    expect(fake.requests).toHaveLength(2);
  });

  it('writes nothing until commit() and writes everything in one transaction', async () => {
    const h = makeAgent(testConfig(api, fake.url));
    const store = new ConversationStore(h.db);
    fake.queue(toolCallReply([{ name: 'check_office_status' }]), textReply('Hola.'));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(store.listItems(WA_ID)).toEqual([]);
    expect(store.listTurns(WA_ID)).toEqual([]);
    expect(store.getConversation(WA_ID)).toBeUndefined();

    // Inside the buffer's transaction: a failure after commit() rolls the transcript back too.
    expect(() =>
      h.db.transaction(() => {
        result.commit?.();
        throw new Error('delivery record failed');
      })(),
    ).toThrow('delivery record failed');
    expect(store.listItems(WA_ID)).toEqual([]);
    expect(store.listTurns(WA_ID)).toEqual([]);

    h.db.transaction(() => result.commit?.())();
    expect(store.listItems(WA_ID)).toHaveLength(5);
    expect(store.listTurns(WA_ID)).toHaveLength(1);
    expect(store.getConversation(WA_ID)).toMatchObject({ channel: 'whatsapp', waId: WA_ID, guestName: 'Ana', itemCount: 5 });
  });

  it('re-reads the instructions file only when its modification time changes', async () => {
    const h = makeAgent(testConfig(api, fake.url));
    const path = h.config.llm.systemInstructionsPath;
    const reads = h.agent.instructions.reads;
    fake.queue(textReply('1'), textReply('2'), textReply('3'));
    await h.agent.respond(turnOf([textMessage('a')]));
    await h.agent.respond(turnOf([textMessage('b')]));
    expect(h.agent.instructions.reads).toBe(reads);
    writeFileSync(path, 'Instrucciones nuevas del hotel.');
    const later = new Date(Date.now() + 5_000);
    utimesSync(path, later, later);
    await h.agent.respond(turnOf([textMessage('c')]));
    expect(h.agent.instructions.reads).toBe(reads + 1);
    expect(instructionsOf(api, fake.requests[1] as RecordedRequest)).toBe('Eres la asistente de un hotel de playa ficticio.');
    expect(instructionsOf(api, fake.requests[2] as RecordedRequest)).toBe('Instrucciones nuevas del hotel.');
  });

  it('throws TurnAbortedError when the turn is aborted and records nothing', async () => {
    const h = makeAgent(testConfig(api, fake.url));
    const controller = new AbortController();
    fake.queue(textReply('tarde', { delayMs: 300 }));
    const pending = h.agent.respond(turnOf([textMessage('Hola')], controller.signal));
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toMatchObject({ name: 'TurnAbortedError' });
  });
});

describe('turn budget', () => {
  it('bounds a turn by AGENT_TURN_BUDGET_SECONDS, attempts included', async () => {
    const h = makeAgent(testConfig('responses', fake.url, { AGENT_TURN_BUDGET_SECONDS: '0.3' }));
    fake.setFallback(textReply('demasiado tarde', { delayMs: 2_000 }));
    try {
      const t0 = performance.now();
      const result = await h.agent.respond(turnOf([textMessage('Hola')]));
      expect(result).toMatchObject({ outcome: 'failed', errorClass: 'timeout' });
      expect(performance.now() - t0).toBeLessThan(1_500);
      result.commit?.();
      const store = new ConversationStore(h.db);
      const calls = store.listCalls(store.listTurns(WA_ID)[0]?.id ?? -1);
      expect(calls.map((c) => c.errorClass)).toEqual(['timeout']);
    } finally {
      fake.setFallback(undefined);
    }
  });
});

describe('Responses mode specifics', () => {
  it('requests encrypted reasoning and replays each output item as it came back, ids included', async () => {
    const h = makeAgent(testConfig('responses', fake.url));
    fake.queue(
      toolCallReply([{ name: 'check_office_status', callId: 'call_r' }], { reasoning: { summary: 'Revisar horario' } }),
      textReply('Abierto.', { reasoning: {} }),
    );
    const result = await h.agent.respond(turnOf([textMessage('¿Abierto?')]));
    expectAnswered(result);
    result.commit?.();
    const first = fake.requests[0] as RecordedRequest;
    expect(first.body.include).toEqual(['reasoning.encrypted_content']);
    expect(first.body.reasoning).toEqual({ effort: 'low' });
    expect(first.body.max_output_tokens).toBe(4000);
    const input = asArray(fake.requests[1]?.body.input);
    expect(input.map((i) => i.type)).toEqual(['message', 'message', 'reasoning', 'function_call', 'function_call_output']);
    expect(input[2]).toMatchObject({ id: expect.stringMatching(/^rs_fake_/), encrypted_content: expect.stringMatching(/^gAAAA/) });
    expect(input[3]).toMatchObject({ id: expect.stringMatching(/^fc_fake_/), call_id: 'call_r', status: 'completed' });

    fake.queue(textReply('Gracias a usted.'));
    const again = await h.agent.respond(turnOf([textMessage('Gracias')]));
    expectAnswered(again);
    const replay = asArray(fake.requests[2]?.body.input);
    const at = replay.findIndex((i) => i.type === 'message' && i.role === 'assistant');
    expect(replay[at - 1]).toMatchObject({ type: 'reasoning', id: expect.stringMatching(/^rs_fake_/) });
    expect(replay[at]).toEqual({
      id: expect.stringMatching(/^msg_fake_/),
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'Abierto.', annotations: [], logprobs: [] }],
    });
  });

  it('keeps a multi-turn conversation with tool calls and reasoning acceptable to the API', async () => {
    // The fake rejects what the real API rejects: reasoning without encrypted content, reasoning not
    // followed by its item, an item with an id replayed without its reasoning.
    const h = makeAgent(testConfig('responses', fake.url));
    const store = new ConversationStore(h.db);
    const turns: [string, ...FakeReply[]][] = [
      [
        '¿Está abierta la oficina y dónde queda?',
        toolCallReply([{ name: 'check_office_status' }, { name: 'send_location_pin', arguments: {} }], { reasoning: { summary: 'Dos cosas' } }),
        textReply('Un momento, reviso.', { reasoning: {}, calls: [{ name: 'check_office_status' }] }),
        textReply('Está abierta.', { reasoning: { summary: 'Responder' } }),
      ],
      ['¿Y mañana?', toolCallReply([{ name: 'check_office_status' }], { reasoning: {} }), textReply('Mañana también.', { reasoning: {} })],
      ['Gracias', textReply('¡Con gusto!', { reasoning: {} })],
      ['Adiós', textReply('Hasta luego.')],
    ];
    for (const [text, ...replies] of turns) {
      fake.queue(...replies);
      const result = await h.agent.respond(turnOf([textMessage(text)]));
      expectAnswered(result);
      result.commit?.();
    }
    expect(fake.pending).toBe(0);
    // The last request replays every stored provider item exactly as it came back, in order (all but
    // its own answer).
    const input = asArray(fake.requests.at(-1)?.body.input);
    const provided = store
      .listItems(WA_ID)
      .map((s) => s.item)
      .flatMap((i) => (i.kind !== 'user' && i.kind !== 'developer' && i.kind !== 'function_output' && i.responsesItem ? [i.responsesItem] : []));
    expect(provided.filter((i) => i.type === 'reasoning')).toHaveLength(6);
    expect(input.filter((i) => typeof i.id === 'string')).toEqual(provided.slice(0, -1));
    for (const [i, item] of input.entries()) {
      if (item.type === 'reasoning') expect(input[i + 1]).toHaveProperty('id');
    }
  });

  it('replays a legacy transcript whose provider items were stored without ids, dropping orphaned reasoning', async () => {
    const h = makeAgent(testConfig('responses', fake.url));
    fake.queue(
      toolCallReply([{ name: 'check_office_status', callId: 'call_old' }], { reasoning: { summary: 'Revisar' } }),
      textReply('Abierto.', { reasoning: {} }),
    );
    const first = await h.agent.respond(turnOf([textMessage('¿Abierto?')]));
    first.commit?.();
    // The legacy shapes: calls and messages without their ids; one reasoning item without encrypted content.
    h.db.exec(`UPDATE transcript_items SET data = json_remove(data, '$.responsesItem.id') WHERE kind IN ('function_call', 'assistant')`);
    h.db.exec(
      `UPDATE transcript_items SET data = json_remove(data, '$.responsesItem.encrypted_content')
       WHERE id = (SELECT MAX(id) FROM transcript_items WHERE kind = 'reasoning')`,
    );

    fake.reset();
    fake.queue(toolCallReply([{ name: 'check_office_status' }], { reasoning: {} }), textReply('Sigue abierto.', { reasoning: {} }));
    const result = await h.agent.respond(turnOf([textMessage('¿Y ahora?')]));
    expectAnswered(result);
    expect(result.reply).toBe('Sigue abierto.');
    const input = asArray(fake.requests[1]?.body.input);
    const legacy = input.slice(0, input.findIndex((i) => i.role === 'developer' && i !== input[0]));
    expect(legacy.map((i) => i.type)).toEqual(['message', 'message', 'function_call', 'function_call_output', 'message']);
    expect(legacy.every((i) => !('id' in i))).toBe(true);
    expect(legacy[2]).toMatchObject({ call_id: 'call_old', name: 'check_office_status' });
    // This turn's own reasoning still travels with its call.
    const own = input.slice(legacy.length);
    expect(own.map((i) => i.type)).toEqual(['message', 'message', 'reasoning', 'function_call', 'function_call_output']);
  });

  it('retries once without reasoning when the API refuses the replayed reasoning, instead of failing the conversation', async () => {
    const h = makeAgent(testConfig('responses', fake.url));
    fake.queue(textReply('Hola.', { reasoning: {} }));
    const first = await h.agent.respond(turnOf([textMessage('Hola')]));
    first.commit?.();
    // Encrypted content the API can no longer verify (e.g. a key rotation on its side).
    h.db.exec(`UPDATE transcript_items SET data = json_set(data, '$.responsesItem.encrypted_content', 'gAAAA_stale') WHERE kind = 'reasoning'`);

    fake.reset();
    fake.queue(textReply('Con gusto.', { reasoning: {} }));
    const result = await h.agent.respond(turnOf([textMessage('Gracias')]));
    expectAnswered(result);
    expect(result.reply).toBe('Con gusto.');
    expect(fake.requests).toHaveLength(2);
    // The first request replayed the stale reasoning (the fake refuses it with 400); the second did not.
    expect(asArray(fake.requests[0]?.body.input).some((i) => i.type === 'reasoning')).toBe(true);
    const retried = asArray(fake.requests[1]?.body.input);
    expect(retried.some((i) => i.type === 'reasoning')).toBe(false);
    expect(retried.some((i) => typeof i.id === 'string')).toBe(false);
    expect(retried.filter((i) => i.role === 'assistant').map((i) => i.content)).toEqual([expect.anything()]);
  });

  it('drops a reasoning item whose item was stored with an id but whose encrypted content is missing, and that id', async () => {
    const h = makeAgent(testConfig('responses', fake.url));
    fake.queue(textReply('Hola.', { reasoning: {} }));
    const first = await h.agent.respond(turnOf([textMessage('Hola')]));
    first.commit?.();
    h.db.exec(`UPDATE transcript_items SET data = json_remove(data, '$.responsesItem.encrypted_content') WHERE kind = 'reasoning'`);
    fake.queue(textReply('¿En qué le ayudo?'));
    const result = await h.agent.respond(turnOf([textMessage('Una pregunta')]));
    expectAnswered(result);
    const input = asArray(fake.requests[1]?.body.input);
    expect(input.map((i) => i.type)).toEqual(['message', 'message', 'message', 'message', 'message']);
    expect(input[2]).toMatchObject({ role: 'assistant', content: [expect.objectContaining({ text: 'Hola.' })] });
    expect(input[2]).not.toHaveProperty('id');
  });

  it('never trims the history between a reasoning item and its item', async () => {
    const budget = 300;
    const h = makeAgent(testConfig('responses', fake.url, { HISTORY_MAX_TOKENS: String(budget) }));
    for (let i = 0; i < 10; i++) {
      fake.queue(
        toolCallReply([{ name: 'check_office_status' }], { reasoning: { summary: `Paso ${i}: revisar el horario.` } }),
        textReply(`Respuesta ${i}: la oficina atiende de lunes a viernes.`, { reasoning: { summary: 'Responder.' } }),
      );
      const r = await h.agent.respond(turnOf([textMessage(`Pregunta número ${i} sobre el horario de la oficina`)]));
      expectAnswered(r);
      r.commit?.();
    }
    const store = new ConversationStore(h.db);
    const last = asArray(fake.requests.at(-1)?.body.input);
    expect(last.length).toBeLessThan(store.listItems(WA_ID).length);
    expect(store.loadHistory(WA_ID, budget).tokens).toBeLessThanOrEqual(budget);
  });

  it('keeps the reasoning of a forced final answer with its message', async () => {
    const h = makeAgent(testConfig('responses', fake.url, { MAX_TOOL_ROUNDS: '1' }));
    fake.queue(
      toolCallReply([{ name: 'check_office_status' }], { reasoning: {} }),
      // Ignores tool_choice none: the call is dropped, the reasoning stays with the message it precedes.
      textReply('Está abierta.', { reasoning: {}, calls: [{ name: 'check_office_status' }] }),
    );
    const result = await h.agent.respond(turnOf([textMessage('¿Abierto?')]));
    expectAnswered(result);
    result.commit?.();
    const kinds = new ConversationStore(h.db).listItems(WA_ID).map((s) => s.item.kind);
    expect(kinds).toEqual(['developer', 'user', 'reasoning', 'function_call', 'function_output', 'reasoning', 'assistant']);
    fake.queue(textReply('De nada.'));
    expectAnswered(await h.agent.respond(turnOf([textMessage('Gracias')])));
  });

  it('omits reasoning for models that do not take it', async () => {
    const h = makeAgent(testConfig('responses', fake.url, { OPENAI_MODEL: 'gpt-4.1' }));
    fake.queue(textReply('Hola.'));
    await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(fake.requests[0]?.body).not.toHaveProperty('reasoning');
    expect(fake.requests[0]?.body).not.toHaveProperty('include');
  });
});

describe('the fake Responses server', () => {
  it('rejects reasoning replayed the ways the real API rejects it', async () => {
    const client = new OpenAI({ apiKey: 'sk-test-fake', baseURL: fake.url, maxRetries: 0 });
    fake.queue(toolCallReply([{ name: 'check_office_status' }], { reasoning: {} }));
    const base = { model: 'gpt-5-mini', store: false, include: ['reasoning.encrypted_content' as const] };
    const first = await client.responses.create({ ...base, input: 'Hola' });
    const [rs, fc] = first.output as unknown as Obj[];
    const errorOf = async (input: unknown[]) => {
      const err = await client.responses.create({ ...base, input: input as never }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      const e = err as InstanceType<typeof OpenAI.APIError>;
      return { status: e.status, error: e.error };
    };
    const id = String(rs?.id);
    expect(await errorOf([{ ...rs, encrypted_content: null }, fc])).toEqual({
      status: 404,
      error: {
        message:
          `Item with id '${id}' not found. Items are not persisted when \`store\` is set to false. ` +
          'Try again with `store` set to true, or remove this item from your input.',
        type: 'invalid_request_error',
        param: 'input',
        code: null,
      },
    });
    const { id: _id, ...fcWithoutId } = fc as Obj;
    expect(await errorOf([rs, fcWithoutId])).toMatchObject({
      status: 400,
      error: { message: `Item '${id}' of type 'reasoning' was provided without its required following item.` },
    });
    expect(await errorOf([fc])).toMatchObject({
      status: 400,
      error: { message: `Item '${String(fc?.id)}' of type 'function_call' was provided without its required 'reasoning' item: '${id}'.` },
    });
    expect(await errorOf([{ ...rs, encrypted_content: 'gAAAA_forged' }, fc])).toMatchObject({
      status: 400,
      error: { code: 'invalid_encrypted_content' },
    });
    // The accepted shapes: the output as it came back, or the call alone without its id.
    fake.queue(textReply('a'), textReply('b'));
    await client.responses.create({ ...base, input: [rs, fc] as never });
    await client.responses.create({ ...base, input: [fcWithoutId] as never });
    expect(fake.pending).toBe(0);
  });
});

describe('Chat Completions mode specifics', () => {
  it("stores Gemini's extra_content on tool calls and replays it unchanged", async () => {
    const h = makeAgent(
      testConfig('chat_completions', fake.url, { OPENAI_MODEL: 'gemini-3-flash', LLM_OPENAI_DIALECT: 'auto' }),
    );
    const extra = { google: { thought_signature: 'c2lnbmF0dXJlLWJ5dGVz' } };
    fake.queue(toolCallReply([{ name: 'check_office_status', callId: 'g1', extraContent: extra }]), textReply('Abierto.'));
    const result = await h.agent.respond(turnOf([textMessage('¿Abierto?')]));
    result.commit?.();
    fake.queue(textReply('De nada.'));
    await h.agent.respond(turnOf([textMessage('Gracias')]));

    for (const req of fake.requests.slice(1)) {
      const assistant = asArray(req.body.messages).find((m) => Array.isArray(m.tool_calls));
      expect(asArray(assistant?.tool_calls)[0]).toEqual({
        id: 'g1',
        type: 'function',
        function: { name: 'check_office_status', arguments: '{}' },
        extra_content: extra,
      });
    }
    // A non-OpenAI endpoint gets no OpenAI-only fields, and no reasoning_effort for a non-OpenAI model.
    const body = fake.requests[0]?.body ?? {};
    expect(body).not.toHaveProperty('store');
    expect(body).not.toHaveProperty('prompt_cache_key');
    expect(body).not.toHaveProperty('reasoning_effort');
    expect(body.max_tokens).toBe(4000);
  });

  it('sends the OpenAI dialect to OpenAI endpoints', async () => {
    const h = makeAgent(testConfig('chat_completions', fake.url));
    fake.queue(textReply('Hola.'));
    await h.agent.respond(turnOf([textMessage('Hola')]));
    const body = fake.requests[0]?.body ?? {};
    expect(body).toMatchObject({ store: false, max_completion_tokens: 4000, reasoning_effort: 'low' });
    expect(body).not.toHaveProperty('max_tokens');
  });
});

describe('readiness', () => {
  it('is not ready without an API key or an instructions file', () => {
    const h = makeAgent(
      testConfig('responses', 'http://127.0.0.1:9/v1', {
        OPENAI_API_KEY: '',
        SYSTEM_INSTRUCTIONS_PATH: '/nonexistent/instructions.txt',
      }),
    );
    const r = h.agent.readiness();
    expect(r.ready).toBe(false);
    expect(r.reasons).toEqual([
      'OPENAI_API_KEY is not set',
      expect.stringMatching(/instructions\.txt cannot be read \(ENOENT\)$/),
    ]);
  });

  it('is ready with both', () => {
    const h = makeAgent(testConfig('responses', 'http://127.0.0.1:9/v1'));
    expect(h.agent.readiness()).toMatchObject({ ready: true, reasons: [], instructions: { format: 'text', shippedExample: false } });
  });

  it('fails a turn as not_configured without a key, without calling anything', async () => {
    const h = makeAgent(testConfig('responses', fake.url, { OPENAI_API_KEY: '' }));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(result).toMatchObject({ outcome: 'failed', errorClass: 'not_configured' });
    expect(fake.requests).toHaveLength(0);
  });
});
