// The report's period and its days in the hotel's time zone (TIMEZONE). Offsets come from Intl (via
// zonedParts), daylight-saving changes included, never from SQLite's `localtime` (the server's zone).
import { isoDate, zonedParts } from '../core/zoned-time.js';
import type { Period } from '../store/usage-repository.js';

export type { Period };

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
// An instant: a date, a time and a zone (Z or ±hh:mm), so it never depends on the machine's zone.
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

export class PeriodError extends Error {
  override readonly name = 'PeriodError';
}

/** How far the zone's wall clock is ahead of UTC at `epochMs` (minute precision). */
function offsetAt(epochMs: number, timeZone: string): number {
  const p = zonedParts(epochMs, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return wall - Math.floor(epochMs / 60_000) * 60_000;
}

/** The instant a local calendar date begins in the zone (its midnight, or the first minute after a gap). */
export function startOfLocalDate(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  const guess = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(guess, timeZone);
}

/** The local date (`YYYY-MM-DD`) of an instant in the zone. */
export function localDateOf(epochMs: number, timeZone: string): string {
  return isoDate(zonedParts(epochMs, timeZone));
}

/** The date after `date` (`YYYY-MM-DD`), by the calendar. */
function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + DAY_MS).toISOString().slice(0, 10);
}

function startOfDateString(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return startOfLocalDate(y, m, d, timeZone);
}

/**
 * One bound of the period: `YYYY-MM-DD` is a local date in the zone (its start for `since`; for `until` the
 * end of that day, so `--until 2026-12-01` includes the 1st), or an ISO instant with its zone.
 */
export function parseBound(value: string, which: 'since' | 'until', timeZone: string): number {
  const text = value.trim();
  const date = DATE_RE.exec(text);
  if (date) {
    const [, y, m, d] = date.map(Number) as [number, number, number, number];
    const check = new Date(Date.UTC(y, m - 1, d));
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
      throw new PeriodError(`--${which} ${value}: not a calendar date`);
    }
    return which === 'since' ? startOfLocalDate(y, m, d, timeZone) : startOfDateString(nextDate(text), timeZone);
  }
  if (INSTANT_RE.test(text)) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return at;
  }
  throw new PeriodError(`--${which} ${value}: expected YYYY-MM-DD (a date in ${timeZone}) or an ISO instant such as 2026-12-01T08:00:00-06:00`);
}

/**
 * The period from the options: each bound as parseBound reads it; without `until`, now; without `since`, the
 * start of the local day six days before `until`'s (the last 7 days, today included).
 */
export function resolvePeriod(options: { since?: string | undefined; until?: string | undefined }, now: number, timeZone: string): Period {
  const until = options.until === undefined ? now : parseBound(options.until, 'until', timeZone);
  let since: number;
  if (options.since === undefined) {
    // The local date of the period's last instant, then six dates back.
    let date = localDateOf(Math.max(0, until - 1), timeZone);
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    date = new Date(Date.UTC(y, m - 1, d) - 6 * DAY_MS).toISOString().slice(0, 10);
    since = startOfDateString(date, timeZone);
  } else {
    since = parseBound(options.since, 'since', timeZone);
  }
  if (since >= until) throw new PeriodError('the period is empty: --since must be before --until');
  return { since, until };
}

/** The local dates the period touches, oldest first (a period starting mid-day includes that day). */
export function datesOf(period: Period, timeZone: string): string[] {
  const dates: string[] = [];
  let date = localDateOf(period.since, timeZone);
  while (startOfDateString(date, timeZone) < period.until) {
    dates.push(date);
    date = nextDate(date);
  }
  return dates;
}
