// Last line of defence before replay: a function call without its output (or an output without its
// call) makes the provider reject the whole request, so such items are dropped — keeping what remains
// of a model response replayable (see dropItems).
import type { TranscriptItem } from '../store/conversation-store.js';

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
