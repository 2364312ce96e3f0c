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
import type { LegacyConversationWrite } from '../store/legacy-import-repository.js';
import { planConversation, type ConversationPlanDeps, type ConversationReport } from './conversation-plan.js';
import { groupLegacyConversations, type LegacyConversation, type LegacyData } from './legacy-conversations.js';

export type { ConversationReport } from './conversation-plan.js';

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

export interface ImporterDeps extends ConversationPlanDeps {
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

export async function runLegacyImport(data: LegacyData, deps: ImporterDeps): Promise<ImportReport> {
  const { repo, now } = deps;
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
}
