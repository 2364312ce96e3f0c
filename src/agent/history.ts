// Last line of defence before replay: a function call without its output (or an output without its
// call) makes the provider reject the whole request, so such items are dropped — keeping what remains
// of a model response replayable (see dropItems). And the loaded instruction modules kept in front of the
// model once the history budget has moved past them (pinModuleLoads), and the history a turn starts from
// with them (loadHistoryWithModules).
import type { History, StoredTranscriptItem, TranscriptItem, TurnTranscriptItem } from '../core/transcript.js';
import type { ConversationStore } from '../store/conversation-store.js';
import { LOAD_MODULES_TOOL, loadedSections, type LoadedSection } from '../tools/instructions/load-additional-modules.js';

/** A model output item that may carry a provider id (a message or a function call). */
function isOutputItem(item: TranscriptItem): item is Extract<TranscriptItem, { kind: 'assistant' | 'function_call' }> {
  return item.kind === 'assistant' || item.kind === 'function_call';
}

/**
 * The item with its Responses id removed. The API ties an output item replayed with its id to the
 * reasoning item that preceded it; without the id it is a plain item, accepted without reasoning.
 */
export function withoutProviderId(item: TranscriptItem): TranscriptItem {
  if (!isOutputItem(item) || item.responsesItem === undefined || !('id' in item.responsesItem)) return item;
  const { id: _id, ...rest } = item.responsesItem;
  return { ...item, responsesItem: rest };
}

/**
 * Removes the items `drop` marks without leaving a shape the Responses API rejects: a reasoning item
 * goes with the item that followed it (it may not be replayed without it, nor stand last), and the
 * message and call items it preceded lose their ids (they may not be replayed with ids without it).
 */
export function dropItems(items: readonly TranscriptItem[], drop: (item: TranscriptItem) => boolean): TranscriptItem[] {
  const keep = items.map((item) => !drop(item));
  for (let i = items.length - 1; i >= 0; i--) {
    if (items[i]?.kind === 'reasoning' && keep[i + 1] !== true) keep[i] = false;
  }
  const kept: TranscriptItem[] = [];
  let orphaned = false;
  items.forEach((item, i) => {
    if (!keep[i]) {
      if (item.kind === 'reasoning') orphaned = true;
      return;
    }
    if (isOutputItem(item)) {
      kept.push(orphaned ? withoutProviderId(item) : item);
    } else {
      orphaned = false;
      kept.push(item);
    }
  });
  return kept;
}

export function pairCallsAndOutputs(items: readonly TranscriptItem[]): TranscriptItem[] {
  const calls = new Set<string>();
  const outputs = new Set<string>();
  for (const item of items) {
    if (item.kind === 'function_call') calls.add(item.callId);
    else if (item.kind === 'function_output') outputs.add(item.callId);
  }
  let clean = true;
  for (const id of calls) if (!outputs.has(id)) clean = false;
  for (const id of outputs) if (!calls.has(id)) clean = false;
  if (clean) return items as TranscriptItem[];

  return dropItems(items, (item) =>
    item.kind === 'function_call'
      ? !outputs.has(item.callId)
      : item.kind === 'function_output'
        ? !calls.has(item.callId)
        : false,
  );
}

interface ModuleLoad {
  call: TurnTranscriptItem;
  output: TurnTranscriptItem & { item: { kind: 'function_output' } };
  sections: LoadedSection[];
}

/** Whether a newer section holds `s`: the same path or an ancestor of it, or the same text. */
function covers(newer: LoadedSection, s: LoadedSection): boolean {
  return (s.path !== '' && (s.path === newer.path || s.path.startsWith(`${newer.path}.`))) || newer.text.includes(s.text);
}

/**
 * The loads of instruction modules (load_additional_modules calls and their outputs, `earlier` from
 * ConversationStore.callsBefore) that the history window has moved past but stay in front of the model, in their
 * place before the window: the newest first while their tokens fit `budgetTokens` (an older one past the budget
 * goes, and every one older than it), each with its turn's user item (what the guest asked; a provider such as
 * Gemini wants a function call after a user turn). A load whose every section a newer kept load holds (a part
 * loaded before its whole module, a module loaded again after its file changed) goes too, as does one that loaded
 * nothing (an error, "ninguno nuevo"). The calls go without their reasoning, hence without provider ids.
 *
 * The result depends only on what comes before the window's first item, which moves in whole chunks
 * (ConversationStore.loadHistory): between two moves the pinned items are the same bytes, and the provider's
 * prompt cache keeps matching them.
 */
export function pinModuleLoads(
  earlier: readonly TurnTranscriptItem[],
  budgetTokens: number,
  sectionsOf: (output: string) => LoadedSection[],
): StoredTranscriptItem[] {
  if (budgetTokens <= 0 || earlier.length === 0) return [];
  // By turn and call id: a call and its output are one turn's (ids may repeat across responses).
  const calls = new Map<string, TurnTranscriptItem>();
  for (const e of earlier) if (e.item.kind === 'function_call') calls.set(`${e.turnId}:${e.item.callId}`, e);
  const loads: ModuleLoad[] = [];
  for (const e of earlier) {
    if (e.item.kind !== 'function_output') continue;
    const call = calls.get(`${e.turnId}:${e.item.callId}`);
    if (call === undefined) continue;
    const sections = sectionsOf(e.item.output);
    if (sections.length > 0) loads.push({ call, output: e as ModuleLoad['output'], sections });
  }
  const users = new Map<number, TurnTranscriptItem>();
  for (const e of earlier) if (e.item.kind === 'user' && !users.has(e.turnId)) users.set(e.turnId, e);

  const kept: ModuleLoad[] = [];
  const keptTurns = new Set<number>();
  let used = 0;
  for (let i = loads.length - 1; i >= 0; i--) {
    const load = loads[i] as ModuleLoad;
    if (load.sections.every((s) => kept.some((k) => k.sections.some((n) => covers(n, s))))) continue;
    const user = keptTurns.has(load.output.turnId) ? undefined : users.get(load.output.turnId);
    const cost = load.call.tokens + load.output.tokens + (user?.tokens ?? 0);
    if (used + cost > budgetTokens) break;
    used += cost;
    kept.push(load);
    keptTurns.add(load.output.turnId);
  }
  const pinned: StoredTranscriptItem[] = [];
  for (const turnId of keptTurns) {
    const user = users.get(turnId);
    if (user) pinned.push(user);
  }
  for (const load of kept) pinned.push({ ...load.call, item: withoutProviderId(load.call.item) }, load.output);
  return pinned
    .toSorted((a, b) => a.cumTokens - b.cumTokens || a.id - b.id)
    .map(({ id, boundary, tokens, cumTokens, item }) => ({ id, boundary, tokens, cumTokens, item }));
}

/**
 * The conversation's history within `budget` (ConversationStore.loadHistory), preceded by the instruction modules
 * loaded before it that fit `modulesBudget` (history.ts pinModuleLoads), where they were: a module the window moved
 * past is not loaded (and sent uncached) again.
 */
export function loadHistoryWithModules(
  store: Pick<ConversationStore, 'loadHistory' | 'callsBefore'>,
  conversationId: string,
  budget: number,
  modulesBudget: number,
): History {
  const window = store.loadHistory(conversationId, budget);
  if (modulesBudget <= 0 || window.droppedTokens <= 0) return window;
  const pinned = pinModuleLoads(store.callsBefore(conversationId, window.droppedTokens, LOAD_MODULES_TOOL), modulesBudget, loadedSections);
  if (pinned.length === 0) return window;
  const tokens = pinned.reduce((n, s) => n + s.tokens, 0);
  return { items: [...pinned, ...window.items], tokens: window.tokens + tokens, droppedTokens: window.droppedTokens - tokens, pinnedItems: pinned.length };
}
