// The 14-day chart: grouped bars as inline SVG (no script, no external file, no inline style: colours are
// presentation attributes, allowed by the page's Content-Security-Policy).
import { html, type SafeHtml } from './html.js';

export interface ChartSeries {
  name: string;
  /** A fill colour (a fixed value of ours, never data). */
  color: string;
  values: readonly number[];
}

const WIDTH = 720;
const HEIGHT = 240;
const MARGIN = { top: 16, right: 12, bottom: 40, left: 40 };

/** A "nice" axis maximum (1, 2, 5 × 10^n) at or above the largest value. */
function niceMax(value: number): number {
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function barChart(opts: { title: string; labels: readonly string[]; series: readonly ChartSeries[] }): SafeHtml {
  const { labels, series } = opts;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotW / Math.max(1, labels.length);
  const barW = Math.max(2, (slot * 0.8) / Math.max(1, series.length));
  const y = (v: number) => MARGIN.top + plotH - (v / max) * plotH;

  const gridLines = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = max * f;
    return html`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${fmt(y(v))}" y2="${fmt(y(v))}" stroke="#d8dee4" stroke-width="1"/><text x="${MARGIN.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end" font-size="11" fill="#57606a">${fmt(v)}</text>`;
  });
  const bars = labels.map((label, i) => {
    const x0 = MARGIN.left + i * slot + slot * 0.1;
    const group = series.map((s, j) => {
      const v = s.values[i] ?? 0;
      const top = y(v);
      return html`<rect x="${fmt(x0 + j * barW)}" y="${fmt(top)}" width="${fmt(barW - 1)}" height="${fmt(MARGIN.top + plotH - top)}" fill="${s.color}"><title>${label}: ${v} ${s.name.toLowerCase()}</title></rect>`;
    });
    return html`<g>${group}<text x="${fmt(MARGIN.left + i * slot + slot / 2)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle" font-size="11" fill="#57606a">${label}</text></g>`;
  });
  const legend = series.map(
    (s, j) =>
      html`<rect x="${MARGIN.left + j * 120}" y="${HEIGHT - 14}" width="10" height="10" fill="${s.color}"/><text x="${MARGIN.left + j * 120 + 14}" y="${HEIGHT - 5}" font-size="12" fill="#24292f">${s.name}</text>`,
  );
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${opts.title}" xmlns="http://www.w3.org/2000/svg"><title>${opts.title}</title>${gridLines}${bars}${legend}</svg>`;
}
