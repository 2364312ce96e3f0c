// Model and agent-loop configuration slice (`config.llm`): the OpenAI-compatible API, the model and the
// bounds of one turn. In core/ because the agent, guest media (transcription), the payment-proof tool and the
// comparison all read it.
import { z } from 'zod';
import {
  baseUrl,
  emptyToUndefined,
  oneOf,
  optionalString,
  positiveInt,
  seconds,
  secondsToMs,
  text,
  trimmedText,
} from './config-schema.js';
import { modelPricesVariable } from './model-prices.js';

/** The model when OPENAI_MODEL is unset: the one the original service used on every call. */
export const DEFAULT_MODEL = 'gpt-5.2';
import { vertexBaseUrl } from './model-rules.js';

/** The variables LLM_PROVIDER=vertex needs, each reported by name when missing. */
const VERTEX_VARIABLES = ['VERTEX_PROJECT_ID', 'VERTEX_LOCATION', 'GOOGLE_APPLICATION_CREDENTIALS'] as const;

export const agentConfig = z
  .object({
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: z.preprocess(emptyToUndefined, baseUrl.optional()),
    // The original's model (it hard-coded gpt-5.2 on every call).
    OPENAI_MODEL: trimmedText(DEFAULT_MODEL),
    // Tiered models (light-model.ts): a cheaper model answers each turn first; a turn it would call a tool in goes
    // to OPENAI_MODEL from its start. Unset: off.
    OPENAI_LIGHT_MODEL: optionalString,
    LLM_API: oneOf(['responses', 'chat_completions'], 'responses'),
    // vertex (vertex.ts): Vertex AI's OpenAI-compatible endpoint with a service account's access tokens,
    // always in chat_completions mode; OPENAI_API_KEY is not used then.
    LLM_PROVIDER: oneOf(['openai', 'vertex'], 'openai'),
    VERTEX_PROJECT_ID: z.preprocess(
      emptyToUndefined,
      z.string().trim().regex(/^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { error: 'must be a Google Cloud project id such as hotel-bot-123' }).optional(),
    ),
    VERTEX_LOCATION: z.preprocess(
      emptyToUndefined,
      z.string().trim().regex(/^[a-z]+(-[a-z0-9]+)*$/, { error: 'must be a Vertex AI location such as us-central1 or global' }).optional(),
    ),
    GOOGLE_APPLICATION_CREDENTIALS: optionalString,
    OPENAI_REASONING_EFFORT: oneOf(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'], 'low'),
    OPENAI_MAX_OUTPUT_TOKENS: positiveInt(4000, 200_000),
    OPENAI_TIMEOUT_SECONDS: seconds(90),
    // The original's names and defaults (app/config.py): Flex first, under its own timeout, then the default tier.
    FLEX_ENABLED: z.preprocess(
      (v) => (typeof v === 'string' ? emptyToUndefined(v.trim().toLowerCase()) : v),
      z.enum(['true', 'false'], { error: 'must be true or false' }).default('true'),
    ),
    FLEX_TIMEOUT_SECONDS: seconds(120),
    SYSTEM_INSTRUCTIONS_PATH: text('resources/system_instructions.txt'),
    SYSTEM_INSTRUCTIONS_MODULES_DIR: optionalString,
    HISTORY_MAX_TOKENS: positiveInt(30_000, 2_000_000),
    // Loaded instruction modules the chat window has moved past, kept in front of the model (history.ts pinModuleLoads).
    HISTORY_MODULES_MAX_TOKENS: z.preprocess(
      emptyToUndefined,
      z.coerce
        .number({ error: 'must be an integer' })
        .int({ error: 'must be an integer' })
        .min(0, { error: 'must be at least 0' })
        .max(2_000_000, { error: 'must be at most 2000000' })
        .default(30_000),
    ),
    // Where loaded instruction modules go: the instructions of every later call (loaded-modules.ts) or the transcript.
    INSTRUCTION_MODULES_PLACEMENT: oneOf(['instructions', 'transcript'], 'instructions'),
    MAX_TOOL_ROUNDS: positiveInt(8, 50),
    AGENT_TURN_BUDGET_SECONDS: seconds(300),
    TOOL_TIMEOUT_SECONDS: seconds(30),
    // auto = only when OPENAI_BASE_URL is unset or points at api.openai.com, because strict compatible
    // servers (Gemini) reject unknown fields.
    LLM_OPENAI_DIALECT: oneOf(['auto', 'on', 'off'], 'auto'),
    MODEL_PRICES: modelPricesVariable,
    PROMPT_CACHE_BUCKETS: positiveInt(1, 64),
    // The canary (canary.ts): a second, OpenAI-compatible model configuration for a stable share of
    // conversations; each unset value is the primary's.
    LLM_CANARY_PERCENT: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ error: 'must be a number from 0 to 100' }).min(0, { error: 'must be at least 0' }).max(100, { error: 'must be at most 100' }).default(0),
    ),
    LLM_CANARY_MODEL: optionalString,
    LLM_CANARY_API: z.preprocess(emptyToUndefined, z.enum(['responses', 'chat_completions']).optional()),
    LLM_CANARY_BASE_URL: z.preprocess(emptyToUndefined, baseUrl.optional()),
    LLM_CANARY_API_KEY: optionalString,
  })
  .superRefine((e, ctx) => {
    if (e.LLM_PROVIDER !== 'vertex') return;
    for (const name of VERTEX_VARIABLES) {
      if (!e[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when LLM_PROVIDER=vertex' });
    }
  })
  .transform((e) => ({
    apiKey: e.OPENAI_API_KEY,
    /** openai: OPENAI_API_KEY as bearer token; vertex: Vertex AI with a service account's access tokens (vertex.ts). */
    provider: e.LLM_PROVIDER,
    /** LLM_PROVIDER=vertex: the project, the location and the path of the service account's JSON key. */
    vertex:
      e.LLM_PROVIDER === 'vertex' && e.VERTEX_PROJECT_ID && e.VERTEX_LOCATION && e.GOOGLE_APPLICATION_CREDENTIALS
        ? { projectId: e.VERTEX_PROJECT_ID, location: e.VERTEX_LOCATION, credentialsFile: e.GOOGLE_APPLICATION_CREDENTIALS }
        : undefined,
    /** With vertex, Vertex's endpoint for the project and location unless OPENAI_BASE_URL overrides it. */
    baseUrl:
      e.OPENAI_BASE_URL ??
      (e.LLM_PROVIDER === 'vertex' && e.VERTEX_PROJECT_ID && e.VERTEX_LOCATION ? vertexBaseUrl(e.VERTEX_PROJECT_ID, e.VERTEX_LOCATION) : undefined),
    model: e.OPENAI_MODEL,
    /**
     * OPENAI_LIGHT_MODEL: the model that answers a turn first, on the same API and endpoint (light-model.ts); when it
     * asks for a tool, its call is discarded unrun and `model` answers the turn from the start. Undefined: off.
     */
    lightModel: e.OPENAI_LIGHT_MODEL,
    /** Vertex AI has no Responses API: chat_completions whatever LLM_API says. */
    api: e.LLM_PROVIDER === 'vertex' ? ('chat_completions' as const) : e.LLM_API,
    reasoningEffort: e.OPENAI_REASONING_EFFORT,
    maxOutputTokens: e.OPENAI_MAX_OUTPUT_TOKENS,
    timeoutMs: secondsToMs(e.OPENAI_TIMEOUT_SECONDS),
    /**
     * OpenAI's Flex tier (half price, slower, sometimes unavailable): tried first with `timeoutMs`, then the
     * call falls back to the default tier once (model-rules.ts flexTierFor says where it applies).
     */
    flex: { enabled: e.FLEX_ENABLED === 'true', timeoutMs: secondsToMs(e.FLEX_TIMEOUT_SECONDS) },
    systemInstructionsPath: e.SYSTEM_INSTRUCTIONS_PATH,
    /** Folder of instruction modules for load_additional_modules; unset ⇒ the tool is not offered. */
    instructionModulesDir: e.SYSTEM_INSTRUCTIONS_MODULES_DIR,
    historyMaxTokens: e.HISTORY_MAX_TOKENS,
    /**
     * Loaded instruction modules older than the HISTORY_MAX_TOKENS window stay in front of the model, in their
     * place, up to this many tokens (the newest loads first); 0 = they are cut with the chat.
     */
    historyModulesMaxTokens: e.HISTORY_MODULES_MAX_TOKENS,
    /**
     * instructions: a conversation's loaded modules follow the core in every call's instructions, at most
     * historyModulesMaxTokens of them (least recently used taken out first); transcript: the earlier placement,
     * each load's text in the transcript, kept past the window within historyModulesMaxTokens.
     */
    modulesPlacement: e.INSTRUCTION_MODULES_PLACEMENT,
    maxToolRounds: e.MAX_TOOL_ROUNDS,
    /** Wall-clock bound of one turn: all model calls, retries, backoff and tools. */
    turnBudgetMs: secondsToMs(e.AGENT_TURN_BUDGET_SECONDS),
    /** Default tool handler timeout. */
    toolTimeoutMs: secondsToMs(e.TOOL_TIMEOUT_SECONDS),
    /** Chat Completions mode: whether OpenAI-only request fields (store, prompt_cache_key, max_completion_tokens) are sent. */
    openaiDialect: e.LLM_OPENAI_DIALECT,
    /** US$ per million tokens by model: MODEL_PRICES merged over the built-in list prices (model-prices.ts). */
    modelPrices: e.MODEL_PRICES,
    /** prompt_cache_key values the static prefix is spread over, by conversation (model-rules.ts). */
    promptCacheBuckets: e.PROMPT_CACHE_BUCKETS,
    /** The canary: `percent` of the conversations (0 = off, 100 = all), by a hash of their id (canary.ts). */
    canary: {
      percent: e.LLM_CANARY_PERCENT,
      model: e.LLM_CANARY_MODEL ?? e.OPENAI_MODEL,
      api: e.LLM_CANARY_API ?? e.LLM_API,
      baseUrl: e.LLM_CANARY_BASE_URL ?? e.OPENAI_BASE_URL,
      apiKey: e.LLM_CANARY_API_KEY ?? e.OPENAI_API_KEY,
    },
  }));

export type AgentConfig = z.output<typeof agentConfig>;
