// Small, documented rules about models and endpoints.
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';

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
export function usesOpenAiDialect(llm: Pick<Config['llm'], 'baseUrl' | 'openaiDialect'>): boolean {
  const mode = llm.openaiDialect;
  if (mode !== 'auto') return mode === 'on';
  if (!llm.baseUrl) return true;
  try {
    return new URL(llm.baseUrl).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

/** A stable, non-reversible cache routing key per conversation (never the phone number itself). */
export function promptCacheKey(conversationId: string): string {
  return `wb3-${createHash('sha256').update(conversationId).digest('hex').slice(0, 32)}`;
}
