// Small, documented rules about models and endpoints.
import { createHash } from 'node:crypto';
import { priceOf, type ModelPrices } from './model-prices.js';

// The settings these rules read, typed here rather than from the configuration (core/llm-config.ts parses them and
// uses vertexBaseUrl below): LLM_OPENAI_DIALECT and LLM_PROVIDER.
export type OpenAiDialect = 'auto' | 'on' | 'off';
export type LlmProvider = 'openai' | 'vertex';

/**
 * Whether a model takes a reasoning effort (and returns encrypted reasoning items): OpenAI reasoning
 * families, i.e. names starting with gpt-5, o1, o3 or o4, optionally after a "provider/" prefix — except
 * chat variants such as gpt-5-chat-latest, which are not reasoning models. Every other model (gpt-4.1,
 * gpt-4o, Gemini, Llama, …) gets no `reasoning` / `reasoning_effort` field.
 */
export function takesReasoningEffort(model: string): boolean {
  const name = model.toLowerCase().split('/').pop() ?? '';
  if (/(^|-)chat(-|$)/.test(name)) return false;
  return /^(gpt-5|o1|o3|o4)([-.:]|$)/.test(name);
}

/**
 * Chat Completions mode only: whether the endpoint is OpenAI's own, which accepts `store`,
 * `prompt_cache_key` and `max_completion_tokens`. Compatible servers may reject unknown fields
 * (Gemini answers 400 to `store`), so `auto` sends them only to api.openai.com.
 */
export function usesOpenAiDialect(llm: { baseUrl?: string | undefined; openaiDialect: OpenAiDialect }): boolean {
  const mode = llm.openaiDialect;
  if (mode !== 'auto') return mode === 'on';
  if (!llm.baseUrl) return true;
  try {
    return new URL(llm.baseUrl).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

/** What every call of an instructions version starts with: the model, the instructions and the tool specs. */
export interface StaticPrefix {
  model: string;
  instructions: string;
  /** The tool specs as sent (their order matters to the cache as much as their text). */
  tools: readonly unknown[];
}

/**
 * A hash (hex sha256) of the static prefix: the same model, instructions text and tool specs give the same
 * hash, any change gives another. Compute it once per instructions version, not per call (the instructions
 * are ~170 KB). Only the hash ever leaves the process, never the text.
 */
export function staticPrefixHash(prefix: StaticPrefix): string {
  const hash = createHash('sha256');
  for (const part of [prefix.model, prefix.instructions, JSON.stringify(prefix.tools)]) {
    // Length-prefixed, so no two different triples hash the same bytes.
    hash.update(`${Buffer.byteLength(part)}:`).update(part);
  }
  return hash.digest('hex');
}

/**
 * The conversation's bucket among `buckets` (0 … buckets−1), from a hash of its id: stable, and spread
 * evenly over many conversations.
 */
export function promptCacheBucket(conversationId: string, buckets: number): number {
  const n = Math.max(1, Math.floor(buckets));
  if (n === 1) return 0;
  return createHash('sha256').update(conversationId).digest().readUInt32BE(0) % n;
}

/**
 * The `prompt_cache_key` of a call: routed by the static prefix, so every conversation's first call finds
 * the instructions already cached (a per-conversation key cached the ~43k-token prefix once per guest and
 * made each conversation's first call pay it in full). With PROMPT_CACHE_BUCKETS > 1 the conversations are
 * spread over that many keys, for traffic above what one cache machine takes (OpenAI suggests ~15 requests
 * a minute per prefix and key). `wb3-<24 hex of the prefix hash>-<bucket>`: no phone number, no text.
 */
export function promptCacheKey(prefixHash: string, conversationId: string, buckets: number): string {
  return `wb3-${prefixHash.slice(0, 24)}-${promptCacheBucket(conversationId, buckets)}`;
}

/**
 * Vertex AI's OpenAI-compatible base URL for a project and location (`…/chat/completions` is appended by the
 * SDK). The `global` location has no regional host.
 */
export function vertexBaseUrl(projectId: string, location: string): string {
  const host = location === 'global' ? 'aiplatform.googleapis.com' : `${location}-aiplatform.googleapis.com`;
  return `https://${host}/v1/projects/${projectId}/locations/${location}/endpoints/openapi`;
}

/** Whether a base URL is OpenAI's own API (unset = the SDK's default, api.openai.com). */
export function isOpenAiEndpoint(baseUrl: string | undefined): boolean {
  if (!baseUrl) return true;
  try {
    return new URL(baseUrl).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

/** Flex for one model configuration: its bound, or why its calls go to the default tier. */
export type FlexTier = { use: true; timeoutMs: number } | { use: false; why: string };

/**
 * Whether a model configuration's calls try OpenAI's Flex tier first (FLEX_ENABLED, the original's rule):
 * only on OpenAI's own API (LLM_PROVIDER=openai, OPENAI_BASE_URL unset or api.openai.com — Vertex AI and
 * other compatible servers have no `service_tier`) and only for a model with a Flex price (the list prices
 * have one for the models OpenAI offers on Flex, MODEL_PRICES may add one), so every Flex call is priced.
 */
export function flexTierFor(
  llm: { flex: { enabled: boolean; timeoutMs: number }; modelPrices: ModelPrices },
  side: { provider: LlmProvider; model: string; baseUrl: string | undefined },
): FlexTier {
  if (!llm.flex.enabled) return { use: false, why: 'FLEX_ENABLED=false' };
  if (side.provider !== 'openai' || !isOpenAiEndpoint(side.baseUrl)) {
    return { use: false, why: 'the model endpoint is not OpenAI\'s API (Flex is an OpenAI tier)' };
  }
  if (!priceOf(side.model, llm.modelPrices)?.flex) {
    return { use: false, why: `${side.model} has no Flex price (OpenAI offers Flex for the gpt-5 models; MODEL_PRICES can add one)` };
  }
  return { use: true, timeoutMs: llm.flex.timeoutMs };
}
