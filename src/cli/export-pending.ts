// `npm run export-pending`: the guest messages this service received in a window, for a rollback to the
// Python service (which never saw them): conversation, channel, time, text, and whether the reply reached the
// guest (answered) or not (pending). A table by conversation, or `--json` for machines. Conversations are
// masked as in the logs unless `--unmasked` (for the operator who must replay them to the guests). It reads
// the database read-only and without the server's instance lock, so it runs while the server runs.
//
//   npm run export-pending                                   # the last hour
//   npm run export-pending -- --since 2026-12-01T14:00:00-06:00 --until 2026-12-01T14:30:00-06:00
//   npm run -s export-pending -- --since 2026-12-01 --json --unmasked > replay.json
import 'dotenv/config';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loggableConversationId, useLogMaskKey } from '../core/conversation-id.js';
import { localDateTime } from '../report/format.js';
import { parseBound, PeriodError } from '../report/period.js';
import { terminalSafe } from '../report/text.js';
import { DatabaseNotReadyError, openReadonlyDatabase } from '../store/database.js';
import { PendingExportRepository, type ReceivedMessage } from '../store/pending-export-repository.js';
import { ReportRepository } from '../store/report-repository.js';
import { EX_USAGE, EX_NOINPUT, parseCliArgs, readServerSettings } from './cli-args.js';

const USAGE = `Usage: npm run export-pending -- [options]

  --since <when>   start of the window: an ISO instant (2026-12-01T14:00:00-06:00) or YYYY-MM-DD (a date in
                   TIMEZONE, from its start); default: an hour before --until
  --until <when>   end of the window (excluded): an ISO instant, or YYYY-MM-DD (that whole day included);
                   default: now
  --json           print one JSON object instead of the table
  --unmasked       print the conversations as they are (phone numbers, ManyChat ids), to replay them
  --db <path>      the database to read (default CONVERSATION_DB_PATH from the environment / .env)
  -h, --help       this text
`;

const HOUR_MS = 3_600_000;
// sysexits.h, like the report's.

export interface ExportPendingCliIo {
  env: Record<string, string | undefined>;
  now: () => number;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface ExportedMessage {
  conversation: string;
  channel: string;
  /** ISO instant the message was received. */
  receivedAt: string;
  kind: string;
  text: string;
  status: 'answered' | 'pending';
}

export interface PendingExport {
  window: { since: string; until: string; timezone: string };
  masked: boolean;
  totals: { messages: number; pending: number; answered: number; conversations: number; pendingConversations: number };
  /** Oldest first. */
  messages: ExportedMessage[];
}

export function buildExport(rows: readonly ReceivedMessage[], window: { since: number; until: number }, timeZone: string, mask: ((id: string) => string) | undefined): PendingExport {
  const messages = rows.map((r) => ({
    conversation: mask ? mask(r.conversationId) : r.conversationId,
    channel: r.channel,
    receivedAt: new Date(r.receivedAt).toISOString(),
    kind: r.kind,
    text: r.text,
    status: r.status,
  }));
  const pending = messages.filter((m) => m.status === 'pending');
  return {
    window: { since: new Date(window.since).toISOString(), until: new Date(window.until).toISOString(), timezone: timeZone },
    masked: mask !== undefined,
    totals: {
      messages: messages.length,
      pending: pending.length,
      answered: messages.length - pending.length,
      conversations: new Set(messages.map((m) => m.conversation)).size,
      pendingConversations: new Set(pending.map((m) => m.conversation)).size,
    },
    messages,
  };
}

/** One line per message, grouped by conversation (in the order of their first message); texts on one line. */
export function formatExportText(data: PendingExport): string {
  const tz = data.window.timezone;
  const t = data.totals;
  const lines = [
    `Mensajes recibidos · ${localDateTime(data.window.since, tz)} → ${localDateTime(data.window.until, tz)} (${terminalSafe(tz)})`,
    `${t.messages} mensajes en ${t.conversations} conversaciones · sin respuesta entregada: ${t.pending} en ${t.pendingConversations} conversaciones`,
  ];
  const byConversation = new Map<string, ExportedMessage[]>();
  for (const m of data.messages) byConversation.set(m.conversation, [...(byConversation.get(m.conversation) ?? []), m]);
  for (const [conversation, messages] of byConversation) {
    lines.push('', `${terminalSafe(conversation)} (${terminalSafe(messages[0]?.channel ?? '')})`);
    for (const m of messages) {
      const text = m.text === '' ? `[${m.kind}]` : m.text.replace(/\r?\n/g, ' ⏎ ');
      lines.push(`  ${localDateTime(m.receivedAt, tz)}  ${m.status === 'pending' ? 'pendiente  ' : 'respondido '}  ${terminalSafe(text)}`);
    }
  }
  if (data.messages.length === 0) lines.push('', '—');
  return `${lines.join('\n')}\n`;
}

/** Runs the command with `args` (without node and the script); returns the exit code. */
export function runExportPendingCli(args: string[], io: ExportPendingCliIo): number {
  const values = parseCliArgs(
    args,
    {
      since: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean', default: false },
      unmasked: { type: 'boolean', default: false },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
    io,
  );
  if (typeof values === 'number') return values;

  const settings = readServerSettings(io.env, io);
  if (typeof settings === 'number') return settings;
  const timeZone = settings.timezone;

  let window;
  try {
    const until = values.until === undefined ? io.now() : parseBound(values.until, 'until', timeZone);
    const since = values.since === undefined ? until - HOUR_MS : parseBound(values.since, 'since', timeZone);
    if (since >= until) throw new PeriodError('the window is empty: --since must be before --until');
    window = { since, until };
  } catch (err) {
    if (err instanceof PeriodError) {
      io.stderr(`${err.message}\n`);
      return EX_USAGE;
    }
    throw err;
  }

  let db;
  try {
    db = openReadonlyDatabase(values.db ?? settings.dbPath);
  } catch (err) {
    if (err instanceof DatabaseNotReadyError) {
      io.stderr(`${values.db !== undefined ? '--db' : 'CONVERSATION_DB_PATH'}: ${err.message}\n`);
      return EX_NOINPUT;
    }
    throw err;
  }
  try {
    let mask: ((id: string) => string) | undefined;
    if (!values.unmasked) {
      // The installation's key, so the masked ids match the server's logs and the report.
      const key = new ReportRepository(db).logMaskKey();
      if (key) useLogMaskKey(key);
      mask = loggableConversationId;
    }
    const data = buildExport(new PendingExportRepository(db).received(window), window, timeZone, mask);
    io.stdout(values.json ? `${JSON.stringify(data, null, 2)}\n` : formatExportText(data));
    return 0;
  } finally {
    db.close();
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  process.exitCode = runExportPendingCli(process.argv.slice(2), {
    env: process.env,
    now: Date.now,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
