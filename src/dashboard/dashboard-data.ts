// What the dashboard's pages show, assembled from the repositories (no SQL here: src/store/ holds it) and
// the handoff's pause store (the same one the admin API and the turn loop use, so a pause's expiry is judged
// one way everywhere). Pages get plain values; src/dashboard/views.ts renders them.
import type { Clock } from '../core/clock.js';
import { isConsoleConversation, parseConversationId, type Channel } from '../core/conversation-id.js';
import type { Handoff } from '../handoff/handoff.js';
import type { PauseState } from '../handoff/pause-store.js';
import type { JobQueue, JobRecord } from '../jobs/types.js';
import type { ConversationHistoryRepository } from '../store/conversation-history-repository.js';
import type { DashboardRepository } from '../store/dashboard-repository.js';
import type { PauseReason } from '../store/pause-repository.js';
import { foldName, parseSearchQuery, type SearchQuery } from './search.js';
import { lastDays, startOfDay } from './zoned-days.js';

/** Failed turns and escalations older than this no longer put a conversation on the list. */
export const ATTENTION_WINDOW_MS = 7 * 86_400_000;
/** Messages shown on a conversation's page (the newest ones). */
export const TRANSCRIPT_LIMIT = 200;
export const CHART_DAYS = 14;

export type AttentionKind = 'paused' | 'failed' | 'undelivered' | 'escalated';

export interface AttentionReason {
  kind: AttentionKind;
  since: number;
  pauseReason?: PauseReason | null;
  operatorName?: string | null;
  errorClass?: string | null;
}

export interface AttentionRow {
  conversationId: string;
  channel: Channel;
  guestName: string | undefined;
  reasons: AttentionReason[];
  /** The oldest of the reasons: how long the guest has been waiting for a person. */
  since: number;
}

export interface TranscriptMessage {
  role: 'guest' | 'assistant' | 'staff';
  text: string;
  at: number;
  /** The operator's name, for staff messages. */
  author?: string | null;
  /**
   * From the Python service (npm run migrate-legacy): `history`, an item of its history; `pending`, a message
   * it had received and not answered, answered here.
   */
  imported?: 'history' | 'pending';
}

export interface ConversationView {
  conversationId: string;
  channel: Channel;
  guestName: string | undefined;
  paused: boolean;
  pause: PauseState | undefined;
  messages: TranscriptMessage[];
  /** Older messages exist than those shown (TRANSCRIPT_LIMIT). */
  truncated: boolean;
}

/** Search results at most; more asks staff to say more. */
export const SEARCH_LIMIT = 50;
/** Matches examined at most: a query that matches more is too vague to rank them all (staff say more). */
const SEARCH_CANDIDATES = 1_000;

export interface SearchHit {
  conversationId: string;
  channel: Channel;
  guestName: string | undefined;
  /** For a name search, the name that matched when it is not the one shown. */
  alsoKnownAs: string | undefined;
  lastActivityAt: number | undefined;
  /** npm run migrate-legacy imported its history or messages. */
  imported: boolean;
}

export interface SearchOutcome {
  /** What the query was read as; `invalid` (with why) finds nothing. */
  query: SearchQuery;
  hits: SearchHit[];
  /** Matches beyond SEARCH_LIMIT. */
  more: number;
}

export interface DayNumbers {
  label: string;
  start: number;
  conversations: number;
  turns: number;
  replies: number;
  failures: number;
  handoffs: number;
}

export interface DashboardDataDeps {
  repo: DashboardRepository;
  handoff: Handoff;
  history: ConversationHistoryRepository;
  jobs: JobQueue;
  clock: Clock;
  timezone: string;
}

export class DashboardData {
  constructor(private readonly deps: DashboardDataDeps) {}

  /** Conversations that need a person, the longest waiting first. */
  needingAPerson(): AttentionRow[] {
    const { repo, handoff, clock } = this.deps;
    const now = clock.now();
    const since = now - ATTENTION_WINDOW_MS;
    const byId = new Map<string, AttentionReason[]>();
    const add = (id: string, reason: AttentionReason) => {
      const list = byId.get(id) ?? [];
      list.push(reason);
      byId.set(id, list);
    };
    for (const p of repo.pausedConversations()) {
      // A pause past its time is over (the pause store ends it lazily; reading must not write).
      const state = handoff.pauses.get(p.conversationId);
      if (!state?.paused || (state.until !== null && now >= state.until)) continue;
      add(p.conversationId, { kind: 'paused', since: p.pausedAt ?? now, pauseReason: p.reason, operatorName: p.operatorName });
    }
    for (const t of repo.lastTurnProblems(since)) add(t.conversationId, { kind: t.status, since: t.at, errorClass: t.errorClass });
    for (const e of repo.escalatedFollowUps(since)) add(e.conversationId, { kind: 'escalated', since: e.at });
    const rows = [...byId].map(([conversationId, reasons]): AttentionRow => ({
      conversationId,
      channel: parseConversationId(conversationId).channel,
      guestName: repo.guestName(conversationId),
      reasons: reasons.sort((a, b) => a.since - b.since),
      since: Math.min(...reasons.map((r) => r.since)),
    }));
    return rows.sort((a, b) => a.since - b.since || a.conversationId.localeCompare(b.conversationId));
  }

  /**
   * One conversation: the history imported from the Python service, then guest, assistant and staff messages
   * (the newest TRANSCRIPT_LIMIT in all), oldest first.
   */
  conversation(conversationId: string): ConversationView {
    const { repo, handoff, history } = this.deps;
    const imported = repo.importedHistory(conversationId, TRANSCRIPT_LIMIT + 1);
    const exchanged = history.lastMessages(conversationId, TRANSCRIPT_LIMIT + 1);
    const from = exchanged.length > TRANSCRIPT_LIMIT ? (exchanged[0]?.at ?? 0) - 1 : -1;
    const staff = handoff.pauses.operatorMessagesSince(conversationId, from).map(
      (m): TranscriptMessage => ({ role: 'staff', text: m.text, at: m.sentAt, author: m.operatorName }),
    );
    const all = [
      ...imported.map((m): TranscriptMessage => ({ role: m.role, text: m.text, at: m.at, imported: 'history' })),
      ...exchanged.map(
        (m): TranscriptMessage => ({ role: m.role === 'guest' ? 'guest' : 'assistant', text: m.text, at: m.at, ...(m.migrated ? { imported: 'pending' as const } : {}) }),
      ),
      ...staff,
    ]
      // Stable: within one millisecond the guest's and the bot's order from the history stays.
      .sort((a, b) => a.at - b.at);
    const messages = all.slice(-TRANSCRIPT_LIMIT);
    return {
      conversationId,
      channel: parseConversationId(conversationId).channel,
      guestName: repo.guestName(conversationId),
      paused: handoff.isPaused(conversationId),
      pause: handoff.pauses.get(conversationId),
      messages,
      truncated: all.length > messages.length,
    };
  }

  /**
   * Any conversation by the guest's number (whole, or its last digits) or name, across all conversations, the
   * most recently active first. Only masked numbers leave here (the views show maskedId).
   */
  search(raw: string): SearchOutcome {
    const { repo } = this.deps;
    const query = parseSearchQuery(raw);
    if (query.kind === 'invalid') return { query, hits: [], more: 0 };
    const matched = new Map<string, string | undefined>();
    if (query.kind === 'number') {
      for (const id of repo.conversationsEndingIn(query.digits, SEARCH_CANDIDATES)) matched.set(id, undefined);
    } else {
      for (const { conversationId, name } of repo.namedConversations()) {
        if (matched.size >= SEARCH_CANDIDATES) break;
        if (!isConsoleConversation(conversationId) && foldName(name).includes(query.folded) && !matched.has(conversationId)) matched.set(conversationId, name);
      }
    }
    const hits = [...matched].map(([conversationId, matchedName]): SearchHit => {
      const guestName = repo.guestName(conversationId);
      return {
        conversationId,
        channel: parseConversationId(conversationId).channel,
        guestName,
        alsoKnownAs: query.kind === 'name' && matchedName !== undefined && !foldName(guestName ?? '').includes(query.folded) ? matchedName : undefined,
        lastActivityAt: repo.lastActivityAt(conversationId),
        imported: repo.hasImportedHistory(conversationId),
      };
    });
    hits.sort((a, b) => (b.lastActivityAt ?? 0) - (a.lastActivityAt ?? 0) || a.conversationId.localeCompare(b.conversationId));
    return { query, hits: hits.slice(0, SEARCH_LIMIT), more: Math.max(0, hits.length - SEARCH_LIMIT) };
  }

  /** Whether the dashboard has anything on this conversation (a link to an unknown one is a 404). */
  isKnown(conversationId: string): boolean {
    return this.deps.history.isKnownConversation(conversationId) || this.deps.history.messageCounts(conversationId).total > 0 || this.deps.handoff.pauses.get(conversationId) !== undefined;
  }

  /** The numbers of each of the last CHART_DAYS days in TIMEZONE, today last. */
  days(): DayNumbers[] {
    const { repo, clock, timezone } = this.deps;
    const days = lastDays(clock.now(), CHART_DAYS, timezone);
    const first = days[0];
    const last = days[days.length - 1];
    if (!first || !last) return [];
    const numbers = days.map(
      (d): DayNumbers & { ids: Set<string> } => ({ label: d.label, start: d.start, conversations: 0, turns: 0, replies: 0, failures: 0, handoffs: 0, ids: new Set() }),
    );
    const dayOf = (at: number) => numbers[days.findIndex((d) => at >= d.start && at < d.end)];
    for (const b of repo.batchesBetween(first.start, last.end)) {
      const day = dayOf(b.createdAt);
      if (!day) continue;
      day.ids.add(b.conversationId);
      if (b.status === 'abandoned' || b.status === 'held') continue;
      day.turns++;
      if (b.status === 'delivered') day.replies++;
      if (b.status === 'failed' || b.status === 'undelivered') day.failures++;
    }
    for (const at of repo.pausesStartedBetween(first.start, last.end)) {
      const day = dayOf(at);
      if (day) day.handoffs++;
    }
    return numbers.map(({ ids, ...n }) => ({ ...n, conversations: ids.size }));
  }

  /** The start of today in TIMEZONE. */
  todayStart(): number {
    return startOfDay(this.deps.clock.now(), this.deps.timezone);
  }

  failedJobs(limit = 200): JobRecord[] {
    return this.deps.jobs.list({ status: 'failed', limit });
  }
}
