// The price table of the models: US$ per million tokens, and the cost of one call's usage.
//
// `MODEL_PRICES` (a JSON object per model, in config.llm.modelPrices) is merged over DEFAULT_MODEL_PRICES:
//   MODEL_PRICES={"gpt-5": {"input": 1.25, "cachedInput": 0.125, "output": 10}, "my-model": {"input": 1, "output": 2}}
// An entry for a model with a built-in price may give only the fields it changes; an entry for another
// model needs `input` and `output` (`cachedInput` defaults to `input`: no discount). `flex` is the same
// three prices on OpenAI's Flex tier (service_tier "flex"), for a model that has it:
//   MODEL_PRICES={"my-model": {"input": 1, "output": 2, "flex": {"input": 0.5, "output": 1}}}
import { z } from 'zod';
import type { ModelUsage } from './usage.js';

/** US$ per million tokens, on one service tier. */
export interface TierPrice {
  /** Input tokens that were not served from the provider's prompt cache. */
  input: number;
  /** Input tokens served from the prompt cache (`cached_tokens`). */
  cachedInput: number;
  /** Output tokens, reasoning tokens included. */
  output: number;
}

/** A model's prices: the default (standard) tier, and the Flex tier when the model has one. */
export interface ModelPrice extends TierPrice {
  /** OpenAI's Flex tier (`service_tier: "flex"`); absent ⇒ the model is not offered on Flex. */
  flex?: TierPrice | undefined;
}

/**
 * The service tier that answered a call, as the response reported it (`service_tier`): `default` (and
 * `auto`, or nothing reported) is priced at the standard prices, `flex` at the Flex prices; any other tier
 * (`priority`, `scale`) has no price here.
 */
export type ServiceTier = string;

/** Prices by model id (lower case, without a date suffix): see modelPriceKey(). */
export type ModelPrices = Readonly<Record<string, ModelPrice>>;

/**
 * The providers' published list prices (US$ per million tokens, as published on openai.com/api/pricing
 * and ai.google.dev/gemini-api/docs/pricing): the standard tier, and for the OpenAI models offered on Flex
 * the Flex tier (half the standard prices). They are list prices, to be overridden with MODEL_PRICES when
 * the account pays something else (discounts, batch or priority tiers, a price change). Gemini 2.5 Pro is
 * at its tier for prompts up to 200k tokens (ours are far below; longer prompts cost more); the Gemini
 * cached rates are the implicit/context-caching rates, without storage.
 */
export const DEFAULT_MODEL_PRICES: ModelPrices = Object.freeze({
  // The original service's model (OPENAI_MODEL's default).
  'gpt-5.2': { input: 1.75, cachedInput: 0.175, output: 14, flex: { input: 0.875, cachedInput: 0.0875, output: 7 } },
  'gpt-5.1': { input: 1.25, cachedInput: 0.125, output: 10, flex: { input: 0.625, cachedInput: 0.0625, output: 5 } },
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10, flex: { input: 0.625, cachedInput: 0.0625, output: 5 } },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2, flex: { input: 0.125, cachedInput: 0.0125, output: 1 } },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4, flex: { input: 0.025, cachedInput: 0.0025, output: 0.2 } },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gemini-2.5-pro': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gemini-2.5-flash': { input: 0.3, cachedInput: 0.03, output: 2.5 },
});

/** A trailing release date: `-2025-08-07` (OpenAI) or `-20250807`. */
const DATE_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8})$/;

/**
 * The table key a model id is priced under: lower case, without a `provider/` or `models/` prefix and
 * without a release date, so `gpt-5-2025-08-07` is priced as `gpt-5` and `models/gemini-2.5-flash` as
 * `gemini-2.5-flash`. Nothing else is guessed: `gpt-5-chat-latest` is not `gpt-5`.
 */
export function modelPriceKey(model: string): string {
  const name = model.trim().toLowerCase().split('/').pop() ?? '';
  return name.replace(DATE_SUFFIX, '');
}

/** The price of a model: its exact id first, then its base id (modelPriceKey); undefined when unpriced. */
export function priceOf(model: string, prices: ModelPrices): ModelPrice | undefined {
  const exact = model.trim().toLowerCase();
  if (Object.hasOwn(prices, exact)) return prices[exact];
  const key = modelPriceKey(model);
  return Object.hasOwn(prices, key) ? prices[key] : undefined;
}

/** The prices of a model on a service tier; undefined when the model has none there. */
export function tierPriceOf(model: string, prices: ModelPrices, tier: ServiceTier | null | undefined): TierPrice | undefined {
  const price = priceOf(model, prices);
  if (!price) return undefined;
  if (tier === 'flex') return price.flex;
  return tier === undefined || tier === null || tier === 'default' || tier === 'auto' ? price : undefined;
}

/**
 * The cost of one model call in US$ at the list prices of the tier that answered it (default: the standard
 * tier): cached input tokens at `cachedInput`, the rest of the input at `input`, output tokens at `output`.
 * Reasoning tokens are billed as output and are already counted in `outputTokens` (OpenAI's
 * `output_tokens` / `completion_tokens` include them), so `reasoningTokens` is not added again. Undefined
 * when the model has no price on that tier.
 */
export function costOfUsage(model: string, usage: ModelUsage, prices: ModelPrices, tier?: ServiceTier | null): number | undefined {
  const price = tierPriceOf(model, prices, tier);
  if (!price) return undefined;
  const cached = Math.min(Math.max(0, usage.cachedTokens), Math.max(0, usage.inputTokens));
  const uncached = Math.max(0, usage.inputTokens) - cached;
  return (uncached * price.input + cached * price.cachedInput + Math.max(0, usage.outputTokens) * price.output) / 1_000_000;
}

// ---------------------------------------------------------------------------------------------------
// MODEL_PRICES

const priceNumber = z
  .number({ error: 'must be a number of US$ per million tokens' })
  .nonnegative({ error: 'must not be negative' })
  .finite({ error: 'must be a finite number' });

const tierFields = { input: priceNumber.optional(), cachedInput: priceNumber.optional(), output: priceNumber.optional() };

const TierOverride = z.strictObject(tierFields, {
  error: (issue) =>
    issue.code === 'unrecognized_keys'
      ? `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (fields: input, cachedInput, output)`
      : 'must be an object with input, cachedInput and output (US$ per million tokens)',
});

const PriceOverride = z.strictObject(
  { ...tierFields, flex: TierOverride.optional() },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (fields: input, cachedInput, output, flex)`
        : 'must be an object with input, cachedInput and output (US$ per million tokens), and optionally flex',
  },
);

type TierOverrideValue = z.infer<typeof TierOverride>;

/** An override over a base price (either may be missing); undefined when input or output stays unknown. */
function mergeTier(override: TierOverrideValue, base: TierPrice | undefined): TierPrice | undefined {
  const input = override.input ?? base?.input;
  const output = override.output ?? base?.output;
  if (input === undefined || output === undefined) return undefined;
  return { input, cachedInput: override.cachedInput ?? base?.cachedInput ?? input, output };
}

const PriceOverrides = z.record(z.string().trim().min(1, { error: 'model names must not be empty' }), PriceOverride, {
  error: 'must be a JSON object of models, e.g. {"gpt-5": {"input": 1.25, "cachedInput": 0.125, "output": 10}}',
});

/**
 * The `MODEL_PRICES` variable's schema (for the agent's config slice): unset ⇒ DEFAULT_MODEL_PRICES;
 * otherwise its JSON merged over them, model by model and field by field. Bad JSON, a negative or
 * non-numeric price, or a new model without `input` and `output` is an issue on MODEL_PRICES.
 */
export const modelPricesVariable = z
  .string()
  .optional()
  .transform((raw, ctx): ModelPrices => {
    if (raw === undefined || raw.trim() === '') return DEFAULT_MODEL_PRICES;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be valid JSON, e.g. {"gpt-5": {"input": 1.25, "cachedInput": 0.125, "output": 10}}' });
      return z.NEVER;
    }
    const parsed = PriceOverrides.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path.map(String), message: issue.message });
      return z.NEVER;
    }
    const merged: Record<string, ModelPrice> = { ...DEFAULT_MODEL_PRICES };
    for (const [name, override] of Object.entries(parsed.data)) {
      const key = name.trim().toLowerCase();
      const base = Object.hasOwn(DEFAULT_MODEL_PRICES, key) ? DEFAULT_MODEL_PRICES[key] : undefined;
      const { flex: flexOverride, ...standardOverride } = override;
      const standard = mergeTier(standardOverride, base);
      if (!standard) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'needs "input" and "output" (no built-in price for this model)' });
        continue;
      }
      const flex = flexOverride ? mergeTier(flexOverride, base?.flex) : base?.flex;
      if (flexOverride && !flex) {
        ctx.addIssue({ code: 'custom', path: [name, 'flex'], message: 'needs "input" and "output" (no built-in Flex price for this model)' });
        continue;
      }
      merged[key] = flex ? { ...standard, flex } : standard;
    }
    return Object.freeze(merged);
  });
