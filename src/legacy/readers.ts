// Readers of the Python service's SQLite files (schemas in original-agent.md §9): each table's rows
// validated with zod and normalised — timestamps of both formats to epoch ms (time.ts), roles to
// user/assistant, ManyChat channel names to ours. A row that does not validate is counted, not imported.
import { z } from 'zod';
import { LegacySourceFile, type LegacyTable } from '../store/legacy-source-repository.js';
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
  /** Rows that did not validate (missing key or text, unreadable time, unknown role), by table. */
  invalid: number;
}

const id = z.union([z.string(), z.number()]).transform((v) => String(v).trim()).pipe(z.string().min(1));
const optionalText = z.union([z.string(), z.number(), z.null(), z.undefined()]).transform((v) => (v === null || v === undefined ? undefined : String(v)));
const flag = z.union([z.number(), z.string(), z.boolean(), z.null(), z.undefined()]).transform((v) => v === true || v === 1 || v === '1' || v === 'true');

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
const messageRow = z.object({
  wa_id: id,
  role: z.string(),
  content: z.string(),
  timestamp: z.unknown(),
  _rowid: z.number(),
});
const logRow = z.object({
  user_identifier: id,
  role: z.string(),
  content: z.string(),
  timestamp: z.unknown(),
  channel: optionalText,
  _rowid: z.number(),
});
const bufferRow = z.object({
  wa_id: id,
  message_type: z.string(),
  content: z.string(),
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

function read<T>(file: LegacySourceFile | undefined, table: LegacyTable, map: (row: unknown) => T | undefined): LegacyRead<T> {
  const out: LegacyRead<T> = { rows: [], invalid: 0 };
  if (!file) return out;
  for (const raw of file.rows(table)) {
    const row = map(raw);
    if (row === undefined) out.invalid++;
    else out.rows.push(row);
  }
  return out;
}

const nonEmpty = (s: string | undefined) => (s !== undefined && s.trim() !== '' ? s.trim() : undefined);

/** app/thread_store.db `threads` and `archived_threads` (also the root file's Assistants-era `threads`). */
export function readThreads(file: LegacySourceFile | undefined, timeZone: string): LegacyRead<LegacyThread> {
  const current = read(file, 'threads', (raw) => {
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
  const archived = read(file, 'archived_threads', (raw) => {
    const r = archivedRow.safeParse(raw);
    if (!r.success) return undefined;
    // thread_id was renamed `<old>_archived_<epoch>`; original_thread_id keeps the conversation id.
    const original = nonEmpty(r.data.original_thread_id) ?? nonEmpty(r.data.thread_id)?.replace(/_archived_\d+$/, '');
    if (!original) return undefined;
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
  return { rows: [...current.rows, ...archived.rows], invalid: current.invalid + archived.invalid };
}

/** Root thread_store.db `webhook_messages`: every WATI text the bot saw and every reply it sent. */
export function readWebhookMessages(file: LegacySourceFile | undefined, timeZone: string): LegacyRead<LegacyMessage> {
  return read(file, 'webhook_messages', (raw) => {
    const r = messageRow.safeParse(raw);
    if (!r.success) return undefined;
    const role = normalizeRole(r.data.role);
    const at = parseLegacyTime(r.data.timestamp, timeZone);
    if (!role || at === undefined || r.data.content.trim() === '') return undefined;
    return { key: r.data.wa_id, role, text: r.data.content, at, order: r.data._rowid, table: 'webhook_messages' };
  });
}

/** app/conversation_log.db `conversation_log`: ManyChat traffic keyed by the bare subscriber id, with its channel. */
export function readConversationLog(file: LegacySourceFile | undefined, timeZone: string): LegacyRead<LegacyMessage> {
  return read(file, 'conversation_log', (raw) => {
    const r = logRow.safeParse(raw);
    if (!r.success) return undefined;
    const role = normalizeRole(r.data.role);
    const at = parseLegacyTime(r.data.timestamp, timeZone);
    if (!role || at === undefined || r.data.content.trim() === '') return undefined;
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

/** Root thread_store.db `message_buffer`: messages received and not yet answered (rows are deleted when a batch runs). */
export function readMessageBuffer(file: LegacySourceFile | undefined, timeZone: string): LegacyRead<LegacyBufferRow> {
  return read(file, 'message_buffer', (raw) => {
    const r = bufferRow.safeParse(raw);
    if (!r.success) return undefined;
    const at = parseLegacyTime(r.data.timestamp, timeZone);
    if (at === undefined) return undefined;
    return {
      key: r.data.wa_id,
      type: r.data.message_type.trim().toLowerCase(),
      content: r.data.content,
      caption: nonEmpty(r.data.caption),
      replyContextId: nonEmpty(r.data.reply_context_id),
      at,
      order: r.data._rowid,
    };
  });
}

/** Opens a legacy file if it exists; undefined when the path is not given. */
export function openLegacyFile(path: string | undefined): LegacySourceFile | undefined {
  return path === undefined ? undefined : new LegacySourceFile(path);
}
