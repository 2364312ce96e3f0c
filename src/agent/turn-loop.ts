// One turn's tool-calling loop, from the first model call to the turn's result: call the model (with
// retries, bounded by the turn budget), run the tools it asks for, and stop on an answer, on the round
// limit or on a failure. The turn's transcript is returned as `commit`; a failed or aborted turn writes
// none of its tool calls.
import type { Clock } from '../core/clock.js';
import type { AgentConfig } from '../core/llm-config.js';
import type { Logger } from '../core/logger.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { backoffDelayMs, type RetryPolicy, type SleepFn } from '../core/retry.js';
import type { CallPurpose, ModelCallRecord } from '../store/conversation-records.js';
import type { ConversationStore } from '../store/conversation-store.js';
import type { History, NewTranscriptItem, TranscriptItem } from '../core/transcript.js';
import type { ToolEffect } from '../tools/effects.js';
import type { ToolRegistry } from '../tools/registry.js';
import { classifyError, TurnAbortedError, type ClassifiedError } from './errors.js';
import { dropItems, loadHistoryWithModules, pairCallsAndOutputs } from './history.js';
import { withoutModuleTexts, type LoadedModuleSet } from './loaded-modules.js';
import { isToolCallImitation } from './json-imitation.js';
import type { ModelResult } from './model-api.js';
import type { LightTurnModel, TurnModel, TurnSide } from './turn-model.js';
import type { AgentResult, AgentTurn } from './types.js';

/** What every turn shares: fixed for the agent's life. */
export interface TurnLoopDeps {
  /** The agent's slice and the server's fallback text: all a turn reads of the configuration. */
  config: { llm: AgentConfig; fallbackReply: string };
  clock: Clock;
  store: ConversationStore;
  registry: ToolRegistry;
  policy: RetryPolicy;
  sleep: SleepFn;
  random: () => number;
  /** Model calls (outcome, latency, usage) and tool calls (name, outcome, duration). */
  metrics?: Pick<ServiceMetrics, 'modelCall' | 'toolCall'> | undefined;
}

/** Flex failures after which the call goes to the default tier: Flex was slow or unavailable, not the request. */
const FLEX_FALLBACK_CLASSES: ReadonlySet<string> = new Set(['timeout', 'rate_limited', 'server_error', 'connection_error', 'conflict']);

const FINAL_NOTE =
  'Ya no puedes usar más herramientas en este turno. Responde ahora al huésped, en español, con la ' +
  'información que ya tienes.';
const REASK_NOTE =
  'Responde al huésped directamente con texto en lenguaje natural, en español. No escribas llamadas a ' +
  'herramientas ni JSON: en este momento no puedes usar herramientas.';

/** Ends a turn with an error class; caught in run(). */
class TurnFailure extends Error {
  constructor(readonly errorClass: string) {
    super(errorClass);
  }
}

type Attempt = { ok: true; result: ModelResult } | { ok: false; error: ClassifiedError };

/**
 * Drops function calls from a response made with tool_choice 'none' (a provider that ignores it must
 * not leave calls without outputs), and the reasoning items that led to them.
 */
function withoutCalls(result: ModelResult): ModelResult {
  if (result.calls.length === 0) return result;
  return { ...result, items: dropItems(result.items, (item) => item.kind === 'function_call'), calls: [] };
}

export class TurnLoop {
  private readonly log: Logger;
  private readonly signal: AbortSignal;
  /** performance.now() by which the turn must end (config.llm.turnBudgetMs after it started). */
  private readonly deadline: number;
  private readonly calls: ModelCallRecord[] = [];
  /** What the turn's successful tool calls asked of the server, in the order they ran. */
  private readonly effects: ToolEffect[] = [];
  private rounds = 0;
  private history: History = { items: [], tokens: 0, droppedTokens: 0 };
  private replay: TranscriptItem[] = [];
  private budget: number;
  /** Tokens of loaded modules kept in front of the model before the history window (HISTORY_MODULES_MAX_TOKENS). */
  private modulesBudget: number;
  private contextRetried = false;
  /** Set once the API refused the replayed reasoning: the rest of the turn sends none. */
  private withoutReasoning = false;
  /** Set once a Flex call failed for want of Flex (timeout, 429, …): the rest of the turn uses the default tier. */
  private flexFailed = false;
  private readonly side: TurnSide;
  /** The turn's TurnModel.modules (set by run()). */
  private modules: LoadedModuleSet | undefined;

  /**
   * `turnItems` are the turn's input (date note, missed-messages block, the guest's batch); the rounds are
   * appended to it. `startedAt` (clock) and `t0` (performance.now()) are when the turn began. `side`: the
   * configuration answering (default the primary).
   */
  constructor(
    private readonly deps: TurnLoopDeps,
    private readonly turn: AgentTurn,
    private readonly turnItems: NewTranscriptItem[],
    private readonly startedAt: number,
    private readonly t0: number,
    side?: TurnSide,
  ) {
    this.side = side ?? { config: 'primary', model: deps.config.llm.model, api: deps.config.llm.api };
    this.log = turn.log;
    this.signal = turn.signal;
    this.deadline = t0 + deps.config.llm.turnBudgetMs;
    this.budget = deps.config.llm.historyMaxTokens;
    this.modulesBudget = deps.config.llm.historyModulesMaxTokens;
  }

  /** Runs the turn to its result. Throws TurnAbortedError when the turn's signal aborts. */
  async run(model: TurnModel): Promise<AgentResult> {
    this.modules = model.modules;
    this.loadHistory();
    this.log.debug(
      {
        historyItems: this.history.items.length,
        historyTokens: this.history.tokens,
        droppedTokens: this.history.droppedTokens,
        budget: this.budget,
        pinnedItems: this.history.pinnedItems,
      },
      'history loaded',
    );
    try {
      const light = model.light ? await this.lightAnswer(model, model.light) : undefined;
      if (light) return this.answer(light, false);
      let result = await this.callModel(model, 'tools', 'auto', []);
      let forced = false;
      while (result.calls.length > 0) {
        await this.runTools(result);
        if (this.rounds >= this.deps.config.llm.maxToolRounds) {
          this.log.warn({ rounds: this.rounds }, 'tool round limit reached; asking for an answer without tools');
          result = withoutCalls(await this.callModel(model, 'final_no_tools', 'none', [FINAL_NOTE]));
          forced = true;
        } else {
          result = await this.callModel(model, 'tools', 'auto', []);
        }
      }
      if (isToolCallImitation(result.text)) {
        this.log.warn('reply imitates a tool call; asking again without tools');
        result = withoutCalls(await this.callModel(model, 'reask_no_tools', 'none', [REASK_NOTE]));
        if (isToolCallImitation(result.text)) return this.fail('tool_call_imitation');
      }
      return this.answer(result, forced);
    } catch (err) {
      return this.ended(err);
    }
  }

  /**
   * A failed turn keeps the guest's messages and the fallback they were sent (a complete exchange, so the
   * next turn knows what was asked), but none of its tool calls.
   */
  fail(errorClass: string): AgentResult {
    const { config } = this.deps;
    this.log.error(this.summary({ outcome: 'failed', errorClass }), 'agent turn failed');
    const items: NewTranscriptItem[] = [
      ...this.turnItems.slice(0, this.turnItems.findIndex((t) => t.item.kind === 'user') + 1),
      { item: { kind: 'assistant', text: config.fallbackReply, synthetic: true }, boundary: 1 },
    ];
    return { outcome: 'failed', errorClass, commit: this.record('failed', items, errorClass), effects: this.effects, config: this.side.config };
  }

  /** The model's last result as the turn's answer, unless it is empty for a reason that makes it a failure. */
  private answer(result: ModelResult, forced: boolean): AgentResult {
    const reply = result.text.trim();
    if (reply === '' && forced) return this.fail('tool_rounds_exhausted');
    if (reply === '' && result.incompleteReason) return this.fail('incomplete_response');
    this.append(result);
    this.log.info(
      this.summary({ outcome: 'answered', replyChars: reply.length, incomplete: result.incompleteReason }),
      'agent turn answered',
    );
    return { outcome: 'answered', reply, commit: this.record('answered', this.turnItems), effects: this.effects, config: this.side.config };
  }

  /** An error out of the loop: an abort is rethrown, anything else fails the turn. */
  private ended(err: unknown): AgentResult {
    if (err instanceof TurnAbortedError || this.signal.aborted) {
      this.log.warn(this.summary({ outcome: 'aborted' }), 'agent turn aborted');
      throw err instanceof TurnAbortedError ? err : new TurnAbortedError();
    }
    if (err instanceof TurnFailure) return this.fail(err.errorClass);
    this.log.error({ err }, 'agent turn crashed');
    return this.fail('internal_error');
  }

  /**
   * The light model's answer to the turn, or undefined when the turn goes to the main model. One attempt, within
   * half of what is left of the turn, so the main model keeps the rest. Its tool calls are never run: a turn that
   * needs a tool (a module load included) is the main model's from its start, and nothing of the light call is
   * kept in the transcript but its record in model_calls (priced at the light model).
   */
  private async lightAnswer(model: TurnModel, light: LightTurnModel): Promise<ModelResult | undefined> {
    if (this.signal.aborted) throw new TurnAbortedError();
    const remaining = this.deadline - performance.now();
    if (remaining <= 0) throw new TurnFailure('turn_timeout');
    const tier = light.flex ? 'flex' : undefined;
    const on: TurnModel = { ...model, api: light.api, promptCacheKey: light.promptCacheKey, flex: light.flex, light: undefined };
    const outcome = await this.attempt(on, 'tools', 'auto', [], 1, remaining / 2, tier, light.model);
    let handedOver: string;
    if (!outcome.ok) {
      handedOver = outcome.error.errorClass;
      // The guest already waited for one Flex call that failed for want of Flex: the main model uses the default tier.
      if (tier === 'flex' && (FLEX_FALLBACK_CLASSES.has(outcome.error.errorClass) || outcome.error.param === 'service_tier')) this.flexFailed = true;
    } else if (outcome.result.calls.length > 0) handedOver = 'tool_call';
    else if (outcome.result.incompleteReason || outcome.result.text.trim() === '') handedOver = 'no_answer';
    else if (isToolCallImitation(outcome.result.text)) handedOver = 'tool_call_imitation';
    else {
      // Only its message is kept: another model's (encrypted) reasoning is no use to the main model in later turns.
      return { ...outcome.result, items: dropItems(outcome.result.items, (item) => item.kind === 'reasoning') };
    }
    this.log.info({ lightModel: light.model, why: handedOver }, 'light model handed the turn to the main model');
    return undefined;
  }

  /**
   * One model call, retried while the error is retryable, attempts remain and the wait fits in the turn
   * budget. A context-length error retries once with half the history.
   */
  private async callModel(
    model: TurnModel,
    purpose: CallPurpose,
    toolChoice: 'auto' | 'none',
    notes: string[],
  ): Promise<ModelResult> {
    const { policy } = this.deps;
    for (let attempt = 1; ; attempt++) {
      if (this.signal.aborted) throw new TurnAbortedError();
      const remaining = this.deadline - performance.now();
      if (remaining <= 0) throw new TurnFailure('turn_timeout');
      const tier = model.flex && !this.flexFailed ? 'flex' : undefined;
      const outcome = await this.attempt(model, purpose, toolChoice, notes, attempt, remaining, tier);
      if (outcome.ok) return outcome.result;
      const c = outcome.error;
      if (tier === 'flex' && (FLEX_FALLBACK_CLASSES.has(c.errorClass) || c.param === 'service_tier')) {
        // Once per turn, at once and not counted as an attempt: the default tier gets the whole retry policy.
        this.flexFailed = true;
        attempt--;
        this.log.warn({ errorClass: c.errorClass, httpStatus: c.httpStatus }, 'Flex tier unavailable; using the default tier');
        continue;
      }
      if (c.contextLength && !this.contextRetried) {
        // Once per turn: half the history, then the error stands.
        this.contextRetried = true;
        this.budget = Math.max(1, Math.floor(this.budget / 2));
        this.modulesBudget = Math.floor(this.modulesBudget / 2);
        this.loadHistory();
        this.log.warn(
          { budget: this.budget, historyItems: this.history.items.length },
          'context too long; retrying with half the history',
        );
        continue;
      }
      if (c.replayRejected && !this.withoutReasoning) {
        // Once per turn: the same request without reasoning items or provider ids, which the API takes.
        this.withoutReasoning = true;
        this.log.warn({ errorClass: c.errorClass, httpStatus: c.httpStatus }, 'replayed reasoning refused; retrying without it');
        continue;
      }
      if (!c.retryable || attempt >= policy.maxAttempts) throw new TurnFailure(c.errorClass);
      const delay = backoffDelayMs(attempt, policy, c.retryAfterMs, this.deps.random);
      if (delay === undefined || performance.now() + delay >= this.deadline) throw new TurnFailure(c.errorClass);
      await this.deps.sleep(delay, this.signal);
    }
  }

  /** One attempt of a model call, recorded and logged; its error classified. */
  private async attempt(
    model: TurnModel,
    purpose: CallPurpose,
    toolChoice: 'auto' | 'none',
    notes: string[],
    attempt: number,
    remaining: number,
    tier: 'flex' | undefined,
    /** The model the call goes to when it is not the turn's (the light model). */
    otherModel?: string,
  ): Promise<Attempt> {
    const { config, clock } = this.deps;
    const modelName = otherModel ?? this.side.model;
    const log = this.log;
    const callStarted = clock.now();
    const p0 = performance.now();
    // A signal per call: the SDK adds an abort listener to the signal it gets and never removes it,
    // which would pile up on the turn's signal over rounds and retries.
    const callAbort = new AbortController();
    const relay = () => callAbort.abort();
    this.signal.addEventListener('abort', relay, { once: true });
    try {
      const result = await model.api.call(
        {
          instructions: this.modules ? this.modules.instructions(model.instructions) : model.instructions,
          history: this.replay,
          turnItems: this.turnItems.map((t) => t.item),
          notes,
          toolChoice,
          promptCacheKey: model.promptCacheKey,
          ...(this.withoutReasoning ? { withoutReasoning: true } : {}),
        },
        {
          timeoutMs: Math.max(1, Math.floor(tier === 'flex' && model.flex ? Math.min(model.flex.timeoutMs, remaining / 2) : Math.min(config.llm.timeoutMs, remaining))),
          signal: callAbort.signal,
          ...(tier ? { serviceTier: tier } : {}),
        },
      );
      this.calls.push({
        purpose,
        startedAt: callStarted,
        durationMs: performance.now() - p0,
        status: 'ok',
        requestId: result.requestId,
        responseId: result.responseId,
        usage: result.usage,
        serviceTier: result.serviceTier ?? tier,
        ...(otherModel ? { model: otherModel } : {}),
      });
      this.deps.metrics?.modelCall(modelName, 'ok', (performance.now() - p0) / 1000, result.usage, this.side.config);
      log.debug(
        { purpose, attempt, usage: result.usage, calls: result.calls.length, incomplete: result.incompleteReason, serviceTier: result.serviceTier ?? tier },
        'model call',
      );
      return { ok: true, result };
    } catch (err) {
      if (this.signal.aborted) throw new TurnAbortedError();
      const c = classifyError(err, clock.now());
      this.calls.push({
        purpose,
        startedAt: callStarted,
        durationMs: performance.now() - p0,
        status: 'error',
        errorClass: c.errorClass,
        httpStatus: c.httpStatus,
        requestId: c.requestId,
        serviceTier: tier,
        ...(otherModel ? { model: otherModel } : {}),
      });
      this.deps.metrics?.modelCall(modelName, c.errorClass, (performance.now() - p0) / 1000, undefined, this.side.config);
      log.warn(
        { purpose, attempt, errorClass: c.errorClass, httpStatus: c.httpStatus, requestId: c.requestId, serviceTier: tier },
        'model call failed',
      );
      if (c.errorClass === 'internal_error') log.error({ err }, 'unexpected error calling the model');
      return { ok: false, error: c };
    } finally {
      this.signal.removeEventListener('abort', relay);
    }
  }

  /** One round: the model's output joins the transcript, then each tool call runs in order. */
  private async runTools(result: ModelResult): Promise<void> {
    const { turn } = this;
    this.append(result);
    this.rounds++;
    for (const call of result.calls) {
      const exec = await this.deps.registry.execute(call.name, call.arguments, {
        conversationId: turn.conversationId,
        channel: turn.channel,
        waId: turn.guest.waId,
        subscriberId: turn.guest.subscriberId,
        guestName: turn.guest.name,
        logger: this.log,
        clock: this.deps.clock,
        signal: this.signal,
        transcript: [...this.replay, ...this.turnItems.map((t) => t.item)],
        loadedModules: this.modules,
      });
      this.effects.push(...exec.effects);
      // Only the registry's own names become a label; whatever else the model wrote is `other`.
      this.deps.metrics?.toolCall(this.deps.registry.has(call.name) ? call.name : 'other', exec.error ?? 'ok', exec.durationMs / 1000);
      this.log.info(
        { tool: call.name, ok: exec.ok, error: exec.error, durationMs: Math.round(exec.durationMs), round: this.rounds },
        'tool call',
      );
      this.turnItems.push({
        item: { kind: 'function_output', callId: call.callId, output: exec.output, ...(exec.parts ? { parts: exec.parts } : {}) },
        boundary: 0,
      });
      if (this.signal.aborted) throw new TurnAbortedError();
    }
  }

  private append(result: ModelResult): void {
    result.items.forEach((item, i) => this.turnItems.push({ item, boundary: i === 0 ? 1 : 0 }));
  }

  private loadHistory(): void {
    if (this.modules) {
      // The loaded modules are in the instructions: the window is chat only, without module text of earlier loads.
      this.history = this.deps.store.loadHistory(this.turn.conversationId, this.budget);
      this.replay = withoutModuleTexts(pairCallsAndOutputs(this.history.items.map((s) => s.item)));
      return;
    }
    this.history = loadHistoryWithModules(this.deps.store, this.turn.conversationId, this.budget, this.modulesBudget);
    this.replay = pairCallsAndOutputs(this.history.items.map((s) => s.item));
  }

  /**
   * Writes the turn. Not guarded against a second call on purpose: a call inside a transaction that rolled
   * back wrote nothing, and calling again must then write the turn.
   */
  private record(status: 'answered' | 'failed', items: NewTranscriptItem[], errorClass?: string): () => void {
    const { clock, store } = this.deps;
    const { turn, side } = this;
    return () => {
      store.commitTurn({
        conversationId: turn.conversationId,
        channel: turn.channel,
        guest: turn.guest,
        startedAt: this.startedAt,
        endedAt: clock.now(),
        model: side.model,
        api: side.api,
        config: side.config,
        rounds: this.rounds,
        status,
        errorClass,
        historyItems: this.history.items.length,
        historyTokens: this.history.tokens,
        items,
        calls: this.calls,
      });
    };
  }

  /** The turn's log summary: rounds, calls, history and summed usage, plus `extra`. */
  private summary(extra: Record<string, unknown>): Record<string, unknown> {
    const usage = { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 };
    for (const c of this.calls) {
      usage.inputTokens += c.usage?.inputTokens ?? 0;
      usage.cachedTokens += c.usage?.cachedTokens ?? 0;
      usage.outputTokens += c.usage?.outputTokens ?? 0;
      usage.reasoningTokens += c.usage?.reasoningTokens ?? 0;
    }
    return {
      ...extra,
      rounds: this.rounds,
      calls: this.calls.length,
      historyItems: this.history.items.length,
      historyTokens: this.history.tokens,
      ...usage,
      durationMs: Math.round(performance.now() - this.t0),
    };
  }
}
