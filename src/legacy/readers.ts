// Readers of the Python service's SQLite files (schemas in original-agent.md §9, every era of its git history):
// each table's rows validated with zod and normalised — timestamps of both formats to epoch ms (time.ts), roles
// to user/assistant, ManyChat channel names to ours. The schema grew by ALTER TABLE (the Assistants-era root
// `threads` has no conversation_id, the first message_buffer no caption / reply_context_id, the oldest one a
// `message` column instead of message_type + content), so each row is read by the columns its table has
// (PRAGMA table_info); a column an era lacks reads as null. A blank row (no user key, no text) is skipped with
// its reason; a row that does not validate (unknown role, unreadable time, wrong type) is counted as invalid.
import { z } from 'zod';
import { LEGACY_TABLES, LegacySourceFile, type LegacyTable } from '../store/legacy-source-repository.js';
import { parseLegacyTime } from './time.js';

export interface LegacyThread {
  /** threads.wa_id: a waId, `facebook:<id>` / `instagram:<id>`, or a bare ManyChat subscriber id. */
  key: string;
  /** `conv_…` (Responses era), `thread_…` (Assistants era) or the key itself (a row a webhook created). */
  threadId: string;
  conversationId: string | undefined;
  historyImported: boolean;
  createdAt: number | undefined;
  lastUpdated: number | undefined;
  archived: boolean;
}

export interface LegacyMessage {
  key: string;
  role: 'user' | 'assistant';
  text: string;
  at: number;
  /** Order within the file, for ties of one-second timestamps. */
  order: number;
  /** conversation_log only: the channel it recorded. */
  channel?: 'facebook' | 'instagram' | undefined;
  /** The legacy table the message was read from. */
  table: 'webhook_messages' | 'conversation_log';
}

export interface LegacyBufferRow {
  key: string;
  type: string;
  content: string;
  caption: string | undefined;
  replyContextId: string | undefined;
  at: number;
  order: number;
}

export interface LegacyRead<T> {
  rows: T[];
  /** Rows that did not validate (unreadable time, unknown role, a value of the wrong type): corruption. */
  invalid: number;
  /** Blank rows left out (no user key, no text), by reason. */
  skipped: Record<string, number>;
}

/** A blank legacy row: nothing to import, left out with this reason (not corruption). */
class Blank {
  constructor(readonly reason: string) {}
}
const NO_KEY = new Blank('row without a user key (wa_id / user_identifier empty)');
const NO_TEXT = new Blank('message without text (empty content)');

const id = z.union([z.string(), z.number()]).transform((v) => String(v).trim()).pipe(z.string().min(1));
const optionalText = z.union([z.string(), z.number(), z.null(), z.undefined()]).transform((v) => (v === null || v === undefined ? undefined : String(v)));
const flag = z.union([z.number(), z.string(), z.boolean(), z.null(), z.undefined()]).transform((v) => v === true || v === 1 || v === '1' || v === 'true');

const text = z.union([z.string(), z.number()]).transform((v) => String(v));
const nullableText = z.union([text, z.null()]);
const threadRow = z.object({
  wa_id: id,
  thread_id: optionalText,
  conversation_id: optionalText,
  history_imported: flag,
  created_at: z.unknown(),
  last_updated: z.unknown(),
});
const archivedRow = z.object({
  wa_id: id,
  thread_id: optionalText,
  original_thread_id: optionalText,
  created_at: z.unknown(),
  archived_at: z.unknown(),
});
const conversationRow = z.object({
  wa_id: id,
  conversation_id: optionalText,
  history_imported: flag,
  created_at: z.unknown(),
  last_updated: z.unknown(),
});
const messageRow = z.object({
  wa_id: id,
  role: z.string(),
  content: nullableText,
  timestamp: z.unknown(),
  _rowid: z.number(),
});
const logRow = z.object({
  user_identifier: id,
  role: z.string(),
  content: nullableText,
  timestamp: z.unknown(),
  channel: optionalText,
  _rowid: z.number(),
});
const bufferRow = z.object({
  wa_id: id,
  message_type: z.union([z.string(), z.null()]),
  content: nullableText,
  message: nullableText,
  timestamp: z.unknown(),
  caption: optionalText,
  reply_context_id: optionalText,
  _rowid: z.number(),
});

export function normalizeRole(role: string): 'user' | 'assistant' | undefined {
  const r = role.trim().toLowerCase();
  if (r === 'user' || r === 'customer' || r === 'cliente') return 'user';
  if (r === 'assistant' || r === 'bot' || r === 'asistente') return 'assistant';
  return undefined;
}

export function normalizeChannel(channel: string | undefined): 'facebook' | 'instagram' | undefined {
  const c = channel?.trim().toLowerCase();
  if (!c) return undefined;
  if (c.startsWith('insta') || c === 'ig') return 'instagram';
  if (c.startsWith('face') || c === 'fb' || c === 'messenger') return 'facebook';
  return undefined;
}

/** Each column the readers know of a table, so a column the file's era lacks reads as null. */
const COLUMNS: Record<LegacyTable, readonly string[]> = {
  threads: ['wa_id', 'thread_id', 'conversation_id', 'history_imported', 'created_at', 'last_updated'],
  archived_threads: ['wa_id', 'thread_id', 'original_thread_id', 'created_at', 'archived_at'],
  conversations: ['wa_id', 'conversation_id', 'history_imported', 'created_at', 'last_updated'],
  message_buffer: ['wa_id', 'message_type', 'content', 'message', 'timestamp', 'caption', 'reply_context_id'],
  webhook_messages: ['wa_id', 'role', 'content', 'timestamp'],
  conversation_log: ['user_identifier', 'role', 'content', 'timestamp', 'channel'],
};

const blankKey = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

function read<T>(file: LegacySourceFile | undefined, table: LegacyTable, keyColumn: string, map: (row: Record<string, unknown>) => T | Blank | undefined): LegacyRead<T> {
  const out: LegacyRead<T> = { rows: [], invalid: 0, skipped: {} };
  if (!file) return out;
  const present = file.columns(table);
  for (const raw of file.rows(table)) {
    const row: Record<string, unknown> = {};
    for (const c of COLUMNS[table]) row[c] = present.has(c) ? (raw as Record<string, unknown>)[c] : null;
    row._rowid = (raw as Record<string, unknown>)._rowid;
    const mapped = blankKey(row[keyColumn]) ? NO_KEY : map(row);
    if (mapped === undefined) out.invalid++;
    else if (mapped instanceof Blank) out.skipped[mapped.reason] = (out.skipped[mapped.reason] ?? 0) + 1;
    else out.rows.push(mapped);
  }
  return out;
}

export function mergeReads<T>(...reads: LegacyRead<T>[]): LegacyRead<T> {
  const out: LegacyRead<T> = { rows: [], invalid: 0, skipped: {} };
  for (const r of reads) {
    out.rows.push(...r.rows);
    out.invalid += r.invalid;
    for (const [reason, n] of Object.entries(r.skipped)) out.skipped[reason] = (out.skipped[reason] ?? 0) + n;
  }
  return out;
}

const nonEmpty = (s: string | undefined) => (s !== undefined && s.trim() !== '' ? s.trim() : undefined);

/**
 * `threads` and `archived_threads` of app/thread_store.db (Responses era), the root file's `threads`
 * (Assistants era: thread_… ids, no conversation_id; the Vertex attempt: session_… ids) and the root file's
 * `conversations` (conv_… ids of the first Responses attempt, a table no committed code writes).
 */
export function readThreads(file: LegacySourceFile | undefined, timeZone: string): LegacyRead<LegacyThread> {
  const current = read(file, 'threads', 'wa_id', (raw) => {
    const r = threadRow.safeParse(raw);
    if (!r.success) return undefined;
    return {
      key: r.data.wa_id,
      threadId: nonEmpty(r.data.thread_id) ?? r.data.wa_id,
      conversationId: nonEmpty(r.data.conversation_id),
      historyImported: r.data.history_imported,
      createdAt: parseLegacyTime(r.data.created_at, timeZone),
      lastUpdated: parseLegacyTime(r.data.last_updated, timeZone),
      archived: false,
    };
  });
  const archived = read(file, 'archived_threads', 'wa_id', (raw) => {
    const r = archivedRow.safeParse(raw);
    if (!r.success) return undefined;
    // thread_id was renamed `<old>_archived_<epoch>`; original_thread_id keeps the conversation id.
    const original = nonEmpty(r.data.original_thread_id) ?? nonEmpty(r.data.thread_id)?.replace(/_archived_\d+$/, '');
    if (!original) return new Blank('archived row without a conversation id');
    return {
      key: r.data.wa_id,
      threadId: original,
      conversationId: original.startsWith('conv_') ? original : undefined,
      historyImported: false,
      createdAt: parseLegacyTime(r.data.created_at, timeZone),
      lastUpdated: parseLegacyTime(r.data.archived_at, timeZone),
      archived: true,
    };
  });
  const attempt = read(file, 'conversations', 'wa_id', (raw) => {
    const r = conversationRow.safeParse(raw);
    if (!r.success) return undefined;
    const conversationId = nonEmpty(r.data.conversation_id);
    if (!conversationId) return new Blank('conversations row without a conversation id');
    return {
      key: r.data.wa_id,
      threadId: conversationId,
      conversationId,
      historyImported: r.data.history_imported,
      createdAt: parseLegacyTime(r.data.created_at, timeZone),
      lastUpdated: parseLegacyTime(r.data.last_updated, timeZone),
      // Older than the threads row of the same key (which replaced it): read first, like an archived one.
      archived: true,
    };
  });
  return mergeReads(current, archived, attempt);
}

/** Root thread_store.db `webhook_messages`: every WATI text the bot saw and every reply it sent. */
export function readWebhookMessages(file: LegacySourceFile | undefined, timeZone: string): LegacyRead<LegacyMessage> {
  return read(file, 'webhook_messages', 'wa_id', (raw) => {
    const r = messageRow.safeParse(raw);
    if (!r.success) return undefined;
    if (r.data.content === null || r.data.content.trim() === '') return NO_TEXT;
    const role = normalizeRole(r.data.role);
    const at = parseLegacyTime(r.data.timestamp, timeZone);
    if (!role || at === undefined) return undefined;
    return { key: r.data.wa_id, role, text: r.data.content, at, order: r.data._rowid, table: 'webhook_messages' };
  });
}

/** app/conversation_log.db `conversation_log`: ManyChat traffic keyed by the bare subscriber id, with its channel. */
export function readConversationLog(file: LegacySourceFile | undefined, timeZone: string): LegacyRead<LegacyMessage> {
  return read(file, 'conversation_log', 'user_identifier', (raw) => {
    const r = logRow.safeParse(raw);
    if (!r.success) return undefined;
    if (r.data.content === null || r.data.content.trim() === '') return NO_TEXT;
    const role = normalizeRole(r.data.role);
    const at = parseLegacyTime(r.data.timestamp, timeZone);
    if (!role || at === undefined) return undefined;
    return {
      key: r.data.user_identifier,
      role,
      text: r.data.content,
      at,
      order: r.data._rowid,
      channel: normalizeChannel(r.data.channel),
      table: 'conversation_log',
    };
  });
}

/**
 * Root thread_store.db `message_buffer`: messages received and not yet answered (rows are deleted when a batch
 * runs). The oldest era had `message` (always text) where later ones have message_type + content.
 */
export function readMessageBuffer(file: LegacySourceFile | undefined, timeZone: string): LegacyRead<LegacyBufferRow> {
  return read(file, 'message_buffer', 'wa_id', (raw) => {
    const r = bufferRow.safeParse(raw);
    if (!r.success) return undefined;
    const content = r.data.content ?? r.data.message ?? '';
    const caption = nonEmpty(r.data.caption);
    if (content.trim() === '' && caption === undefined) return NO_TEXT;
    const at = parseLegacyTime(r.data.timestamp, timeZone);
    if (at === undefined) return undefined;
    return {
      key: r.data.wa_id,
      type: (r.data.message_type ?? 'text').trim().toLowerCase() || 'text',
      content,
      caption,
      replyContextId: nonEmpty(r.data.reply_context_id),
      at,
      order: r.data._rowid,
    };
  });
}

// The other tables the service's files hold, and why the import leaves them (the report lists them with
// their row counts, so nothing is left out unsaid).
const NOT_READ: Record<string, string> = {
  processing_lock: 'the old service’s per-customer processing locks: nothing to carry over',
  conversation_messages: 'the first Responses attempt’s table (no committed code wrote it): not imported',
  bootstrap_cache: 'the first Responses attempt’s cache: nothing to carry over',
  response_tracker: 'response ids only, no messages: nothing to carry over',
};

/** The tables of a legacy file the import does not read, with their row counts and why. */
export function unreadTables(file: LegacySourceFile): { table: string; rows: number; reason: string }[] {
  const read = new Set<string>(LEGACY_TABLES);
  return file
    .tables()
    .filter((t) => !read.has(t.name))
    .map((t) => ({ table: t.name, rows: t.rows, reason: NOT_READ[t.name] ?? 'not a table of the Python service: not read' }));
}

/** Opens a legacy file if it exists; undefined when the path is not given. */
export function openLegacyFile(path: string | undefined): LegacySourceFile | undefined {
  return path === undefined ? undefined : new LegacySourceFile(path);
}
