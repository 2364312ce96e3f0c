// Dates the model passes to tools, checked before anything reaches SQL or the booking API (the original
// interpolated them into SQL unchecked), and the payment date a guest writes in free text.

import { foldForMatch } from './guest-identity.js';
import type { IsoDate } from './types.js';
import { addDays, daysBetween, eachNight, isIsoDate, isoDateOf } from './values.js';

export interface StayDates {
  ok: true;
  checkIn: IsoDate;
  checkOut: IsoDate;
  /** The dates whose rates apply; for a same-day day pass: [checkIn]. */
  nights: IsoDate[];
  /** At least 1 (a day pass counts as one). */
  nightCount: number;
}

export interface StayDateError {
  ok: false;
  field: 'check_in_date' | 'check_out_date';
  message: string;
}

export interface StayInput {
  checkIn: string;
  checkOut: string;
  /** Only a Pasadía (day pass) may start and end on the same day. */
  sameDayAllowed: boolean;
  /** Today in the hotel's time zone. */
  today: IsoDate;
  maxNights?: number;
}

/** The model's value quoted for the message, cut short so a runaway argument cannot flood the reply. */
function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

export function validateStay(input: StayInput): StayDates | StayDateError {
  const { checkIn, checkOut, sameDayAllowed, today, maxNights = 30 } = input;
  if (!isIsoDate(checkIn)) {
    return {
      ok: false,
      field: 'check_in_date',
      message: `check_in_date must be a real calendar date in YYYY-MM-DD format; got ${shown(checkIn)}`,
    };
  }
  if (!isIsoDate(checkOut)) {
    return {
      ok: false,
      field: 'check_out_date',
      message: `check_out_date must be a real calendar date in YYYY-MM-DD format; got ${shown(checkOut)}`,
    };
  }
  if (checkIn < today) {
    return { ok: false, field: 'check_in_date', message: `check_in_date (${checkIn}) is in the past; today is ${today}` };
  }
  const nightCount = daysBetween(checkIn, checkOut);
  if (nightCount < 0) {
    return {
      ok: false,
      field: 'check_out_date',
      message: `check_out_date (${checkOut}) is before check_in_date (${checkIn})`,
    };
  }
  if (nightCount === 0) {
    if (!sameDayAllowed) {
      return {
        ok: false,
        field: 'check_out_date',
        message: `check_out_date must be after check_in_date (${checkIn}); only a Pasadía (day pass) starts and ends on the same day`,
      };
    }
    return { ok: true, checkIn, checkOut, nights: [checkIn], nightCount: 1 };
  }
  if (nightCount > maxNights) {
    return {
      ok: false,
      field: 'check_out_date',
      message: `the stay from ${checkIn} to ${checkOut} is ${nightCount} nights; at most ${maxNights} nights can be booked at once`,
    };
  }
  return { ok: true, checkIn, checkOut, nights: eachNight(checkIn, checkOut), nightCount };
}

const MONTH_NAMES: [string, number][] = [
  ['enero', 1], ['ene', 1], ['january', 1], ['jan', 1],
  ['febrero', 2], ['feb', 2], ['february', 2],
  ['marzo', 3], ['mar', 3], ['march', 3],
  ['abril', 4], ['abr', 4], ['april', 4], ['apr', 4],
  ['mayo', 5], ['may', 5],
  ['junio', 6], ['jun', 6], ['june', 6],
  ['julio', 7], ['jul', 7], ['july', 7],
  ['agosto', 8], ['ago', 8], ['august', 8], ['aug', 8],
  ['septiembre', 9], ['setiembre', 9], ['sep', 9], ['sept', 9], ['set', 9], ['september', 9],
  ['octubre', 10], ['oct', 10], ['october', 10],
  ['noviembre', 11], ['nov', 11], ['november', 11],
  ['diciembre', 12], ['dic', 12], ['december', 12], ['dec', 12],
];
const MONTHS = new Map(MONTH_NAMES);

// Words that may surround a written date without changing it: 'el lunes 5 de febrero del 2027', 'the 5th of May'.
const FILLER = new Set([
  'el', 'la', 'de', 'del', 'the', 'of', 'on',
  'lunes', 'martes', 'miercoles', 'jueves', 'viernes', 'sabado', 'domingo',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
]);

const RELATIVE = new Map<string, number>([
  ['hoy', 0], ['today', 0],
  ['ayer', -1], ['yesterday', -1],
  ['anteayer', -2], ['antier', -2], ['ante ayer', -2], ['antes de ayer', -2], ['antesdeayer', -2],
]);

/** The latest month/day that is not after today (a payment is not made in the future). */
function mostRecent(month: number, day: number, today: IsoDate): IsoDate | undefined {
  const year = Number(today.slice(0, 4));
  // Eight years back reaches a 29 February from any day; other real days are found in at most two.
  for (let back = 0; back <= 8; back++) {
    const iso = isoDateOf(year - back, month, day);
    if (iso !== undefined && iso <= today) return iso;
  }
  return undefined;
}

function withYear(yearText: string | undefined, month: number, day: number, today: IsoDate): IsoDate | undefined {
  if (yearText === undefined) return mostRecent(month, day, today);
  const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  return isoDateOf(year, month, day);
}

const ISO_LIKE_RE = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/;
const DMY_RE = /^(\d{1,2})([-/.])(\d{1,2})(?:\2(\d{2}|\d{4}))?$/;
const ORDINAL_RE = /^(\d{1,2})(?:st|nd|rd|th|ro|ero|er|o|º|°)$/;

/**
 * A payment date as a Salvadoran guest writes it (day first), or as a slip or a US card receipt prints it
 * month first where that is unambiguous ('11/24/2026'): 'hoy', 'ayer', 'antier', '5/2/27',
 * '05-02-2027', '2027-02-05', '5 de febrero (de 2027)', 'febrero 5', '5 feb', 'Feb 5th, 2027'.
 * Without a year: the most recent such day not after `today`. With a year the date is returned even if
 * it lies in the future: rejecting that is the caller's decision (and message).
 */
export function parsePaymentDate(text: string, today: IsoDate): IsoDate | undefined {
  const t = foldForMatch(text).replace(/[.,;:!?]+$/, '');
  const relative = RELATIVE.get(t);
  if (relative !== undefined) return addDays(today, relative);

  const iso = ISO_LIKE_RE.exec(t);
  if (iso !== null) return isoDateOf(Number(iso[1]), Number(iso[3]), Number(iso[4]));
  const dmy = DMY_RE.exec(t);
  if (dmy !== null) {
    const [first, second] = [Number(dmy[1]), Number(dmy[3])];
    // Month first where nothing else can be meant ('11/24/2026': there is no month 24); both ≤ 12 stays
    // day first, as Salvadorans write.
    if (second > 12 && first >= 1 && first <= 12) return withYear(dmy[4], first, second, today);
    return withYear(dmy[4], second, first, today);
  }

  const tokens = t
    .replace(/[,.]/g, ' ')
    .split(' ')
    .filter((w) => w !== '' && !FILLER.has(w))
    .map((w) => (w === 'primero' ? '1' : (ORDINAL_RE.exec(w)?.[1] ?? w)));
  const isDay = (w: string | undefined): w is string => w !== undefined && /^\d{1,2}$/.test(w);
  const isYear = (w: string | undefined): boolean => w === undefined || /^\d{4}$/.test(w);
  if (tokens.length < 2 || tokens.length > 3 || !isYear(tokens[2])) return undefined;
  const [a, b, year] = tokens;
  const monthA = a === undefined ? undefined : MONTHS.get(a);
  const monthB = b === undefined ? undefined : MONTHS.get(b);
  if (isDay(a) && monthB !== undefined) return withYear(year, monthB, Number(a), today);
  if (monthA !== undefined && isDay(b)) return withYear(year, monthA, Number(b), today);
  return undefined;
}
