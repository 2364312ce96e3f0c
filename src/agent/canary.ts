// The canary (LLM_CANARY_*): a second model configuration that answers a stable share of the conversations,
// for a gradual switch of model, API mode or provider. 0 % is off, 100 % is the switch.
//
// Which side answers is a pure function of the conversation id and the percentage (a hash, salted apart
// from the prompt-cache buckets), so a conversation stays on one side across turns and restarts, and
// raising the percentage only moves conversations from the primary to the canary, never back.
// Each turn records its side (agent_turns.config) and the model that answered; the report and the metrics
// show both sides. The canary is OpenAI-compatible only: an API key as bearer token (LLM_CANARY_API_KEY,
// default OPENAI_API_KEY) on LLM_CANARY_BASE_URL (default OPENAI_BASE_URL, else OpenAI).
import { createHash } from 'node:crypto';
import type OpenAI from 'openai';
import type { ModelConfigName } from '../core/model-config.js';
import type { AgentConfig } from '../core/llm-config.js';
import type { ToolSpec } from '../tools/registry.js';
import { createChatCompletionsApi } from './chat-completions-api.js';
import { createOpenAiClient } from './openai-client.js';
import type { ModelApi } from './model-api.js';
import { takesReasoningEffort, usesOpenAiDialect } from '../core/model-rules.js';
import { createResponsesApi } from './responses-api.js';
import type { TurnSide } from './turn-model.js';


/** Positions on the 0–100 scale: 2³² hash values, so 0.01 % steps are exact enough. */
const SCALE = 2 ** 32;

/** Where a conversation falls on the 0 … 100 scale (uniform over many ids, fixed for one id). */
export function canaryPosition(conversationId: string): number {
  const value = createHash('sha256').update(`canary\u0000${conversationId}`).digest().readUInt32BE(0);
  return (value / SCALE) * 100;
}

/** The side of a conversation for a canary percentage: exactly none at 0, exactly all at 100. */
export function modelConfigFor(conversationId: string, percent: number): ModelConfigName {
  if (!(percent > 0)) return 'primary';
  if (percent >= 100) return 'canary';
  return canaryPosition(conversationId) < percent ? 'canary' : 'primary';
}

/** The canary's model API: its own client (SDK retries off, like the primary's) and adapter, the same tools. */
export interface CanaryModel {
  side: TurnSide;
  /** Undefined without a key (LLM_CANARY_API_KEY or OPENAI_API_KEY): its turns fail as not_configured. */
  api: ModelApi | undefined;
}

/** Built once, at the agent's start, with the primary's tool specs (same order, same text). */
export function createCanaryModel(llm: AgentConfig, tools: readonly ToolSpec[], client?: OpenAI): CanaryModel {
  const { canary } = llm;
  const side: TurnSide = { config: 'canary', model: canary.model, api: canary.api };
  const sdk =
    client ??
    (canary.apiKey
      ? createOpenAiClient({ apiKey: canary.apiKey, baseUrl: canary.baseUrl, timeoutMs: llm.timeoutMs })
      : undefined);
  if (!sdk) return { side, api: undefined };
  const common = {
    model: canary.model,
    maxOutputTokens: llm.maxOutputTokens,
    reasoningEffort: takesReasoningEffort(canary.model) ? llm.reasoningEffort : undefined,
    tools,
  };
  return {
    side,
    api:
      canary.api === 'chat_completions'
        ? createChatCompletionsApi(sdk, { ...common, openaiDialect: usesOpenAiDialect({ baseUrl: canary.baseUrl, openaiDialect: llm.openaiDialect }) })
        : createResponsesApi(sdk, common),
  };
}
