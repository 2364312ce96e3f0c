// What one turn is run with: which model configuration answers it (recorded on the turn) and the model(s) it
// calls — API, instructions, cache key, Flex tier, loaded modules, light model. Built per turn by openai-agent.ts
// and the comparison, run by turn-loop.ts.
import type { ModelConfigName } from '../core/model-config.js';
import type { LoadedModuleSet } from './loaded-modules.js';
import type { ModelApi } from './model-api.js';

/**
 * Which model configuration answers the turn (canary.ts): recorded on the turn (agent_turns.config, model,
 * api) and on its model-call metrics. Default: the primary, config.llm's model and API.
 */
export interface TurnSide {
  config: ModelConfigName;
  model: string;
  api: 'responses' | 'chat_completions';
}

/** The model of one turn: its API, the instructions loaded for the turn and the cache routing key. */
export interface TurnModel {
  api: ModelApi;
  instructions: string;
  /** `prompt_cache_key` of every call of the turn (model-rules.ts promptCacheKey: by static prefix). */
  promptCacheKey: string;
  /**
   * FLEX_ENABLED where it applies (model-rules.ts flexTierFor): calls ask for the Flex tier, each bounded by
   * `timeoutMs` (and by half of what is left of the turn, so the default tier still has time); once a Flex
   * call times out or finds Flex unavailable, the call is made again on the default tier, and so is the rest
   * of the turn. Undefined: the default tier only.
   */
  flex?: { timeoutMs: number } | undefined;
  /**
   * The conversation's loaded instruction modules (loaded-modules.ts), after `instructions` in every call; the
   * turn's loads add to them. Undefined: loads go into the transcript (INSTRUCTION_MODULES_PLACEMENT=transcript).
   */
  modules?: LoadedModuleSet | undefined;
  /**
   * OPENAI_LIGHT_MODEL (light-model.ts): asked first, once, with the same input; its answer is the turn's when it
   * asks for no tool. Otherwise (a tool call, an error, an empty, cut-short or imitated-call answer) its output is
   * discarded, no tool it asked for runs, and the turn starts over on `api`. Undefined: off.
   */
  light?: LightTurnModel | undefined;
}

/** The light model of a turn: the same instructions and tools on another model (its own cache key and Flex tier). */
export interface LightTurnModel {
  model: string;
  api: ModelApi;
  promptCacheKey: string;
  flex?: { timeoutMs: number } | undefined;
}
