// When a payment that is not in the ledger yet is checked again (hotel-backends.md §5, the cadence the
// original really ran, kept): 6 attempts 5 minutes apart, then 4 attempts 30 minutes apart, then 6 attempts
// an hour apart, then a person takes over. A UNI transfer is only processed by the banks on weekdays
// 09:00–17:00 in El Salvador (not on public holidays), so its first check waits until then.
import { elSalvadorHolidays } from '../office/schedule.js';
import { isoDate, zonedParts } from '../core/zoned-time.js';
import type { IsoDate } from '../hotel-rules/types.js';
import { addDays } from '../hotel-rules/values.js';

const MINUTE = 60_000;

export const FOLLOW_UP_STAGES = [
  { stage: 1, everyMs: 5 * MINUTE, attempts: 6 },
  { stage: 2, everyMs: 30 * MINUTE, attempts: 4 },
  { stage: 3, everyMs: 60 * MINUTE, attempts: 6 },
] as const;

export const FOLLOW_UP_ATTEMPTS = FOLLOW_UP_STAGES.reduce((n, s) => n + s.attempts, 0);

/** The stage of the n-th follow-up attempt (1-based), or undefined past the last one. */
export function stageOf(attempt: number): 1 | 2 | 3 | undefined {
  let last = 0;
  for (const s of FOLLOW_UP_STAGES) {
    last += s.attempts;
    if (attempt >= 1 && attempt <= last) return s.stage;
  }
  return undefined;
}

/** The wait before the n-th attempt (1-based; the first comes 5 minutes after the check in the turn). */
export function delayBeforeAttempt(attempt: number): number | undefined {
  const stage = stageOf(attempt);
  return stage === undefined ? undefined : FOLLOW_UP_STAGES[stage - 1]?.everyMs;
}

/** The last attempt of the first stage: where the bank follow-up asks the guest "UNI or 365?". */
export function isEndOfFirstStage(attempt: number): boolean {
  return attempt === FOLLOW_UP_STAGES[0].attempts;
}

const UNI_OPEN_MINUTE = 9 * 60;
const UNI_CLOSE_MINUTE = 17 * 60;

/** The instant at which the wall clock in `timeZone` shows `date` `hh:mm` (no DST in El Salvador; two passes cover zones with it). */
export function instantAt(date: IsoDate, hour: number, minute: number, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wanted = Date.UTC(y, m - 1, d, hour, minute);
  let t = wanted;
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(t, timeZone);
    t += wanted - Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  }
  return t;
}

function isBankDay(date: IsoDate, weekday: number): boolean {
  return weekday >= 1 && weekday <= 5 && !elSalvadorHolidays(Number(date.slice(0, 4))).has(date);
}

/**
 * When the banks process a UNI transfer made at `now`: `now` itself inside Mon–Fri 09:00–17:00 on a
 * working day, else the next working day at 09:00 (a Saturday transfer is first checked on Monday 09:00).
 */
export function uniProcessingStart(now: number, timeZone: string): number {
  const p = zonedParts(now, timeZone);
  const today = isoDate(p);
  const minute = p.hour * 60 + p.minute;
  if (isBankDay(today, p.weekday) && minute >= UNI_OPEN_MINUTE && minute < UNI_CLOSE_MINUTE) return now;
  // Today before opening, or the next working day; bounded: El Salvador never has two weeks of holidays.
  for (let offset = isBankDay(today, p.weekday) && minute < UNI_OPEN_MINUTE ? 0 : 1; offset <= 14; offset++) {
    const date = addDays(today, offset);
    const weekday = (p.weekday + offset) % 7;
    if (isBankDay(date, weekday)) return instantAt(date, 9, 0, timeZone);
  }
  throw new Error(`no bank working day within two weeks of ${today}`);
}

/**
 * The statement dates to look for a transfer under: the slip's date and, for a transfer made late in the
 * day that the bank books on the next one, the day after — never a day after today.
 */
export function statementDatesFor(slipDate: IsoDate, today: IsoDate): IsoDate[] {
  const next = addDays(slipDate, 1);
  return next <= today ? [slipDate, next] : [slipDate];
}
