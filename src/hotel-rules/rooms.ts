// Room inventory and classification (rules 10–12): which free rooms suit a booking type, the random pick
// among them, and the keyword normalisation of what the model passes as type, package and payment method.

import { foldForMatch } from './guest-identity.js';
import type { BookableType, PackageType, PaymentMethod } from './types.js';

/** The pseudo-room the booking API lists (and books as `1-Pasadía`) for day passes. */
export const DAY_PASS_ROOM = 'Pasadía';

/** Every real room, in inventory order: bungalows 1–59, then rooms 1A–14A. */
export const ALL_ROOMS: readonly string[] = [
  ...Array.from({ length: 59 }, (_, i) => String(i + 1)),
  ...Array.from({ length: 14 }, (_, i) => `${i + 1}A`),
];

/** The Junior bungalows with one double bed. */
export const MATRIMONIAL_ROOMS: readonly string[] = ['22', '42', '47', '48', '53'];

const REAL_ROOMS = new Set(ALL_ROOMS);

const INVENTORY_ORDER = new Map<string, number>(
  [...ALL_ROOMS, DAY_PASS_ROOM].map((room, i) => [room, i]),
);

/**
 * The inventory spelling of a room as the booking API might print it ('3a' → '3A', ' 24 ' → '24',
 * 'Pasadia' → 'Pasadía'); undefined for anything outside the inventory (including '024').
 */
export function canonicalRoom(room: string): string | undefined {
  const text = room.trim().toUpperCase();
  if (REAL_ROOMS.has(text)) return text;
  return foldForMatch(room) === 'pasadia' ? DAY_PASS_ROOM : undefined;
}

export function roomTypeOf(room: string): BookableType | undefined {
  const canonical = canonicalRoom(room);
  if (canonical === undefined) return undefined;
  if (canonical === DAY_PASS_ROOM) return 'Pasadía';
  if (canonical.endsWith('A')) return 'Habitación';
  if (MATRIMONIAL_ROOMS.includes(canonical)) return 'Matrimonial';
  return Number(canonical) <= 17 ? 'Familiar' : 'Junior';
}

/** Free rooms in canonical spelling, each once, in inventory order (so a seeded pick does not depend on API order). */
function canonicalFree(freeRooms: readonly string[]): string[] {
  const set = new Set<string>();
  for (const room of freeRooms) {
    const canonical = canonicalRoom(room);
    if (canonical !== undefined) set.add(canonical);
  }
  return [...set].sort((a, b) => (INVENTORY_ORDER.get(a) ?? 0) - (INVENTORY_ORDER.get(b) ?? 0));
}

export interface FreeCounts {
  familiar: number;
  /** Junior bungalows excluding the Matrimonial ones. */
  junior: number;
  matrimonial: number;
  habitacion: number;
  dayPass: boolean;
}

export function countFreeByType(freeRooms: readonly string[]): FreeCounts {
  const counts: FreeCounts = { familiar: 0, junior: 0, matrimonial: 0, habitacion: 0, dayPass: false };
  for (const room of canonicalFree(freeRooms)) {
    const type = roomTypeOf(room);
    if (type === 'Familiar') counts.familiar++;
    else if (type === 'Junior') counts.junior++;
    else if (type === 'Matrimonial') counts.matrimonial++;
    else if (type === 'Habitación') counts.habitacion++;
    else if (type === 'Pasadía') counts.dayPass = true;
  }
  return counts;
}

/**
 * The free rooms a booking of `type` may take, canonical spelling, inventory order. Junior keeps the
 * Matrimonial bungalows for couples and uses them only when no other Junior is free.
 */
export function candidateRooms(freeRooms: readonly string[], type: BookableType): string[] {
  const free = canonicalFree(freeRooms);
  if (type === 'Junior') {
    const plain = free.filter((r) => roomTypeOf(r) === 'Junior');
    return plain.length > 0 ? plain : free.filter((r) => roomTypeOf(r) === 'Matrimonial');
  }
  return free.filter((r) => roomTypeOf(r) === type);
}

/**
 * A random suitable room, or undefined when none is left. Excluded rooms (already chosen for other rooms
 * of the same booking) are removed before the Junior → Matrimonial fallback, so the third of three Juniors
 * can still land in a Matrimonial bungalow when only two plain Juniors are free.
 */
export function pickRoom(
  freeRooms: readonly string[],
  type: BookableType,
  random: () => number,
  exclude: ReadonlySet<string> = new Set(),
): string | undefined {
  const excluded = new Set([...exclude].map((r) => canonicalRoom(r) ?? r));
  const remaining = canonicalFree(freeRooms).filter((r) => !excluded.has(r));
  const candidates = candidateRooms(remaining, type);
  if (candidates.length === 0) return undefined;
  const index = Math.min(candidates.length - 1, Math.max(0, Math.floor(random() * candidates.length)));
  return candidates[index];
}

function hasWord(folded: string, word: string): boolean {
  return new RegExp(`(^|[^a-z0-9])${word}($|[^a-z0-9])`).test(folded);
}

/**
 * What the model wrote as a room type. Matrimonial wins over Junior ('Junior Matrimonial' is one of the
 * five). 'Habitación' is also the generic word for room, so it counts only when no bungalow type is named.
 * Two different bungalow types ('Familiar o Junior') are ambiguous: undefined, so the model asks.
 */
export function normalizeRoomType(text: string): BookableType | undefined {
  const t = foldForMatch(text);
  const named = new Set<BookableType>();
  if (t.includes('familiar')) named.add('Familiar');
  if (t.includes('matrimonial')) named.add('Matrimonial');
  else if (t.includes('junior')) named.add('Junior');
  if (t.includes('pasad') || t.includes('day pass')) named.add('Pasadía');
  if (named.size === 1) return [...named][0];
  if (named.size > 1) return undefined;
  if (t.includes('habitaci') || t.includes('doble') || t.includes('hab.')) return 'Habitación';
  return undefined;
}

/**
 * What the model wrote as a package. 'Las Hojas' is also the resort's name ('Pasadía en Las Hojas'), so it
 * counts only when no other package is named; two other packages at once are ambiguous.
 */
export function normalizePackage(text: string): PackageType | undefined {
  const t = foldForMatch(text);
  const named = new Set<PackageType>();
  if (t.includes('romant')) named.add('Romántico');
  if (t.includes('escapadita')) named.add('Escapadita');
  if (t.includes('pasad')) named.add('Pasadía');
  if (named.size === 1) return [...named][0];
  if (named.size > 1) return undefined;
  return t.includes('hojas') ? 'Las Hojas' : undefined;
}

/** What the model wrote as a payment method; naming both a card and a transfer is ambiguous. */
export function normalizePaymentMethod(text: string): PaymentMethod | undefined {
  const t = foldForMatch(text);
  const card =
    t.replace(/[\s-]+/g, '').includes('compraclick') || t.includes('tarjeta') || hasWord(t, 'card');
  const bank = hasWord(t, 'bac') || t.includes('deposito') || t.includes('transfer');
  if (card === bank) return undefined;
  return card ? 'CompraClick' : 'Depósito BAC';
}
