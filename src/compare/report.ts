// The comparison's report: what each side did with each replayed turn, and each side's totals.
import type { ModelUsage } from '../core/usage.js';
import { CHECK_NAMES, type ReplyChecks } from './checks.js';
import type { DryRunCall } from './dry-run-tools.js';
import type { OriginalCall } from './selection.js';
import { describeSide, type SideConfig } from './side-spec.js';

/** A tool call a side chose, and what the dry run did with it. */
export interface ChosenTool {
  name: string;
  arguments: string;
  /** ran (a read tool), recorded (the original's output), simulated (neutral output), refused (never reached the tool: bad arguments, unknown tool). */
  mode: DryRunCall['mode'] | 'refused';
}

export interface SideRun {
  outcome: 'answered' | 'failed';
  errorClass?: string | undefined;
  reply: string;
  tools: ChosenTool[];
  /** Wall time of the replay, tools included. */
  latencyMs: number;
  modelCalls: number;
  usage: ModelUsage;
  /** US$ at config.llm.modelPrices; null when the model has no price. */
  costUsd: number | null;
  /** Effects read tools asked for (pictures, texts, jobs), dropped. */
  droppedEffects: number;
  checks: ReplyChecks;
  passed: boolean;
  bookingCodes: string[];
}

export interface TurnComparison {
  turnId: number;
  /** Masked like the server's logs. */
  conversation: string;
  channel: string;
  startedAt: string;
  guestText: string;
  historyItems: number;
  historyTokens: number;
  original: { model: string; status: string; reply: string; tools: OriginalCall[]; bookingCodes: string[] };
  a: SideRun;
  b: SideRun;
}

export interface SideTotals {
  label: string;
  config: string;
  turns: number;
  answered: number;
  failed: number;
  /** Turns whose every applicable check passed. */
  passed: number;
  /** Failures per check. */
  checkFailures: Record<(typeof CHECK_NAMES)[number], number>;
  toolCalls: number;
  latencyMs: { total: number; average: number | null; p50: number | null; max: number | null };
  usage: ModelUsage;
  costUsd: number;
  /** Turns with calls that could not be priced. */
  unpricedTurns: number;
}

export interface ComparisonReport {
  generatedAt: string;
  sides: { a: SideTotals; b: SideTotals };
  turns: TurnComparison[];
  selected: number;
  /** Set when --max-cost stopped the run before every selected turn ran. */
  stopped: { reason: string; maxCostUsd: number; spentUsd: number; notRun: number } | undefined;
  /** Turns whose replay could not start (no guest message in the stored items), with why. */
  skipped: { turnId: number; reason: string }[];
}

export const ZERO_USAGE: ModelUsage = { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 };

export function addUsage(a: ModelUsage, b: ModelUsage | undefined): ModelUsage {
  if (!b) return a;
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedTokens: a.cachedTokens + b.cachedTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
  };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function totalsOf(side: SideConfig, runs: readonly SideRun[]): SideTotals {
  const latencies = runs.map((r) => r.latencyMs);
  const checkFailures = Object.fromEntries(CHECK_NAMES.map((name) => [name, runs.filter((r) => r.checks[name] === false).length])) as SideTotals['checkFailures'];
  const total = latencies.reduce((s, x) => s + x, 0);
  return {
    label: side.label,
    config: describeSide(side),
    turns: runs.length,
    answered: runs.filter((r) => r.outcome === 'answered').length,
    failed: runs.filter((r) => r.outcome === 'failed').length,
    passed: runs.filter((r) => r.passed).length,
    checkFailures,
    toolCalls: runs.reduce((n, r) => n + r.tools.length, 0),
    latencyMs: {
      total,
      average: runs.length > 0 ? total / runs.length : null,
      p50: median(latencies),
      max: latencies.length > 0 ? Math.max(...latencies) : null,
    },
    usage: runs.reduce((u, r) => addUsage(u, r.usage), ZERO_USAGE),
    costUsd: runs.reduce((s, r) => s + (r.costUsd ?? 0), 0),
    unpricedTurns: runs.filter((r) => r.costUsd === null && r.modelCalls > 0).length,
  };
}
