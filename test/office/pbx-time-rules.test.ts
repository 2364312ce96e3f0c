import { describe, expect, it } from 'vitest';
import { describePbxRule, matchesPbxRule, parsePbxTimeRule, PbxRuleSyntaxError, type PbxRulePart } from '../../src/office/pbx-time-rules.js';
import type { ZonedParts } from '../../src/core/zoned-time.js';

const WEEKDAY: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/** "fri 2026-12-25 23:30": the weekday is given, not derived, so each field can be tested on its own. */
function at(text: string): ZonedParts {
  const m = /^(\w{3}) (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`bad instant ${text}`);
  return { weekday: WEEKDAY[m[1] as string] ?? -1, year: Number(m[2]), month: Number(m[3]), day: Number(m[4]), hour: Number(m[5]), minute: Number(m[6]) };
}

describe('parsePbxTimeRule / matchesPbxRule', () => {
  it.each([
    // spec, instant, matches
    ['*|*|*|*', 'wed 2026-03-04 10:00', true],
    ['*', 'wed 2026-03-04 10:00', true],
    ['||15|', 'tue 2026-09-15 03:00', true],
    // missing trailing parts are "*"
    ['*|*|15', 'tue 2026-09-15 03:00', true],
    ['*|*|15', 'wed 2026-09-16 03:00', false],
    ['08:00-17:00', 'sun 2026-03-08 08:00', true],
    ['08:00-17:00|mon-fri', 'sat 2026-03-07 10:00', false],
    // time: inclusive at both ends
    ['12:00-23:59|*|31|dec', 'thu 2026-12-31 23:59', true],
    ['12:00-23:59|*|31|dec', 'thu 2026-12-31 12:00', true],
    ['12:00-23:59|*|31|dec', 'thu 2026-12-31 11:59', false],
    ['08:00-17:00', 'mon 2026-03-02 17:00', true],
    ['08:00-17:00', 'mon 2026-03-02 17:01', false],
    // time: one minute
    ['13:15', 'mon 2026-03-02 13:15', true],
    ['13:15', 'mon 2026-03-02 13:16', false],
    // time wraps midnight
    ['23:00-02:00', 'mon 2026-03-02 23:30', true],
    ['23:00-02:00', 'mon 2026-03-02 01:00', true],
    ['23:00-02:00', 'mon 2026-03-02 02:00', true],
    ['23:00-02:00', 'mon 2026-03-02 02:01', false],
    ['23:00-02:00', 'mon 2026-03-02 12:00', false],
    // each field on its own: the wrapped hours after midnight belong to the same weekday
    ['23:00-02:00|fri', 'fri 2026-03-06 23:30', true],
    ['23:00-02:00|fri', 'fri 2026-03-06 01:00', true],
    ['23:00-02:00|fri', 'sat 2026-03-07 01:00', false],
    // dow: single, range, wrap
    ['*|sun', 'sun 2026-03-08 10:00', true],
    ['*|sun', 'mon 2026-03-09 10:00', false],
    ['*|mon-fri', 'wed 2026-03-04 10:00', true],
    ['*|mon-fri', 'sun 2026-03-08 10:00', false],
    ['*|fri-mon', 'sat 2026-03-07 10:00', true],
    ['*|fri-mon', 'sun 2026-03-08 10:00', true],
    ['*|fri-mon', 'mon 2026-03-09 10:00', true],
    ['*|fri-mon', 'tue 2026-03-10 10:00', false],
    // dom: single, range, wrap
    ['*|*|24-25|dec', 'thu 2026-12-24 10:00', true],
    ['*|*|24-25|dec', 'fri 2026-12-25 23:59', true],
    ['*|*|24-25|dec', 'sat 2026-12-26 00:00', false],
    ['*|*|24-25|dec', 'thu 2026-11-24 10:00', false],
    ['*|*|28-3', 'fri 2026-01-30 10:00', true],
    ['*|*|28-3', 'sun 2026-02-01 10:00', true],
    ['*|*|28-3', 'tue 2026-02-03 10:00', true],
    ['*|*|28-3', 'wed 2026-02-04 10:00', false],
    // month: single, range, wrap
    ['*|*|*|nov-feb', 'mon 2026-11-02 10:00', true],
    ['*|*|*|nov-feb', 'thu 2027-01-14 10:00', true],
    ['*|*|*|nov-feb', 'sat 2027-02-27 10:00', true],
    ['*|*|*|nov-feb', 'mon 2027-03-01 10:00', false],
    ['*|*|*|mar-may', 'fri 2026-04-03 10:00', true],
    ['*|*|*|mar-may', 'mon 2026-06-01 10:00', false],
    ['*|thu-sun|25-28|mar', 'sun 2027-03-28 18:00', true],
    ['*|thu-sun|25-28|mar', 'wed 2027-03-24 18:00', false],
    // upper case and spaces around the spec and its parts
    ['  *|*|24-25|DEC  ', 'thu 2026-12-24 10:00', true],
    [' 08:00 - 17:00 | MON-FRI | * | Jan ', 'mon 2026-01-05 09:00', true],
    ['9:05-9:10', 'mon 2026-01-05 09:07', true],
  ])('%j at %s ⇒ %s', (spec, instant, expected) => {
    expect(matchesPbxRule(parsePbxTimeRule(spec), at(instant))).toBe(expected);
  });

  it('keeps the spec as read (trimmed) and leaves "*" parts undefined', () => {
    expect(parsePbxTimeRule(' 23:00-02:00|FRI-mon|28-3|nov-feb ')).toEqual({
      text: '23:00-02:00|FRI-mon|28-3|nov-feb',
      time: { from: 1380, to: 120 },
      weekdays: { from: 5, to: 1 },
      days: { from: 28, to: 3 },
      months: { from: 11, to: 2 },
    });
    expect(parsePbxTimeRule('*|*|1|jan')).toEqual({ text: '*|*|1|jan', time: undefined, weekdays: undefined, days: { from: 1, to: 1 }, months: { from: 1, to: 1 } });
  });

  it.each<[string, PbxRulePart, RegExp]>([
    ['', 'rule', /empty time spec/],
    ['   ', 'rule', /empty time spec/],
    ['*|*|*|*|America/El_Salvador', 'rule', /5 parts/],
    ['25:00-26:00', 'time', /time range "25:00-26:00"/],
    ['08:60', 'time', /time range "08:60"/],
    ['8-17', 'time', /time range "8-17"/],
    ['08:00-17:00-18:00', 'time', /time range "08:00-17:00-18:00"/],
    ['08:00-', 'time', /time range "08:00-"/],
    ['*|fry', 'dow', /day of week "fry" is not a day or day range/],
    ['*|mon-', 'dow', /day of week "mon-"/],
    ['*|monday', 'dow', /day of week "monday"/],
    ['*|*|0', 'dom', /day of month "0" is not a day/],
    ['*|*|32', 'dom', /day of month "32"/],
    ['*|*|24-x', 'dom', /day of month "24-x"/],
    ['*|*|*|december', 'month', /month "december" is not a month/],
    ['*|*|*|13', 'month', /month "13"/],
  ])('rejects %j, naming the %s part', (spec, part, message) => {
    let error: unknown;
    try {
      parsePbxTimeRule(spec);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PbxRuleSyntaxError);
    expect(error).toMatchObject({ name: 'PbxRuleSyntaxError', part });
    expect((error as Error).message).toMatch(message);
  });
});

describe('describePbxRule', () => {
  it.each([
    ['*|*|24-25|dec', 'del 24 al 25 de diciembre'],
    ['*|*|1|jan', 'el 1 de enero'],
    ['12:00-23:59|*|31|dec', 'el 31 de diciembre, de 12:00 a 23:59'],
    ['*|thu-sun|25-28|mar', 'del 25 al 28 de marzo, de jueves a domingo'],
    ['*|sat', 'los sábados'],
    ['*|fri', 'los viernes'],
    ['*|*|28-3', 'del día 28 al 3 de cada mes'],
    ['*|*|*|nov-feb', 'de noviembre a febrero'],
    ['13:15', 'a las 13:15'],
    ['*', 'siempre'],
  ])('%j ⇒ %s', (spec, text) => {
    expect(describePbxRule(parsePbxTimeRule(spec))).toBe(text);
  });
});
