import { describe, expect, it } from 'vitest';
import { promoFreeAdults, quoteStay } from '../../src/hotel-rules/pricing.js';
import type { DayRates, PackageType, Party } from '../../src/hotel-rules/types.js';

/** A night's rates in cents; Escapadita is Las Hojas − $5 as in the seed, the child rate half the adult's. */
function night(date: string, lhAdult: number, paAdult = 2500, paChild = 1700): DayRates {
  return {
    date,
    lhAdult,
    lhChild: lhAdult / 2,
    esAdult: lhAdult - 500,
    esChild: (lhAdult - 500) / 2,
    paAdult,
    paChild,
  };
}

const room = (adults: number, children6to10 = 0, children0to5 = 0): Party => ({ adults, children0to5, children6to10 });

const FRI = night('2027-02-12', 6900);
const SAT = night('2027-02-13', 6900);
const NYE = night('2027-12-31', 10900);
const NY = night('2028-01-01', 7900);
const PEAK = night('2027-12-30', 7900);
const pasadia = (paAdult: number, paChild: number): DayRates => night('2027-02-14', 6900, paAdult, paChild);

interface Row {
  name: string;
  pkg: PackageType;
  nights: DayRates[];
  rooms: Party[];
  total: number;
  adultRate: number;
  childRate: number;
  free: number;
  surcharge: number;
}

// Every total below is worked out by hand in the name; none is computed with the code under test.
const rows: Row[] = [
  // Packages and their rate columns.
  { name: 'Las Hojas, 2 adults Fri+Sat at 69: 2×69×2 = 276', pkg: 'Las Hojas', nights: [FRI, SAT], rooms: [room(2)], total: 27600, adultRate: 6900, childRate: 3450, free: 0, surcharge: 0 },
  { name: 'Escapadita uses es_*: 2 adults + 1 child at 64/32 = 160', pkg: 'Escapadita', nights: [FRI], rooms: [room(2, 1)], total: 16000, adultRate: 6400, childRate: 3200, free: 0, surcharge: 0 },
  { name: 'Pasadía uses pa_*: 2 adults + 2 children at 22/11 = 66', pkg: 'Pasadía', nights: [pasadia(2200, 1100)], rooms: [room(2, 2)], total: 6600, adultRate: 2200, childRate: 1100, free: 0, surcharge: 0 },
  // Romántico: lh_* + $20 per paying adult per night, children at the plain child rate.
  { name: 'Romántico, 2 adults one night at 69: 2×(69+20) = 178', pkg: 'Romántico', nights: [FRI], rooms: [room(2)], total: 17800, adultRate: 8900, childRate: 3450, free: 0, surcharge: 0 },
  { name: 'Romántico, 2 adults at 69 then 79: 2×(89+99) = 376', pkg: 'Romántico', nights: [FRI, night('2027-02-13', 7900)], rooms: [room(2)], total: 37600, adultRate: 9400, childRate: 3700, free: 0, surcharge: 0 },
  { name: 'Romántico, 2 adults + 1 child at 69: 2×89 + 34.50 = 212.50', pkg: 'Romántico', nights: [FRI], rooms: [room(2, 1)], total: 21250, adultRate: 8900, childRate: 3450, free: 0, surcharge: 0 },
  { name: 'Romántico, 1 adult: 89 + 20 single = 109', pkg: 'Romántico', nights: [FRI], rooms: [room(1)], total: 10900, adultRate: 8900, childRate: 3450, free: 0, surcharge: 2000 },
  { name: 'Romántico, 5 adults: no 5x4 outside Pasadía, 5×89 = 445', pkg: 'Romántico', nights: [FRI], rooms: [room(5)], total: 44500, adultRate: 8900, childRate: 3450, free: 0, surcharge: 0 },
  // Children.
  { name: 'children 0–5 are free: 2 adults + 3 babies at 69 = 138', pkg: 'Las Hojas', nights: [FRI], rooms: [room(2, 0, 3)], total: 13800, adultRate: 6900, childRate: 3450, free: 0, surcharge: 0 },
  { name: 'children 6–10 at the child rate: 2 adults + 2 children, 2 nights at 69: 2×138 + 2×69 = 414', pkg: 'Las Hojas', nights: [FRI, SAT], rooms: [room(2, 2)], total: 41400, adultRate: 6900, childRate: 3450, free: 0, surcharge: 0 },
  // Each night at its own rate.
  { name: '2 adults + 1 child 31 Dec–2 Jan: 2×109 + 54.50 + 2×79 + 39.50 = 470', pkg: 'Las Hojas', nights: [NYE, NY], rooms: [room(2, 1)], total: 47000, adultRate: 9400, childRate: 4700, free: 0, surcharge: 0 },
  { name: 'average 67.33 reported, total exact: 2×(64+69+69) + (32+34.50+34.50) = 505 (not 2×67.33×3 + 33.67×3)', pkg: 'Las Hojas', nights: [night('2027-02-11', 6400), FRI, SAT], rooms: [room(2, 1)], total: 50500, adultRate: 6733, childRate: 3367, free: 0, surcharge: 0 },
  { name: 'Escapadita over New Year, 2 adults: 2×(74+104+74) = 504', pkg: 'Escapadita', nights: [PEAK, NYE, NY], rooms: [room(2)], total: 50400, adultRate: 8400, childRate: 4200, free: 0, surcharge: 0 },
  // Pasadía 5x4: only when the adult rate is strictly above $24.
  { name: '5x4 at 25/17: 7 adults + 1 child → 6×25 + 17 = 167', pkg: 'Pasadía', nights: [pasadia(2500, 1700)], rooms: [room(7, 1)], total: 16700, adultRate: 2500, childRate: 1700, free: 1, surcharge: 0 },
  { name: 'no 5x4 at 22: 7 adults + 1 child → 7×22 + 11 = 165', pkg: 'Pasadía', nights: [pasadia(2200, 1100)], rooms: [room(7, 1)], total: 16500, adultRate: 2200, childRate: 1100, free: 0, surcharge: 0 },
  { name: 'no 5x4 at exactly 24.00: 5 adults → 5×24 = 120', pkg: 'Pasadía', nights: [pasadia(2400, 1200)], rooms: [room(5)], total: 12000, adultRate: 2400, childRate: 1200, free: 0, surcharge: 0 },
  { name: '5x4 at 24.01: 5 adults → 4×24.01 = 96.04', pkg: 'Pasadía', nights: [pasadia(2401, 1200)], rooms: [room(5)], total: 9604, adultRate: 2401, childRate: 1200, free: 1, surcharge: 0 },
  { name: '5x4, 4 adults: none free, 4×25 = 100', pkg: 'Pasadía', nights: [pasadia(2500, 1700)], rooms: [room(4)], total: 10000, adultRate: 2500, childRate: 1700, free: 0, surcharge: 0 },
  { name: '5x4, 10 adults: 2 free, 8×25 = 200', pkg: 'Pasadía', nights: [pasadia(2500, 1700)], rooms: [room(10)], total: 20000, adultRate: 2500, childRate: 1700, free: 2, surcharge: 0 },
  { name: '5x4, 15 adults: capped at 2, 13×25 = 325', pkg: 'Pasadía', nights: [pasadia(2500, 1700)], rooms: [room(15)], total: 32500, adultRate: 2500, childRate: 1700, free: 2, surcharge: 0 },
  { name: '5x4, 19 adults: capped at 2, 17×25 = 425', pkg: 'Pasadía', nights: [pasadia(2500, 1700)], rooms: [room(19)], total: 42500, adultRate: 2500, childRate: 1700, free: 2, surcharge: 0 },
  { name: '5x4, 20 adults: uncapped, 4 free, 16×25 = 400', pkg: 'Pasadía', nights: [pasadia(2500, 1700)], rooms: [room(20)], total: 40000, adultRate: 2500, childRate: 1700, free: 4, surcharge: 0 },
  { name: '5x4, 25 adults: 5 free, 20×25 = 500', pkg: 'Pasadía', nights: [pasadia(2500, 1700)], rooms: [room(25)], total: 50000, adultRate: 2500, childRate: 1700, free: 5, surcharge: 0 },
  { name: '5x4 at peak 29/14.50: 22 adults + 4 children → 18×29 + 4×14.50 = 580', pkg: 'Pasadía', nights: [pasadia(2900, 1450)], rooms: [room(22, 4, 3)], total: 58000, adultRate: 2900, childRate: 1450, free: 4, surcharge: 0 },
  { name: 'no 5x4 for Las Hojas: 10 adults at 69 = 690', pkg: 'Las Hojas', nights: [FRI], rooms: [room(10)], total: 69000, adultRate: 6900, childRate: 3450, free: 0, surcharge: 0 },
  // Single-occupancy surcharge: $20 per night per room, one adult and fewer than two children 6–10.
  { name: 'single: 1 adult alone at 69 = 69 + 20 = 89', pkg: 'Las Hojas', nights: [FRI], rooms: [room(1)], total: 8900, adultRate: 6900, childRate: 3450, free: 0, surcharge: 2000 },
  { name: 'single: 1 adult alone, 2 nights = 138 + 40 = 178', pkg: 'Las Hojas', nights: [FRI, SAT], rooms: [room(1)], total: 17800, adultRate: 6900, childRate: 3450, free: 0, surcharge: 4000 },
  { name: 'single: 1 adult + 1 child 6–10, 2 nights = 138 + 69 + 40 = 247', pkg: 'Las Hojas', nights: [FRI, SAT], rooms: [room(1, 1)], total: 24700, adultRate: 6900, childRate: 3450, free: 0, surcharge: 4000 },
  { name: 'no single: 1 adult + 2 children 6–10 = 69 + 69 = 138', pkg: 'Las Hojas', nights: [FRI], rooms: [room(1, 2)], total: 13800, adultRate: 6900, childRate: 3450, free: 0, surcharge: 0 },
  { name: 'single: 1 adult + 2 children 0–5 (ignored) = 69 + 20 = 89', pkg: 'Las Hojas', nights: [FRI], rooms: [room(1, 0, 2)], total: 8900, adultRate: 6900, childRate: 3450, free: 0, surcharge: 2000 },
  { name: 'single: Escapadita 1 adult at 64 = 64 + 20 = 84', pkg: 'Escapadita', nights: [FRI], rooms: [room(1)], total: 8400, adultRate: 6400, childRate: 3200, free: 0, surcharge: 2000 },
  { name: 'no single for Pasadía: 1 adult at 25 = 25', pkg: 'Pasadía', nights: [pasadia(2500, 1700)], rooms: [room(1)], total: 2500, adultRate: 2500, childRate: 1700, free: 0, surcharge: 0 },
  { name: 'no single for 2 adults', pkg: 'Las Hojas', nights: [FRI], rooms: [room(2)], total: 13800, adultRate: 6900, childRate: 3450, free: 0, surcharge: 0 },
];

describe('quoteStay', () => {
  it.each(rows)('$name', ({ pkg, nights, rooms, total, adultRate, childRate, free, surcharge }) => {
    const quote = quoteStay({ pkg, nights, rooms });
    expect(quote).toMatchObject({
      totalCents: total,
      nights: nights.length,
      adultRateCents: adultRate,
      childRateCents: childRate,
      freeAdults: free,
      singleSurchargeCents: surcharge,
    });
    expect(quote.perRoom).toHaveLength(rooms.length);
  });

  it.each<{ name: string; pkg: PackageType; nights: DayRates[]; rooms: Party[]; total: number; surcharge: number; perRoom: PriceRoom[] }>([
    {
      name: 'Las Hojas, 3 Junior rooms 2+3+2 adults, 0+1+0 children, 2 nights at 79/39.50: 7×79×2 + 39.50×2 = 1185',
      pkg: 'Las Hojas',
      nights: [night('2027-02-12', 7900), night('2027-02-13', 7900)],
      rooms: [room(2), room(3, 1), room(2)],
      total: 118500,
      surcharge: 0,
      perRoom: [
        { totalCents: 31600, payingAdults: 2, surchargeCents: 0 },
        { totalCents: 55300, payingAdults: 3, surchargeCents: 0 },
        { totalCents: 31600, payingAdults: 2, surchargeCents: 0 },
      ],
    },
    {
      name: 'surcharge per room: [2] [1] [1 + child], 2 nights at 69: 276 + (138+40) + (138+69+40) = 701',
      pkg: 'Las Hojas',
      nights: [FRI, SAT],
      rooms: [room(2), room(1), room(1, 1)],
      total: 70100,
      surcharge: 8000,
      perRoom: [
        { totalCents: 27600, payingAdults: 2, surchargeCents: 0 },
        { totalCents: 17800, payingAdults: 1, surchargeCents: 4000 },
        { totalCents: 24700, payingAdults: 1, surchargeCents: 4000 },
      ],
    },
    {
      name: 'Romántico in two rooms [1] [2], 1 night at 69: (89+20) + 2×89 = 287',
      pkg: 'Romántico',
      nights: [FRI],
      rooms: [room(1), room(2)],
      total: 28700,
      surcharge: 2000,
      perRoom: [
        { totalCents: 10900, payingAdults: 1, surchargeCents: 2000 },
        { totalCents: 17800, payingAdults: 2, surchargeCents: 0 },
      ],
    },
    {
      name: 'Pasadía entered as two groups of 3 and 4: 7 adults together get 1 free, taken from the first: 2×25 + 4×25 = 150',
      pkg: 'Pasadía',
      nights: [pasadia(2500, 1700)],
      rooms: [room(3), room(4)],
      total: 15000,
      surcharge: 0,
      perRoom: [
        { totalCents: 5000, payingAdults: 2, surchargeCents: 0 },
        { totalCents: 10000, payingAdults: 4, surchargeCents: 0 },
      ],
    },
  ])('$name', ({ pkg, nights, rooms, total, surcharge, perRoom }) => {
    const quote = quoteStay({ pkg, nights, rooms });
    expect(quote.totalCents).toBe(total);
    expect(quote.singleSurchargeCents).toBe(surcharge);
    expect(quote.perRoom).toEqual(perRoom);
  });

  it.each<[string, () => unknown]>([
    ['no nights', () => quoteStay({ pkg: 'Las Hojas', nights: [], rooms: [room(2)] })],
    ['no rooms', () => quoteStay({ pkg: 'Las Hojas', nights: [FRI], rooms: [] })],
    ['negative adults', () => quoteStay({ pkg: 'Las Hojas', nights: [FRI], rooms: [room(-1)] })],
    ['fractional children', () => quoteStay({ pkg: 'Las Hojas', nights: [FRI], rooms: [room(2, 0.5)] })],
    ['a rate in fractional cents', () => quoteStay({ pkg: 'Las Hojas', nights: [night('2027-02-12', 6900.5)], rooms: [room(2)] })],
    ['a negative rate', () => quoteStay({ pkg: 'Pasadía', nights: [pasadia(-2500, 1700)], rooms: [room(2)] })],
    ['a missing rate', () => quoteStay({ pkg: 'Pasadía', nights: [pasadia(Number.NaN, 1700)], rooms: [room(2)] })],
  ])('throws for %s', (_name, call) => {
    expect(call).toThrow(Error);
  });
});

type PriceRoom = ReturnType<typeof quoteStay>['perRoom'][number];

describe('promoFreeAdults', () => {
  it.each([
    [0, 0],
    [4, 0],
    [5, 1],
    [9, 1],
    [10, 2],
    [14, 2],
    [15, 2],
    [19, 2],
    [20, 4],
    [24, 4],
    [25, 5],
    [42, 8],
  ])('%i adults → %i free', (adults, expected) => {
    expect(promoFreeAdults(adults)).toBe(expected);
  });
});
