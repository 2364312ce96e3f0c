import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  eachNight,
  formatAmount,
  formatDmyDate,
  formatUsDate,
  fromCents,
  isIsoDate,
  isoDateOf,
  parseAmount,
  parseDmyDate,
  parseUsDate,
  sqlDateTimeIn,
  toCents,
  todayIn,
} from '../../src/hotel-rules/values.js';

describe('isIsoDate', () => {
  it.each([
    ['2027-02-14', true],
    ['2028-02-29', true], // leap year
    ['2000-02-29', true], // divisible by 400
    ['2027-12-31', true],
    ['2027-02-29', false],
    ['1900-02-29', false], // divisible by 100, not 400
    ['2027-02-30', false],
    ['2027-04-31', false],
    ['2027-13-01', false],
    ['2027-00-10', false],
    ['2027-01-00', false],
    ['2027-2-14', false], // ISO needs two digits
    ['2027-02-14 ', false],
    ['14/02/2027', false],
    ['2027-02-14T00:00', false],
    ['', false],
    ['0000-01-01', false],
  ])('%j → %s', (text, expected) => {
    expect(isIsoDate(text)).toBe(expected);
  });
});

describe('isoDateOf', () => {
  it.each([
    [2027, 2, 5, '2027-02-05'],
    [2028, 2, 29, '2028-02-29'],
    [2027, 2, 29, undefined],
    [2027, 11, 31, undefined],
    [2027, 1.5, 1, undefined],
  ])('%i-%i-%i → %s', (y, m, d, expected) => {
    expect(isoDateOf(y, m, d)).toBe(expected);
  });
});

describe('US dates (mm/dd/yyyy)', () => {
  it.each([
    ['02/14/2027', '2027-02-14'],
    ['2/4/2027', '2027-02-04'],
    ['  12/31/2026 ', '2026-12-31'],
    ['02/29/2028', '2028-02-29'],
    ['02/29/2027', undefined],
    ['14/02/2027', undefined], // day-first is not a US date
    ['02/14/27', undefined],
    ['2027-02-14', undefined],
    ['02-14-2027', undefined],
    ['', undefined],
  ])('parseUsDate(%j) → %s', (text, expected) => {
    expect(parseUsDate(text)).toBe(expected);
  });

  it.each([
    ['2027-02-04', '02/04/2027'],
    ['2026-12-31', '12/31/2026'],
  ])('formatUsDate(%s) → %s', (iso, expected) => {
    expect(formatUsDate(iso)).toBe(expected);
    expect(parseUsDate(formatUsDate(iso))).toBe(iso);
  });

  it('refuses to format something that is not a date', () => {
    expect(() => formatUsDate('2027-02-30')).toThrow();
  });
});

describe('day-first dates (dd/mm/yyyy, the bac ledger)', () => {
  it.each([
    ['14/02/2027', '2027-02-14'],
    ['4/2/2027', '2027-02-04'],
    [' 31/12/2026  ', '2026-12-31'],
    ['02/14/2027', undefined], // month 14
    ['31/04/2027', undefined],
    ['29/02/2028', '2028-02-29'],
    ['14-02-2027', undefined],
  ])('parseDmyDate(%j) → %s', (text, expected) => {
    expect(parseDmyDate(text)).toBe(expected);
  });

  it.each([
    ['2027-02-04', '04/02/2027'],
    ['2026-12-31', '31/12/2026'],
  ])('formatDmyDate(%s) → %s', (iso, expected) => {
    expect(formatDmyDate(iso)).toBe(expected);
    expect(parseDmyDate(formatDmyDate(iso))).toBe(iso);
  });
});

describe('day arithmetic', () => {
  it.each([
    ['2027-02-14', 1, '2027-02-15'],
    ['2027-02-28', 1, '2027-03-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2027-03-01', -1, '2027-02-28'],
    ['2027-03-14', 0, '2027-03-14'],
    ['2027-01-01', 365, '2028-01-01'],
    // The US DST switch (14 March 2027) must not shift a day.
    ['2027-03-13', 2, '2027-03-15'],
  ])('addDays(%s, %i) → %s', (iso, n, expected) => {
    expect(addDays(iso, n)).toBe(expected);
  });

  it('rejects fractional days and non-dates', () => {
    expect(() => addDays('2027-02-14', 0.5)).toThrow();
    expect(() => addDays('2027-02-30', 1)).toThrow();
  });

  it.each([
    ['2027-02-14', '2027-02-16', 2],
    ['2027-02-14', '2027-02-14', 0],
    ['2027-02-16', '2027-02-14', -2],
    ['2028-02-01', '2028-03-01', 29],
    ['2027-02-01', '2027-03-01', 28],
    ['2026-12-30', '2027-01-02', 3],
  ])('daysBetween(%s, %s) → %i', (from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected);
  });

  it.each([
    ['2027-02-12', '2027-02-14', ['2027-02-12', '2027-02-13']],
    ['2026-12-30', '2027-01-02', ['2026-12-30', '2026-12-31', '2027-01-01']],
    ['2028-02-28', '2028-03-01', ['2028-02-28', '2028-02-29']],
    ['2027-02-14', '2027-02-15', ['2027-02-14']],
    ['2027-02-14', '2027-02-14', []],
    ['2027-02-15', '2027-02-14', []],
  ])('eachNight(%s, %s)', (checkIn, checkOut, expected) => {
    expect(eachNight(checkIn, checkOut)).toEqual(expected);
  });
});

describe('local time in a zone', () => {
  const SV = 'America/El_Salvador'; // UTC−6 all year
  it.each([
    // 2027-02-15T05:59:59Z is still the 14th in San Salvador; 06:00Z is midnight of the 15th.
    [Date.UTC(2027, 1, 15, 5, 59, 59), '2027-02-14', '2027-02-14 23:59:59'],
    [Date.UTC(2027, 1, 15, 6, 0, 0), '2027-02-15', '2027-02-15 00:00:00'],
    [Date.UTC(2027, 0, 1, 3, 4, 5), '2026-12-31', '2026-12-31 21:04:05'],
    [Date.UTC(2027, 6, 9, 18, 30, 7), '2027-07-09', '2027-07-09 12:30:07'],
  ])('%i → %s / %s', (nowMs, date, dateTime) => {
    expect(todayIn(SV, nowMs)).toBe(date);
    expect(sqlDateTimeIn(SV, nowMs)).toBe(dateTime);
  });

  it('uses the zone it is given', () => {
    const nowMs = Date.UTC(2027, 1, 15, 3, 0, 0);
    expect(todayIn('UTC', nowMs)).toBe('2027-02-15');
    expect(todayIn(SV, nowMs)).toBe('2027-02-14');
    expect(sqlDateTimeIn('Asia/Tokyo', nowMs)).toBe('2027-02-15 12:00:00');
  });
});

describe('parseAmount', () => {
  it.each<[string | number | null | undefined, number | undefined]>([
    ['79.00', 7900],
    ['39.50', 3950],
    ['236.5', 23650],
    ['1250', 125000],
    [' 236.00 ', 23600],
    ['0.00', 0],
    ['0.01', 1],
    // Thousands separators, which the original's SQL comparison turned into 1 and silently dropped.
    ['1,250.00', 125000],
    ['1,250', 125000],
    ['12,345,678.90', 1234567890],
    ['$1,250.50', 125050],
    ['$ 79.00', 7900],
    // Decimal comma, European grouping.
    ['1.250,00', 125000],
    ['236,50', 23650],
    ['236,5', 23650],
    ['1.234.567,89', 123456789],
    // A dot alone is a decimal point, whatever follows it.
    ['1.250', 125],
    // More than two decimals: half away from zero.
    ['1.005', 101],
    ['1.004', 100],
    ['2.675', 268],
    ['-1.005', -101],
    // Negative amounts.
    ['-3.50', -350],
    ['-$3.50', -350],
    ['$-3.50', -350],
    ['-1,250.00', -125000],
    ['-0.00', 0],
    // Numbers.
    [236, 23600],
    [236.5, 23650],
    [0.1 + 0.2, 30],
    [1.005, 101],
    [-3.5, -350],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    // Not one unambiguous amount.
    ['', undefined],
    ['   ', undefined],
    ['abc', undefined],
    ['1,2,3.4.5', undefined],
    ['1.250.00', undefined],
    ['1,250,00', undefined],
    ['12,50.00', undefined],
    ['1,25.00', undefined],
    ['1,2345.00', undefined],
    ['1.25,5.0', undefined],
    ['1,250.00.00', undefined],
    ['1250.', undefined],
    ['.50', undefined],
    ['12 50', undefined],
    ['--3', undefined],
    ['$$3', undefined],
    ['3-', undefined],
    ['79.00 USD', undefined],
    ['1e3', undefined],
    ['0x10', undefined],
    ['99999999999999999', undefined],
    [null, undefined],
    [undefined, undefined],
  ])('%j → %s', (value, expected) => {
    expect(parseAmount(value)).toBe(expected);
  });

  it('never returns negative zero', () => {
    expect(Object.is(parseAmount('-0.00'), 0)).toBe(true);
    expect(Object.is(parseAmount(-0.001), 0)).toBe(true);
  });
});

describe('cents', () => {
  it.each([
    [7900, '79.00'],
    [125000, '1250.00'],
    [3950, '39.50'],
    [5, '0.05'],
    [0, '0.00'],
    [-350, '-3.50'],
    [123456789, '1234567.89'],
  ])('formatAmount(%i) → %s', (cents, expected) => {
    expect(formatAmount(cents)).toBe(expected);
    expect(parseAmount(formatAmount(cents))).toBe(cents);
  });

  it('refuses fractional cents rather than sending a wrong amount', () => {
    expect(() => formatAmount(79.5)).toThrow();
    expect(() => formatAmount(Number.NaN)).toThrow();
  });

  it.each([
    [79, 7900],
    [39.5, 3950],
    [0.29, 29], // 0.29 * 100 = 28.999999999999996
    [1.005, 101], // 1.005 * 100 = 100.49999999999999
    [4.35, 435], // 4.35 * 100 = 434.99999999999994
    [-1.005, -101],
    [0.004, 0],
    [1234567.891, 123456789],
  ])('toCents(%d) → %i', (n, expected) => {
    expect(toCents(n)).toBe(expected);
  });

  it('toCents refuses non-finite numbers', () => {
    expect(() => toCents(Number.NaN)).toThrow();
    expect(() => toCents(Number.NEGATIVE_INFINITY)).toThrow();
  });

  it.each([
    [7900, 79],
    [3950, 39.5],
    [-350, -3.5],
  ])('fromCents(%i) → %d', (cents, expected) => {
    expect(fromCents(cents)).toBe(expected);
  });
});
