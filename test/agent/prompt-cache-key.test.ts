// prompt_cache_key routed by the static prefix (model, instructions, tools) and spread over
// PROMPT_CACHE_BUCKETS by conversation: the rules, and what the real agent sends.
import { utimesSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as rules from '../../src/core/model-rules.js';
import { promptCacheBucket, promptCacheKey, staticPrefixHash, type StaticPrefix } from '../../src/core/model-rules.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { UsageRepository } from '../../src/store/usage-repository.js';
import { startFakeOpenAI, textReply, type FakeOpenAI } from '../support/fake-openai.js';
import { makeAgent, tempInstructions, testConfig, textMessage, turnOf } from './helpers.js';

// Counts how often the agent hashes the prefix (it must be once per instructions version).
vi.mock('../../src/core/model-rules.js', async (importOriginal) => {
  const actual = await importOriginal<typeof rules>();
  return { ...actual, staticPrefixHash: vi.fn(actual.staticPrefixHash) };
});

const PREFIX: StaticPrefix = {
  model: 'gpt-5',
  instructions: 'Eres la asistente de un hotel de playa.',
  tools: [{ type: 'function', name: 'check_office_status', parameters: { type: 'object', properties: {} } }],
};
const conversations = Array.from({ length: 2_000 }, (_, i) => `50370${String(i).padStart(6, '0')}`);

describe('the prompt cache key', () => {
  it('is the same for every conversation with one bucket, and reveals no phone number', () => {
    const hash = staticPrefixHash(PREFIX);
    const keys = new Set(conversations.map((id) => promptCacheKey(hash, id, 1)));
    expect(keys.size).toBe(1);
    const [key] = keys;
    expect(key).toMatch(/^wb3-[0-9a-f]{24}-0$/);
    expect(key).not.toContain('50370');
  });

  it('spreads conversations evenly over N buckets, each conversation always in the same one', () => {
    const hash = staticPrefixHash(PREFIX);
    for (const n of [2, 4, 8, 64]) {
      const counts = new Map<string, number>();
      for (const id of conversations) {
        const key = promptCacheKey(hash, id, n);
        counts.set(key, (counts.get(key) ?? 0) + 1);
        expect(promptCacheKey(hash, id, n)).toBe(key);
      }
      expect(counts.size).toBe(n);
      // Within four standard deviations of an even spread.
      const even = conversations.length / n;
      for (const count of counts.values()) expect(Math.abs(count - even)).toBeLessThan(4 * Math.sqrt(even));
    }
    expect(new Set(conversations.map((id) => promptCacheBucket(id, 4)))).toEqual(new Set([0, 1, 2, 3]));
  });

  it('changes when the model, the instructions or the tools change', () => {
    const base = staticPrefixHash(PREFIX);
    expect(staticPrefixHash({ ...PREFIX })).toBe(base);
    const changed = [
      { ...PREFIX, model: 'gpt-5-mini' },
      { ...PREFIX, instructions: `${PREFIX.instructions} ` },
      { ...PREFIX, tools: [] },
      { ...PREFIX, tools: [{ ...(PREFIX.tools[0] as object), description: 'Estado de la oficina' }] },
      // The parts are length-prefixed: moving text across the boundary is another prefix.
      { ...PREFIX, model: 'gpt-5E', instructions: PREFIX.instructions.slice(1) },
    ];
    const hashes = changed.map(staticPrefixHash);
    expect(new Set([base, ...hashes]).size).toBe(changed.length + 1);
    for (const h of hashes) expect(promptCacheKey(h, '50370001234', 1)).not.toBe(promptCacheKey(base, '50370001234', 1));
  });
});

describe('the agent’s prompt_cache_key', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI({ fallback: textReply('Con gusto.'), promptCache: true });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    vi.mocked(rules.staticPrefixHash).mockClear();
  });

  const keysSent = () => fake.requests.map((r) => r.body.prompt_cache_key);

  it.each(['responses', 'chat_completions'] as const)('%s: one key for every conversation, hashed once per instructions version', async (api) => {
    const path = tempInstructions('Eres la asistente de un hotel de playa ficticio.\n');
    const h = makeAgent(testConfig(api, fake.url, { SYSTEM_INSTRUCTIONS_PATH: path }));
    for (const id of ['50370000001', '50370000002', '50370000001']) {
      const result = await h.agent.respond(turnOf([textMessage('Hola', id)]));
      expect(result.outcome).toBe('answered');
    }
    const keys = keysSent();
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(String(keys[0])).toMatch(/^wb3-[0-9a-f]{24}-0$/);
    expect(rules.staticPrefixHash).toHaveBeenCalledTimes(1);

    // A new version of the instructions file: a new prefix, hashed once more.
    writeFileSync(path, 'Eres la asistente de un hotel de playa ficticio. Responde siempre en español.\n');
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    await h.agent.respond(turnOf([textMessage('Hola', '50370000001')]));
    await h.agent.respond(turnOf([textMessage('Hola', '50370000002')]));
    const after = keysSent().slice(3);
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(keys[0]);
    expect(rules.staticPrefixHash).toHaveBeenCalledTimes(2);
  });

  it('spreads conversations over PROMPT_CACHE_BUCKETS keys of the same prefix', async () => {
    const h = makeAgent(testConfig('responses', fake.url, { PROMPT_CACHE_BUCKETS: '4' }));
    const ids = Array.from({ length: 40 }, (_, i) => `503700100${String(i).padStart(2, '0')}`);
    for (const id of ids) await h.agent.respond(turnOf([textMessage('Hola', id)]));
    const keys = keysSent().map(String);
    expect(new Set(keys).size).toBe(4);
    expect(new Set(keys.map((k) => k.replace(/-\d+$/, ''))).size).toBe(1);
    expect(new Set(keys.map((k) => k.split('-').at(-1)))).toEqual(new Set(['0', '1', '2', '3']));
    // The same conversation keeps its key.
    await h.agent.respond(turnOf([textMessage('¿Sigue ahí?', ids[0])]));
    expect(keysSent().at(-1)).toBe(keys[0]);
  });

  it('lets a new conversation’s first call hit the instructions another guest cached, and stores its cost', async () => {
    const instructions = Array.from({ length: 400 }, (_, i) => `${i}. Regla del hotel número ${i}: responde con cortesía.`).join('\n');
    const h = makeAgent(testConfig('responses', fake.url, { SYSTEM_INSTRUCTIONS_PATH: tempInstructions(instructions), OPENAI_MODEL: 'gpt-5' }));
    await h.agent.respond(turnOf([textMessage('Hola', '50370000001')])).then((r) => r.commit?.());
    await h.agent.respond(turnOf([textMessage('Buenas tardes', '50370000002')])).then((r) => r.commit?.());
    const [first, second] = fake.requests.map((r) => r.promptCache);
    expect(first?.cachedTokens).toBe(0);
    expect(second?.promptTokens).toBeGreaterThan(4_000);
    // Everything up to the second guest's own message was cached (counted from 1,024 in steps of 128).
    expect(second?.cachedTokens).toBeGreaterThan(0.9 * (second?.promptTokens ?? 0));
    expect(second?.cachedTokens).toBeLessThanOrEqual(second?.sharedPrefixTokens ?? 0);
    expect(((second?.cachedTokens ?? 0) - 1024) % 128).toBe(0);

    const store = new ConversationStore(h.db);
    const turn = store.listTurns('50370000002')[0];
    const call = store.listCalls(turn?.id ?? -1)[0];
    expect(call).toMatchObject({ inputTokens: second?.promptTokens, cachedTokens: second?.cachedTokens });
    const uncached = (second?.promptTokens ?? 0) - (second?.cachedTokens ?? 0);
    expect(call?.costUsd).toBeCloseTo((uncached * 1.25 + (second?.cachedTokens ?? 0) * 0.125 + (call?.outputTokens ?? 0) * 10) / 1e6, 12);
    expect(new UsageRepository(h.db).cachedShare({ since: 0, until: Number.MAX_SAFE_INTEGER }).share).toBeGreaterThan(0.45);
  });
});
