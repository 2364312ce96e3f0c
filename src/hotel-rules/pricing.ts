// The booking total (rules 1–9, later revision). Totals are summed from each night's own rate in integer
// cents, which equals the original's "average rate × nights" without its rounding drift; only the reported
// average rates (sent as adultrate/childrate) are rounded.

import type { Cents, DayRates, PackageType, Party } from './types.js';

export interface PriceInput {
  pkg: PackageType;
  /** One per night; a day pass: its visit day. */
  nights: readonly DayRates[];
  /** One per room; a day pass has one entry for the whole group. */
  rooms: readonly Party[];
}

export interface PriceQuote {
  totalCents: Cents;
  nights: number;
  /** Average per adult per night, Romántico +2000 included: what is sent as adultrate. */
  adultRateCents: Cents;
  childRateCents: Cents;
  /** Adults free under the Pasadía 5x4 promotion. */
  freeAdults: number;
  singleSurchargeCents: Cents;
  perRoom: { totalCents: Cents; payingAdults: number; surchargeCents: Cents }[];
}

export const ROMANTICO_SURCHARGE_CENTS = 2000;
export const SINGLE_SURCHARGE_CENTS = 2000;
/** The 5x4 promotion applies only above this Pasadía adult rate (weekday rates are at or below it). */
export const PROMO_MIN_ADULT_RATE_CENTS = 2400;

function ratesFor(pkg: PackageType, day: DayRates): { adult: Cents; child: Cents } {
  switch (pkg) {
    case 'Las Hojas':
      return { adult: day.lhAdult, child: day.lhChild };
    case 'Romántico':
      return { adult: day.lhAdult + ROMANTICO_SURCHARGE_CENTS, child: day.lhChild };
    case 'Escapadita':
      return { adult: day.esAdult, child: day.esChild };
    case 'Pasadía':
      return { adult: day.paAdult, child: day.paChild };
  }
}

/** 5x4: one adult in five free, at most two below 20 adults, no cap from 20 on. */
export function promoFreeAdults(adults: number): number {
  const free = Math.floor(adults / 5);
  return adults < 20 ? Math.min(free, 2) : free;
}

function assertCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${what} must be a whole number ≥ 0, got ${value}`);
}

function assertCents(value: Cents, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${what} must be whole cents ≥ 0, got ${value}`);
}

export function quoteStay(input: PriceInput): PriceQuote {
  const { pkg, nights, rooms } = input;
  if (nights.length === 0) throw new Error('quoteStay needs at least one night (or the visit day)');
  if (rooms.length === 0) throw new Error('quoteStay needs at least one room');
  for (const room of rooms) {
    assertCount(room.adults, 'adults');
    assertCount(room.children0to5, 'children0to5');
    assertCount(room.children6to10, 'children6to10');
  }

  let adultSum = 0;
  let childSum = 0;
  for (const day of nights) {
    const { adult, child } = ratesFor(pkg, day);
    assertCents(adult, `adult rate for ${day.date}`);
    assertCents(child, `child rate for ${day.date}`);
    adultSum += adult;
    childSum += child;
  }
  const nightCount = nights.length;

  // The exact average (sum against 2400 × nights), not the rounded one, decides "strictly above $24".
  const totalAdults = rooms.reduce((n, r) => n + r.adults, 0);
  const freeAdults =
    pkg === 'Pasadía' && adultSum > PROMO_MIN_ADULT_RATE_CENTS * nightCount ? promoFreeAdults(totalAdults) : 0;

  let freeLeft = freeAdults;
  const perRoom = rooms.map((room) => {
    const freeHere = Math.min(freeLeft, room.adults);
    freeLeft -= freeHere;
    const payingAdults = room.adults - freeHere;
    // One adult paying for a room meant for more, unless two paying children share it; babies don't count.
    const single = pkg !== 'Pasadía' && room.adults === 1 && room.children6to10 < 2;
    const surchargeCents = single ? SINGLE_SURCHARGE_CENTS * nightCount : 0;
    const totalCents = payingAdults * adultSum + room.children6to10 * childSum + surchargeCents;
    return { totalCents, payingAdults, surchargeCents };
  });

  return {
    totalCents: perRoom.reduce((n, r) => n + r.totalCents, 0),
    nights: nightCount,
    adultRateCents: Math.round(adultSum / nightCount),
    childRateCents: Math.round(childSum / nightCount),
    freeAdults,
    singleSurchargeCents: perRoom.reduce((n, r) => n + r.surchargeCents, 0),
    perRoom,
  };
}
