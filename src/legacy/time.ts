// Timestamps of the Python service's SQLite files (original-agent.md §4.2, §6.5): SQLite's CURRENT_TIMESTAMP
// text `YYYY-MM-DD HH:MM:SS` in UTC, and Python's naive `datetime.now().isoformat()` `YYYY-MM-DDTHH:MM:SS.ffffff`
// in the legacy server's local time (rotation's created_at). An explicit `Z` or offset is honoured; numbers
// are epoch seconds (or milliseconds when that large).
import { zonedParts } from '../core/zoned-time.js';

const TEXT_RE = /^(\d{4})-(\d{2})-(\d{2})([ T])(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** How far the zone's wall clock is ahead of UTC at `epochMs` (minute precision). */
function offsetAt(epochMs: number, timeZone: string): number {
  const p = zonedParts(epochMs, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return wall - Math.floor(epochMs / 60_000) * 60_000;
}

/** The instant of a wall-clock time in the zone. */
export function fromLocalWallClock(wallUtcMs: number, timeZone: string): number {
  const guess = wallUtcMs - offsetAt(wallUtcMs, timeZone);
  return wallUtcMs - offsetAt(guess, timeZone);
}

/**
 * Epoch ms of a legacy timestamp, or undefined when it is empty or unreadable. `localTimeZone` is the
 * legacy server's zone, for naive ISO (`…T…`) values.
 */
export function parseLegacyTime(value: unknown, localTimeZone: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    return value > 1e11 ? Math.round(value) : Math.round(value * 1000);
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parseLegacyTime(Number(text), localTimeZone);
  const m = TEXT_RE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, sep, h, mi, s, frac, zone] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms);
  const check = new Date(wall);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59) return undefined;
  if (zone) {
    if (/^z$/i.test(zone)) return wall;
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!z) return undefined;
    const offset = (Number(z[2]) * 60 + Number(z[3])) * 60_000 * (z[1] === '-' ? -1 : 1);
    return wall - offset;
  }
  // SQLite's CURRENT_TIMESTAMP (space) is UTC; Python's naive isoformat (T) is the legacy server's local time.
  return sep === ' ' ? wall : fromLocalWallClock(wall, localTimeZone);
}
