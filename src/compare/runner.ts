// The comparison: each selected turn replayed through side A and side B, with the turn loop the server runs
// (agent/turn-loop.ts) over the history the turn had, the tools in dry-run mode (dry-run-tools.ts), nothing
// recorded: the loop's transcript record is captured in memory by ReplayStore and never written.
//
// At most `concurrency` turns run at a time (each turn's two sides together, so each provider sees at most
// `concurrency` conversations at once). With `maxCostUsd`, no new turn starts once the spend so far plus the
// average cost of a turn for each turn still running reaches it; the report says it stopped.
import type OpenAI from 'openai';
import type { Logger } from 'pino';
import { DEFAULT_MODEL_RETRY, TurnAbortedError } from '../agent/errors.js';
import { openInstructionSources } from '../agent/instruction-sources.js';
import { createLoadAdditionalModulesTool, LOAD_MODULES_TOOL } from '../tools/instructions/load-additional-modules.js';
import { costOfUsage, priceOf } from '../core/model-prices.js';
import type { ModelApi } from '../agent/model-api.js';
import { promptCacheKey, staticPrefixHash, takesReasoningEffort, usesOpenAiDialect } from '../core/model-rules.js';
import { createChatCompletionsApi } from '../agent/chat-completions-api.js';
import { createResponsesApi } from '../agent/responses-api.js';
import { createOpenAiClient } from '../agent/openai-client.js';
import { TurnLoop } from '../agent/turn-loop.js';
import type { LightTurnModel } from '../agent/turn-model.js';
import type { InstructionModuleSource } from '../tools/instructions/module-source.js';
import { loadEvents, LoadedModuleSet } from '../agent/loaded-modules.js';
import { createModelApiFor } from '../agent/light-model.js';
import type { AgentResult, AgentTurn } from '../agent/types.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config.js';
import { loggableConversationId } from '../core/conversation-id.js';
import { sleep, type RetryPolicy } from '../core/retry.js';
import type { CompareRepository, RecordedTurnRow } from '../store/compare-repository.js';
import type { TurnRecord } from '../store/conversation-records.js';
import { ConversationStore } from '../store/conversation-store.js';
import type { History } from '../core/transcript.js';
import type { Db } from '../store/database.js';
import { ToolRegistry } from '../tools/registry.js';
import type { ToolDefinition } from '../tools/types.js';
import { allPassed, bookingCodes, checkReply } from './checks.js';
import { dryRunTools, type DryRunCall } from './dry-run-tools.js';
import { addUsage, totalsOf, ZERO_USAGE, type ChosenTool, type ComparisonReport, type SideRun, type TurnComparison } from './report.js';
import { replayTurn, type ReplayTurn } from './selection.js';
import type { SideConfig } from './side-spec.js';

export class CompareSetupError extends Error {
  override readonly name = 'CompareSetupError';
}

/** A ConversationStore that serves the history a turn had and keeps the loop's record in memory: nothing is written. */
class ReplayStore extends ConversationStore {
  record: TurnRecord | undefined;

  constructor(
    db: Db,
    private readonly history: (budget: number) => History,
  ) {
    super(db);
  }

  override loadHistory(_conversationId: string, budgetTokens: number): History {
    return this.history(budgetTokens);
  }

  override commitTurn(turn: TurnRecord): number {
    this.record = turn;
    return 0;
  }

  override recordNotice(): number {
    throw new Error('a comparison records nothing');
  }
}

export interface CompareDeps {
  config: Config;
  /** The database, opened read-only (openReadonlyDatabase). */
  db: Db;
  repo: CompareRepository;
  /** The server's tools as assembled for the comparison (compare/tools.ts); wrapped here in dry-run mode. */
  tools: readonly ToolDefinition[];
  log: Logger;
  /** A client per side (tests); by default one from the side's base URL and key. */
  clientFor?: ((side: SideConfig) => OpenAI) | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  now?: () => number;
}

export interface CompareOptions {
  a: SideConfig;
  b: SideConfig;
  turns: readonly RecordedTurnRow[];
  concurrency: number;
  maxCostUsd?: number | undefined;
  /** Called as each turn finishes (progress on stderr). */
  onTurn?: ((done: number, total: number, turn: TurnComparison) => void) | undefined;
}

interface PreparedSide {
  side: SideConfig;
  client: OpenAI;
  instructions: string;
  /** The comparison's tools, with load_additional_modules over this side's instructions. */
  tools: readonly ToolDefinition[];
  config: Config;
  /** What this side's load_additional_modules loads (its JSON file's modules or the modules folder's), if any. */
  modules: InstructionModuleSource | undefined;
}

function prepareSide(side: SideConfig, deps: CompareDeps): PreparedSide {
  if (!side.apiKey && !deps.clientFor) throw new CompareSetupError(`side ${side.label}: no API key (${side.apiKeyEnv} is not set)`);
  // The side's own instructions, and the modules load_additional_modules loads from them (a JSON file's own).
  const sources = openInstructionSources({ systemInstructionsPath: side.instructionsPath, instructionModulesDir: deps.config.llm.instructionModulesDir });
  let instructions: string;
  try {
    instructions = sources.file.load().text;
  } catch (err) {
    throw new CompareSetupError(`side ${side.label}: instructions ${side.instructionsPath}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const tools = [
    ...deps.tools.filter((t) => t.name !== LOAD_MODULES_TOOL),
    ...(sources.modules ? [createLoadAdditionalModulesTool({ modules: sources.modules })] : []),
  ];
  const config: Config = {
    ...deps.config,
    llm: {
      ...deps.config.llm,
      model: side.model,
      api: side.api,
      baseUrl: side.baseUrl,
      reasoningEffort: side.reasoningEffort,
      systemInstructionsPath: side.instructionsPath,
    },
  };
  const client =
    deps.clientFor?.(side) ??
    createOpenAiClient({ apiKey: side.apiKey, baseUrl: side.baseUrl, timeoutMs: config.llm.timeoutMs });
  return { side, client, instructions, tools, config, modules: sources.modules };
}

/** The tool calls a side chose, from its transcript (with its arguments as written) and the dry run's log. */
function chosenTools(record: TurnRecord | undefined, log: readonly DryRunCall[]): ChosenTool[] {
  const calls = (record?.items ?? []).flatMap((e) => (e.item.kind === 'function_call' ? [e.item] : []));
  if (calls.length === 0) return log.map((l) => ({ name: l.name, arguments: l.arguments, mode: l.mode }));
  const pending = [...log];
  return calls.map((call) => {
    const i = pending.findIndex((l) => l.name === call.name);
    const hit = i >= 0 ? pending.splice(i, 1)[0] : undefined;
    return { name: call.name, arguments: call.arguments, mode: hit?.mode ?? 'refused' };
  });
}

/** Replays one turn through one side. */
async function replaySide(prepared: PreparedSide, replay: ReplayTurn, deps: CompareDeps): Promise<SideRun> {
  const { config, side } = prepared;
  const { row } = replay;
  const log: DryRunCall[] = [];
  const registry = new ToolRegistry(dryRunTools(prepared.tools, replay.original.recorded, log), { defaultTimeoutMs: config.llm.toolTimeoutMs });
  const common = {
    model: side.model,
    maxOutputTokens: config.llm.maxOutputTokens,
    reasoningEffort: takesReasoningEffort(side.model) ? side.reasoningEffort : undefined,
    tools: registry.specs,
  };
  const api: ModelApi =
    side.api === 'chat_completions'
      ? createChatCompletionsApi(prepared.client, { ...common, openaiDialect: usesOpenAiDialect(config.llm) })
      : createResponsesApi(prepared.client, common);
  // Tiered models as the server runs them (OPENAI_LIGHT_MODEL): the light model first, on the same client and tools.
  const light: LightTurnModel | undefined = side.lightModel
    ? {
        model: side.lightModel,
        api: createModelApiFor(prepared.client, config.llm, side.lightModel, registry.specs),
        promptCacheKey: promptCacheKey(
          staticPrefixHash({ model: side.lightModel, instructions: prepared.instructions, tools: registry.specs }),
          row.conversationId,
          config.llm.promptCacheBuckets,
        ),
      }
    : undefined;
  const store = new ReplayStore(deps.db, (budget) => deps.repo.historyBefore(row.conversationId, replay.first, budget));
  // The tools see the original turn's time (as its date note says), moving on from there.
  const realNow = deps.now ?? Date.now;
  const replayStart = realNow();
  const clock: Clock = { now: () => row.startedAt + (realNow() - replayStart) };
  const abort = new AbortController();
  const turn: AgentTurn = {
    conversationId: row.conversationId,
    channel: row.channel,
    guest: {
      // The conversation row holds the identity of its own platform only.
      ...(row.waId ? { waId: row.waId } : {}),
      ...(row.subscriberId ? { subscriberId: row.subscriberId } : {}),
      ...(row.guestName ? { name: row.guestName } : {}),
    },
    messages: [],
    log: deps.log.child({ conversationId: loggableConversationId(row.conversationId), side: side.label }),
    signal: abort.signal,
  };
  const t0 = performance.now();
  // The modules the conversation had loaded before the turn, in the instructions as the server sends them
  // (INSTRUCTION_MODULES_PLACEMENT=instructions); a load in the replay joins them, never the database.
  const modules =
    prepared.modules && config.llm.modulesPlacement === 'instructions' && registry.has(LOAD_MODULES_TOOL)
      ? new LoadedModuleSet(
          prepared.modules,
          config.llm.historyModulesMaxTokens,
          loadEvents(store.callsBefore(row.conversationId, replay.first.cumTokens, LOAD_MODULES_TOOL)),
        )
      : undefined;
  const loop = new TurnLoop(
    {
      config,
      clock,
      store,
      registry,
      policy: { ...DEFAULT_MODEL_RETRY, ...deps.retry },
      sleep,
      random: Math.random,
    },
    turn,
    replay.input.map((e) => ({ ...e })),
    clock.now(),
    t0,
  );
  let result: AgentResult;
  try {
    result = await loop.run({
      api,
      instructions: prepared.instructions,
      promptCacheKey: promptCacheKey(
        staticPrefixHash({ model: side.model, instructions: prepared.instructions, tools: registry.specs }),
        row.conversationId,
        config.llm.promptCacheBuckets,
      ),
      light,
      modules,
    });
  } catch (err) {
    if (!(err instanceof TurnAbortedError)) throw err;
    result = { outcome: 'failed', errorClass: 'aborted' };
  }
  const latencyMs = performance.now() - t0;
  // Captured by ReplayStore, never written.
  result.commit?.();
  const record = store.record;
  const calls = record?.calls ?? [];
  let usage = ZERO_USAGE;
  let cost: number | null = 0;
  for (const call of calls) {
    if (!call.usage) continue;
    usage = addUsage(usage, call.usage);
    // At the model that answered: a light call at the light model's price.
    const c = costOfUsage(call.model ?? side.model, call.usage, config.llm.modelPrices, call.serviceTier);
    cost = cost === null || c === undefined ? null : cost + c;
  }
  const tools = chosenTools(result.outcome === 'answered' ? record : undefined, log);
  const reply = result.outcome === 'answered' ? result.reply : '';
  const checks = checkReply({ answered: result.outcome === 'answered', reply, tools: tools.map((t) => t.name), originalReply: replay.original.reply });
  return {
    outcome: result.outcome,
    ...(result.outcome === 'failed' ? { errorClass: result.errorClass } : {}),
    reply,
    tools,
    latencyMs,
    modelCalls: calls.length,
    usage,
    costUsd: cost,
    droppedEffects: log.reduce((n, l) => n + l.droppedEffects, 0),
    checks,
    passed: allPassed(checks),
    bookingCodes: bookingCodes(reply),
  };
}

/** Runs the comparison; rejects only for a setup problem (a side without key or instructions, an unpriced model with a cost cap). */
export async function runComparison(deps: CompareDeps, options: CompareOptions): Promise<ComparisonReport> {
  const now = deps.now ?? Date.now;
  if (options.maxCostUsd !== undefined) {
    for (const side of [options.a, options.b]) {
      for (const model of [side.model, ...(side.lightModel ? [side.lightModel] : [])]) {
        if (!priceOf(model, deps.config.llm.modelPrices)) {
          throw new CompareSetupError(`--max-cost needs a price for ${model} (side ${side.label}): add it to MODEL_PRICES`);
        }
      }
    }
  }
  const a = prepareSide(options.a, deps);
  const b = prepareSide(options.b, deps);
  const concurrency = Math.max(1, Math.floor(options.concurrency));

  const results: (TurnComparison | undefined)[] = new Array<TurnComparison | undefined>(options.turns.length);
  const skipped: { turnId: number; reason: string }[] = [];
  let next = 0;
  let running = 0;
  let finished = 0;
  let spent = 0;
  let stopped: ComparisonReport['stopped'];

  const estimate = () => spent + (finished > 0 ? (spent / finished) * running : 0);

  const worker = async (): Promise<void> => {
    for (;;) {
      if (stopped || next >= options.turns.length) return;
      if (options.maxCostUsd !== undefined && estimate() >= options.maxCostUsd) {
        stopped = {
          reason: `the estimated spend reached --max-cost US$ ${options.maxCostUsd}`,
          maxCostUsd: options.maxCostUsd,
          spentUsd: spent,
          notRun: 0,
        };
        return;
      }
      const index = next++;
      const row = options.turns[index] as RecordedTurnRow;
      const replay = replayTurn(row, deps.repo.turnItems(row.turnId));
      if (!replay) {
        skipped.push({ turnId: row.turnId, reason: 'no guest message in the turn' });
        continue;
      }
      running++;
      try {
        const [ra, rb] = await Promise.all([replaySide(a, replay, deps), replaySide(b, replay, deps)]);
        const history = deps.repo.historyBefore(row.conversationId, replay.first, deps.config.llm.historyMaxTokens);
        const comparison: TurnComparison = {
          turnId: row.turnId,
          conversation: loggableConversationId(row.conversationId),
          channel: row.channel,
          startedAt: new Date(row.startedAt).toISOString(),
          guestText: replay.guestText,
          historyItems: history.items.length,
          historyTokens: history.tokens,
          original: {
            model: row.model,
            status: row.status,
            reply: replay.original.reply,
            tools: replay.original.calls,
            bookingCodes: bookingCodes(replay.original.reply),
          },
          a: ra,
          b: rb,
        };
        results[index] = comparison;
        spent += (ra.costUsd ?? 0) + (rb.costUsd ?? 0);
        finished++;
        options.onTurn?.(finished, options.turns.length, comparison);
      } finally {
        running--;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, options.turns.length)) }, () => worker()));

  const turns = results.filter((t): t is TurnComparison => t !== undefined);
  if (stopped) stopped = { ...stopped, spentUsd: spent, notRun: options.turns.length - turns.length - skipped.length };
  return {
    generatedAt: new Date(now()).toISOString(),
    sides: { a: totalsOf(options.a, turns.map((t) => t.a)), b: totalsOf(options.b, turns.map((t) => t.b)) },
    turns,
    selected: options.turns.length,
    stopped,
    skipped,
  };
}
