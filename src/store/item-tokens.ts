// The history budget's count of one transcript item, stored with it (transcript_items.tokens).
import { countTextTokens, guestTextTokens } from '../core/token-count.js';
import type { TranscriptItem } from '../core/transcript.js';

// Per-item framing the provider adds around content (role markers, call wrappers); an estimate.
const MESSAGE_OVERHEAD = 4;
const CALL_OVERHEAD = 8;

/**
 * Token count of one item for the history budget. The guest's text (user items, and developer notes that quote
 * missed messages) is counted in bounded time whatever its length; the model's and the tools' text exactly, in
 * time linear in its length (src/agent/token-count.ts), unless `guestWritten` says every text of the item is
 * untrusted (a legacy import's rows). Reasoning items count only their summary: their encrypted content is opaque
 * and providers drop earlier turns' reasoning from the context anyway.
 */
export function countItemTokens(item: TranscriptItem, guestWritten = false): number {
  const count = guestWritten ? guestTextTokens : countTextTokens;
  switch (item.kind) {
    case 'user':
    case 'developer':
      return guestTextTokens(item.text) + MESSAGE_OVERHEAD;
    case 'assistant':
      return count(item.text) + MESSAGE_OVERHEAD;
    case 'function_call':
      return count(item.name) + count(item.arguments) + CALL_OVERHEAD;
    case 'function_output':
      return count(item.output) + MESSAGE_OVERHEAD;
    case 'reasoning':
      return count(item.summary) + MESSAGE_OVERHEAD;
  }
}
