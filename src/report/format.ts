// Number, money, time and text formats shared by the report's text table and HTML page (Spanish labels,
// like the staff dashboard; figures with a dot for decimals so they paste into a spreadsheet as numbers).
import { isoDate, zonedParts } from '../core/zoned-time.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-12-01 14:05` in the zone. */
export function localDateTime(iso: string, timeZone: string): string {
  const p = zonedParts(Date.parse(iso), timeZone);
  return `${isoDate(p)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** 1234567 → `1,234,567`. */
export function integer(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** US$ of model calls: four decimals (a turn costs fractions of a cent). */
export function usd(n: number): string {
  return `US$ ${n.toFixed(4)}`;
}

/** A cost next to its unpriced calls: `—` when nothing was priced (never a made-up US$ 0). */
export function costOf(costUsd: number, unpricedCalls: number): string {
  return unpricedCalls > 0 && costUsd === 0 ? '—' : usd(costUsd);
}

/** Cents as US$ with two decimals: 25000 → `US$ 250.00`. */
export function cents(n: number): string {
  return `US$ ${(n / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** 0.6667 → `66.7 %`; null → `—`. */
export function percent(share: number | null): string {
  return share === null ? '—' : `${(share * 100).toFixed(1)} %`;
}

/** 4200 → `4.2 s`; null → `—`. */
export function seconds(ms: number | null): string {
  return ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`;
}

/** `sin precio: 3 llamadas` when calls were unpriced, else empty. */
export function unpriced(calls: number): string {
  return calls > 0 ? `sin precio: ${calls} ${calls === 1 ? 'llamada' : 'llamadas'}` : '';
}

/** `a 1 · b 2` of a count map, in key order; `—` when empty. */
export function counts(map: Record<string, number>): string {
  const entries = Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '—' : entries.map(([k, v]) => `${k} ${v}`).join(' · ');
}

/** ` · N del servicio anterior`: the active conversations that began in the Python service, when there are any. */
export function previousService(report: { conversations: { fromPreviousService: number } }): string {
  const n = report.conversations.fromPreviousService;
  return n > 0 ? ` · ${integer(n)} del servicio anterior` : '';
}
