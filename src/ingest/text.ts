// Text as it may be stored: well-formed UTF-16, and recognisably empty when it shows nothing.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Characters that render as nothing: zero-width space/joiners, word joiner, BOM, soft hyphen,
// Mongolian vowel separator, invisible operators, Hangul fillers and braille blank.
const INVISIBLE = /\u034F|[\s\u00AD\u115F\u1160\u180E\u200B-\u200F\u2028-\u202F\u205F-\u2064\u3164\u2800\uFEFF\uFFA0]/gu;

/** Replaces lone surrogates (invalid UTF-16, which SQLite would store as garbage) with U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** True when the text has nothing a person would see: only whitespace and zero-width characters. */
export function isBlank(text: string | null | undefined): boolean {
  return text == null || text.replace(INVISIBLE, '') === '';
}

/** The first value that is not blank, made well-formed; undefined when all are blank. */
export function firstVisible(...values: (string | null | undefined)[]): string | undefined {
  for (const v of values) if (typeof v === 'string' && !isBlank(v)) return wellFormed(v);
  return undefined;
}
