// Day boundaries and readable times in the hotel's time zone (TIMEZONE), for the dashboard's numbers.
import { hhmm, zonedParts } from '../core/zoned-time.js';

const DAY_MS = 86_400_000;
const HALF_DAY_MS = DAY_MS / 2;

/** How far the zone's wall clock is ahead of UTC at `epochMs` (minute precision). */
function offsetAt(epochMs: number, timeZone: string): number {
  const p = zonedParts(epochMs, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return wall - Math.floor(epochMs / 60_000) * 60_000;
}

/** The instant the zone's calendar day containing `epochMs` began. */
export function startOfDay(epochMs: number, timeZone: string): number {
  const p = zonedParts(epochMs, timeZone);
  const midnightWall = Date.UTC(p.year, p.month - 1, p.day);
  let start = midnightWall - offsetAt(midnightWall, timeZone);
  start = midnightWall - offsetAt(start, timeZone);
  return start;
}

/** The last `count` days ending with today's: each day's start and end, oldest first (23- and 25-hour days too). */
export function lastDays(now: number, count: number, timeZone: string): { start: number; end: number; label: string }[] {
  const today = startOfDay(now, timeZone);
  const days: { start: number; end: number; label: string }[] = [];
  for (let i = count - 1; i >= 0; i--) {
    // Noon of each day is well inside it whatever the zone's transitions.
    const start = startOfDay(today - i * DAY_MS + HALF_DAY_MS, timeZone);
    const end = startOfDay(start + DAY_MS + HALF_DAY_MS, timeZone);
    const p = zonedParts(start + HALF_DAY_MS, timeZone);
    days.push({ start, end, label: `${pad(p.day)}/${pad(p.month)}` });
  }
  return days;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `02/12/2026 14:05` in the zone. */
export function formatDateTime(epochMs: number, timeZone: string): string {
  const p = zonedParts(epochMs, timeZone);
  return `${pad(p.day)}/${pad(p.month)}/${p.year} ${hhmm(p)}`;
}

/** `hace 5 min`, `hace 3 h`, `hace 2 días`. */
export function formatAgo(epochMs: number, now: number): string {
  const minutes = Math.max(0, Math.floor((now - epochMs) / 60_000));
  if (minutes < 1) return 'hace menos de un minuto';
  if (minutes < 60) return `hace ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `hace ${hours} h`;
  return `hace ${Math.floor(hours / 24)} días`;
}
