// What happened while the bot was not listening, given to the model in this turn's input as a Spanish block
// (format of the original's missed-messages block, original-agent.md §6.4):
//  - from our own store (every channel): guest messages held while the bot was paused and messages human
//    operators sent (WATI owner:true events), after the bot's last reply;
//  - where the platform has a history (WATI), when the turn starts more than CONTEXT_GAP_MINUTES after the
//    bot's last reply: the platform's history after that reply, minus what we already know (matched by WATI message ids we recorded, else by
//    exact normalised text — never fuzzy), minus the bot's own messages and this batch;
//  - where the platform has a history, first contact: the last HISTORY_IMPORT_MESSAGES messages from it, once.
// Fetches are bounded (pages, 429 retries, total time); a failure only leaves that part out.
import type { Logger } from 'pino';
import { deadline } from '../core/abort.js';
import { messageLine } from '../agent/turn-input.js';
import type { BufferedMessage } from '../core/messages.js';
import type { Clock } from '../core/clock.js';
import { redactUrl } from '../core/logger.js';
import type { HandoffConfig } from './config.js';
import type { ConversationRef } from '../core/conversation-id.js';
import type { HistoryItem, PlatformHistory, Platforms } from '../platforms/types.js';
import type { ClaimedBatch } from '../store/buffer-store.js';
import type { ConversationHistoryRepository, HeldMessage } from '../store/conversation-history-repository.js';
import { hhmm, isoDate, zonedParts } from '../core/zoned-time.js';
import type { Handoff } from './handoff.js';

export const MISSED_HEADER =
  '=== MENSAJES ENTRE EL CLIENTE Y AGENTES HUMANOS ENVIADOS DESDE EL ULTIMO MENSAJE RECIBIDO POR EL ASISTENTE ===';
export const MISSED_FOOTER = '=== FIN DE MENSAJES PERDIDOS ===';
export const IMPORT_HEADER = '=== HISTORIAL PREVIO DE LA CONVERSACION EN WHATSAPP (IMPORTADO DE WATI) ===';
export const IMPORT_FOOTER = '=== FIN DEL HISTORIAL PREVIO ===';

const MISSED_MAX_PAGES = 5;
const FETCH_BUDGET_MS = 20_000;
const MAX_LINE = 1_000;

export interface ContextEntry {
  at: number;
  /** `Cliente`, `Agente (<name>)` or `Asistente` (history import only). */
  who: string;
  text: string;
}

export function normalizeText(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function formatBlock(entries: readonly ContextEntry[], timeZone: string, header: string, footer: string): string {
  const lines = [...entries]
    .sort((a, b) => a.at - b.at)
    .map((e) => {
      const p = zonedParts(e.at, timeZone);
      const text = e.text.length > MAX_LINE ? `${e.text.slice(0, MAX_LINE)}…` : e.text;
      return `[${isoDate(p)} ${hhmm(p)}] ${e.who}: ${text}`;
    });
  return [header, ...lines, footer].join('\n');
}

export const agentLabel = (name: string | null | undefined) => `Agente (${name?.trim() || 'equipo'})`;

export interface MissedMessagesBlockDeps {
  history: ConversationHistoryRepository;
  config: { handoff: HandoffConfig; timezone: string };
  /** The conversation's platform gives its history, where it has one. */
  platforms: Pick<Platforms, 'forChannel'>;
  handoff: Handoff;
  clock: Clock;
  /** Waits for WATI 429 retries (tests shrink it). */
  max429WaitMs?: number;
}

export function createMissedMessagesBlock(deps: MissedMessagesBlockDeps) {
  const { history, config, platforms, handoff, clock } = deps;

  const lineOf = (m: HeldMessage) =>
    messageLine({
      kind: m.kind,
      text: m.text,
      replyContextId: m.replyContextId ?? undefined,
    } as BufferedMessage);

  const knownId = (ids: readonly string[], inboundIds: ReadonlySet<string>) =>
    ids.some((id) => inboundIds.has(id) || handoff.pauses.isOperatorMessage(id) || handoff.pauses.isOwnMessage(id));

  /** Whether a history item was sent by the bot (recorded id, or a bot operator name, or business side without a person). */
  const isBotItem = (item: HistoryItem) =>
    item.fromBusiness && (item.ids.some((id) => handoff.pauses.isOwnMessage(id)) || !item.operatorName || handoff.isBotOperator(item.operatorName));

  async function missedFromPlatform(
    source: PlatformHistory,
    ref: ConversationRef,
    cutoff: number,
    batch: ClaimedBatch,
    localTexts: ReadonlySet<string>,
    signal: AbortSignal,
  ): Promise<ContextEntry[]> {
    const items = await source.getMessages(ref.externalId, {
      maxPages: MISSED_MAX_PAGES,
      notBefore: cutoff,
      signal,
      maxRetryWaitMs: deps.max429WaitMs ?? 5_000,
    });
    const batchIds = new Set(batch.messages.map((m) => m.platformMessageId).filter(Boolean));
    const batchTexts = new Set(batch.messages.map((m) => normalizeText(m.text)).filter((t) => t !== ''));
    const inbound = history.inboundSince(ref.conversationId, cutoff);
    const inboundIds = new Set(inbound.map((m) => m.platformMessageId).filter((id): id is string => id !== null));
    const seenTexts = new Set([
      ...localTexts,
      ...inbound.map((m) => normalizeText(m.text)),
      ...history.outboundTextsSince(ref.conversationId, cutoff).map(normalizeText),
    ]);
    const entries: ContextEntry[] = [];
    for (const item of items) {
      if (item.at === undefined || item.at <= cutoff) continue;
      if (item.eventType && !/^(message|sessionMessageSent|broadcastMessage|templateMessage)/i.test(item.eventType)) continue;
      const text = item.text.trim();
      if (text === '') continue;
      if (item.ids.some((id) => batchIds.has(id))) continue;
      if (isBotItem(item)) continue;
      if (knownId(item.ids, inboundIds)) continue;
      const normalized = normalizeText(text);
      if (batchTexts.has(normalized) || seenTexts.has(normalized)) continue;
      entries.push({ at: item.at, who: item.fromBusiness ? agentLabel(item.operatorName) : 'Cliente', text });
    }
    return entries;
  }

  async function firstContactImport(source: PlatformHistory, ref: ConversationRef, batch: ClaimedBatch, signal: AbortSignal, log: Logger): Promise<string | undefined> {
    const limit = config.handoff.historyImportMessages;
    if (limit <= 0 || handoff.pauses.historyImported(ref.conversationId) || history.isKnownConversation(ref.conversationId)) return undefined;
    const items = await source.getMessages(ref.externalId, {
      maxPages: Math.ceil(limit / 100) + 1,
      pageSize: Math.min(100, limit),
      maxItems: limit,
      signal,
      maxRetryWaitMs: deps.max429WaitMs ?? 5_000,
    });
    handoff.pauses.markHistoryImported(ref.conversationId, clock.now());
    const batchIds = new Set(batch.messages.map((m) => m.platformMessageId).filter(Boolean));
    const entries: ContextEntry[] = items
      .filter((i) => i.at !== undefined && i.text.trim() !== '' && !i.ids.some((id) => batchIds.has(id)))
      .filter((i) => !i.eventType || /^(message|sessionMessageSent|broadcastMessage|templateMessage)/i.test(i.eventType))
      .slice(0, limit)
      .map((i) => ({
        at: i.at as number,
        who: !i.fromBusiness ? 'Cliente' : isBotItem(i) ? 'Asistente' : agentLabel(i.operatorName),
        text: i.text.trim(),
      }));
    // The batch itself is the newest guest traffic; drop its texts if WATI returned them without ids.
    const batchTexts = new Set(batch.messages.map((m) => normalizeText(m.text)));
    const firstBatchAt = Math.min(...batch.messages.map((m) => m.receivedAt));
    const kept = entries.filter((e) => !(e.who === 'Cliente' && batchTexts.has(normalizeText(e.text)) && e.at >= firstBatchAt - 120_000));
    log.info({ imported: kept.length }, 'first contact: WATI history imported');
    return kept.length > 0 ? formatBlock(kept, config.timezone, IMPORT_HEADER, IMPORT_FOOTER) : undefined;
  }

  return async function missedMessagesBlock(
    ref: ConversationRef,
    batch: ClaimedBatch,
    log: Logger,
    turnSignal: AbortSignal,
  ): Promise<string | undefined> {
    const now = clock.now();
    const conversationId = ref.conversationId;
    const lastReplyAt = history.lastReplyAt(conversationId) ?? null;
    // Cleared when the block is built, so its abort listener does not stay on the turn's signal for the turn.
    const fetchDeadline = deadline(FETCH_BUDGET_MS, turnSignal);
    try {
      return await buildBlock(ref, batch, log, fetchDeadline.signal, now, conversationId, lastReplyAt);
    } finally {
      fetchDeadline.clear();
    }
  };

  async function buildBlock(
    ref: ConversationRef,
    batch: ClaimedBatch,
    log: Logger,
    signal: AbortSignal,
    now: number,
    conversationId: string,
    lastReplyAt: number | null,
  ): Promise<string | undefined> {
    const blocks: string[] = [];
    const source = platforms.forChannel(ref.channel).history;

    if (source?.enabled && lastReplyAt === null) {
      try {
        const imported = await firstContactImport(source, ref, batch, signal, log);
        if (imported) blocks.push(imported);
      } catch (err) {
        log.warn({ err: redactUrl(err instanceof Error ? err.message : String(err)) }, 'first-contact history import failed; left out');
      }
    }

    const cutoff = lastReplyAt ?? 0;
    const entries: ContextEntry[] = [];
    const localTexts = new Set<string>();
    for (const m of history.heldMessagesSince(conversationId, cutoff)) {
      entries.push({ at: m.receivedAt, who: 'Cliente', text: lineOf(m) });
      localTexts.add(normalizeText(m.text));
    }
    for (const m of handoff.pauses.operatorMessagesSince(conversationId, cutoff)) {
      entries.push({ at: m.sentAt, who: agentLabel(m.operatorName), text: m.text });
      localTexts.add(normalizeText(m.text));
    }

    if (source?.enabled && lastReplyAt !== null && now - lastReplyAt > config.handoff.contextGapMs) {
      try {
        entries.push(...(await missedFromPlatform(source, ref, lastReplyAt, batch, localTexts, signal)));
      } catch (err) {
        log.warn({ err: redactUrl(err instanceof Error ? err.message : String(err)) }, 'WATI history unavailable; missed messages left out');
      }
    }
    if (entries.length > 0) blocks.push(formatBlock(entries, config.timezone, MISSED_HEADER, MISSED_FOOTER));
    return blocks.length > 0 ? blocks.join('\n\n') : undefined;
  }
}
