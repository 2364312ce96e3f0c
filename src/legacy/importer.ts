// The import of the Python service's state (issue 14 §1, `npm run migrate-legacy`): for every legacy user key
// (a WhatsApp waId, `facebook:<id>` / `instagram:<id>`, or a bare ManyChat subscriber id whose channel the
// logs give) our conversation is created or updated with its history as transcript items (user / assistant,
// oldest first, one agent turn per exchange, no model calls) — from the OpenAI Conversations API when asked
// and the id is a `conv_…` one, else from webhook_messages / conversation_log — and the legacy message_buffer
// rows become pending inbound messages, answered by the server after the switch.
//
// Idempotent and resumable: every conversation's writes and its progress row (legacy_import_progress) commit
// together; a later run imports only items newer than the conversation's watermark, and pending messages
// already present (same text and media within PENDING_MATCH_WINDOW_MS) are not added again.
import { createHash } from 'node:crypto';
import type { MessageKind } from '../core/messages.js';
import { manychatConversation, whatsappConversation, type Channel, type ConversationRef } from '../conversation-id.js';
import { normalizeText } from '../handoff/missed-messages.js';
import { guestText } from '../ingest/message-limit.js';
import { guestOf, mediaRefOf } from '../platforms/identity.js';
import { countItemTokens, type TurnRecord } from '../store/conversation-store.js';
import type { NewTranscriptItem } from '../core/transcript.js';
import type { LegacyConversationWrite, LegacyImportRepository, LegacyPendingMessage } from '../store/legacy-import-repository.js';
import { LEGACY_IMPORT } from '../core/origin.js';
import { ConversationsApiError, type ConversationsClient } from './openai-conversations.js';
import type { LegacyBufferRow, LegacyMessage, LegacyRead, LegacyThread } from './readers.js';

/** The model name of the agent turns the import writes (no model call is made); the stores recognise it. */
export const IMPORT_MODEL = LEGACY_IMPORT;
/** A legacy pending message and one of ours are the same message when text and media match within this. */
export const PENDING_MATCH_WINDOW_MS = 5 * 60_000;
/** A user history item is the pending message itself (webhook_messages stores it on receipt) within this. */
const PENDING_HISTORY_WINDOW_MS = 2 * 60_000;

export interface LegacyData {
  threads: LegacyRead<LegacyThread>;
  webhookMessages: LegacyRead<LegacyMessage>;
  conversationLog: LegacyRead<LegacyMessage>;
  buffer: LegacyRead<LegacyBufferRow>;
}

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

export interface ImportReport {
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  interrupted: boolean;
  options: { fetchOpenai: boolean; since: string | null; batch: number; inputs: Record<string, boolean> };
  totals: {
    conversations: number;
    imported: number;
    upToDate: number;
    skipped: number;
    /** Conversations left for the next run (interrupted). */
    notProcessed: number;
    /** Conversations whose history is left for the next run (Conversations API unavailable). */
    historyDeferred: number;
    items: number;
    pending: number;
    bySource: Record<string, number>;
    /** Rows that did not validate (corruption), by table. */
    invalidRows: Record<string, number>;
    /** Blank rows left out (no user key, no text), by table and reason. */
    blankRows: Record<string, Record<string, number>>;
    /**
     * Rows whose user key names no conversation (not a WhatsApp number, `facebook:` / `instagram:` id or a
     * ManyChat id the logs know): the old service's test rows (`test`) and the like. Left out.
     */
    unrecognisedKeys: number;
  };
  conversations: ConversationReport[];
  /** Tables of the legacy files the import does not read, with their rows and why (the CLI fills it in). */
  tablesNotRead?: { file: string; table: string; rows: number; reason: string }[];
}

export interface ImporterDeps {
  repo: LegacyImportRepository;
  mask: (conversationId: string) => string;
  now: () => number;
  /** Given with --fetch-openai (and OPENAI_API_KEY). */
  openai?: ConversationsClient | undefined;
  /** Only history items (and conversations active) since this instant. */
  since?: number | undefined;
  /** Conversations per transaction. */
  batch?: number;
  /** Legacy pending messages older than this are not answered any more (default 24 h: WhatsApp's reply window). */
  maxPendingAgeMs?: number;
  /** Called after each conversation; true stops the run (after committing what is done). */
  shouldStop?: (processed: number) => boolean;
  onProgress?: (processed: number, total: number, line: ConversationReport) => void;
  dryRun?: boolean;
  inputs?: Record<string, boolean>;
}

interface LegacyConversation {
  ref: ConversationRef;
  keys: Set<string>;
  threads: LegacyThread[];
  messages: LegacyMessage[];
  buffer: LegacyBufferRow[];
  notes: string[];
}

interface HistoryEntry {
  role: 'user' | 'assistant';
  text: string;
  at: number;
  key: string;
}

const MANYCHAT_KEY = /^(facebook|instagram):(.+)$/;
const WA_ID = /^\+?\d{6,20}$/;

function entryKey(role: string, at: number, text: string): string {
  return createHash('sha256').update(`${role}\u0000${at}\u0000${normalizeText(text)}`).digest('hex').slice(0, 16);
}

/** Groups every legacy row under our conversation id. Keys that name no conversation are returned apart. */
export function groupLegacyConversations(data: LegacyData): { conversations: Map<string, LegacyConversation>; unrecognised: number } {
  // Bare ManyChat subscriber ids: the channel the logs recorded, or a `channel:id` key seen anywhere.
  const bareChannel = new Map<string, 'facebook' | 'instagram' | undefined>();
  for (const m of data.conversationLog.rows) if (!MANYCHAT_KEY.test(m.key)) bareChannel.set(m.key, m.channel ?? bareChannel.get(m.key));
  for (const key of [...data.threads.rows.map((t) => t.key), ...data.buffer.rows.map((b) => b.key)]) {
    const m = MANYCHAT_KEY.exec(key);
    if (m) bareChannel.set(m[2] as string, bareChannel.get(m[2] as string) ?? (m[1] as 'facebook' | 'instagram'));
  }
  const conversations = new Map<string, LegacyConversation>();
  let unrecognised = 0;
  const resolve = (key: string): LegacyConversation | undefined => {
    let ref: ConversationRef;
    const notes: string[] = [];
    const m = MANYCHAT_KEY.exec(key);
    if (m) ref = manychatConversation(m[1] as 'facebook' | 'instagram', m[2] as string);
    else if (bareChannel.has(key)) {
      const channel = bareChannel.get(key);
      if (!channel) notes.push('channel not recorded in conversation_log; assumed facebook');
      ref = manychatConversation(channel ?? 'facebook', key);
    } else if (WA_ID.test(key)) ref = whatsappConversation(key.replace(/^\+/, ''));
    else return undefined;
    let c = conversations.get(ref.conversationId);
    if (!c) {
      c = { ref, keys: new Set(), threads: [], messages: [], buffer: [], notes: [] };
      conversations.set(ref.conversationId, c);
    }
    c.keys.add(key);
    for (const n of notes) if (!c.notes.includes(n)) c.notes.push(n);
    return c;
  };
  for (const t of data.threads.rows) {
    const c = resolve(t.key);
    if (c) c.threads.push(t);
    else unrecognised++;
  }
  for (const m of [...data.webhookMessages.rows, ...data.conversationLog.rows]) {
    const c = resolve(m.key);
    if (c) c.messages.push(m);
    else unrecognised++;
  }
  for (const b of data.buffer.rows) {
    const c = resolve(b.key);
    if (c) c.buffer.push(b);
    else unrecognised++;
  }
  return { conversations, unrecognised };
}

const KIND_BY_TYPE: Record<string, MessageKind> = {
  text: 'text',
  image: 'image',
  photo: 'image',
  audio: 'audio',
  voice: 'audio',
  document: 'document',
  file: 'document',
  video: 'video',
  sticker: 'sticker',
  location: 'location',
};

function pendingOf(ref: ConversationRef, row: LegacyBufferRow): LegacyPendingMessage {
  const kind = KIND_BY_TYPE[row.type] ?? 'other';
  const media = kind !== 'text' && kind !== 'location' && kind !== 'other';
  const mediaRef = media ? mediaRefOf(ref, row.content) : undefined;
  return {
    conversationId: ref.conversationId,
    channel: ref.channel,
    externalUserId: ref.externalId,
    platformMessageId: undefined,
    kind,
    text: media ? (row.caption ?? '') : row.content,
    mediaRef,
    replyContextId: row.replyContextId,
    senderName: undefined,
    receivedAt: row.at,
  };
}

/** One agent turn per exchange (the guest's messages and the replies after them), in the transcript's own format. */
export function turnsOf(ref: ConversationRef, entries: readonly HistoryEntry[]): TurnRecord[] {
  const turns: TurnRecord[] = [];
  let current: { items: NewTranscriptItem[]; startedAt: number; endedAt: number } | undefined;
  let previous: HistoryEntry | undefined;
  const guest = guestOf(ref);
  const flush = () => {
    if (!current) return;
    turns.push({
      conversationId: ref.conversationId,
      channel: ref.channel,
      guest,
      startedAt: current.startedAt,
      endedAt: current.endedAt,
      model: IMPORT_MODEL,
      api: 'responses',
      rounds: 0,
      status: 'answered',
      historyItems: 0,
      historyTokens: 0,
      items: current.items,
      calls: [],
    });
    current = undefined;
  };
  for (const e of entries) {
    if (!current || (e.role === 'user' && previous?.role === 'assistant')) {
      flush();
      current = { items: [], startedAt: e.at, endedAt: e.at };
    }
    const item = { kind: e.role, text: e.text };
    // Legacy rows are anyone's text, the bot's included: counted in bounded time (issue 22 §1).
    current.items.push({ item, boundary: current.items.length === 0 ? 2 : 1, tokens: countItemTokens(item, true) });
    current.endedAt = Math.max(current.endedAt, e.at);
    previous = e;
  }
  flush();
  return turns;
}

export async function runLegacyImport(data: LegacyData, deps: ImporterDeps): Promise<ImportReport> {
  const { repo, mask, now } = deps;
  const startedAt = now();
  const batchSize = Math.max(1, deps.batch ?? 25);
  const maxPendingAge = deps.maxPendingAgeMs ?? 24 * 3600_000;
  const { conversations, unrecognised } = groupLegacyConversations(data);
  const ids = [...conversations.keys()].sort();
  const lines: ConversationReport[] = [];
  let pendingWrites: LegacyConversationWrite[] = [];
  let interrupted = false;
  const flush = () => {
    repo.write(pendingWrites, now());
    pendingWrites = [];
  };

  for (const [index, id] of ids.entries()) {
    const legacy = conversations.get(id) as LegacyConversation;
    const { line, write } = await planConversation(legacy, deps, maxPendingAge);
    if (write) pendingWrites.push(write);
    if (pendingWrites.length >= batchSize) flush();
    lines.push(line);
    deps.onProgress?.(index + 1, ids.length, line);
    // Let pending events run (a SIGINT handler above all): without --fetch-openai nothing here waits on I/O,
    // and a signal would otherwise be seen only once the whole import is done.
    await new Promise<void>((r) => setImmediate(r));
    if (deps.shouldStop?.(index + 1)) {
      interrupted = index + 1 < ids.length;
      break;
    }
  }
  flush();

  const totals: ImportReport['totals'] = {
    conversations: ids.length,
    imported: lines.filter((l) => l.status === 'imported').length,
    upToDate: lines.filter((l) => l.status === 'up_to_date').length,
    skipped: lines.filter((l) => l.status === 'skipped').length,
    notProcessed: ids.length - lines.length,
    historyDeferred: lines.filter((l) => l.historyDeferred).length,
    items: lines.reduce((n, l) => n + l.items, 0),
    pending: lines.reduce((n, l) => n + l.pending, 0),
    bySource: {},
    invalidRows: {
      threads: data.threads.invalid,
      webhook_messages: data.webhookMessages.invalid,
      conversation_log: data.conversationLog.invalid,
      message_buffer: data.buffer.invalid,
    },
    unrecognisedKeys: unrecognised,
    blankRows: Object.fromEntries(
      (
        [
          ['threads', data.threads],
          ['webhook_messages', data.webhookMessages],
          ['conversation_log', data.conversationLog],
          ['message_buffer', data.buffer],
        ] as const
      )
        .filter(([, r]) => Object.keys(r.skipped).length > 0)
        .map(([table, r]) => [table, r.skipped]),
    ),
  };
  for (const l of lines) if (l.items > 0) totals.bySource[l.source] = (totals.bySource[l.source] ?? 0) + 1;
  return {
    dryRun: deps.dryRun ?? false,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(now()).toISOString(),
    interrupted,
    options: {
      fetchOpenai: deps.openai !== undefined,
      since: deps.since === undefined ? null : new Date(deps.since).toISOString(),
      batch: batchSize,
      inputs: deps.inputs ?? {},
    },
    totals,
    conversations: lines,
  };

  async function planConversation(
    legacy: LegacyConversation,
    d: ImporterDeps,
    maxAge: number,
  ): Promise<{ line: ConversationReport; write: LegacyConversationWrite | undefined }> {
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
}

/**
 * The Conversations API gives no time per item: each takes the time of the matching local log message
 * (same role and text, searched forward), else the previous item's, so the order stays the API's.
 */
function timeApiItems(
  items: readonly { role: 'user' | 'assistant'; text: string }[],
  local: readonly LegacyMessage[],
  threads: readonly LegacyThread[],
): HistoryEntry[] {
  const base =
    Math.min(...threads.map((t) => t.createdAt ?? Number.POSITIVE_INFINITY), local[0]?.at ?? Number.POSITIVE_INFINITY);
  let at = Number.isFinite(base) ? base : Math.max(0, ...threads.map((t) => t.lastUpdated ?? 0));
  let cursor = 0;
  return items.map((item) => {
    const text = normalizeText(item.text);
    for (let j = cursor; j < local.length && j < cursor + 50; j++) {
      const m = local[j] as LegacyMessage;
      if (m.role === item.role && normalizeText(m.text) === text) {
        at = Math.max(at, m.at);
        cursor = j + 1;
        break;
      }
    }
    return { role: item.role, text: item.text, at, key: entryKey(item.role, at, item.text) };
  });
}
