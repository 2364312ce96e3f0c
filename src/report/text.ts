// The report as a plain-text table for a terminal. Stored strings (error classes, model names, guest names)
// have their control characters replaced, so a guest's name cannot move the cursor or recolour the terminal.
import type { Report } from './build.js';
import { cents, costOf, counts, integer, localDateTime, percent, previousService, seconds, unpriced, usd } from './format.js';

// C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** A stored string made safe to print on a terminal. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, '?');
}

/** Left-aligned columns (right-aligned where `right` says), two spaces apart. */
function table(rows: string[][], right: readonly number[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const fill = ' '.repeat((widths[i] ?? 0) - [...cell].length);
        return right.includes(i) ? fill + cell : cell + fill;
      })
      .join('  ')
      .trimEnd(),
  );
}

export function formatText(report: Report): string {
  const tz = report.period.timezone;
  const { turns, cost } = report;
  const lines: string[] = [];
  lines.push(`Informe de watibot3 · ${localDateTime(report.period.since, tz)} → ${localDateTime(report.period.until, tz)} (${terminalSafe(tz)})`);
  lines.push('');
  lines.push(
    ...table([
      ['Conversaciones', integer(report.conversations.active), `nuevas ${integer(report.conversations.new)}${previousService(report)}`],
      [
        'Turnos',
        integer(turns.total),
        `entregados ${turns.delivered} · fallidos ${turns.failed} · no entregados ${turns.undelivered} · en curso ${turns.inProgress}`,
      ],
      ['Respuestas', integer(report.replies.delivered), `turnos con respuesta entregada · ${integer(report.replies.parts)} mensajes enviados`],
      ['Fallos', integer(report.failures.total), 'fallidos y no entregados'],
      ['Traspasos a personal', integer(report.handoffs.total), `pausas: ${terminalSafe(counts(report.handoffs.byReason))}`],
      ['Reservas hechas', integer(report.bookings.booked), `${cents(report.bookings.amountCents)} · intentos: ${terminalSafe(counts(stateCounts(report.bookings.byState)))}`],
      ['Seguimientos de pago', integer(report.followUps.total), `${terminalSafe(counts(report.followUps.byState))} · trabajos: ${terminalSafe(counts(report.followUps.jobs))}`],
      ['Tiempo de respuesta', `p50 ${seconds(report.replyTime.p50Ms)}`, `p95 ${seconds(report.replyTime.p95Ms)} · ${report.replyTime.samples} respuestas`],
    ], [1]),
  );

  lines.push('', 'Fallos por clase');
  if (report.failures.byClass.length === 0) lines.push('  —');
  else lines.push(...indent(table(report.failures.byClass.map((f) => [terminalSafe(f.status), terminalSafe(f.errorClass ?? '(sin clase)'), integer(f.count)]), [2])));

  const t = report.tokens;
  lines.push('', 'Tokens');
  lines.push(
    ...indent(
      table(
        [
          ['llamadas al modelo', integer(t.calls), t.failedCalls > 0 ? `${t.failedCalls} con error` : ''],
          ['entrada', integer(t.input), ''],
          ['  en caché', integer(t.cached), `proporción en caché ${percent(report.cachedShare)}`],
          ['  sin caché', integer(t.uncached), ''],
          ['salida', integer(t.output), ''],
          ['  razonamiento', integer(t.reasoning), 'incluidos en la salida'],
        ],
        [1],
      ),
    ),
  );

  lines.push('', 'Costo');
  const per = cost.perConversation;
  lines.push(
    ...indent(
      table(
        [
          ['total', usd(cost.totalUsd), unpriced(cost.unpricedCalls)],
          ['por conversación', per.averageUsd === null ? '—' : usd(per.averageUsd), `promedio de ${per.conversations} conversaciones`],
        ],
        [1],
      ),
    ),
  );
  lines.push('  Por modelo');
  if (cost.byModel.length === 0) lines.push('    —');
  else {
    lines.push(
      ...indent(
        table(
          [['modelo', 'turnos', 'llamadas', 'costo', ''], ...cost.byModel.map((m) => [terminalSafe(m.model), integer(m.turns), integer(m.calls), costOf(m.costUsd, m.unpricedCalls), unpriced(m.unpricedCalls)])],
          [1, 2, 3],
        ),
        4,
      ),
    );
  }
  lines.push('  Por configuración (LLM_CANARY_*)');
  if (report.byConfig.length === 0) lines.push('    —');
  else {
    lines.push(
      ...indent(
        table(
          [
            ['configuración', 'modelos', 'turnos', 'fallidos', 'llamadas', 'costo', ''],
            ...report.byConfig.map((c) => [
              terminalSafe(c.config),
              terminalSafe(c.models.join(', ') || '—'),
              integer(c.turns),
              integer(c.failedTurns),
              integer(c.calls),
              costOf(c.costUsd, c.unpricedCalls),
              unpriced(c.unpricedCalls),
            ]),
          ],
          [2, 3, 4, 5],
        ),
        4,
      ),
    );
  }
  lines.push(`  Las ${per.top.length} conversaciones más caras`);
  if (per.top.length === 0) lines.push('    —');
  else {
    lines.push(
      ...indent(
        table(
          [
            ['conversación', 'huésped', 'turnos', 'costo', ''],
            ...per.top.map((c) => [terminalSafe(c.conversation), terminalSafe(c.guestName ?? '—'), integer(c.turns), costOf(c.costUsd, c.unpricedCalls), unpriced(c.unpricedCalls)]),
          ],
          [2, 3],
        ),
        4,
      ),
    );
  }

  lines.push('', 'Por día');
  lines.push(
    ...indent(
      table(
        [['fecha', 'turnos', 'fallos', 'costo', ''], ...report.daily.map((d) => [d.date, integer(d.turns), integer(d.failures), costOf(d.costUsd, d.unpricedCalls), unpriced(d.unpricedCalls)])],
        [1, 2, 3],
      ),
    ),
  );
  return `${lines.join('\n')}\n`;
}

function stateCounts(rows: { state: string; count: number }[]): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [r.state, r.count]));
}

function indent(lines: string[], spaces = 2): string[] {
  return lines.map((l) => ' '.repeat(spaces) + l);
}
