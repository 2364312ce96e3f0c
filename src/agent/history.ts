// Last line of defence before replay: a function call without its output (or an output without its
// call) makes the provider reject the whole request, so such items are dropped — with the reasoning
// item that preceded a dropped call, which may not stand alone either.
import type { TranscriptItem } from '../store/conversation-store.js';

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

  const keep = items.map((item) =>
    item.kind === 'function_call'
      ? outputs.has(item.callId)
      : item.kind === 'function_output'
        ? calls.has(item.callId)
        : true,
  );
  for (let i = items.length - 2; i >= 0; i--) {
    if (items[i]?.kind === 'reasoning' && !keep[i + 1] && items[i + 1]?.kind === 'function_call') keep[i] = false;
  }
  return items.filter((_, i) => keep[i]);
}
