// The dashboard's search for a conversation: what staff typed, read as a phone number (the whole number or its
// last digits, with or without spaces, dashes, a leading + or 00, or the country code) or as part of the
// guest's name (without regard to case or accents). A query that is neither gets a message saying what to type.

/** At least the four digits staff see in a masked number (`wa:…4568:…`). */
export const MIN_NUMBER_DIGITS = 4;
export const MAX_NUMBER_DIGITS = 20;
export const MIN_NAME_LETTERS = 2;
export const MAX_QUERY_LENGTH = 100;

export type SearchQuery =
  | { kind: 'number'; digits: string }
  | { kind: 'name'; text: string; folded: string }
  | { kind: 'invalid'; error: string };

/** Lower case, without accents or repeated spaces: "  JOSÉ   Pérez" → "jose perez". */
export function foldName(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

const NUMBER_SHAPE = /^\+?[\d\s().-]+$/;

export function parseSearchQuery(raw: string): SearchQuery {
  // Control and format characters are nobody's name.
  const text = raw.replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim();
  if (text === '') return { kind: 'invalid', error: 'Escriba un número (completo o sus últimos dígitos) o un nombre.' };
  if (text.length > MAX_QUERY_LENGTH) return { kind: 'invalid', error: `La búsqueda es demasiado larga (máximo ${MAX_QUERY_LENGTH} caracteres).` };
  if (NUMBER_SHAPE.test(text) && /\d/.test(text)) {
    // 00 is how a number with its country code is dialled from abroad: 00503… is +503….
    const digits = text.replace(/\D/g, '').replace(/^00(?=\d{6})/, '');
    if (digits.length < MIN_NUMBER_DIGITS) return { kind: 'invalid', error: `Escriba al menos los últimos ${MIN_NUMBER_DIGITS} dígitos del número.` };
    if (digits.length > MAX_NUMBER_DIGITS) return { kind: 'invalid', error: `Un número tiene como máximo ${MAX_NUMBER_DIGITS} dígitos.` };
    return { kind: 'number', digits };
  }
  const folded = foldName(text);
  if ([...folded.replace(/[^\p{L}\p{N}]/gu, '')].length < MIN_NAME_LETTERS) {
    return { kind: 'invalid', error: `Escriba al menos ${MIN_NAME_LETTERS} letras del nombre.` };
  }
  return { kind: 'name', text, folded };
}
