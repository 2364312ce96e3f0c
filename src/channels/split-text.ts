// Splits a long reply into platform-sized chunks at the most natural break available
// (the original service's rule, original-ingest.md §5.3). Lengths are UTF-16 code units,
// which never undercounts the characters a platform sees.

/** WATI v1 sendSessionMessage accepts 0–4096 characters. */
export const WHATSAPP_TEXT_LIMIT = 4096;
/** ManyChat rejects texts "longer than 2000 symbols". */
export const MANYCHAT_TEXT_LIMIT = 2000;

const SENTENCE_ENDS = ['. ', '! ', '? '];
const CLAUSE_ENDS = [', ', '; '];

/**
 * Returns the trimmed, non-empty chunks of `text`, each at most `limit` UTF-16 units.
 * A text of at most `limit` units (after trimming) comes back as one chunk; blank text as [].
 */
export function splitText(text: string, limit: number): string[] {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`splitText: invalid limit ${limit}`);
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const cut = findCut(rest, limit);
    const head = rest.slice(0, cut).trim();
    if (head !== '') chunks.push(head);
    rest = rest.slice(cut).trim();
  }
  if (rest !== '') chunks.push(rest);
  return chunks;
}

/** Index just after the preferred delimiter in the first `limit` units, or a hard-cut index. */
function findCut(rest: string, limit: number): number {
  const window = rest.slice(0, limit);
  const half = limit * 0.5;

  // Preferred delimiters, each accepted only past half the limit so chunks don't get tiny.
  for (const group of [['\n\n'], ['\n'], SENTENCE_ENDS, CLAUSE_ENDS]) {
    const end = lastDelimiterEnd(window, group);
    if (end !== undefined && end - group[0]!.length > half) return end;
  }

  const space = window.lastIndexOf(' ');
  if (space > limit * 0.7) return space + 1;

  // Hard cut, moved back one unit rather than separating a surrogate pair (emoji).
  let cut = limit;
  if (isHighSurrogate(rest.charCodeAt(cut - 1)) && isLowSurrogate(rest.charCodeAt(cut))) cut -= 1;
  return cut > 0 ? cut : limit;
}

/** End index (exclusive) of the last occurrence of any of `delimiters` in `window`. */
function lastDelimiterEnd(window: string, delimiters: readonly string[]): number | undefined {
  let best: number | undefined;
  for (const d of delimiters) {
    const i = window.lastIndexOf(d);
    if (i >= 0 && (best === undefined || i + d.length > best)) best = i + d.length;
  }
  return best;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
