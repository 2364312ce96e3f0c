// The hotel database's text formats in one place: ISO dates inside the service, `mm/dd/yyyy` in
// `tarifarios`/`user_books` and the booking API, `dd/mm/yyyy` in the `bac` ledger, and prices stored as
// text ('79.00', bank statements possibly '1,250.00'). Everything here is pure and exact: money is parsed
// digit by digit into integer cents, never through a float.

import type { Cents, IsoDate } from './types.js';

const MS_PER_DAY = 86_400_000;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** A real calendar day (year 1–9999). */
function isRealDay(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= 1 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Builds the ISO text for a day that the caller has already checked with isRealDay. */
function isoOf(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** ISO date for year/month/day, or undefined when that day does not exist (e.g. 30 February). */
export function isoDateOf(year: number, month: number, day: number): IsoDate | undefined {
  return isRealDay(year, month, day) ? isoOf(year, month, day) : undefined;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(text: string): boolean {
  const m = ISO_RE.exec(text);
  return m !== null && isRealDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

function partsOf(iso: IsoDate): [number, number, number] {
  const m = ISO_RE.exec(iso);
  if (m === null || !isRealDay(Number(m[1]), Number(m[2]), Number(m[3]))) {
    // Callers validate model input first (stay-dates.ts); reaching this is a programming error.
    throw new Error(`not an ISO date: ${JSON.stringify(iso)}`);
  }
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Day number since 1970-01-01 (UTC, no time zone involved). setUTCFullYear avoids Date.UTC's 0–99 → 19xx quirk. */
function dayNumber(iso: IsoDate): number {
  const [y, m, d] = partsOf(iso);
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return Math.round(date.getTime() / MS_PER_DAY);
}

function fromDayNumber(n: number): IsoDate {
  const date = new Date(n * MS_PER_DAY);
  return isoOf(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

const US_RE = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/;

/** 'mm/dd/yyyy' (tarifarios, user_books, booking API) → ISO; 1-digit month/day tolerated. */
export function parseUsDate(text: string): IsoDate | undefined {
  const m = US_RE.exec(text);
  return m === null ? undefined : isoDateOf(Number(m[3]), Number(m[1]), Number(m[2]));
}

export function formatUsDate(iso: IsoDate): string {
  const [y, m, d] = partsOf(iso);
  return `${pad2(m)}/${pad2(d)}/${String(y).padStart(4, '0')}`;
}

/** 'dd/mm/yyyy' (the `bac` bank ledger) → ISO. */
export function parseDmyDate(text: string): IsoDate | undefined {
  const m = US_RE.exec(text);
  return m === null ? undefined : isoDateOf(Number(m[3]), Number(m[2]), Number(m[1]));
}

export function formatDmyDate(iso: IsoDate): string {
  const [y, m, d] = partsOf(iso);
  return `${pad2(d)}/${pad2(m)}/${String(y).padStart(4, '0')}`;
}

export function addDays(iso: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new Error(`addDays needs a whole number of days, got ${n}`);
  return fromDayNumber(dayNumber(iso) + n);
}

/** to − from in days (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(to) - dayNumber(from);
}

/** The dates of the nights of a stay: checkIn … checkOut−1 (empty when checkOut ≤ checkIn). */
export function eachNight(checkIn: IsoDate, checkOut: IsoDate): IsoDate[] {
  const first = dayNumber(checkIn);
  const count = dayNumber(checkOut) - first;
  const nights: IsoDate[] = [];
  for (let i = 0; i < count; i++) nights.push(fromDayNumber(first + i));
  return nights;
}

// Formatters are costly to build; one per zone is enough. hourCycle h23 so midnight is 00, never 24.
const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function zonedParts(timeZone: string, nowMs: number): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number> {
  let fmt = zoneFormatters.get(timeZone);
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    zoneFormatters.set(timeZone, fmt);
  }
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of fmt.formatToParts(new Date(nowMs))) {
    if (part.type in out) out[part.type as keyof typeof out] = Number(part.value);
  }
  return out;
}

/** The calendar date at `nowMs` in `timeZone` (e.g. 'America/El_Salvador'). */
export function todayIn(timeZone: string, nowMs: number): IsoDate {
  const p = zonedParts(timeZone, nowMs);
  return isoOf(p.year, p.month, p.day);
}

/** 'YYYY-MM-DD HH:MM:SS' local time in `timeZone`, the format of the ledgers' `dateused` columns. */
export function sqlDateTimeIn(timeZone: string, nowMs: number): string {
  const p = zonedParts(timeZone, nowMs);
  return `${isoOf(p.year, p.month, p.day)} ${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}`;
}

// Amount grammars (after an optional sign and '$'). Dot-decimal with comma thousands is what the hotel
// and BAC print; dot-thousands with a comma decimal is accepted because guests and some exports write it.
const PLAIN_RE = /^(\d+)(?:\.(\d+))?$/; // '1250', '236.5', '79.00'
const US_GROUPED_RE = /^(\d{1,3}(?:,\d{3})+)(?:\.(\d+))?$/; // '1,250.00', '1,250'
const EU_RE = /^(\d{1,3}(?:\.\d{3})+|\d+),(\d{1,2})$/; // '1.250,00', '236,50'

/**
 * A price or statement amount in integer cents, or undefined when the text is not one unambiguous amount.
 * A comma followed by exactly 1–2 final digits (no later dot) is a decimal comma; commas followed by
 * 3 digits group thousands. A lone dot is always a decimal point ('1.250' is 1.25, as the hotel writes it).
 * More than two decimals are rounded half away from zero.
 */
export function parseAmount(value: string | number | null | undefined): Cents | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? toCents(value) : undefined;

  let text = value.trim();
  let negative = false;
  let dollar = false;
  // At most one sign and one currency symbol, in either order: '-3.50', '-$3.50', '$-3.50', '$ 1,250.50'.
  for (let i = 0; i < 2; i++) {
    if (!negative && text.startsWith('-')) {
      negative = true;
      text = text.slice(1).trimStart();
    } else if (!dollar && text.startsWith('$')) {
      dollar = true;
      text = text.slice(1).trimStart();
    }
  }

  let whole: string;
  let fraction: string;
  let m: RegExpExecArray | null;
  if ((m = PLAIN_RE.exec(text)) !== null) {
    whole = m[1] ?? '';
    fraction = m[2] ?? '';
  } else if ((m = US_GROUPED_RE.exec(text)) !== null) {
    whole = (m[1] ?? '').replaceAll(',', '');
    fraction = m[2] ?? '';
  } else if ((m = EU_RE.exec(text)) !== null) {
    whole = (m[1] ?? '').replaceAll('.', '');
    fraction = m[2] ?? '';
  } else {
    return undefined;
  }

  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
  const roundUp = fraction.length > 2 && Number(fraction[2]) >= 5 ? 1 : 0;
  const total = cents + roundUp;
  if (!Number.isSafeInteger(total)) return undefined;
  return negative && total !== 0 ? -total : total;
}

/** '79.00', '1250.00', '-3.50': no thousands separators, because this is what the booking API gets. */
export function formatAmount(cents: Cents): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`amount in cents must be an integer, got ${cents}`);
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${pad2(abs % 100)}`;
}

/**
 * Dollars → cents, rounding half away from zero. The toPrecision(15) step removes binary noise so that
 * 1.005 (stored as 1.00499999…) becomes 101 cents, as a person reading '1.005' would expect.
 */
export function toCents(n: number): Cents {
  if (!Number.isFinite(n)) throw new Error(`not a finite amount: ${n}`);
  const cents = Math.round(Number((Math.abs(n) * 100).toPrecision(15)));
  return n < 0 && cents !== 0 ? -cents : cents;
}

export function fromCents(cents: Cents): number {
  return cents / 100;
}
