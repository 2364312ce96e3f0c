// One legacy conversation planned for the import (part of `npm run migrate-legacy`, src/legacy/importer.ts):
// its pending messages, its history from the Conversations API or the local logs, what earlier runs and our
// own server already hold filtered out, and the report line that says what was done and left out, and why.
import type { Channel } from '../core/conversation-id.js';
import { normalizeText } from '../handoff/missed-messages.js';
import { guestText } from '../ingest/message-limit.js';
import type { LegacyConversationWrite, LegacyImportRepository, LegacyPendingMessage } from '../store/legacy-import-repository.js';
import type { LegacyConversation } from './legacy-conversations.js';
import { entryKey, pendingOf, timeApiItems, turnsOf, type HistoryEntry } from './legacy-records.js';
import { ConversationsApiError, type ConversationsClient } from './openai-conversations.js';

/** A legacy pending message and one of ours are the same message when text and media match within this. */
export const PENDING_MATCH_WINDOW_MS = 5 * 60_000;
/** A user history item is the pending message itself (webhook_messages stores it on receipt) within this. */
const PENDING_HISTORY_WINDOW_MS = 2 * 60_000;

export type HistorySource = 'openai' | 'webhook_messages' | 'conversation_log' | 'none';

export interface ConversationReport {
  /** Masked (loggableConversationId). */
  conversation: string;
  channel: Channel;
  status: 'imported' | 'up_to_date' | 'skipped';
  /** Transcript items written by this run. */
  items: number;
  /** Pending inbound messages written by this run. */
  pending: number;
  source: HistorySource;
  /** Why it was skipped, or what was left out, and why. */
  skipped: { reason: string; count: number }[];
  /** The Conversations API failed (not a 404): the history is left for the next run. */
  historyDeferred: boolean;
  notes: string[];
}

export interface ConversationPlanDeps {
  repo: LegacyImportRepository;
  mask: (conversationId: string) => string;
  now: () => number;
  /** Given with --fetch-openai (and OPENAI_API_KEY). */
  openai?: ConversationsClient | undefined;
  /** Only history items (and conversations active) since this instant. */
  since?: number | undefined;
}

/** One conversation's report line and what to write for it (nothing when it is up to date or must wait). */
export async function planConversation(
  legacy: LegacyConversation,
  d: ConversationPlanDeps,
  maxAge: number,
): Promise<{ line: ConversationReport; write: LegacyConversationWrite | undefined }> {
  const { repo, mask, now } = d;
  const { ref } = legacy;
  const line: ConversationReport = {
    conversation: mask(ref.conversationId),
    channel: ref.channel,
    status: 'skipped',
    items: 0,
    pending: 0,
    source: 'none',
    skipped: [],
    historyDeferred: false,
    notes: [...legacy.notes],
  };
  const skip = (reason: string, count: number) => {
    if (count > 0) line.skipped.push({ reason, count });
  };
  const progress = repo.progress(ref.conversationId);
  const threads = [...legacy.threads].sort((a, b) => Number(b.archived) - Number(a.archived) || (a.lastUpdated ?? 0) - (b.lastUpdated ?? 0));
  const convIds = [...new Set(threads.map((t) => t.conversationId ?? (t.threadId.startsWith('conv_') ? t.threadId : undefined)).filter((x): x is string => x?.startsWith('conv_') === true))];
  const assistantsThreads = threads.some((t) => t.threadId.startsWith('thread_') || t.conversationId?.startsWith('thread_'));
  const vertexSessions = threads.some((t) => t.threadId.startsWith('session'));
  const legacyFlag = threads.some((t) => t.historyImported);

  // Local logs, oldest first; the file's order breaks ties of one-second timestamps.
  const local = [...legacy.messages].sort((a, b) => a.at - b.at || a.order - b.order);
  const nowMs = now();

  // Pending messages first: the history must not hold them too (webhook_messages stores each on receipt).
  const pending: LegacyPendingMessage[] = [];
  let stale = 0;
  let duplicates = 0;
  // What one message may carry, as at intake (issue 22 §1): a legacy row longer than its platform allows is cut,
  // with the marker the model reads, and its control characters removed.
  let cut = 0;
  for (const row of [...legacy.buffer].sort((a, b) => a.at - b.at || a.order - b.order)) {
    const raw = pendingOf(ref, row);
    const { text, omitted } = guestText(raw.text, ref.channel);
    const message = { ...raw, text };
    if (message.text.trim() === '' && message.mediaRef === undefined) continue;
    if (nowMs - row.at > maxAge) {
      stale++;
      continue;
    }
    const seen =
      repo.hasSimilarInbound(ref.conversationId, message.text, message.mediaRef, row.at, PENDING_MATCH_WINDOW_MS) ||
      pending.some((p) => p.text === message.text && p.mediaRef === message.mediaRef && Math.abs(p.receivedAt - row.at) <= PENDING_MATCH_WINDOW_MS);
    if (seen) duplicates++;
    else {
      pending.push(message);
      if (omitted > 0) cut++;
    }
  }
  skip('pending message older than 24 h (outside the reply window): not answered', stale);
  skip('pending message already in our buffer', duplicates);
  const pendingTexts = legacy.buffer.map((b) => ({ text: normalizeText(b.type === 'text' ? b.content : (b.caption ?? '')), at: b.at }));
  const isPendingItself = (e: { role: string; text: string; at: number }) =>
    e.role === 'user' && pendingTexts.some((p) => p.text !== '' && p.text === normalizeText(e.text) && Math.abs(p.at - e.at) <= PENDING_HISTORY_WINDOW_MS);

  // The history, from the Conversations API when asked and possible, else from the local logs. Each conv_ id
  // stands alone: one the API no longer has (404) loses only its own items; one already done in an earlier
  // run (imported, or gone) is not requested again; any other failure (after the client's bounded retries)
  // leaves the whole history for the next run rather than import it in part or out of order.
  let entries: HistoryEntry[] | undefined;
  const apiDone = new Set(progress?.apiDone ?? []);
  const apiDoneBefore = apiDone.size;
  let apiDeferred = false;
  if (d.openai && convIds.length > 0) {
    const items: { role: 'user' | 'assistant'; text: string }[] = [];
    let leftOut = 0;
    let fetchedAny = false;
    const gone: string[] = [];
    for (const convId of convIds) {
      if (apiDone.has(convId)) continue;
      try {
        const fetched = await d.openai.fetchItems(convId);
        items.push(...fetched.items);
        leftOut += fetched.leftOut;
        fetchedAny = true;
      } catch (err) {
        if (err instanceof ConversationsApiError && err.status === 404) {
          gone.push(convId);
          continue;
        }
        apiDeferred = true;
        line.historyDeferred = true;
        line.notes.push(`Conversations API failed for ${convId} (${err instanceof Error ? err.message : 'error'}): history left for the next run`);
        break;
      }
    }
    if (gone.length > 0) line.notes.push(`not found at the Conversations API (404), its items are lost: ${gone.join(', ')}`);
    if (apiDeferred) {
      entries = [];
    } else {
      for (const convId of convIds) apiDone.add(convId);
      if (fetchedAny) {
        entries = timeApiItems(items, local, threads);
        line.source = 'openai';
        skip('Conversations API item that is not a user or assistant text (developer, tool call, reasoning)', leftOut);
      } else if (apiDoneBefore > 0 && gone.length === 0) {
        // Every id was done in an earlier run: only what the local logs have since (the watermark filters the rest).
        line.notes.push('Conversations API ids already imported by an earlier run: not requested again');
      } else if (gone.length > 0) {
        line.notes.push('no conv_ id left at the Conversations API; local logs used');
      }
    }
  } else if (convIds.length > 0 && !d.openai) {
    line.notes.push('conv_ ids not fetched (no --fetch-openai); local logs used');
  }
  if (assistantsThreads && line.source !== 'openai') {
    line.notes.push('Assistants-era thread_… id: that API is shut down and its threads cannot be fetched; local logs used');
  }
  if (vertexSessions && line.source !== 'openai') {
    line.notes.push('Vertex AI session id (the service’s short-lived Vertex attempt): not fetchable; local logs used');
  }
  if (!entries) {
    entries = local.map((m) => ({ role: m.role, text: m.text, at: m.at, key: entryKey(m.role, m.at, m.text) }));
    const fromLog = local.some((m) => m.table === 'conversation_log');
    line.source = entries.length === 0 ? 'none' : fromLog ? 'conversation_log' : 'webhook_messages';
  }

  const beforePending = entries.length;
  entries = entries.filter((e) => !isPendingItself(e));
  skip('history item that is a pending message (imported as pending instead)', beforePending - entries.length);
  if (d.since !== undefined) {
    const before = entries.length;
    entries = entries.filter((e) => e.at >= (d.since as number));
    skip('history item older than --since', before - entries.length);
  }
  if (progress) {
    const before = entries.length;
    const marks = new Set(progress.watermarkKeys);
    entries = entries.filter((e) => progress.watermarkAt === null || e.at > progress.watermarkAt || (e.at === progress.watermarkAt && !marks.has(e.key)));
    skip('history item already imported', before - entries.length);
  }
  // A guest who wrote to our server before this run: older history goes before our items (the repository
  // inserts it there), newer after; what falls between our first and last item would be out of order.
  const state = repo.conversationState(ref.conversationId);
  let splitAt = Number.POSITIVE_INFINITY;
  if (state.ownItems > 0 && state.firstOwnAt !== null && state.lastOwnAt !== null && entries.length > 0) {
    const [firstOwn, lastOwn] = [state.firstOwnAt, state.lastOwnAt];
    const before = entries.length;
    entries = entries.filter((e) => e.at < firstOwn || e.at > lastOwn);
    skip('history item from while our server was already answering this guest (between our items; not imported)', before - entries.length);
    if (entries.some((e) => e.at < firstOwn)) line.notes.push('history older than our server’s first reply: imported before it');
    splitAt = firstOwn;
  }

  entries = entries.map((e) => {
    const { text, omitted } = guestText(e.text, ref.channel);
    if (omitted > 0) cut++;
    return text === e.text ? e : { ...e, text };
  });
  if (cut > 0) line.notes.push(`${cut} message(s) longer than the platform allows: cut, with a marker for the model`);

  // Apart, so no turn spans our server's items.
  const turns = [...turnsOf(ref, entries.filter((e) => e.at < splitAt)), ...turnsOf(ref, entries.filter((e) => e.at >= splitAt))];
  const addedItems = turns.reduce((n, t) => n + t.items.length, 0);
  const last = entries[entries.length - 1];
  const watermarkAt = last ? last.at : null;
  const watermarkKeys = last ? entries.filter((e) => e.at === last.at).map((e) => e.key) : [];
  if (watermarkAt !== null && progress && progress.watermarkAt === watermarkAt) watermarkKeys.push(...progress.watermarkKeys);

  line.items = addedItems;
  line.pending = pending.length;
  const hasHistory = addedItems > 0 || (progress?.items ?? 0) > 0;
  if (addedItems > 0 || pending.length > 0) line.status = 'imported';
  else if (progress) {
    line.status = 'up_to_date';
    line.skipped.unshift({ reason: 'already imported, nothing new', count: 1 });
  } else {
    line.skipped.unshift({ reason: beforePending === 0 ? 'no history in the legacy files' : 'nothing left to import', count: 1 });
  }
  if (apiDeferred) {
    // Nothing written, its pending messages included: answered now they would be answered without their
    // history, and the history-imported flag would keep the first-contact import from supplying it. They stay
    // in the legacy buffer, and the next run (exit 75 says so) imports both.
    if (pending.length > 0) line.notes.push(`${pending.length} pending message(s) left for the next run too, so they are answered with their history`);
    line.status = 'skipped';
    line.items = 0;
    line.pending = 0;
    line.skipped.unshift({ reason: 'Conversations API unavailable: history left for the next run', count: 1 });
    return { line, write: undefined };
  }
  const apiDoneGrew = apiDone.size > apiDoneBefore;
  if (!apiDoneGrew && (line.status === 'up_to_date' || (line.status === 'skipped' && !legacyFlag))) return { line, write: undefined };
  if (addedItems === 0 && line.source !== 'none' && !progress) line.source = 'none';
  return {
    line,
    write: {
      conversationId: ref.conversationId,
      turns,
      pending,
      markHistoryImported: hasHistory || legacyFlag,
      progress: { source: line.source, addedItems, addedPending: pending.length, watermarkAt, watermarkKeys, apiDone: [...apiDone] },
    },
  };
}
