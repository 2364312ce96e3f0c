// Tiered models (OPENAI_LIGHT_MODEL, default off): a cheaper model answers each turn first with the same
// instructions, history and tools; when it asks for any tool (a module load included) its call is discarded unrun
// and the main model answers the turn from its start (turn-loop.ts lightAnswer). So a turn that needs no tool and
// no module costs the light model's price, and a turn that does costs one short light call more than before.
// Whether the light model's answers are good enough is for `npm run compare` to judge (side key `light`).
import type OpenAI from 'openai';
import type { AgentConfig } from '../core/llm-config.js';
import type { ToolSpec } from '../tools/registry.js';
import { createChatCompletionsApi } from './chat-completions-api.js';
import type { ModelApi } from './model-api.js';
import { takesReasoningEffort, usesOpenAiDialect } from '../core/model-rules.js';
import { createResponsesApi } from './responses-api.js';

/** The model API for `model` on the client and API kind of the main model (same endpoint, key and tools). */
export function createModelApiFor(
  client: OpenAI,
  llm: Pick<AgentConfig, 'api' | 'maxOutputTokens' | 'reasoningEffort' | 'baseUrl' | 'openaiDialect'>,
  model: string,
  tools: readonly ToolSpec[],
): ModelApi {
  const common = {
    model,
    maxOutputTokens: llm.maxOutputTokens,
    reasoningEffort: takesReasoningEffort(model) ? llm.reasoningEffort : undefined,
    tools,
  };
  return llm.api === 'chat_completions'
    ? createChatCompletionsApi(client, { ...common, openaiDialect: usesOpenAiDialect(llm) })
    : createResponsesApi(client, common);
}
