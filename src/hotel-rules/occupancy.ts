// Room capacity (rule 13): children 6–10 take half a place, children 0–5 none. Used by make_booking,
// multi-room booking and the payment-link gate, and to suggest room types that do fit the group.

import type { FreeCounts } from './rooms.js';
import { ROOM_TYPES } from './types.js';
import type { BookableType, Party, RoomType } from './types.js';

export function occupancyOf(party: Party): number {
  return party.adults + 0.5 * party.children6to10;
}

export const CAPACITY: Record<BookableType, { min: number; max: number }> = {
  Familiar: { min: 5, max: 8 },
  Junior: { min: 1, max: 8 },
  Habitación: { min: 1, max: 4 },
  Matrimonial: { min: 2, max: 2 },
  Pasadía: { min: 1, max: Infinity },
};

const TYPE_NAME: Record<BookableType, string> = {
  Familiar: 'El Bungalow Familiar',
  Junior: 'El Bungalow Junior',
  Habitación: 'La Habitación Doble',
  Matrimonial: 'El Bungalow Matrimonial',
  Pasadía: 'El Pasadía',
};

function rangeText(min: number, max: number): string {
  if (max === Infinity) return `para al menos ${min} ${min === 1 ? 'persona' : 'personas'}`;
  if (min === max) return `para exactamente ${min} ${min === 1 ? 'persona' : 'personas'}`;
  return `para ${min} a ${max} personas`;
}

export type OccupancyCheck =
  | { ok: true }
  | { ok: false; occupancy: number; min: number; max: number; message: string };

function fits(type: BookableType, party: Party): boolean {
  const occupancy = occupancyOf(party);
  const { min, max } = CAPACITY[type];
  return occupancy >= min && occupancy <= max;
}

export function checkOccupancy(type: BookableType, party: Party): OccupancyCheck {
  if (fits(type, party)) return { ok: true };
  const occupancy = occupancyOf(party);
  const { min, max } = CAPACITY[type];
  const message =
    `${TYPE_NAME[type]} es ${rangeText(min, max)}; el grupo ocupa ${occupancy} ` +
    '(los niños de 6 a 10 años cuentan como media persona y los de 0 a 5 no cuentan).';
  return { ok: false, occupancy, min, max, message };
}

/** Splits n evenly: the first (n mod parts) shares get one more. */
function evenShares(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * The group in `rooms` rooms, adults and children each as even as possible. Adults' extra shares go to
 * the first rooms and children's to the last, so occupancies differ by as little as possible.
 */
export function splitParty(party: Party, rooms: number): Party[] {
  const adults = evenShares(party.adults, rooms);
  const older = evenShares(party.children6to10, rooms).reverse();
  const younger = evenShares(party.children0to5, rooms).reverse();
  return adults.map((a, i) => ({ adults: a, children6to10: older[i] ?? 0, children0to5: younger[i] ?? 0 }));
}

function freeOf(type: RoomType, free: FreeCounts): number {
  switch (type) {
    case 'Familiar':
      return free.familiar;
    case 'Junior':
      return free.junior;
    case 'Matrimonial':
      return free.matrimonial;
    case 'Habitación':
      return free.habitacion;
  }
}

export interface Alternatives {
  singleRoom: RoomType[];
  multiRoom: { type: RoomType; rooms: number }[];
}

/**
 * Room types that would take the group: in one room, or split into 2–4 rooms of one type (each room with
 * at least one adult — children are not lodged alone). With `free`, only what is actually available.
 */
export function alternativesFor(party: Party, free?: FreeCounts): Alternatives {
  const available = (type: RoomType, n: number): boolean => free === undefined || freeOf(type, free) >= n;
  const singleRoom = ROOM_TYPES.filter((type) => fits(type, party) && available(type, 1));
  const multiRoom: Alternatives['multiRoom'] = [];
  for (const type of ROOM_TYPES) {
    for (let rooms = 2; rooms <= 4; rooms++) {
      if (party.adults < rooms || !available(type, rooms)) continue;
      if (splitParty(party, rooms).every((share) => fits(type, share))) multiRoom.push({ type, rooms });
    }
  }
  return { singleRoom, multiRoom };
}
