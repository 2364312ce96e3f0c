// o200k token counts (the encoding of the GPT-4o/GPT-5 family) in time bounded whatever the text (issue 22 §1).
// The tokenizer's byte-pair merge takes time that grows faster than linearly with the length of one pre-token
// (a run of letters, of symbols or of spaces): 65,536 letters without a space took seconds, and its cache does not
// help with text that varies. So the text is handed to it in pieces: whole pre-tokens grouped up to a size (the
// count is then exactly the tokenizer's, since its split regex looks only forward), and a pre-token longer than
// PIECE_CHARS in slices (a slice boundary may add a token: an estimate, for text no person writes).
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';

// Guests may type "<|endoftext|>": count special-token text as plain text instead of throwing.
const TOKENIZE_OPTIONS = { disallowedSpecial: new Set<string>() };

/** The longest run the merge sees in one call; novel text costs about a microsecond per character, whatever the piece. */
const PIECE_CHARS = 256;
/** Whole pre-tokens grouped per tokenizer call (fewer calls; the length does not change the cost per character). */
const GROUP_CHARS = 4096;
/**
 * Beyond this length a guest's text is estimated (guestTextTokens): novel text costs about a microsecond per
 * character to count, several on a busy machine, so counting 65,536 letters exactly would hold the event loop for
 * tens of milliseconds. Nearly every message a guest writes is shorter.
 */
export const EXACT_COUNT_MAX_CHARS = 2048;
/** Windows, spread evenly over a longer text, counted exactly and scaled to its length. */
const SAMPLE_WINDOWS = 16;
const SAMPLE_WINDOW_CHARS = EXACT_COUNT_MAX_CHARS / SAMPLE_WINDOWS;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** `index` moved back by one when it would split a surrogate pair. */
function codePointBoundary(text: string, index: number): number {
  return index > 0 && index < text.length && isHighSurrogate(text.charCodeAt(index - 1)) ? index - 1 : index;
}

function countSliced(run: string): number {
  let total = 0;
  for (let start = 0; start < run.length; ) {
    const end = codePointBoundary(run, Math.min(run.length, start + PIECE_CHARS));
    total += countTokens(run.slice(start, end), TOKENIZE_OPTIONS);
    start = end;
  }
  return total;
}

/**
 * The o200k token count of `text`, in time linear in its length: exactly the tokenizer's for any text whose
 * pre-tokens (words, numbers, runs of symbols or spaces) are at most PIECE_CHARS long, as all prose is. For
 * texts of our own and the model's (instructions, tool schemas, replies, tool outputs); a guest's text goes through
 * guestTextTokens.
 */
export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  let total = 0;
  let groupStart = 0;
  for (const match of text.matchAll(O200K_TOKEN_SPLIT_REGEX)) {
    const start = match.index;
    const end = start + match[0].length;
    if (match[0].length > PIECE_CHARS) {
      if (start > groupStart) total += countTokens(text.slice(groupStart, start), TOKENIZE_OPTIONS);
      total += countSliced(match[0]);
      groupStart = end;
    } else if (end - groupStart > GROUP_CHARS) {
      if (start > groupStart) total += countTokens(text.slice(groupStart, start), TOKENIZE_OPTIONS);
      groupStart = start;
    }
  }
  if (groupStart < text.length) total += countTokens(text.slice(groupStart), TOKENIZE_OPTIONS);
  return total;
}

/**
 * The token count of a text a guest wrote (a message, however long) for the history budget, in
 * bounded time whatever its length: exact up to EXACT_COUNT_MAX_CHARS, beyond that SAMPLE_WINDOWS windows spread
 * over the text are counted and their tokens per character scaled to its length (within a few per cent for prose,
 * either way: enough for a budget).
 */
export function guestTextTokens(text: string): number {
  if (text.length <= EXACT_COUNT_MAX_CHARS) return countTextTokens(text);
  const stride = text.length / SAMPLE_WINDOWS;
  let sampledChars = 0;
  let sampledTokens = 0;
  for (let w = 0; w < SAMPLE_WINDOWS; w++) {
    const start = codePointBoundary(text, Math.floor(w * stride));
    const end = codePointBoundary(text, Math.min(text.length, start + SAMPLE_WINDOW_CHARS));
    sampledChars += end - start;
    sampledTokens += countTextTokens(text.slice(start, end));
  }
  return Math.ceil((sampledTokens * text.length) / sampledChars);
}
