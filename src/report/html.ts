// The report as one self-contained HTML page (`npm run report -- --html report.html`): inline CSS, inline
// SVG charts of turns, failures and cost per day, no script, no external resource (a Content-Security-Policy
// forbids both), so it opens offline and can be mailed as one file. Every stored string is escaped.
import type { Report } from './build.js';
import { cents, costOf, counts, integer, localDateTime, percent, previousService, seconds, unpriced, usd } from './format.js';

import { escapeHtml as escapeText } from '../core/html-escape.js';

/** Text for HTML element content and quoted attribute values (bidirectional controls dropped). */
export function escapeHtml(value: unknown): string {
  return escapeText(String(value));
}

export interface ChartPoint {
  /** Shown under the bar or point. */
  label: string;
  value: number;
  /** Shown on hover (SVG <title>); default the formatted value. */
  title?: string;
}

export interface ChartOptions {
  /** Identifies the chart (data-chart attribute). */
  id: string;
  title: string;
  points: readonly ChartPoint[];
  format?: (value: number) => string;
  color?: string;
}

/** Counts on an axis: whole numbers, and one decimal where the grid falls between two (a max of 5 halves to 2.5). */
const countFormat = (v: number) => (Number.isInteger(v) ? integer(v) : v.toFixed(1));

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 16, right: 12, bottom: 34, left: 64 };

/** A round number ≥ max for the top of the axis (1, 2, 5 × 10ⁿ). */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const exp = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * exp >= max) return step * exp;
  return 10 * exp;
}

function frame(opts: ChartOptions, top: number, body: string): string {
  const format = opts.format ?? countFormat;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const grid = [0, 0.5, 1]
    .map((f) => {
      const y = PAD.top + plotH * (1 - f);
      return `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}"/>` +
        `<text class="axis" x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${escapeHtml(format(top * f))}</text>`;
    })
    .join('');
  return `<svg data-chart="${escapeHtml(opts.id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(opts.title)}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeHtml(opts.title)}</title>${grid}${body}</svg>`;
}

/** Where point i of n sits horizontally (centre of its slot), and the slot's width. */
function slot(i: number, n: number): { x: number; width: number } {
  const plotW = WIDTH - PAD.left - PAD.right;
  const width = plotW / Math.max(1, n);
  return { x: PAD.left + width * (i + 0.5), width };
}

/** Labels under the axis, thinned so at most ~14 are written. */
function labels(points: readonly ChartPoint[]): string {
  const every = Math.max(1, Math.ceil(points.length / 14));
  return points
    .map((p, i) => (i % every === 0 ? `<text class="axis" x="${slot(i, points.length).x.toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(p.label)}</text>` : ''))
    .join('');
}

/** A bar chart as inline SVG. */
export function barChart(opts: ChartOptions): string {
  const format = opts.format ?? countFormat;
  const top = niceMax(Math.max(0, ...opts.points.map((p) => p.value)));
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const bars = opts.points
    .map((p, i) => {
      const { x, width } = slot(i, opts.points.length);
      const h = (Math.max(0, p.value) / top) * plotH;
      const w = Math.max(1, width * 0.7);
      return `<rect class="bar" fill="${escapeHtml(opts.color ?? '#2b6cb0')}" x="${(x - w / 2).toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}">` +
        `<title>${escapeHtml(p.title ?? `${p.label}: ${format(p.value)}`)}</title></rect>`;
    })
    .join('');
  return frame(opts, top, bars + labels(opts.points));
}

/** A line chart (with a dot per point) as inline SVG. */
export function lineChart(opts: ChartOptions): string {
  const format = opts.format ?? countFormat;
  const top = niceMax(Math.max(0, ...opts.points.map((p) => p.value)));
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const color = escapeHtml(opts.color ?? '#2f855a');
  const xy = opts.points.map((p, i) => ({ p, x: slot(i, opts.points.length).x, y: PAD.top + plotH - (Math.max(0, p.value) / top) * plotH }));
  const line = `<polyline class="line" fill="none" stroke="${color}" stroke-width="2" points="${xy.map(({ x, y }) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;
  const dots = xy
    .map(({ p, x, y }) => `<circle class="dot" fill="${color}" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5"><title>${escapeHtml(p.title ?? `${p.label}: ${format(p.value)}`)}</title></circle>`)
    .join('');
  return frame(opts, top, line + dots + labels(opts.points));
}

const CSS = `
  :root { color-scheme: light; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a202c; margin: 2rem auto; max-width: 980px; padding: 0 1rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.05rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #e2e8f0; padding-bottom: .25rem; }
  .period { color: #4a5568; margin: 0 0 1.5rem; }
  .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: .75rem; }
  .card { border: 1px solid #e2e8f0; border-radius: 8px; padding: .6rem .8rem; }
  .card .label { color: #4a5568; font-size: .8rem; }
  .card .value { font-size: 1.35rem; font-weight: 600; }
  .card .note { color: #718096; font-size: .78rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #edf2f7; }
  th { color: #4a5568; font-weight: 600; font-size: .85rem; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .muted { color: #718096; }
  .unpriced { color: #c05621; }
  .charts { display: grid; gap: 1rem; }
  figure { margin: 0; }
  figcaption { font-weight: 600; margin-bottom: .25rem; }
  svg { max-width: 100%; height: auto; }
  svg .grid { stroke: #e2e8f0; stroke-width: 1; }
  svg .axis { fill: #718096; font-size: 11px; }
`;

function card(label: string, value: string, note = ''): string {
  return `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div>${note ? `<div class="note">${escapeHtml(note)}</div>` : ''}</div>`;
}

interface Column {
  head: string;
  num?: boolean;
}

function htmlTable(columns: Column[], rows: (string | { text: string; cls: string })[][]): string {
  if (rows.length === 0) return '<p class="muted">—</p>';
  const head = columns.map((c) => `<th${c.num ? ' class="num"' : ''}>${escapeHtml(c.head)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row
          .map((cell, i) => {
            const cls = [columns[i]?.num ? 'num' : '', typeof cell === 'string' ? '' : cell.cls].filter(Boolean).join(' ');
            return `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(typeof cell === 'string' ? cell : cell.text)}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const unpricedCell = (calls: number) => ({ text: unpriced(calls), cls: 'unpriced' });

/** `2026-12-01` → `01/12`. */
function dayLabel(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}`;
}

export function formatHtml(report: Report): string {
  const tz = report.period.timezone;
  const { turns, cost, tokens } = report;
  const per = cost.perConversation;
  const period = `${localDateTime(report.period.since, tz)} → ${localDateTime(report.period.until, tz)} (${tz})`;

  const cards = [
    card('Conversaciones', integer(report.conversations.active), `nuevas ${report.conversations.new}${previousService(report)}`),
    card('Turnos', integer(turns.total), `entregados ${turns.delivered} · fallidos ${turns.failed} · no entregados ${turns.undelivered}`),
    card('Respuestas', integer(report.replies.delivered), `${integer(report.replies.parts)} mensajes enviados`),
    card('Fallos', integer(report.failures.total)),
    card('Traspasos a personal', integer(report.handoffs.total), `pausas: ${counts(report.handoffs.byReason)}`),
    card('Reservas hechas', integer(report.bookings.booked), cents(report.bookings.amountCents)),
    card('Seguimientos de pago', integer(report.followUps.total), `${counts(report.followUps.byState)} · trabajos: ${counts(report.followUps.jobs)}`),
    card('Tiempo de respuesta p50', seconds(report.replyTime.p50Ms), `p95 ${seconds(report.replyTime.p95Ms)} · ${report.replyTime.samples} respuestas`),
    card('Proporción en caché', percent(report.cachedShare), `${integer(tokens.cached)} de ${integer(tokens.input)} tokens de entrada`),
    card('Costo', usd(cost.totalUsd), unpriced(cost.unpricedCalls)),
    card('Costo por conversación', per.averageUsd === null ? '—' : usd(per.averageUsd), `promedio de ${per.conversations} conversaciones`),
  ].join('');

  const days = report.daily;
  const charts = [
    barChart({ id: 'turns', title: 'Turnos por día', points: days.map((d) => ({ label: dayLabel(d.date), value: d.turns, title: `${d.date}: ${d.turns} turnos` })) }),
    barChart({ id: 'failures', title: 'Fallos por día', color: '#c53030', points: days.map((d) => ({ label: dayLabel(d.date), value: d.failures, title: `${d.date}: ${d.failures} fallos` })) }),
    lineChart({
      id: 'cost',
      title: 'Costo por día (US$)',
      format: (v) => v.toFixed(v >= 1 ? 2 : 4),
      points: days.map((d) => ({ label: dayLabel(d.date), value: d.costUsd, title: `${d.date}: ${usd(d.costUsd)}${d.unpricedCalls ? ` · ${unpriced(d.unpricedCalls)}` : ''}` })),
    }),
  ];
  const captions = ['Turnos por día', 'Fallos por día', 'Costo por día (US$)'];

  return `<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(`Informe de watibot3 · ${period}`)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>Informe de watibot3</h1>
<p class="period">${escapeHtml(period)} · generado ${escapeHtml(localDateTime(report.generatedAt, tz))}</p>
<section class="cards">${cards}</section>

<h2>Por día</h2>
<section class="charts">${charts.map((svg, i) => `<figure><figcaption>${escapeHtml(captions[i] ?? '')}</figcaption>${svg}</figure>`).join('')}</section>

<h2>Fallos por clase</h2>
${htmlTable([{ head: 'estado' }, { head: 'clase' }, { head: 'turnos', num: true }], report.failures.byClass.map((f) => [f.status, f.errorClass ?? '(sin clase)', integer(f.count)]))}

<h2>Tokens</h2>
${htmlTable(
  [{ head: 'tipo' }, { head: 'tokens', num: true }],
  [
    ['entrada', integer(tokens.input)],
    ['entrada en caché', integer(tokens.cached)],
    ['entrada sin caché', integer(tokens.uncached)],
    ['salida', integer(tokens.output)],
    ['razonamiento (incluido en la salida)', integer(tokens.reasoning)],
    ['llamadas al modelo', integer(tokens.calls)],
    ['llamadas con error', integer(tokens.failedCalls)],
  ],
)}

<h2>Costo por modelo</h2>
${htmlTable(
  [{ head: 'modelo' }, { head: 'turnos', num: true }, { head: 'llamadas', num: true }, { head: 'costo', num: true }, { head: '' }],
  cost.byModel.map((m) => [m.model, integer(m.turns), integer(m.calls), costOf(m.costUsd, m.unpricedCalls), unpricedCell(m.unpricedCalls)]),
)}

<h2>Por configuración (LLM_CANARY_*)</h2>
${htmlTable(
  [{ head: 'configuración' }, { head: 'modelos' }, { head: 'turnos', num: true }, { head: 'fallidos', num: true }, { head: 'llamadas', num: true }, { head: 'costo', num: true }, { head: '' }],
  report.byConfig.map((c) => [c.config, c.models.join(', ') || '—', integer(c.turns), integer(c.failedTurns), integer(c.calls), costOf(c.costUsd, c.unpricedCalls), unpricedCell(c.unpricedCalls)]),
)}

<h2>Las conversaciones más caras</h2>
${htmlTable(
  [{ head: 'conversación' }, { head: 'huésped' }, { head: 'turnos', num: true }, { head: 'llamadas', num: true }, { head: 'costo', num: true }, { head: '' }],
  per.top.map((c) => [c.conversation, c.guestName ?? '—', integer(c.turns), integer(c.calls), costOf(c.costUsd, c.unpricedCalls), unpricedCell(c.unpricedCalls)]),
)}

<h2>Reservas</h2>
${htmlTable(
  [{ head: 'estado' }, { head: 'intentos', num: true }, { head: 'monto', num: true }],
  report.bookings.byState.map((b) => [b.state, integer(b.count), cents(b.amountCents)]),
)}

<h2>Días</h2>
${htmlTable(
  [{ head: 'fecha' }, { head: 'turnos', num: true }, { head: 'fallos', num: true }, { head: 'costo', num: true }, { head: '' }],
  days.map((d) => [d.date, integer(d.turns), integer(d.failures), costOf(d.costUsd, d.unpricedCalls), unpricedCell(d.unpricedCalls)]),
)}
</body>
</html>
`;
}
