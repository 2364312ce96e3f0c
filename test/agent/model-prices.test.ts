import { describe, expect, it } from 'vitest';
import {
  costOfUsage,
  DEFAULT_MODEL_PRICES,
  modelPriceKey,
  priceOf,
  type ModelPrices,
} from '../../src/core/model-prices.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { ModelUsage } from '../../src/core/usage.js';

const usage = (inputTokens: number, cachedTokens: number, outputTokens: number, reasoningTokens = 0): ModelUsage => ({
  inputTokens,
  cachedTokens,
  outputTokens,
  reasoningTokens,
});

function configIssues(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

describe('the price table', () => {
  it('has the list prices of every documented model', () => {
    expect(Object.keys(DEFAULT_MODEL_PRICES).toSorted()).toEqual(
      ['gemini-2.5-flash', 'gemini-2.5-pro', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4o', 'gpt-4o-mini', 'gpt-5.2', 'gpt-5.1', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano'].toSorted(),
    );
    expect(DEFAULT_MODEL_PRICES['gpt-5']).toEqual({ input: 1.25, cachedInput: 0.125, output: 10, flex: { input: 0.625, cachedInput: 0.0625, output: 5 } });
    expect(DEFAULT_MODEL_PRICES['gpt-5.2']).toEqual({ input: 1.75, cachedInput: 0.175, output: 14, flex: { input: 0.875, cachedInput: 0.0875, output: 7 } });
    for (const price of Object.values(DEFAULT_MODEL_PRICES)) {
      expect(price.cachedInput).toBeLessThanOrEqual(price.input);
      expect(price.input).toBeLessThan(price.output);
      // Flex is half the standard price, wherever the model has it.
      if (price.flex) expect(price.flex).toEqual({ input: price.input / 2, cachedInput: price.cachedInput / 2, output: price.output / 2 });
    }
    // Only the gpt-5 family is offered on Flex.
    expect(Object.keys(DEFAULT_MODEL_PRICES).filter((m) => DEFAULT_MODEL_PRICES[m]?.flex).toSorted()).toEqual(
      ['gpt-5.2', 'gpt-5.1', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano'].toSorted(),
    );
  });

  it('prices a call at the list price of the tier that answered it', () => {
    const u = usage(10_000, 4_000, 1_000);
    const standard = costOfUsage('gpt-5.2', u, DEFAULT_MODEL_PRICES);
    expect(standard).toBeCloseTo((6_000 * 1.75 + 4_000 * 0.175 + 1_000 * 14) / 1e6, 12);
    for (const tier of [undefined, null, 'default', 'auto']) expect(costOfUsage('gpt-5.2', u, DEFAULT_MODEL_PRICES, tier)).toBe(standard);
    expect(costOfUsage('gpt-5.2', u, DEFAULT_MODEL_PRICES, 'flex')).toBeCloseTo((6_000 * 0.875 + 4_000 * 0.0875 + 1_000 * 7) / 1e6, 12);
    // A tier without a price here is unpriced rather than priced wrong.
    expect(costOfUsage('gpt-5.2', u, DEFAULT_MODEL_PRICES, 'priority')).toBeUndefined();
    expect(costOfUsage('gpt-4.1', u, DEFAULT_MODEL_PRICES, 'flex')).toBeUndefined();
  });

  it('bills cached input at cachedInput, the rest of the input at input, output (reasoning included) at output', () => {
    // 50,000 input of which 40,000 cached, 1,000 output of which 600 reasoning.
    const cost = costOfUsage('gpt-5', usage(50_000, 40_000, 1_000, 600), DEFAULT_MODEL_PRICES);
    expect(cost).toBeCloseTo((10_000 * 1.25 + 40_000 * 0.125 + 1_000 * 10) / 1e6, 12);
    // Reasoning tokens are inside output_tokens: they are not billed twice.
    expect(costOfUsage('gpt-5', usage(50_000, 40_000, 1_000, 0), DEFAULT_MODEL_PRICES)).toBe(cost);
    expect(costOfUsage('gpt-5', usage(0, 0, 0), DEFAULT_MODEL_PRICES)).toBe(0);
    expect(costOfUsage('gpt-4o-mini', usage(1_000_000, 0, 1_000_000), DEFAULT_MODEL_PRICES)).toBeCloseTo(0.75, 12);
  });

  it('never bills more cached tokens than input tokens, nor negative counts', () => {
    expect(costOfUsage('gpt-5', usage(1_000, 5_000, 0), DEFAULT_MODEL_PRICES)).toBeCloseTo((1_000 * 0.125) / 1e6, 12);
    expect(costOfUsage('gpt-5', usage(-5, -1, -3), DEFAULT_MODEL_PRICES)).toBe(0);
  });

  it('prices a dated or prefixed model id as its base model, and nothing else', () => {
    expect(modelPriceKey('gpt-5-2025-08-07')).toBe('gpt-5');
    expect(modelPriceKey('gpt-4.1-mini-2025-04-14')).toBe('gpt-4.1-mini');
    expect(modelPriceKey('GPT-4o-20240806')).toBe('gpt-4o');
    expect(modelPriceKey('models/gemini-2.5-flash')).toBe('gemini-2.5-flash');
    const dated = costOfUsage('gpt-5-mini-2025-08-07', usage(1_000, 0, 100), DEFAULT_MODEL_PRICES);
    expect(dated).toBe(costOfUsage('gpt-5-mini', usage(1_000, 0, 100), DEFAULT_MODEL_PRICES));
    expect(dated).not.toBe(costOfUsage('gpt-5', usage(1_000, 0, 100), DEFAULT_MODEL_PRICES));
    expect(priceOf('gpt-5-chat-latest', DEFAULT_MODEL_PRICES)).toBeUndefined();
  });

  it('an exact entry wins over the base entry', () => {
    const prices: ModelPrices = { ...DEFAULT_MODEL_PRICES, 'gpt-5-2025-08-07': { input: 1, cachedInput: 1, output: 1 } };
    expect(costOfUsage('gpt-5-2025-08-07', usage(1_000_000, 0, 0), prices)).toBe(1);
    expect(costOfUsage('gpt-5-2025-09-01', usage(1_000_000, 0, 0), prices)).toBe(1.25);
  });

  it('has no cost for a model without a price', () => {
    expect(costOfUsage('llama-3.3-70b', usage(1_000, 0, 100), DEFAULT_MODEL_PRICES)).toBeUndefined();
    expect(costOfUsage('', usage(1_000, 0, 100), DEFAULT_MODEL_PRICES)).toBeUndefined();
    expect(costOfUsage('toString', usage(1_000, 0, 100), DEFAULT_MODEL_PRICES)).toBeUndefined();
  });
});

describe('MODEL_PRICES', () => {
  it('unset or blank ⇒ the list prices', () => {
    expect(loadConfig({}).llm.modelPrices).toEqual(DEFAULT_MODEL_PRICES);
    expect(loadConfig({ MODEL_PRICES: '  ' }).llm.modelPrices).toEqual(DEFAULT_MODEL_PRICES);
  });

  it('is merged over the list prices, model by model and field by field', () => {
    const prices = loadConfig({
      MODEL_PRICES:
        '{"gpt-5": {"output": 8}, "GPT-4o": {"input": 2, "cachedInput": 1, "output": 9}, "my-model": {"input": 0.5, "output": 1.5}, ' +
        '"gpt-5-mini": {"flex": {"output": 0.9}}, "my-flex-model": {"input": 1, "output": 2, "flex": {"input": 0.5, "output": 1}}}',
    }).llm.modelPrices;
    // The Flex price stays unless the entry changes it.
    expect(prices['gpt-5']).toEqual({ input: 1.25, cachedInput: 0.125, output: 8, flex: { input: 0.625, cachedInput: 0.0625, output: 5 } });
    expect(prices['gpt-5-mini']).toEqual({ input: 0.25, cachedInput: 0.025, output: 2, flex: { input: 0.125, cachedInput: 0.0125, output: 0.9 } });
    expect(prices['my-flex-model']).toEqual({ input: 1, cachedInput: 1, output: 2, flex: { input: 0.5, cachedInput: 0.5, output: 1 } });
    expect(prices['gpt-4o']).toEqual({ input: 2, cachedInput: 1, output: 9 });
    // A new model without cachedInput gets no cache discount.
    expect(prices['my-model']).toEqual({ input: 0.5, cachedInput: 0.5, output: 1.5 });
    expect(prices['gpt-5-nano']).toEqual(DEFAULT_MODEL_PRICES['gpt-5-nano']);
    expect(costOfUsage('my-model-2026-01-01', usage(2_000_000, 0, 0), prices)).toBe(1);
  });

  it.each([
    ['{"gpt-5": ', 'MODEL_PRICES: must be valid JSON'],
    ['[1, 2]', 'MODEL_PRICES: must be a JSON object of models'],
    ['"gpt-5"', 'MODEL_PRICES: must be a JSON object of models'],
    ['{"gpt-5": {"input": -1}}', 'MODEL_PRICES.gpt-5.input: must not be negative'],
    ['{"gpt-5": {"output": "10"}}', 'MODEL_PRICES.gpt-5.output: must be a number'],
    ['{"gpt-5": 10}', 'MODEL_PRICES.gpt-5: must be an object'],
    ['{"gpt-5": {"inputs": 1}}', 'MODEL_PRICES.gpt-5: unknown field "inputs"'],
    ['{"my-model": {"input": 1}}', 'MODEL_PRICES.my-model: needs "input" and "output"'],
    ['{"my-model": {"input": 1, "output": 2, "flex": {"input": 0.5}}}', 'MODEL_PRICES.my-model.flex: needs "input" and "output"'],
    ['{"gpt-5": {"flex": {"inputs": 1}}}', 'MODEL_PRICES.gpt-5.flex: unknown field "inputs"'],
  ])('%s is a config issue naming MODEL_PRICES', (value, issue) => {
    const issues = configIssues({ MODEL_PRICES: value });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(issue);
  });

  it('PROMPT_CACHE_BUCKETS is 1 to 64, default 1', () => {
    expect(loadConfig({}).llm.promptCacheBuckets).toBe(1);
    expect(loadConfig({ PROMPT_CACHE_BUCKETS: '64' }).llm.promptCacheBuckets).toBe(64);
    expect(configIssues({ PROMPT_CACHE_BUCKETS: '65' })).toEqual(['PROMPT_CACHE_BUCKETS: must be at most 64']);
    expect(configIssues({ PROMPT_CACHE_BUCKETS: '0' })).toEqual(['PROMPT_CACHE_BUCKETS: must be at least 1']);
    expect(configIssues({ PROMPT_CACHE_BUCKETS: '2.5' })).toEqual(['PROMPT_CACHE_BUCKETS: must be an integer']);
  });
});
