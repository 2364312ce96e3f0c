// OPENAI_LIGHT_MODEL (tiered models) end to end through the real SDK against the fake model: a turn that needs
// no tool is answered by the light model alone; a turn whose light call asks for a tool is answered by the main
// model from the start of the turn, the tool running once (never from the light call); each call is recorded
// with the model that answered and priced at it; unset, the turn is the main model's as before.
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { costOfUsage, DEFAULT_MODEL_PRICES } from '../../src/core/model-prices.js';
import { loadConfig } from '../../src/config.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { defineTool } from '../../src/tools/types.js';
import { flexUnavailableError, startFakeOpenAI, textReply, toolCallReply, usage, type FakeOpenAI } from '../support/fake-openai.js';
import { makeAgent, tempInstructions, testConfig, textMessage, turnOf, WA_ID, type Harness } from './helpers.js';

const MAIN = 'gpt-5';
const LIGHT = 'gpt-5-mini';
const USAGE = usage(1000, 200, 100);

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

/** A tool with a side effect the test counts (a guest-visible action in production). */
function countingTool(runs: { n: number }) {
  return defineTool({
    name: 'send_location_pin',
    does: 'shows',
    description: 'Envía la ubicación del hotel al huésped.',
    parameters: z.object({}),
    handler: () => {
      runs.n++;
      return 'Ubicación enviada.';
    },
  });
}

function storedCalls(h: Harness) {
  const store = new ConversationStore(h.db);
  const turn = store.listTurns(WA_ID).at(-1);
  return { turn, calls: store.listCalls(turn?.id ?? -1) };
}

const modelsAsked = () => fake.requests.map((r) => r.body.model);

describe.each(['responses', 'chat_completions'] as const)('tiered models (%s)', (api) => {
  it('a turn with no tool call is answered by the light model, recorded and priced at it', async () => {
    const runs = { n: 0 };
    const h = makeAgent(testConfig(api, fake.url, { OPENAI_MODEL: MAIN, OPENAI_LIGHT_MODEL: LIGHT }), { tools: [countingTool(runs)] });
    fake.queue(textReply('¡Hola! ¿En qué le ayudo?', { usage: USAGE }));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(result).toMatchObject({ outcome: 'answered', reply: '¡Hola! ¿En qué le ayudo?' });
    result.commit?.();
    expect(modelsAsked()).toEqual([LIGHT]);
    // The light model is offered the same tools, so it can say the turn needs one.
    expect(JSON.stringify(fake.requests[0]!.body.tools)).toContain('send_location_pin');
    const { turn, calls } = storedCalls(h);
    expect(turn?.model).toBe(MAIN);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ model: LIGHT, status: 'ok', inputTokens: 1000 });
    expect(calls[0]!.costUsd).toBeCloseTo(costOfUsage(LIGHT, { inputTokens: 1000, cachedTokens: 200, outputTokens: 100, reasoningTokens: 0 }, DEFAULT_MODEL_PRICES)!, 10);
    expect(runs.n).toBe(0);
  });

  it('a turn whose light call asks for a tool is answered by the main model from the start; the tool runs once', async () => {
    const runs = { n: 0 };
    const h = makeAgent(testConfig(api, fake.url, { OPENAI_MODEL: MAIN, OPENAI_LIGHT_MODEL: LIGHT }), { tools: [countingTool(runs)] });
    fake.queue(
      toolCallReply([{ name: 'send_location_pin', arguments: {}, callId: 'call_light' }], { usage: USAGE }),
      toolCallReply([{ name: 'send_location_pin', arguments: {}, callId: 'call_main' }], { usage: USAGE }),
      textReply('Le envié la ubicación.', { usage: USAGE }),
    );
    const result = await h.agent.respond(turnOf([textMessage('¿Dónde están?')]));
    expect(result).toMatchObject({ outcome: 'answered', reply: 'Le envié la ubicación.' });
    result.commit?.();
    expect(modelsAsked()).toEqual([LIGHT, MAIN, MAIN]);
    expect(runs.n).toBe(1);
    // The main model starts from the turn's input: nothing of the light call is in front of it.
    expect(JSON.stringify(fake.requests[1]!.body)).not.toContain('call_light');
    expect(JSON.stringify(fake.requests[1]!.body.input ?? fake.requests[1]!.body.messages)).toBe(
      JSON.stringify(fake.requests[0]!.body.input ?? fake.requests[0]!.body.messages),
    );
    const { calls } = storedCalls(h);
    expect(calls.map((c) => c.model)).toEqual([LIGHT, null, null]);
    const price = (model: string) => costOfUsage(model, { inputTokens: 1000, cachedTokens: 200, outputTokens: 100, reasoningTokens: 0 }, DEFAULT_MODEL_PRICES)!;
    expect(calls[0]!.costUsd).toBeCloseTo(price(LIGHT), 10);
    expect(calls[1]!.costUsd).toBeCloseTo(price(MAIN), 10);
    // The stored transcript holds the main model's call only.
    const store = new ConversationStore(h.db);
    const stored = JSON.stringify(store.loadHistory(WA_ID, 100_000).items);
    expect(stored).toContain('call_main');
    expect(stored).not.toContain('call_light');
  });

  it('OPENAI_LIGHT_MODEL unset: the main model answers, as before', async () => {
    const runs = { n: 0 };
    const h = makeAgent(testConfig(api, fake.url, { OPENAI_MODEL: MAIN }), { tools: [countingTool(runs)] });
    fake.queue(textReply('¡Hola!', { usage: USAGE }));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(result).toMatchObject({ outcome: 'answered', reply: '¡Hola!' });
    result.commit?.();
    expect(modelsAsked()).toEqual([MAIN]);
    expect(storedCalls(h).calls.map((c) => c.model)).toEqual([null]);
  });
});

describe('tiered models on the Flex tier', () => {
  // OPENAI_BASE_URL unset (OpenAI's API, where Flex exists); the injected client sends the traffic to the fake.
  const flexAgent = () =>
    makeAgent(
      loadConfig({
        OPENAI_API_KEY: 'sk-test-fake',
        OPENAI_MODEL: MAIN,
        OPENAI_LIGHT_MODEL: LIGHT,
        OPENAI_TIMEOUT_SECONDS: '5',
        SYSTEM_INSTRUCTIONS_PATH: tempInstructions(),
      }),
      { openai: new OpenAI({ apiKey: 'sk-test-fake', baseURL: fake.url, maxRetries: 0 }) },
    );

  it('the light model answers on Flex, priced at its Flex price', async () => {
    const h = flexAgent();
    fake.queue(textReply('¡Hola!', { usage: USAGE, serviceTier: 'flex' }));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(result.outcome).toBe('answered');
    result.commit?.();
    expect(fake.requests.map((r) => [r.body.model, r.body.service_tier])).toEqual([[LIGHT, 'flex']]);
    const [call] = storedCalls(h).calls;
    expect(call).toMatchObject({ model: LIGHT, serviceTier: 'flex' });
    expect(call!.costUsd).toBeCloseTo(
      costOfUsage(LIGHT, { inputTokens: 1000, cachedTokens: 200, outputTokens: 100, reasoningTokens: 0 }, DEFAULT_MODEL_PRICES, 'flex')!,
      10,
    );
  });

  it('Flex unavailable for the light call: the main model answers on the default tier', async () => {
    const h = flexAgent();
    fake.queue(flexUnavailableError(), textReply('¡Hola!', { usage: USAGE }));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(result).toMatchObject({ outcome: 'answered', reply: '¡Hola!' });
    result.commit?.();
    expect(fake.requests.map((r) => [r.body.model, r.body.service_tier ?? null])).toEqual([
      [LIGHT, 'flex'],
      [MAIN, null],
    ]);
    expect(storedCalls(h).calls.map((c) => [c.model, c.status])).toEqual([
      [LIGHT, 'error'],
      [null, 'ok'],
    ]);
  });
});
