import { describe, expect, it } from 'vitest';
import {
  delayBeforeAttempt,
  FOLLOW_UP_ATTEMPTS,
  instantAt,
  isEndOfFirstStage,
  stageOf,
  statementDatesFor,
  uniProcessingStart,
} from '../../src/hotel/follow-up-schedule.js';

const TZ = 'America/El_Salvador';
/** An instant given as El Salvador wall-clock time (UTC-6, no DST). */
const sv = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h + 6, mi);

describe('follow-up schedule', () => {
  it('runs 6 attempts 5 minutes apart, 4 at 30 minutes, 6 at an hour: 16 in all, the last 8.5 h after the check', () => {
    expect(FOLLOW_UP_ATTEMPTS).toBe(16);
    const delays = Array.from({ length: 17 }, (_, i) => delayBeforeAttempt(i + 1));
    expect(delays.map((d) => (d === undefined ? undefined : d / 60_000))).toEqual([5, 5, 5, 5, 5, 5, 30, 30, 30, 30, 60, 60, 60, 60, 60, 60, undefined]);
    const total = delays.reduce<number>((sum, d) => sum + (d ?? 0), 0);
    expect(total / 3_600_000).toBe(8.5);
    expect([stageOf(1), stageOf(6), stageOf(7), stageOf(10), stageOf(11), stageOf(16), stageOf(17), stageOf(0)]).toEqual([1, 1, 2, 2, 3, 3, undefined, undefined]);
    expect([5, 6, 7].map(isEndOfFirstStage)).toEqual([false, true, false]);
  });

  it.each([
    ['Tuesday 10:00: now', sv(2027, 3, 2, 10), sv(2027, 3, 2, 10)],
    ['Tuesday 07:30: 09:00 the same day', sv(2027, 3, 2, 7, 30), sv(2027, 3, 2, 9)],
    ['Tuesday 17:00: Wednesday 09:00', sv(2027, 3, 2, 17), sv(2027, 3, 3, 9)],
    ['Friday 18:00: Monday 09:00', sv(2027, 3, 5, 18), sv(2027, 3, 8, 9)],
    ['Saturday 11:00: Monday 09:00', sv(2027, 3, 6, 11), sv(2027, 3, 8, 9)],
    ['Sunday 23:59: Monday 09:00', sv(2027, 3, 7, 23, 59), sv(2027, 3, 8, 9)],
    ['Holy Wednesday evening: Monday after Easter (Thursday and Friday are holidays)', sv(2027, 3, 24, 20), sv(2027, 3, 29, 9)],
    ['New Year (Friday 2027-01-01) 10:00: Monday 09:00', sv(2027, 1, 1, 10), sv(2027, 1, 4, 9)],
    ['Christmas Eve (Friday 2027-12-24) 16:59: still that day', sv(2027, 12, 24, 16, 59), sv(2027, 12, 24, 16, 59)],
  ])('a UNI transfer made %s', (_label, now, expected) => {
    expect(new Date(uniProcessingStart(now, TZ)).toISOString()).toBe(new Date(expected).toISOString());
  });

  it('finds the instant of a wall-clock time in the hotel zone', () => {
    expect(new Date(instantAt('2027-03-08', 9, 0, TZ)).toISOString()).toBe('2027-03-08T15:00:00.000Z');
  });

  it('looks for a late transfer under the next statement date too, never a future one', () => {
    expect(statementDatesFor('2027-02-20', '2027-02-22')).toEqual(['2027-02-20', '2027-02-21']);
    expect(statementDatesFor('2027-02-22', '2027-02-22')).toEqual(['2027-02-22']);
  });
});
