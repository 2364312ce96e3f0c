// The agent: one bounded tool-calling loop per batch over the local SQLite transcript.
//
// Per call the model receives: the instructions (byte-identical) and the tool list (same order), the
// budgeted history, then this turn's date note, missed-messages block and the guest's batch, then this
// turn's rounds.
// Nothing that changes per turn comes before the history, so the provider's prompt cache matches.
// The turn's transcript is returned as `commit` and written by the buffer in the same transaction as
// the reply; a failed or aborted turn writes no tool calls.
import OpenAI from 'openai';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { ConversationHistoryRepository } from '../store/conversation-history-repository.js';
import type { Db } from '../store/database.js';
import {
  ConversationStore,
  type CallPurpose,
  type History,
  type ModelCallRecord,
  type NewTranscriptItem,
  type TranscriptItem,
} from '../store/conversation-store.js';
import { createTools, type ToolEffect } from '../tools/index.js';
import { ToolRegistry } from '../tools/registry.js';
import type { ToolDefinition } from '../tools/types.js';
import type { Logger } from '../logger.js';
import { createChatCompletionsApi } from './chat-completions-api.js';
import { classifyError, DEFAULT_MODEL_RETRY, TurnAbortedError } from './errors.js';
import { dropItems, pairCallsAndOutputs } from './history.js';
import { InstructionsFile, type LoadedInstructions } from './instructions.js';
import { isToolCallImitation } from './json-imitation.js';
import type { ModelApi, ModelResult } from './model-api.js';
import { promptCacheKey, takesReasoningEffort, usesOpenAiDialect } from './model-rules.js';
import { createResponsesApi } from './responses-api.js';
import { buildUserInput, dateNote, type ReplyContextLookup } from './turn-input.js';
import { MediaStore } from '../media/media-store.js';
import { createOpenAiTranscriber, MediaService, type PreparedMedia } from '../media/media-service.js';
import { createOfficeCalendar, type OfficeCalendar } from '../office/schedule.js';
import { backoffDelayMs, sleep, type RetryPolicy, type SleepFn } from '../retry.js';
import type { Agent, AgentResult, AgentTurn, Readiness } from './types.js';

export interface OpenAiAgentDeps {
  config: Config;
  db: Db;
  clock: Clock;
  /** Service logger, for events outside a turn. Turn events use the turn's own logger. */
  log: Logger;
  /** Defaults to createTools() from tools/index.ts. */
  tools?: readonly ToolDefinition[] | undefined;
  /** The service's office calendar, for check_office_status; by default one built from config. */
  office?: OfficeCalendar | undefined;
  /** Guest media kept under the data directory; by default one on config.media.dir. */
  mediaStore?: MediaStore | undefined;
  /** Download/transcription of the batch's media; by default built from the store and the client. */
  media?: MediaService | undefined;
  /** A ready client (tests); by default one is built from config.llm. SDK retries are always off. */
  openai?: OpenAI | undefined;
  /** Retry policy for model calls (tests shrink the delays). */
  retry?: Partial<RetryPolicy> | undefined;
  sleep?: SleepFn | undefined;
  random?: (() => number) | undefined;
}

const FINAL_NOTE =
  'Ya no puedes usar más herramientas en este turno. Responde ahora al huésped, en español, con la ' +
  'información que ya tienes.';
const REASK_NOTE =
  'Responde al huésped directamente con texto en lenguaje natural, en español. No escribas llamadas a ' +
  'herramientas ni JSON: en este momento no puedes usar herramientas.';

/** Ends a turn with an error class; caught in respond(). */
class TurnFailure extends Error {
  constructor(readonly errorClass: string) {
    super(errorClass);
  }
}

/**
 * Drops function calls from a response made with tool_choice 'none' (a provider that ignores it must
 * not leave calls without outputs), and the reasoning items that led to them.
 */
function withoutCalls(result: ModelResult): ModelResult {
  if (result.calls.length === 0) return result;
  return { ...result, items: dropItems(result.items, (item) => item.kind === 'function_call'), calls: [] };
}

/** What the bot sent with a platform message id, for a guest's reply that quotes it. */
function outboundLookup(db: Db): ReplyContextLookup {
  const history = new ConversationHistoryRepository(db);
  return (id) => history.outboundTextById(id);
}

export class OpenAiAgent implements Agent {
  readonly store: ConversationStore;
  readonly instructions: InstructionsFile;
  readonly registry: ToolRegistry;
  private readonly api: ModelApi | undefined;
  private readonly policy: RetryPolicy;
  private readonly sleep: SleepFn;
  private readonly random: () => number;
  private readonly replyLookup: ReplyContextLookup | undefined;
  readonly media: MediaService;

  constructor(private readonly deps: OpenAiAgentDeps) {
    const { config } = deps;
    this.store = new ConversationStore(deps.db);
    this.instructions = new InstructionsFile(config.llm.systemInstructionsPath);
    this.policy = { ...DEFAULT_MODEL_RETRY, ...deps.retry };
    this.sleep = deps.sleep ?? sleep;
    this.random = deps.random ?? Math.random;
    this.replyLookup = outboundLookup(deps.db);

    const client =
      deps.openai ??
      (config.llm.apiKey
        ? new OpenAI({
            apiKey: config.llm.apiKey,
            baseURL: config.llm.baseUrl ?? 'https://api.openai.com/v1',
            maxRetries: 0,
            timeout: config.llm.timeoutMs,
          })
        : undefined);
    const mediaStore = deps.media?.store ?? deps.mediaStore ?? new MediaStore(deps.db, config.media.dir, config.media.retentionMs);
    this.media =
      deps.media ??
      new MediaService({
        config,
        store: mediaStore,
        clock: deps.clock,
        transcriber: client ? createOpenAiTranscriber(client, config) : undefined,
      });
    this.registry = new ToolRegistry(
      deps.tools ??
        createTools({
          office: deps.office ?? createOfficeCalendar({ ...config.office, timezone: config.timezone }),
          paymentProof: client ? { client, store: mediaStore, config } : undefined,
        }),
      { defaultTimeoutMs: config.llm.toolTimeoutMs },
    );
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

    const problem = this.instructions.problem();
    if (problem) deps.log.warn({ problem }, 'system instructions unavailable');
  }

  readiness(): Readiness {
    const reasons: string[] = [];
    if (!this.api) reasons.push('OPENAI_API_KEY is not set');
    const problem = this.instructions.problem();
    if (problem) reasons.push(problem);
    return { ready: reasons.length === 0, reasons };
  }

  async respond(turn: AgentTurn): Promise<AgentResult> {
    const { config, clock } = this.deps;
    const log = turn.log;
    const startedAt = clock.now();
    const t0 = performance.now();
    const deadline = t0 + (config.llm.turnBudgetMs);
    const signal = turn.signal;
    if (signal.aborted) throw new TurnAbortedError();

    // Media first (inside the turn, bounded; never fails it): downloaded once, transcribed once.
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
    const text = input.text;
    const turnItems: NewTranscriptItem[] = [
      { item: { kind: 'developer', text: dateNote(startedAt, config.timezone, turn.channel) }, boundary: 2 },
      ...(turn.missedMessagesBlock
        ? [{ item: { kind: 'developer' as const, text: turn.missedMessagesBlock }, boundary: 0 as const }]
        : []),
      { item: { kind: 'user', text, ...(input.parts ? { parts: input.parts } : {}) }, boundary: 1 },
    ];
    const calls: ModelCallRecord[] = [];
    /** What the turn's successful tool calls asked of the server, in the order they ran. */
    const effects: ToolEffect[] = [];
    let rounds = 0;
    let history: History = { items: [], tokens: 0, droppedTokens: 0 };

    // Not guarded against a second call on purpose: a call inside a transaction that rolled back wrote
    // nothing, and calling again must then write the turn.
    const record = (status: 'answered' | 'failed', items: NewTranscriptItem[], errorClass?: string) => () => {
      this.store.commitTurn({
        conversationId: turn.conversationId,
        channel: turn.channel,
        guest: turn.guest,
        startedAt,
        endedAt: clock.now(),
        model: config.llm.model,
        api: config.llm.api,
        rounds,
        status,
        errorClass,
        historyItems: history.items.length,
        historyTokens: history.tokens,
        items,
        calls,
      });
    };
    const summary = (extra: Record<string, unknown>) => {
      const usage = { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 };
      for (const c of calls) {
        usage.inputTokens += c.usage?.inputTokens ?? 0;
        usage.cachedTokens += c.usage?.cachedTokens ?? 0;
        usage.outputTokens += c.usage?.outputTokens ?? 0;
        usage.reasoningTokens += c.usage?.reasoningTokens ?? 0;
      }
      return {
        ...extra,
        rounds,
        calls: calls.length,
        historyItems: history.items.length,
        historyTokens: history.tokens,
        ...usage,
        durationMs: Math.round(performance.now() - t0),
      };
    };
    // A failed turn keeps the guest's messages and the fallback they were sent (a complete exchange,
    // so the next turn knows what was asked), but none of its tool calls.
    const fail = (errorClass: string): AgentResult => {
      log.error(summary({ outcome: 'failed', errorClass }), 'agent turn failed');
      const items: NewTranscriptItem[] = [
        ...turnItems.slice(0, turnItems.findIndex((t) => t.item.kind === 'user') + 1),
        { item: { kind: 'assistant', text: config.fallbackReply, synthetic: true }, boundary: 1 },
      ];
      return { outcome: 'failed', errorClass, commit: record('failed', items, errorClass), effects };
    };

    if (text.trim() === '') {
      log.warn('batch has no text to answer');
      return { outcome: 'answered', reply: '' };
    }
    if (!this.api) return fail('not_configured');
    let instructions: LoadedInstructions;
    try {
      instructions = this.instructions.load();
    } catch (err) {
      log.error({ err }, 'system instructions unavailable');
      return fail('instructions_unavailable');
    }
    const api = this.api;

    let budget = config.llm.historyMaxTokens;
    let replay: TranscriptItem[] = [];
    const loadHistory = () => {
      history = this.store.loadHistory(turn.conversationId, budget);
      replay = pairCallsAndOutputs(history.items.map((s) => s.item));
    };
    loadHistory();
    log.debug(
      { historyItems: history.items.length, historyTokens: history.tokens, droppedTokens: history.droppedTokens, budget },
      'history loaded',
    );
    const cacheKey = promptCacheKey(turn.conversationId);
    let contextRetried = false;

    const callModel = async (purpose: CallPurpose, toolChoice: 'auto' | 'none', notes: string[]) => {
      let attempt = 0;
      for (;;) {
        if (signal.aborted) throw new TurnAbortedError();
        const remaining = deadline - performance.now();
        if (remaining <= 0) throw new TurnFailure('turn_timeout');
        attempt++;
        const callStarted = clock.now();
        const p0 = performance.now();
        // A signal per call: the SDK adds an abort listener to the signal it gets and never removes it,
        // which would pile up on the turn's signal over rounds and retries.
        const callAbort = new AbortController();
        const relay = () => callAbort.abort();
        signal.addEventListener('abort', relay, { once: true });
        try {
          const result = await api.call(
            {
              instructions: instructions.text,
              history: replay,
              turnItems: turnItems.map((t) => t.item),
              notes,
              toolChoice,
              promptCacheKey: cacheKey,
            },
            { timeoutMs: Math.max(1, Math.floor(Math.min(config.llm.timeoutMs, remaining))), signal: callAbort.signal },
          );
          calls.push({
            purpose,
            startedAt: callStarted,
            durationMs: performance.now() - p0,
            status: 'ok',
            requestId: result.requestId,
            responseId: result.responseId,
            usage: result.usage,
          });
          log.debug(
            { purpose, attempt, usage: result.usage, calls: result.calls.length, incomplete: result.incompleteReason },
            'model call',
          );
          return result;
        } catch (err) {
          if (signal.aborted) throw new TurnAbortedError();
          const c = classifyError(err, clock.now());
          calls.push({
            purpose,
            startedAt: callStarted,
            durationMs: performance.now() - p0,
            status: 'error',
            errorClass: c.errorClass,
            httpStatus: c.httpStatus,
            requestId: c.requestId,
          });
          log.warn(
            { purpose, attempt, errorClass: c.errorClass, httpStatus: c.httpStatus, requestId: c.requestId },
            'model call failed',
          );
          if (c.errorClass === 'internal_error') log.error({ err }, 'unexpected error calling the model');
          if (c.contextLength && !contextRetried) {
            // Once per turn: half the history, then the error stands.
            contextRetried = true;
            budget = Math.max(1, Math.floor(budget / 2));
            loadHistory();
            log.warn({ budget, historyItems: history.items.length }, 'context too long; retrying with half the history');
            continue;
          }
          if (!c.retryable || attempt >= this.policy.maxAttempts) throw new TurnFailure(c.errorClass);
          const delay = backoffDelayMs(attempt, this.policy, c.retryAfterMs, this.random);
          if (delay === undefined || performance.now() + delay >= deadline) throw new TurnFailure(c.errorClass);
          await this.sleep(delay, signal);
        } finally {
          signal.removeEventListener('abort', relay);
        }
      }
    };

    const append = (result: ModelResult) => {
      result.items.forEach((item, i) => turnItems.push({ item, boundary: i === 0 ? 1 : 0 }));
    };

    try {
      let result = await callModel('tools', 'auto', []);
      let forced = false;
      while (result.calls.length > 0) {
        append(result);
        rounds++;
        for (const call of result.calls) {
          const exec = await this.registry.execute(call.name, call.arguments, {
            conversationId: turn.conversationId,
            channel: turn.channel,
            waId: turn.guest.waId,
            subscriberId: turn.guest.subscriberId,
            guestName: turn.guest.name,
            logger: log,
            clock,
            signal,
          });
          effects.push(...exec.effects);
          log.info(
            { tool: call.name, ok: exec.ok, error: exec.error, durationMs: Math.round(exec.durationMs), round: rounds },
            'tool call',
          );
          turnItems.push({ item: { kind: 'function_output', callId: call.callId, output: exec.output }, boundary: 0 });
          if (signal.aborted) throw new TurnAbortedError();
        }
        if (rounds >= config.llm.maxToolRounds) {
          log.warn({ rounds }, 'tool round limit reached; asking for an answer without tools');
          result = withoutCalls(await callModel('final_no_tools', 'none', [FINAL_NOTE]));
          forced = true;
        } else {
          result = await callModel('tools', 'auto', []);
        }
      }
      if (isToolCallImitation(result.text)) {
        log.warn('reply imitates a tool call; asking again without tools');
        result = withoutCalls(await callModel('reask_no_tools', 'none', [REASK_NOTE]));
        if (isToolCallImitation(result.text)) return fail('tool_call_imitation');
      }
      const reply = result.text.trim();
      if (reply === '' && forced) return fail('tool_rounds_exhausted');
      if (reply === '' && result.incompleteReason) return fail('incomplete_response');
      append(result);
      log.info(
        summary({ outcome: 'answered', replyChars: reply.length, incomplete: result.incompleteReason }),
        'agent turn answered',
      );
      return { outcome: 'answered', reply, commit: record('answered', turnItems), effects };
    } catch (err) {
      if (err instanceof TurnAbortedError || signal.aborted) {
        log.warn(summary({ outcome: 'aborted' }), 'agent turn aborted');
        throw err instanceof TurnAbortedError ? err : new TurnAbortedError();
      }
      if (err instanceof TurnFailure) return fail(err.errorClass);
      log.error({ err }, 'agent turn crashed');
      return fail('internal_error');
    }
  }
}

export function createOpenAiAgent(deps: OpenAiAgentDeps): OpenAiAgent {
  return new OpenAiAgent(deps);
}
