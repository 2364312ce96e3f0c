// The operations report of a period as one plain object (`npm run report`; formatted by text.ts, json.ts
// and html.ts). Built from two read-only repositories: UsageRepository for tokens and cost (the calls of
// the turns that started in the period), ReportRepository for the rest. Nothing here invents a cost: a call
// whose model had no price is counted as "sin precio", and every US$ figure covers the priced calls only.
import type { ReportRepository } from '../store/report-repository.js';
import type { Period, UsageRepository } from '../store/usage-repository.js';
import { datesOf, localDateOf } from './period.js';

/** The payment follow-up job's kind (hotel/payment-follow-up.ts FOLLOW_UP_JOB; repeated to keep this module light). */
export const FOLLOW_UP_JOB_KIND = 'payment.follow-up';
const TOP_CONVERSATIONS = 5;

export interface Report {
  generatedAt: string;
  period: { since: string; until: string; timezone: string };
  /**
   * Conversations with a turn in the period; `new`: answered for the first time in it, having begun with a live
   * message (not with history or messages migrated from the Python service); `fromPreviousService`: those with a
   * turn that began in the Python service.
   */
  conversations: { active: number; new: number; fromPreviousService: number };
  /** Turns (batches of guest messages the agent answered) by what became of the reply. */
  turns: { total: number; delivered: number; failed: number; undelivered: number; inProgress: number };
  /** Turns whose reply reached the guest, and the message parts handed to a channel. */
  replies: { delivered: number; parts: number };
  /** failed: the fallback reply was sent; undelivered: the channel refused the reply. */
  failures: { total: number; byClass: { status: string; errorClass: string | null; count: number }[] };
  /** Pauses that began in the period: `total` those by the assistant's handoff, `byReason` all of them. */
  handoffs: { total: number; byReason: Record<string, number> };
  /** Booking attempts started in the period; `booked` and its amount are the bookings made. */
  bookings: { booked: number; amountCents: number; byState: { state: string; count: number; amountCents: number }[] };
  /** Payment follow-ups started in the period by state, and their attempt jobs by status. */
  followUps: { total: number; byState: Record<string, number>; jobs: Record<string, number> };
  tokens: { calls: number; failedCalls: number; input: number; cached: number; uncached: number; output: number; reasoning: number };
  /** cached / input tokens (0…1); null without input tokens. */
  cachedShare: number | null;
  cost: {
    /** US$ of the priced calls. */
    totalUsd: number;
    /** Calls with usage but no price ("sin precio"): left out of every US$ figure. */
    unpricedCalls: number;
    byModel: { model: string; turns: number; calls: number; costUsd: number; unpricedCalls: number }[];
    perConversation: {
      /** Conversations whose turns called the model. */
      conversations: number;
      /** totalUsd / conversations; null without conversations. */
      averageUsd: number | null;
      top: { conversation: string; guestName: string | null; turns: number; calls: number; costUsd: number; unpricedCalls: number }[];
    };
  };
  /**
   * Per model configuration (LLM_CANARY_*: primary, canary), only those with turns in the period: the
   * turns that called the model or failed, the failed ones, the models used, calls and cost.
   */
  byConfig: { config: string; models: string[]; turns: number; failedTurns: number; calls: number; failedCalls: number; costUsd: number; unpricedCalls: number }[];
  /** Guest's last message of a batch → first reply part handed to the channel (nearest-rank percentiles). */
  replyTime: { samples: number; p50Ms: number | null; p95Ms: number | null };
  /** One row per local date of the period. */
  daily: { date: string; turns: number; failures: number; costUsd: number; unpricedCalls: number }[];
}

export interface ReportSources {
  usage: UsageRepository;
  records: ReportRepository;
  timeZone: string;
  /** The form of a conversation id shown in the report (loggableConversationId). */
  mask: (conversationId: string) => string;
  now?: () => number;
}

/** Nearest-rank percentile of ascending values: the smallest value with at least p % of values ≤ it. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

export function buildReport(sources: ReportSources, period: Period): Report {
  const { usage, records, timeZone, mask } = sources;
  const now = sources.now ?? Date.now;

  const statuses = records.turnStatuses(period);
  const count = (s: string) => statuses[s] ?? 0;
  const turnsTotal = Object.values(statuses).reduce((a, b) => a + b, 0);

  const failures = records.failures(period);
  const pauses = records.pausesByReason(period);
  const bookings = records.bookings(period);
  const booked = bookings.find((b) => b.state === 'booked');
  const followUps = records.followUpsByState(period);

  const totals = usage.totals(period);
  const share = usage.cachedShare(period).share;
  const withCalls = records.conversationsWithCalls(period);

  const replyTimes = [...records.replyTimes(period)].sort((a, b) => a - b);

  const daily = new Map(datesOf(period, timeZone).map((date) => [date, { date, turns: 0, failures: 0, costUsd: 0, unpricedCalls: 0 }]));
  for (const bucket of records.turnBuckets(period)) {
    const day = daily.get(localDateOf(bucket.at, timeZone));
    if (!day) continue;
    day.turns += bucket.turns;
    day.failures += bucket.failures;
  }
  for (const row of usage.days(period, timeZone)) {
    const day = daily.get(row.date);
    if (!day) continue;
    day.costUsd += row.costUsd;
    day.unpricedCalls += row.unpricedCalls;
  }

  return {
    generatedAt: new Date(now()).toISOString(),
    period: { since: new Date(period.since).toISOString(), until: new Date(period.until).toISOString(), timezone: timeZone },
    conversations: {
      active: records.conversations(period),
      new: records.newConversations(period),
      fromPreviousService: records.continuedConversations(period),
    },
    turns: {
      total: turnsTotal,
      delivered: count('delivered'),
      failed: count('failed'),
      undelivered: count('undelivered'),
      inProgress: count('running') + count('delivering'),
    },
    replies: { delivered: count('delivered'), parts: records.replyParts(period) },
    failures: { total: failures.reduce((a, f) => a + f.count, 0), byClass: failures },
    handoffs: { total: pauses.handoff ?? 0, byReason: pauses },
    bookings: { booked: booked?.count ?? 0, amountCents: booked?.amountCents ?? 0, byState: bookings },
    followUps: {
      total: Object.values(followUps).reduce((a, b) => a + b, 0),
      byState: followUps,
      jobs: records.jobsByStatus(FOLLOW_UP_JOB_KIND, period),
    },
    tokens: {
      calls: totals.calls,
      failedCalls: totals.failedCalls,
      input: totals.inputTokens,
      cached: totals.cachedTokens,
      uncached: totals.inputTokens - totals.cachedTokens,
      output: totals.outputTokens,
      reasoning: totals.reasoningTokens,
    },
    cachedShare: share ?? null,
    cost: {
      totalUsd: totals.costUsd,
      unpricedCalls: totals.unpricedCalls,
      byModel: usage.models(period).map((m) => ({ model: m.model, turns: m.turns, calls: m.calls, costUsd: m.costUsd, unpricedCalls: m.unpricedCalls })),
      perConversation: {
        conversations: withCalls,
        averageUsd: withCalls > 0 ? totals.costUsd / withCalls : null,
        top: usage.conversations(period, { limit: TOP_CONVERSATIONS }).map((c) => ({
          conversation: mask(c.conversationId),
          guestName: records.guestName(c.conversationId) ?? null,
          turns: c.turns,
          calls: c.calls,
          costUsd: c.costUsd,
          unpricedCalls: c.unpricedCalls,
        })),
      },
    },
    byConfig: usage.configs(period).map((c) => ({
      config: c.config,
      models: c.models,
      turns: c.turns,
      failedTurns: c.failedTurns,
      calls: c.calls,
      failedCalls: c.failedCalls,
      costUsd: c.costUsd,
      unpricedCalls: c.unpricedCalls,
    })),
    replyTime: { samples: replyTimes.length, p50Ms: percentile(replyTimes, 50), p95Ms: percentile(replyTimes, 95) },
    daily: [...daily.values()],
  };
}
