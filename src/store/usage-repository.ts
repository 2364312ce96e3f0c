// Read-only queries over what the model calls used and cost (tables agent_turns and model_calls, whose
// cost_usd ConversationStore.commitTurn writes from the price table, migration 11). For the operations
// report, the alert monitor, the dashboard and the chat console:
//
//   const usage = new UsageRepository(db);
//   const week = { since: Date.now() - 7 * 86_400_000, until: Date.now() };
//   usage.totals(week);                          // tokens and US$ of the period
//   usage.days(week, config.timezone);           // one row per local date with usage
//   usage.conversations(week, { limit: 10 });    // the most expensive conversations
//   usage.cachedShare(week).share;               // 0…1, undefined without input tokens
//
// Attribution: a call belongs to its turn, and a turn to the period, conversation and day in which it
// started (agent_turns.started_at), so per-turn, per-conversation, per-day and per-model figures of one
// period add up to the same totals. Periods are half-open: since ≤ started_at < until (epoch ms).
// Every sum covers all call attempts, failed ones included (a failed attempt usually reports no usage).
import { isoDate, zonedParts } from '../core/zoned-time.js';
import type { Db } from './database.js';

/** A half-open time range in epoch milliseconds: `since` ≤ t < `until`. */
export interface Period {
  since: number;
  until: number;
}

/** What a set of model calls used and cost. */
export interface UsageTotals {
  /** Model call attempts, failed ones included. */
  calls: number;
  /** Attempts that ended in an error. */
  failedCalls: number;
  /** Input tokens, cached ones included. */
  inputTokens: number;
  /** Input tokens served from the provider's prompt cache. */
  cachedTokens: number;
  /** Output tokens, reasoning ones included. */
  outputTokens: number;
  /** Reasoning tokens (already inside outputTokens). */
  reasoningTokens: number;
  /** US$ of the priced calls. */
  costUsd: number;
  /** Calls that reported usage but have no cost (their model had no price): costUsd leaves them out. */
  unpricedCalls: number;
}

export interface TurnUsage extends UsageTotals {
  turnId: number;
  conversationId: string;
  startedAt: number;
  endedAt: number;
  model: string;
  /** answered | failed */
  status: string;
}

export interface ConversationUsage extends UsageTotals {
  conversationId: string;
  /** Turns that called the model (a turn that failed before any call, or a notice, is not counted). */
  turns: number;
  /** Start of its first and last such turn in the period. */
  firstTurnAt: number;
  lastTurnAt: number;
}

export interface DayUsage extends UsageTotals {
  /** The local date in the time zone asked for, `2026-03-05`. */
  date: string;
  /** Turns that called the model and started that day. */
  turns: number;
}

export interface ModelUsageTotals extends UsageTotals {
  /** The model the calls went to: the turn's (OPENAI_MODEL when it ran), or the call's own (OPENAI_LIGHT_MODEL). */
  model: string;
  /** Turns with calls to this model (a turn escalated from the light model counts under both). */
  turns: number;
}

export interface ConfigUsageTotals extends UsageTotals {
  /** The model configuration of the turns (agent_turns.config, migration 13): primary | canary. */
  config: string;
  /** The models its turns used (agent_turns.model), sorted. */
  models: string[];
  /** Its turns that called the model or failed (a notice is neither). */
  turns: number;
  /** Of those, the failed ones (the fallback reply was sent). */
  failedTurns: number;
}

export interface CachedShare {
  inputTokens: number;
  cachedTokens: number;
  /** cachedTokens / inputTokens (0…1); undefined when the period has no input tokens. */
  share: number | undefined;
}

interface TotalsRow {
  calls: number;
  failedCalls: number;
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  unpricedCalls: number;
}

// Sums over `c` (model_calls), LEFT JOINed so a turn without calls gives zeros.
const TOTALS = `
  COUNT(c.id) AS calls,
  COALESCE(SUM(c.status = 'error'), 0) AS failedCalls,
  COALESCE(SUM(c.input_tokens), 0) AS inputTokens,
  COALESCE(SUM(c.cached_tokens), 0) AS cachedTokens,
  COALESCE(SUM(c.output_tokens), 0) AS outputTokens,
  COALESCE(SUM(c.reasoning_tokens), 0) AS reasoningTokens,
  COALESCE(SUM(c.cost_usd), 0.0) AS costUsd,
  COALESCE(SUM(c.input_tokens IS NOT NULL AND c.cost_usd IS NULL), 0) AS unpricedCalls`;

// Every UTC offset in use is a multiple of 15 minutes, so a 15-minute bucket never spans two local dates.
const BUCKET_MS = 15 * 60_000;

function totalsOf(row: TotalsRow): UsageTotals {
  return {
    calls: row.calls,
    failedCalls: row.failedCalls,
    inputTokens: row.inputTokens,
    cachedTokens: row.cachedTokens,
    outputTokens: row.outputTokens,
    reasoningTokens: row.reasoningTokens,
    costUsd: row.costUsd,
    unpricedCalls: row.unpricedCalls,
  };
}

function emptyTotals(): UsageTotals {
  return { calls: 0, failedCalls: 0, inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: 0, unpricedCalls: 0 };
}

function addTotals(into: UsageTotals, row: UsageTotals): void {
  into.calls += row.calls;
  into.failedCalls += row.failedCalls;
  into.inputTokens += row.inputTokens;
  into.cachedTokens += row.cachedTokens;
  into.outputTokens += row.outputTokens;
  into.reasoningTokens += row.reasoningTokens;
  into.costUsd += row.costUsd;
  into.unpricedCalls += row.unpricedCalls;
}

/** The local date (`YYYY-MM-DD`) of an instant in an IANA time zone. */
export function localDate(epochMs: number, timeZone: string): string {
  return isoDate(zonedParts(epochMs, timeZone));
}

type PeriodParams = { since: number; until: number };

export class UsageRepository {
  private readonly turnStmt;
  private readonly turnsStmt;
  private readonly conversationTurnsStmt;
  private readonly conversationStmt;
  private readonly conversationsStmt;
  private readonly bucketsStmt;
  private readonly modelsStmt;
  private readonly totalsStmt;
  private readonly configsStmt;

  /** Works on a read-only connection too (openReadonlyDatabase): it only reads. */
  constructor(db: Db) {
    const turnColumns = `t.id AS turnId, t.conversation_id AS conversationId, t.started_at AS startedAt,
      t.ended_at AS endedAt, t.model AS model, t.status AS status, ${TOTALS}`;
    this.turnStmt = db.prepare<[number], TurnUsage>(`
      SELECT ${turnColumns}
      FROM agent_turns t LEFT JOIN model_calls c ON c.turn_id = t.id
      WHERE t.id = ? GROUP BY t.id`);
    this.turnsStmt = db.prepare<PeriodParams & { limit: number }, TurnUsage>(`
      SELECT ${turnColumns}
      FROM agent_turns t LEFT JOIN model_calls c ON c.turn_id = t.id
      WHERE t.started_at >= @since AND t.started_at < @until
      GROUP BY t.id ORDER BY t.started_at, t.id LIMIT @limit`);
    this.conversationTurnsStmt = db.prepare<PeriodParams & { conversationId: string; limit: number }, TurnUsage>(`
      SELECT ${turnColumns}
      FROM agent_turns t LEFT JOIN model_calls c ON c.turn_id = t.id
      WHERE t.conversation_id = @conversationId AND t.started_at >= @since AND t.started_at < @until
      GROUP BY t.id ORDER BY t.started_at, t.id LIMIT @limit`);
    const conversationColumns = `t.conversation_id AS conversationId, COUNT(DISTINCT c.turn_id) AS turns,
      MIN(t.started_at) AS firstTurnAt, MAX(t.started_at) AS lastTurnAt, ${TOTALS}`;
    this.conversationStmt = db.prepare<PeriodParams & { conversationId: string }, ConversationUsage>(`
      SELECT ${conversationColumns}
      FROM agent_turns t JOIN model_calls c ON c.turn_id = t.id
      WHERE t.conversation_id = @conversationId AND t.started_at >= @since AND t.started_at < @until
      GROUP BY t.conversation_id`);
    this.conversationsStmt = db.prepare<PeriodParams & { limit: number }, ConversationUsage>(`
      SELECT ${conversationColumns}
      FROM agent_turns t JOIN model_calls c ON c.turn_id = t.id
      WHERE t.started_at >= @since AND t.started_at < @until
      GROUP BY t.conversation_id ORDER BY costUsd DESC, inputTokens DESC, t.conversation_id LIMIT @limit`);
    this.bucketsStmt = db.prepare<PeriodParams & { bucket: number }, TotalsRow & { bucket: number; turns: number }>(`
      SELECT CAST(t.started_at / @bucket AS INTEGER) AS bucket, COUNT(DISTINCT c.turn_id) AS turns, ${TOTALS}
      FROM agent_turns t JOIN model_calls c ON c.turn_id = t.id
      WHERE t.started_at >= @since AND t.started_at < @until
      GROUP BY bucket ORDER BY bucket`);
    this.modelsStmt = db.prepare<PeriodParams, ModelUsageTotals>(`
      SELECT COALESCE(c.model, t.model) AS model, COUNT(DISTINCT c.turn_id) AS turns, ${TOTALS}
      FROM agent_turns t JOIN model_calls c ON c.turn_id = t.id
      WHERE t.started_at >= @since AND t.started_at < @until
      GROUP BY COALESCE(c.model, t.model) ORDER BY costUsd DESC, model`);
    // LEFT JOIN: a turn that failed before any call still counts for its configuration.
    this.configsStmt = db.prepare<PeriodParams, TotalsRow & { config: string; models: string | null; turns: number; failedTurns: number }>(`
      SELECT t.config AS config, GROUP_CONCAT(DISTINCT t.model) AS models, COUNT(DISTINCT t.id) AS turns,
             COUNT(DISTINCT CASE WHEN t.status = 'failed' THEN t.id END) AS failedTurns, ${TOTALS}
      FROM agent_turns t LEFT JOIN model_calls c ON c.turn_id = t.id
      WHERE t.started_at >= @since AND t.started_at < @until
        AND (t.status = 'failed' OR EXISTS (SELECT 1 FROM model_calls m WHERE m.turn_id = t.id))
      GROUP BY t.config ORDER BY t.config = 'canary', t.config`);
    this.totalsStmt = db.prepare<PeriodParams, TotalsRow>(`
      SELECT ${TOTALS}
      FROM agent_turns t JOIN model_calls c ON c.turn_id = t.id
      WHERE t.started_at >= @since AND t.started_at < @until`);
  }

  /** One turn's calls summed (zeros for a turn without calls); undefined for an unknown turn id. */
  turn(turnId: number): TurnUsage | undefined {
    return this.turnStmt.get(turnId);
  }

  /**
   * The turns that started in the period, oldest first, each with its calls summed (turns without calls
   * included, with zeros); only one conversation's with `conversationId`. At most `limit` (default 10,000).
   */
  turns(period: Period, options: { conversationId?: string | undefined; limit?: number | undefined } = {}): TurnUsage[] {
    const params = { since: period.since, until: period.until, limit: options.limit ?? 10_000 };
    return options.conversationId === undefined
      ? this.turnsStmt.all(params)
      : this.conversationTurnsStmt.all({ ...params, conversationId: options.conversationId });
  }

  /** One conversation's usage over its turns that started in the period (default: all time); undefined without calls. */
  conversation(conversationId: string, period: Period = { since: 0, until: Number.MAX_SAFE_INTEGER }): ConversationUsage | undefined {
    return this.conversationStmt.get({ conversationId, since: period.since, until: period.until });
  }

  /** The conversations with model calls in the period, most expensive first; at most `limit` (default 100). */
  conversations(period: Period, options: { limit?: number | undefined } = {}): ConversationUsage[] {
    return this.conversationsStmt.all({ since: period.since, until: period.until, limit: options.limit ?? 100 });
  }

  /**
   * Usage per local date in `timeZone` (config.timezone), oldest first; only dates with model calls. The
   * date is computed here from each turn's start, with the zone's offset (and its daylight-saving changes)
   * from Intl, not from SQLite's `localtime` (the server's zone, not the hotel's).
   */
  days(period: Period, timeZone: string): DayUsage[] {
    const days = new Map<string, DayUsage>();
    for (const row of this.bucketsStmt.all({ since: period.since, until: period.until, bucket: BUCKET_MS })) {
      const date = localDate(row.bucket * BUCKET_MS, timeZone);
      let day = days.get(date);
      if (!day) {
        day = { date, turns: 0, ...emptyTotals() };
        days.set(date, day);
      }
      day.turns += row.turns;
      addTotals(day, totalsOf(row));
    }
    return [...days.values()];
  }

  /** Usage per model (the configured model of each turn), most expensive first. */
  models(period: Period): ModelUsageTotals[] {
    return this.modelsStmt.all({ since: period.since, until: period.until });
  }

  /** Turns, failures, usage and cost per model configuration (primary first, then the canary); only those with turns. */
  configs(period: Period): ConfigUsageTotals[] {
    return this.configsStmt.all({ since: period.since, until: period.until }).map((row) => ({
      config: row.config,
      models: (row.models ?? '').split(',').filter((m) => m !== '').sort(),
      turns: row.turns,
      failedTurns: row.failedTurns,
      ...totalsOf(row),
    }));
  }

  /** Everything the period's turns used and cost. */
  totals(period: Period): UsageTotals {
    const row = this.totalsStmt.get({ since: period.since, until: period.until });
    return row ? totalsOf(row) : emptyTotals();
  }

  /**
   * The share of input tokens the provider served from its prompt cache over the period (the alert's
   * "cached share": below ~0.5 the instructions prefix stopped being cached).
   */
  cachedShare(period: Period): CachedShare {
    const { inputTokens, cachedTokens } = this.totals(period);
    return { inputTokens, cachedTokens, share: inputTokens > 0 ? cachedTokens / inputTokens : undefined };
  }
}
