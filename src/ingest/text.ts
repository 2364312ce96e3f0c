// Text as it may be stored: well-formed UTF-16 without control characters, and recognisably empty when it shows nothing.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// C0 controls but tab, line feed and carriage return; DEL; C1 controls. No keyboard types them into a message;
// NUL among them was stored and sent to the model as it came (issue 22 §1).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

// Characters that render as nothing: zero-width space/joiners, word joiner, BOM, soft hyphen,
// Mongolian vowel separator, invisible operators, Hangul fillers and braille blank.
const INVISIBLE = /\u034F|[\s\u00AD\u115F\u1160\u180E\u200B-\u200F\u2028-\u202F\u205F-\u2064\u3164\u2800\uFEFF\uFFA0]/gu;

/**
 * Replaces lone surrogates (invalid UTF-16, which SQLite would store as garbage) with U+FFFD and removes control
 * characters.
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, '');
}

/** True when the text has nothing a person would see: only whitespace and zero-width characters. */
export function isBlank(text: string | null | undefined): boolean {
  return text == null || text.replace(INVISIBLE, '') === '';
}

/** The first value that is not blank once made well-formed, made so; undefined when all are blank. */
export function firstVisible(...values: (string | null | undefined)[]): string | undefined {
  for (const v of values) {
    if (typeof v !== 'string') continue;
    const text = wellFormed(v);
    if (!isBlank(text)) return text;
  }
  return undefined;
}
