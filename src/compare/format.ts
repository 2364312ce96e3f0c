// The comparison as a text table (stdout), as JSON (`--json`) and as one self-contained side-by-side HTML page
// (`--html file`): inline CSS, no script, no external resource (a Content-Security-Policy forbids both), every
// text escaped — the replies and the guests' messages are model and guest text.
import { escapeHtml } from '../report/html.js';
import { CHECK_NAMES, type ReplyChecks } from './check-names.js';
import type { ChosenTool, ComparisonReport, SideRun, SideTotals, TurnComparison } from './report.js';

const CHECK_LABELS: Record<keyof ReplyChecks, string> = {
  answered: 'answered',
  nonEmpty: 'non-empty',
  noInternalText: 'no internal text',
  bookingCode: 'booking code',
};

function usd(n: number | null): string {
  return n === null ? '—' : `$${n.toFixed(n >= 0.01 ? 4 : 6)}`;
}

function ms(n: number | null): string {
  return n === null ? '—' : `${(n / 1000).toFixed(1)} s`;
}

function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ⏎ ').trim();
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `make_booking{…}*` — the mark says what the dry run did (* recorded, ~ simulated, ! refused). */
function toolLabel(tool: ChosenTool): string {
  const mark = tool.mode === 'recorded' ? '*' : tool.mode === 'simulated' ? '~' : tool.mode === 'refused' ? '!' : '';
  return `${tool.name}${mark}`;
}

function failedChecks(run: SideRun): string {
  const failed = CHECK_NAMES.filter((name) => run.checks[name] === false).map((name) => CHECK_LABELS[name]);
  return failed.length === 0 ? 'ok' : `FAIL ${failed.join(', ')}`;
}

function pad(text: string, width: number): string {
  const t = clip(text, width);
  return t + ' '.repeat(Math.max(0, width - [...t].length));
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => pad(c, widths[i] ?? 10)).join('  ').trimEnd();
}

const WIDTHS = [8, 6, 30, 22, 7, 15, 9, 60];

function sideRow(name: string, run: SideRun): string {
  return row(
    [
      '',
      name,
      run.tools.map(toolLabel).join(' ') || '—',
      run.outcome === 'failed' ? `FAIL ${run.errorClass ?? ''}` : failedChecks(run),
      ms(run.latencyMs),
      `${int(run.usage.inputTokens)}/${int(run.usage.outputTokens)}`,
      usd(run.costUsd),
      oneLine(run.reply) || '(no reply)',
    ],
    WIDTHS,
  );
}

function totalsLine(t: SideTotals): string {
  const fails = CHECK_NAMES.filter((n) => t.checkFailures[n] > 0).map((n) => `${CHECK_LABELS[n]} ${t.checkFailures[n]}`);
  return (
    `${t.label}: ${t.turns} turns, ${t.answered} answered, ${t.failed} failed, checks passed ${t.passed}/${t.turns}` +
    `${fails.length ? ` (failed: ${fails.join(', ')})` : ''} · ${t.toolCalls} tool calls · latency p50 ${ms(t.latencyMs.p50)}, max ${ms(t.latencyMs.max)} · ` +
    `tokens ${int(t.usage.inputTokens)} in (${int(t.usage.cachedTokens)} cached) / ${int(t.usage.outputTokens)} out · ` +
    `cost ${usd(t.costUsd)}${t.unpricedTurns ? ` (${t.unpricedTurns} turns unpriced)` : ''}`
  );
}

export function formatText(report: ComparisonReport): string {
  const { a, b } = report.sides;
  const lines: string[] = [`A = ${a.config}`, `B = ${b.config}`, ''];
  lines.push(row(['turn', 'side', 'tools (*recorded ~simulated)', 'checks', 'latency', 'tokens in/out', 'cost', 'reply'], WIDTHS));
  for (const t of report.turns) {
    lines.push(row([`#${t.turnId}`, 'guest', t.conversation, t.startedAt.slice(0, 16).replace('T', ' '), '', '', '', oneLine(t.guestText)], WIDTHS));
    lines.push(row(['', 'orig', t.original.tools.map((c) => c.name).join(' ') || '—', t.original.status, '', '', '', oneLine(t.original.reply) || '(no reply)'], WIDTHS));
    lines.push(sideRow(`A`, t.a));
    lines.push(sideRow(`B`, t.b));
  }
  lines.push('', totalsLine(a), totalsLine(b));
  if (report.skipped.length > 0) lines.push(`skipped: ${report.skipped.map((s) => `#${s.turnId} (${s.reason})`).join(', ')}`);
  if (report.stopped) {
    lines.push(
      `STOPPED: ${report.stopped.reason}; spent ${usd(report.stopped.spentUsd)}; ${report.stopped.notRun} of ${report.selected} selected turns not run`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function formatJson(report: ComparisonReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------
// HTML

const CSS = `
  :root { color-scheme: light; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a202c; margin: 2rem auto; max-width: 1400px; padding: 0 1rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.05rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #e2e8f0; padding-bottom: .25rem; }
  .muted { color: #718096; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #edf2f7; vertical-align: top; }
  th { color: #4a5568; font-weight: 600; font-size: .85rem; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .turn { border: 1px solid #e2e8f0; border-radius: 8px; padding: .75rem 1rem; margin: 1rem 0; }
  .guest { background: #f7fafc; border-left: 3px solid #a0aec0; padding: .4rem .6rem; white-space: pre-wrap; }
  .columns { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: .75rem; margin-top: .75rem; }
  .side { border: 1px solid #edf2f7; border-radius: 6px; padding: .5rem .6rem; }
  .side h3 { font-size: .95rem; margin: 0 0 .35rem; }
  .reply { white-space: pre-wrap; overflow-wrap: anywhere; margin: .4rem 0; }
  code { font-size: .8rem; background: #edf2f7; border-radius: 3px; padding: 0 .2rem; overflow-wrap: anywhere; }
  ul.tools { margin: .2rem 0; padding-left: 1.1rem; }
  .check { display: inline-block; font-size: .75rem; border-radius: 3px; padding: 0 .3rem; margin: 0 .2rem .2rem 0; }
  .pass { background: #c6f6d5; color: #22543d; }
  .fail { background: #fed7d7; color: #822727; }
  .stopped { background: #fefcbf; border: 1px solid #d69e2e; padding: .5rem .75rem; border-radius: 6px; }
  .metrics { color: #4a5568; font-size: .8rem; }
`;

function toolsHtml(tools: readonly { name: string; arguments: string; mode?: string }[]): string {
  if (tools.length === 0) return '<p class="muted">no tools</p>';
  return `<ul class="tools">${tools
    .map((t) => `<li><code>${escapeHtml(t.name)}</code> <code>${escapeHtml(clip(t.arguments, 400))}</code>${t.mode ? ` <span class="muted">${escapeHtml(t.mode)}</span>` : ''}</li>`)
    .join('')}</ul>`;
}

function checksHtml(run: SideRun): string {
  return CHECK_NAMES.map((name) => {
    const value = run.checks[name];
    if (value === null) return '';
    return `<span class="check ${value ? 'pass' : 'fail'}" data-check="${escapeHtml(name)}">${escapeHtml(CHECK_LABELS[name])}</span>`;
  }).join('');
}

function sideHtml(title: string, run: SideRun): string {
  const outcome = run.outcome === 'failed' ? `<p class="check fail">failed: ${escapeHtml(run.errorClass ?? '')}</p>` : '';
  return `<div class="side" data-side="${escapeHtml(title)}"><h3>${escapeHtml(title)}</h3>${outcome}${toolsHtml(run.tools)}` +
    `<div class="reply">${run.reply.trim() === '' ? '<span class="muted">(no reply)</span>' : escapeHtml(run.reply)}</div>` +
    `<div>${checksHtml(run)}</div>` +
    `<p class="metrics">${escapeHtml(`${ms(run.latencyMs)} · ${run.modelCalls} model calls · ${int(run.usage.inputTokens)} in (${int(run.usage.cachedTokens)} cached) / ${int(run.usage.outputTokens)} out · ${usd(run.costUsd)}`)}</p></div>`;
}

function turnHtml(t: TurnComparison, labels: { a: string; b: string }): string {
  const original =
    `<div class="side" data-side="original"><h3>${escapeHtml(`Original (${t.original.model}, ${t.original.status})`)}</h3>${toolsHtml(t.original.tools)}` +
    `<div class="reply">${t.original.reply.trim() === '' ? '<span class="muted">(no reply)</span>' : escapeHtml(t.original.reply)}</div></div>`;
  return `<section class="turn" id="turn-${t.turnId}" data-turn="${t.turnId}">` +
    `<p class="muted">${escapeHtml(`#${t.turnId} · ${t.conversation} · ${t.channel} · ${t.startedAt} · history ${t.historyItems} items, ${int(t.historyTokens)} tokens`)}</p>` +
    `<div class="guest">${escapeHtml(t.guestText)}</div>` +
    `<div class="columns">${original}${sideHtml(`A: ${labels.a}`, t.a)}${sideHtml(`B: ${labels.b}`, t.b)}</div></section>`;
}

function totalsRow(t: SideTotals): string {
  const cells = [
    t.label,
    t.config,
    `${t.answered}/${t.turns}`,
    `${t.passed}/${t.turns}`,
    String(t.toolCalls),
    ms(t.latencyMs.p50),
    `${int(t.usage.inputTokens)} / ${int(t.usage.outputTokens)}`,
    usd(t.costUsd),
  ];
  return `<tr>${cells.map((c, i) => `<td${i >= 2 ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
}

export function formatHtml(report: ComparisonReport): string {
  const { a, b } = report.sides;
  const stopped = report.stopped
    ? `<p class="stopped" data-stopped="true">${escapeHtml(`Stopped: ${report.stopped.reason}; spent ${usd(report.stopped.spentUsd)}; ${report.stopped.notRun} of ${report.selected} selected turns not run.`)}</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(`watibot3 comparison · ${a.label} vs ${b.label}`)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(`Comparison: ${a.label} vs ${b.label}`)}</h1>
<p class="muted">${escapeHtml(`${report.turns.length} of ${report.selected} selected turns replayed · generated ${report.generatedAt} · tools in dry-run mode: side effects not executed`)}</p>
${stopped}
<h2>Totals</h2>
<table><thead><tr><th>side</th><th>configuration</th><th>answered</th><th>checks passed</th><th>tool calls</th><th>latency p50</th><th>tokens in / out</th><th>cost</th></tr></thead>
<tbody>${totalsRow(a)}${totalsRow(b)}</tbody></table>
<h2>Turns</h2>
${report.turns.map((t) => turnHtml(t, { a: a.label, b: b.label })).join('\n')}
</body>
</html>
`;
}
