// Guest data checks for make_booking (rule 26 and the HEAD validation): phone from the WhatsApp id,
// placeholder detection (the model likes to invent 'Pendiente' or 'Cliente' instead of asking), names,
// the booking title and e-mail plausibility.

/** Lower-case, accents removed, whitespace collapsed: for comparing names and keywords. */
export function foldForMatch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** An El Salvador number in international form: 503 + 8 local digits. */
function stripSalvadoranPrefix(digits: string): string {
  return digits.length === 11 && digits.startsWith('503') ? digits.slice(3) : digits;
}

/**
 * The phone for the booking from a WhatsApp id: Salvadoran numbers lose the 503 (the hotel stores them
 * locally); every other country (1…, 52…, 502, 504–507, unknown) keeps its full international number.
 */
export function phoneFromWaId(waId: string): string {
  return stripSalvadoranPrefix(waId.replace(/\D/g, ''));
}

/** A phone the guest or model wrote ('+503 7123-4567') as the hotel stores it ('71234567'). */
export function localPhone(phone: string): string {
  return stripSalvadoranPrefix(phone.replace(/\D/g, ''));
}

// Whole values the model has been seen to invent instead of asking the guest; compared after folding
// and turning punctuation into spaces, so 'N/A', 'n.a.' and '(pendiente)' match too.
const PLACEHOLDERS = new Set([
  'pendiente',
  'por definir',
  'tbd',
  'auto',
  'n a',
  'na',
  'ninguno',
  'ninguna',
  'no aplica',
  'desconocido',
  'no proporcionado',
  'cliente',
  'guest',
  'huesped',
  'usuario',
  'test',
  'prueba',
  'null',
  'none',
  'undefined',
  'from wa id',
]);

export function isPlaceholder(value: string): boolean {
  const key = foldForMatch(value)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  // Empty after removing punctuation covers '', '-', '...', '?'; 'xxx' and friends are runs of x.
  return key === '' || PLACEHOLDERS.has(key) || /^x{2,}$/.test(key);
}

function words(fullName: string): string[] {
  const collapsed = fullName.replace(/\s+/g, ' ').trim();
  return collapsed === '' ? [] : collapsed.split(' ');
}

/** First token / the rest, as the booking API's firstname / lastname. */
export function splitName(fullName: string): { firstname: string; lastname: string } {
  const [first = '', ...rest] = words(fullName);
  return { firstname: first, lastname: rest.join(' ') };
}

/** At least two words and every word contains a letter ('Juan Pérez' yes; 'Juan', 'Juan 2' no). */
export function hasFirstAndLastName(fullName: string): boolean {
  const parts = words(fullName);
  return parts.length >= 2 && parts.every((w) => /\p{L}/u.test(w));
}

const FEMALE_FIRST_NAMES = new Set(['maria', 'ana', 'rosa', 'carmen']);

/**
 * The booking's `titulo`. Only an exact first name counts (the original matched substrings, so
 * 'Mariano' and 'Santana' became 'Sra.'); for 'Ana-Lucía' the first word before the hyphen is used.
 */
export function titleFor(firstname: string, rooms: number): 'Sr.' | 'Sra.' | 'Sres.' {
  if (rooms > 1) return 'Sres.';
  const first = foldForMatch(firstname).split(/[^\p{L}]+/u).find((w) => w !== '') ?? '';
  return FEMALE_FIRST_NAMES.has(first) ? 'Sra.' : 'Sr.';
}

/** One '@', something before it, a dotted domain with no empty labels, no whitespace. */
export function isPlausibleEmail(text: string): boolean {
  if (/\s/.test(text)) return false;
  const at = text.split('@');
  if (at.length !== 2) return false;
  const [local = '', domain = ''] = at;
  if (local === '' || !domain.includes('.')) return false;
  const labels = domain.split('.');
  return labels.every((l) => l !== '') && (labels[labels.length - 1] ?? '').length >= 2;
}
