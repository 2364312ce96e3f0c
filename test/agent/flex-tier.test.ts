// FLEX_ENABLED / FLEX_TIMEOUT_SECONDS, end to end through the real SDK against the fake server: calls ask
// for the Flex tier, a Flex call that times out or finds Flex unavailable is made once more on the default
// tier (and so is the rest of the turn), and each call records the tier that answered, priced at its list
// price. The config leaves OPENAI_BASE_URL unset (OpenAI's API, where Flex exists); the injected client
// sends the traffic to the fake on 127.0.0.1.
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PRICES } from '../../src/core/model-prices.js';
import { flexTierFor } from '../../src/core/model-rules.js';
import { loadConfig, type Config } from '../../src/config.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import {
  flexUnavailableError,
  rateLimitError,
  startFakeOpenAI,
  textReply,
  toolCallReply,
  usage,
  type FakeOpenAI,
} from '../support/fake-openai.js';
import { makeAgent, tempInstructions, textMessage, turnOf, WA_ID } from './helpers.js';

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

function flexConfig(api: 'responses' | 'chat_completions', env: Record<string, string> = {}): Config {
  return loadConfig({
    OPENAI_API_KEY: 'sk-test-fake',
    // OPENAI_MODEL unset: the original's gpt-5.2. OPENAI_BASE_URL unset: OpenAI's API.
    LLM_API: api,
    OPENAI_TIMEOUT_SECONDS: '5',
    SYSTEM_INSTRUCTIONS_PATH: tempInstructions(),
    ...env,
  });
}

function fakeClient(): OpenAI {
  return new OpenAI({ apiKey: 'sk-test-fake', baseURL: fake.url, maxRetries: 0 });
}

/** The turn's stored calls: tier, status and cost. */
function storedCalls(h: ReturnType<typeof makeAgent>) {
  const store = new ConversationStore(h.db);
  const turn = store.listTurns(WA_ID).at(-1);
  return store.listCalls(turn?.id ?? -1).map((c) => ({ tier: c.serviceTier, status: c.status, errorClass: c.errorClass, costUsd: c.costUsd }));
}

const tierAsked = () => fake.requests.map((r) => r.body.service_tier ?? null);

/** 1,000 input tokens (200 cached) and 100 output tokens, at a tier's prices. */
const USAGE = usage(1000, 200, 100);
function priceOf(tier: { input: number; cachedInput: number; output: number } | undefined): number {
  if (!tier) throw new Error('no price');
  return (800 * tier.input + 200 * tier.cachedInput + 100 * tier.output) / 1_000_000;
}
const GPT_52 = DEFAULT_MODEL_PRICES['gpt-5.2'];

describe.each(['responses', 'chat_completions'] as const)('Flex tier (%s)', (api) => {
  it('asks for Flex; the answer is recorded as Flex and priced at the Flex list price', async () => {
    const h = makeAgent(flexConfig(api), { openai: fakeClient() });
    fake.queue(textReply('Hola, ¿en qué le ayudo?', { usage: USAGE }));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(result).toMatchObject({ outcome: 'answered', reply: 'Hola, ¿en qué le ayudo?' });
    expect(fake.requests[0]?.body.model).toBe('gpt-5.2');
    expect(tierAsked()).toEqual(['flex']);
    result.commit?.();
    const calls = storedCalls(h);
    expect(calls).toEqual([{ tier: 'flex', status: 'ok', errorClass: null, costUsd: expect.any(Number) }]);
    expect(calls[0]?.costUsd).toBeCloseTo(priceOf(GPT_52?.flex), 12);
    expect(priceOf(GPT_52?.flex)).toBeCloseTo(priceOf(GPT_52) / 2, 12);
  });

  it('Flex unavailable (429): the call is made once on the default tier, and so is the rest of the turn', async () => {
    const h = makeAgent(flexConfig(api), { openai: fakeClient() });
    fake.queue(
      flexUnavailableError(),
      toolCallReply([{ name: 'check_office_status' }], { usage: USAGE }),
      textReply('La oficina está abierta.', { usage: USAGE }),
    );
    const result = await h.agent.respond(turnOf([textMessage('¿Está abierta la oficina?')]));
    expect(result).toMatchObject({ outcome: 'answered', reply: 'La oficina está abierta.' });
    // One Flex request, then the default tier (no service_tier field) for both rounds.
    expect(tierAsked()).toEqual(['flex', null, null]);
    result.commit?.();
    const calls = storedCalls(h);
    expect(calls.map((c) => [c.tier, c.status, c.errorClass])).toEqual([
      ['flex', 'error', 'rate_limited'],
      ['default', 'ok', null],
      ['default', 'ok', null],
    ]);
    expect(calls[1]?.costUsd).toBeCloseTo(priceOf(GPT_52), 12);

    // The next turn tries Flex again.
    fake.reset();
    fake.queue(textReply('De nada.', { usage: USAGE }));
    const next = await h.agent.respond(turnOf([textMessage('Gracias')]));
    expect(next).toMatchObject({ outcome: 'answered' });
    expect(tierAsked()).toEqual(['flex']);
  });

  it('a Flex call past FLEX_TIMEOUT_SECONDS is abandoned and made once on the default tier', async () => {
    const h = makeAgent(flexConfig(api, { FLEX_TIMEOUT_SECONDS: '0.3' }), { openai: fakeClient() });
    fake.queue(textReply('(too late)', { delayMs: 3_000 }), textReply('Aquí estoy.', { usage: USAGE }));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(result).toMatchObject({ outcome: 'answered', reply: 'Aquí estoy.' });
    expect(tierAsked()).toEqual(['flex', null]);
    result.commit?.();
    expect(storedCalls(h).map((c) => [c.tier, c.status, c.errorClass])).toEqual([
      ['flex', 'error', 'timeout'],
      ['default', 'ok', null],
    ]);
  });

  it('nothing loops: Flex and then the default tier unavailable ends the turn after the default retries', async () => {
    const h = makeAgent(flexConfig(api), { openai: fakeClient() });
    fake.setFallback(rateLimitError({ retryAfterMs: 1 }));
    try {
      const result = await h.agent.respond(turnOf([textMessage('Hola')]));
      expect(result).toMatchObject({ outcome: 'failed', errorClass: 'rate_limited' });
      // One Flex attempt, then the retry policy's three attempts on the default tier (makeAgent: maxAttempts 3).
      expect(tierAsked()).toEqual(['flex', null, null, null]);
    } finally {
      fake.setFallback(undefined);
    }
  });

  it('a refused request is not retried on the default tier (the tier was not the problem)', async () => {
    const h = makeAgent(flexConfig(api), { openai: fakeClient() });
    fake.queue({ type: 'error', status: 401, message: 'Incorrect API key provided', code: 'invalid_api_key' });
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(result).toMatchObject({ outcome: 'failed', errorClass: 'auth_error' });
    expect(tierAsked()).toEqual(['flex']);
  });

  it.each([
    ['FLEX_ENABLED=false', { FLEX_ENABLED: 'False' }],
    ['a model OpenAI does not offer on Flex', { OPENAI_MODEL: 'gpt-4.1' }],
    ['a server that is not OpenAI', { OPENAI_BASE_URL: 'https://generativelanguage.googleapis.com/v1beta/openai' }],
  ])('%s: the default tier only, no service_tier sent', async (_name, env) => {
    const h = makeAgent(flexConfig(api, env), { openai: fakeClient() });
    fake.queue(textReply('Hola.', { usage: USAGE }));
    const result = await h.agent.respond(turnOf([textMessage('Hola')]));
    expect(result).toMatchObject({ outcome: 'answered' });
    expect(tierAsked()).toEqual([null]);
    result.commit?.();
    expect(storedCalls(h)[0]?.tier).toBe('default');
  });
});

describe('FLEX_* configuration', () => {
  it('has the original defaults and names a bad value', () => {
    expect(loadConfig({}).llm.flex).toEqual({ enabled: true, timeoutMs: 120_000 });
    expect(loadConfig({ FLEX_ENABLED: 'FALSE', FLEX_TIMEOUT_SECONDS: '60' }).llm.flex).toEqual({ enabled: false, timeoutMs: 60_000 });
    expect(() => loadConfig({ FLEX_ENABLED: 'yes' })).toThrow(/FLEX_ENABLED: must be true or false/);
    expect(() => loadConfig({ FLEX_TIMEOUT_SECONDS: '0' })).toThrow(/FLEX_TIMEOUT_SECONDS/);
  });

  it('OPENAI_MODEL defaults to the original model, which has a standard and a Flex price', () => {
    expect(loadConfig({}).llm.model).toBe('gpt-5.2');
    expect(DEFAULT_MODEL_PRICES['gpt-5.2']).toEqual({ input: 1.75, cachedInput: 0.175, output: 14, flex: { input: 0.875, cachedInput: 0.0875, output: 7 } });
  });
});

describe('where Flex applies', () => {
  const llm = (env: Record<string, string> = {}) => loadConfig(env).llm;
  it('only on OpenAI\'s own API, for a model with a Flex price, unless FLEX_ENABLED=false', () => {
    expect(flexTierFor(llm(), { provider: 'openai', model: 'gpt-5.2', baseUrl: undefined })).toEqual({ use: true, timeoutMs: 120_000 });
    expect(flexTierFor(llm(), { provider: 'openai', model: 'gpt-5-mini-2025-08-07', baseUrl: 'https://api.openai.com/v1' })).toMatchObject({ use: true });
    expect(flexTierFor(llm(), { provider: 'vertex', model: 'google/gemini-2.5-pro', baseUrl: undefined })).toMatchObject({ use: false, why: expect.stringContaining('not OpenAI') });
    expect(flexTierFor(llm(), { provider: 'openai', model: 'gpt-5.2', baseUrl: 'http://127.0.0.1:11434/v1' })).toMatchObject({ use: false });
    expect(flexTierFor(llm(), { provider: 'openai', model: 'gpt-4o', baseUrl: undefined })).toMatchObject({ use: false, why: expect.stringContaining('no Flex price') });
    expect(flexTierFor(llm({ FLEX_ENABLED: 'false' }), { provider: 'openai', model: 'gpt-5.2', baseUrl: undefined })).toEqual({ use: false, why: 'FLEX_ENABLED=false' });
    // MODEL_PRICES can give a model a Flex price, and so Flex.
    const custom = llm({ MODEL_PRICES: '{"gpt-4o": {"flex": {"input": 1.25, "output": 5}}}' });
    expect(flexTierFor(custom, { provider: 'openai', model: 'gpt-4o', baseUrl: undefined })).toMatchObject({ use: true });
  });
});
