// The agent: one bounded tool-calling loop per batch over the local SQLite transcript.
//
// Per call the model receives: the instructions (byte-identical) and the tool list (same order), the
// budgeted history, then this turn's date note, missed-messages block and the guest's batch, then this
// turn's rounds.
// Nothing that changes per turn comes before the history, so the provider's prompt cache matches.
// respond() builds the turn's input here; the loop itself (model calls with retries, tools, when to stop)
// is turn-loop.ts. The turn's transcript is returned as `commit` and written by the buffer in the same
// transaction as the reply; a failed or aborted turn writes no tool calls.
import type { ConversationStore } from '../store/conversation-store.js';
import type { NewTranscriptItem } from '../core/transcript.js';
import type { ToolRegistry } from '../tools/registry.js';
import { openAiAgentParts, type OpenAiAgentDeps, type OpenAiAgentParts } from './agent-parts.js';
import { bookingCallBudgetMs } from './booking-budget.js';
import { createChatCompletionsApi } from './chat-completions-api.js';
import { DEFAULT_MODEL_RETRY, TurnAbortedError } from './errors.js';
import type { InstructionModuleSource } from '../tools/instructions/module-source.js';
import {
  instructionsCheck,
  instructionsWarnings,
  isShippedExample,
  shippedExampleReason,
  type InstructionSources,
} from './instruction-sources.js';
import type { InstructionsFile, LoadedInstructions } from './instructions.js';
import { LOAD_TOOL, loadEvents, LoadedModuleSet } from './loaded-modules.js';
import type { ServiceAccountTokens } from './vertex.js';
import type { ModelApi } from './model-api.js';
import { flexTierFor, promptCacheKey, staticPrefixHash, takesReasoningEffort, usesOpenAiDialect, type FlexTier } from '../core/model-rules.js';
import { createResponsesApi } from './responses-api.js';
import { buildUserInput, dateNote, type ReplyContextLookup } from './turn-input.js';
import { TurnLoop, type TurnLoopDeps } from './turn-loop.js';
import type { LightTurnModel, TurnSide } from './turn-model.js';
import { createModelApiFor } from './light-model.js';
import { priceOf } from '../core/model-prices.js';
import { createCanaryModel, modelConfigFor, type CanaryModel } from './canary.js';
import type { ModelConfigName } from '../core/model-config.js';
import type { MediaService, PreparedMedia } from '../media/media-service.js';
import { sleep } from '../core/retry.js';
import type { Agent, AgentResult, AgentTurn, Readiness } from './types.js';

export { bookingCallBudgetMs };
export type { OpenAiAgentDeps };

export class OpenAiAgent implements Agent {
  readonly store: ConversationStore;
  readonly instructions: InstructionsFile;
  readonly registry: ToolRegistry;
  private readonly api: ModelApi | undefined;
  private readonly loopDeps: TurnLoopDeps;
  private readonly replyLookup: ReplyContextLookup | undefined;
  /** LLM_PROVIDER=vertex: the service account's access tokens, the client's bearer token per request. */
  private readonly vertexTokens: ServiceAccountTokens | undefined;
  readonly media: MediaService;
  /** What load_additional_modules loads (the JSON file's modules or SYSTEM_INSTRUCTIONS_MODULES_DIR's), if any. */
  readonly instructionModules: InstructionModuleSource | undefined;
  private readonly sources: InstructionSources;
  /** Whether some channel can send replies: then the shipped example prompt must not answer. */
  private readonly answersGuests: boolean;
  /** The static prefix's hash per configuration, for the instructions version last used (the file may change). */
  private readonly prefixes = new Map<ModelConfigName, { instructions: LoadedInstructions; hash: string }>();
  /** LLM_CANARY_* (canary.ts), built when LLM_CANARY_PERCENT > 0. */
  private readonly canary: CanaryModel | undefined;
  private readonly primarySide: TurnSide;
  /** FLEX_ENABLED for each configuration: whether its calls try the Flex tier first (model-rules.ts). */
  private readonly flex: Record<ModelConfigName, FlexTier>;
  /** OPENAI_LIGHT_MODEL (light-model.ts): asked first on the primary configuration's turns. */
  private readonly light: { model: string; api: ModelApi; flex: FlexTier; prefix?: { instructions: LoadedInstructions; hash: string } } | undefined;

  /** The parts are built by the caller (agent-parts.ts, from the composition root's); the agent builds none. */
  constructor(
    private readonly deps: OpenAiAgentDeps,
    parts: OpenAiAgentParts,
  ) {
    const { config } = deps;
    this.store = parts.store;
    this.sources = parts.sources;
    this.instructions = this.sources.file;
    this.instructionModules = this.sources.modules;
    this.answersGuests = parts.answersGuests;
    this.replyLookup = parts.replyLookup;
    this.vertexTokens = parts.vertexTokens;
    const client = parts.client;
    this.media = parts.media;
    this.registry = parts.registry;
    const reasoningEffort = takesReasoningEffort(config.llm.model) ? config.llm.reasoningEffort : undefined;
    const common = {
      model: config.llm.model,
      maxOutputTokens: config.llm.maxOutputTokens,
      reasoningEffort,
      tools: this.registry.specs,
    };
    this.api = client
      ? config.llm.api === 'chat_completions'
        ? createChatCompletionsApi(client, { ...common, openaiDialect: usesOpenAiDialect(config.llm) })
        : createResponsesApi(client, common)
      : undefined;

    this.primarySide = { config: 'primary', model: config.llm.model, api: config.llm.api };
    const lightModel = config.llm.lightModel;
    if (lightModel && client) {
      this.light = {
        model: lightModel,
        api: createModelApiFor(client, config.llm, lightModel, this.registry.specs),
        flex: flexTierFor(config.llm, { provider: config.llm.provider, model: lightModel, baseUrl: config.llm.baseUrl }),
      };
      deps.log.info({ lightModel, model: config.llm.model }, 'tiered models on: the light model answers first, a turn that needs a tool goes to the main model');
      if (!priceOf(lightModel, config.llm.modelPrices)) deps.log.warn({ lightModel }, 'the light model has no price: its calls are recorded without cost (MODEL_PRICES can add one)');
    }
    // The canary's own client and API adapter, the same tools (and, per turn, the same instructions).
    if (config.llm.canary.percent > 0) {
      this.canary = createCanaryModel(config.llm, this.registry.specs);
      deps.log.info(
        { percent: config.llm.canary.percent, model: config.llm.canary.model, api: config.llm.canary.api },
        'canary model configuration on',
      );
    }

    this.flex = {
      primary: flexTierFor(config.llm, { provider: config.llm.provider, model: config.llm.model, baseUrl: config.llm.baseUrl }),
      // The canary is OpenAI-compatible whatever LLM_PROVIDER says (canary.ts).
      canary: flexTierFor(config.llm, { provider: 'openai', model: config.llm.canary.model, baseUrl: config.llm.canary.baseUrl }),
    };
    for (const name of this.canary ? (['primary', 'canary'] as const) : (['primary'] as const)) {
      const tier = this.flex[name];
      if (tier.use) deps.log.info({ config: name, flexTimeoutMs: tier.timeoutMs }, 'model calls try the Flex tier first');
      // FLEX_ENABLED is the original's default: say why it does not apply, without alarming anyone.
      else deps.log.info({ config: name, why: tier.why }, 'model calls use the default tier only');
    }

    this.loopDeps = {
      config,
      clock: deps.clock,
      store: this.store,
      registry: this.registry,
      policy: { ...DEFAULT_MODEL_RETRY, ...deps.retry },
      sleep: deps.sleep ?? sleep,
      random: deps.random ?? Math.random,
      metrics: deps.metrics,
    };

    const problem = this.instructions.problem();
    if (problem) deps.log.warn({ problem }, 'system instructions unavailable');
    else {
      const check = instructionsCheck(this.sources);
      deps.log.info(
        { path: check.path, format: check.format, sha256: check.sha256, coreTokens: check.coreTokens, modules: Object.keys(check.moduleTokens).length },
        'system instructions in use',
      );
      const example = this.exampleReason();
      if (example) deps.log.warn({ path: check.path }, example);
    }
    // Said once here and kept on /ready: modules that cannot be used, a folder not used, a missing base module.
    for (const warning of instructionsWarnings(this.sources)) deps.log.warn({ problem: warning }, 'system instructions problem');
  }

  /** Why the shipped example must not answer now, if it is in use while a channel can answer real guests. */
  private exampleReason(): string | undefined {
    if (!this.answersGuests) return undefined;
    let loaded: LoadedInstructions;
    try {
      loaded = this.instructions.load();
    } catch {
      return undefined;
    }
    return isShippedExample(loaded) ? shippedExampleReason(this.instructions.path) : undefined;
  }

  readiness(): Readiness {
    const reasons: string[] = [];
    const tokenProblem = this.vertexTokens?.problem();
    if (tokenProblem) reasons.push(tokenProblem);
    if (!this.api) reasons.push('OPENAI_API_KEY is not set');
    if (this.canary && !this.canary.api) reasons.push('LLM_CANARY_PERCENT is set but the canary has no key (LLM_CANARY_API_KEY or OPENAI_API_KEY)');
    const problem = this.instructions.problem();
    if (problem) reasons.push(problem);
    const example = this.exampleReason();
    if (example) reasons.push(example);
    const warnings = instructionsWarnings(this.sources);
    return {
      ready: reasons.length === 0,
      reasons,
      ...(warnings.length > 0 ? { warnings } : {}),
      instructions: instructionsCheck(this.sources),
    };
  }

  async respond(turn: AgentTurn): Promise<AgentResult> {
    const startedAt = this.deps.clock.now();
    const t0 = performance.now();
    if (turn.signal.aborted) throw new TurnAbortedError();

    const input = await this.buildInput(turn, startedAt);
    const canary = this.canary && this.configFor(turn.conversationId) === 'canary' ? this.canary : undefined;
    const side = canary?.side ?? this.primarySide;
    const api = canary ? canary.api : this.api;
    const loop = new TurnLoop(this.loopDeps, turn, input.items, startedAt, t0, side);
    if (input.text.trim() === '') {
      turn.log.warn('batch has no text to answer');
      return { outcome: 'answered', reply: '' };
    }
    if (!api) return loop.fail('not_configured');
    let instructions: LoadedInstructions;
    try {
      instructions = this.instructions.load();
    } catch (err) {
      turn.log.error({ err }, 'system instructions unavailable');
      return loop.fail('instructions_unavailable');
    }
    const flex = this.flex[side.config];
    return loop.run({
      api,
      ...(flex.use ? { flex: { timeoutMs: flex.timeoutMs } } : {}),
      instructions: instructions.text,
      modules: this.loadedModules(turn.conversationId),
      promptCacheKey: promptCacheKey(this.prefixHash(instructions, side), turn.conversationId, this.deps.config.llm.promptCacheBuckets),
      // The canary's turns are its model's alone, so that what it is tried for is what answers.
      light: side.config === 'primary' ? this.lightTurnModel(instructions, turn.conversationId) : undefined,
    });
  }

  private lightTurnModel(instructions: LoadedInstructions, conversationId: string): LightTurnModel | undefined {
    const light = this.light;
    if (!light) return undefined;
    if (light.prefix?.instructions !== instructions) {
      light.prefix = { instructions, hash: staticPrefixHash({ model: light.model, instructions: instructions.text, tools: this.registry.specs }) };
    }
    return {
      model: light.model,
      api: light.api,
      promptCacheKey: promptCacheKey(light.prefix.hash, conversationId, this.deps.config.llm.promptCacheBuckets),
      ...(light.flex.use ? { flex: { timeoutMs: light.flex.timeoutMs } } : {}),
    };
  }

  /** The conversation's loaded modules, from its stored loads (INSTRUCTION_MODULES_PLACEMENT=instructions). */
  private loadedModules(conversationId: string): LoadedModuleSet | undefined {
    const { llm } = this.deps.config;
    if (!this.instructionModules || llm.modulesPlacement !== 'instructions' || !this.registry.has(LOAD_TOOL)) return undefined;
    const events = loadEvents(this.store.callsBefore(conversationId, Number.MAX_SAFE_INTEGER, LOAD_TOOL));
    return new LoadedModuleSet(this.instructionModules, llm.historyModulesMaxTokens, events);
  }

  offeredTools(): readonly string[] {
    return this.registry.specs.map((spec) => spec.name);
  }

  /** The configuration a conversation's turns go to: the canary for LLM_CANARY_PERCENT % of them (canary.ts). */
  configFor(conversationId: string): ModelConfigName {
    return modelConfigFor(conversationId, this.deps.config.llm.canary.percent);
  }

  /**
   * The hash of model, instructions and tool specs, computed once per instructions version: the file's
   * loader returns a new object only when the file changed, and the tool specs are fixed for the agent's life.
   */
  private prefixHash(instructions: LoadedInstructions, side: TurnSide): string {
    let prefix = this.prefixes.get(side.config);
    if (prefix?.instructions !== instructions) {
      prefix = { instructions, hash: staticPrefixHash({ model: side.model, instructions: instructions.text, tools: this.registry.specs }) };
      this.prefixes.set(side.config, prefix);
    }
    return prefix.hash;
  }

  /**
   * The turn's input items: the date note, the missed-messages block (if any) and the guest's batch, its
   * media prepared first (inside the turn, bounded; never failing it): downloaded once, transcribed once.
   */
  private async buildInput(turn: AgentTurn, startedAt: number): Promise<{ text: string; items: NewTranscriptItem[] }> {
    const { config } = this.deps;
    const { log, signal } = turn;
    let prepared: Map<number, PreparedMedia> = new Map();
    if (turn.messages.some((m) => m.mediaRef)) {
      try {
        // At most half the turn budget, so the model always has time to answer.
        prepared = await this.media.prepare(turn.conversationId, turn.messages, log, signal, config.llm.turnBudgetMs / 2);
      } catch (err) {
        if (signal.aborted) throw new TurnAbortedError();
        log.error({ err }, 'media preparation failed; answering with placeholders');
      }
      if (signal.aborted) throw new TurnAbortedError();
    }
    const input = buildUserInput(turn.messages, prepared, this.replyLookup);
    const items: NewTranscriptItem[] = [
      { item: { kind: 'developer', text: dateNote(startedAt, config.timezone, turn.channel) }, boundary: 2 },
      ...(turn.missedMessagesBlock
        ? [{ item: { kind: 'developer' as const, text: turn.missedMessagesBlock }, boundary: 0 as const }]
        : []),
      { item: { kind: 'user', text: input.text, ...(input.parts ? { parts: input.parts } : {}) }, boundary: 1 },
    ];
    return { text: input.text, items };
  }
}

/** The agent over its parts: those given in `deps`, the others built from the configuration (agent-parts.ts). */
export function createOpenAiAgent(deps: OpenAiAgentDeps): OpenAiAgent {
  return new OpenAiAgent(deps, openAiAgentParts(deps));
}
