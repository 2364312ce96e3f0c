// The dashboard's pages, in Spanish, as HTML built with the `html` tag (every value escaped). No script
// anywhere: forms post, links navigate, the chart is SVG. A guest appears only by name and masked number.
import { loggableConversationId, type Channel } from '../core/conversation-id.js';
import type { JobRecord } from '../jobs/types.js';
import type { PauseReason } from '../store/pause-repository.js';
import { barChart } from './chart.js';
import type { AttentionReason, AttentionRow, ConversationView, DayNumbers, SearchOutcome, TranscriptMessage } from './dashboard-data.js';
import { html, type HtmlValue, type SafeHtml } from './html.js';
import { MAX_QUERY_LENGTH } from './search.js';
import { formatAgo, formatDateTime } from './zoned-days.js';

export const STYLESHEET_PATH = '/admin/estilo.css';
export const SEARCH_PATH = '/admin/buscar';

export type Section = 'attention' | 'search' | 'today' | 'jobs';

export interface PageContext {
  now: number;
  timezone: string;
  /** The conversation's reference in the dashboard's addresses (never its id: that is the phone number). */
  refFor: (conversationId: string) => string;
}

const CHANNELS: Record<Channel, string> = { whatsapp: 'WhatsApp', facebook: 'Messenger', instagram: 'Instagram' };

const PAUSE_REASONS: Record<PauseReason, string> = {
  handoff: 'el asistente la transfirió a una persona',
  operator: 'un agente le escribió al cliente',
  assigned: 'asignada a un agente en WATI',
  admin: 'pausada por el personal',
};

/** A guest as staff may see them: the channel and the masked id (`wa:…4568:1f0c9a2e`), never the number. */
export function maskedId(conversationId: string): string {
  return loggableConversationId(conversationId);
}

export function layout(opts: { title: string; section?: Section; body: HtmlValue; signedIn: boolean }): SafeHtml {
  const item = (section: Section, href: string, label: string) =>
    html`<a href="${href}"${opts.section === section ? html` aria-current="page"` : ''}>${label}</a>`;
  // The search posts its query: a number typed there must not end up in an address (history, proxy logs).
  const nav = opts.signedIn
    ? html`<nav>${item('attention', '/admin/', 'Necesitan a una persona')}${item('search', SEARCH_PATH, 'Buscar')}${item('today', '/admin/hoy', 'Hoy')}${item('jobs', '/admin/trabajos', 'Trabajos fallidos')}
        <form method="post" action="${SEARCH_PATH}" class="quick-search" role="search"><input name="q" type="search" maxlength="${MAX_QUERY_LENGTH}" placeholder="Número o nombre" aria-label="Buscar una conversación por número o nombre" autocomplete="off"><button type="submit">Buscar</button></form>
        <form method="post" action="/admin/salir" class="logout"><button type="submit">Cerrar sesión</button></form></nav>`
    : '';
  return html`<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${opts.title} · watibot3</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<header><span class="brand">watibot3 · personal</span>${nav}</header>
<main>
<h1>${opts.title}</h1>
${opts.body}
</main>
</body>
</html>
`;
}

export function loginPage(error?: string): SafeHtml {
  return layout({
    title: 'Iniciar sesión',
    signedIn: false,
    body: html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/admin/entrar" class="login">
  <label for="token">Token de administración</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
  <button type="submit">Entrar</button>
</form>
<p class="hint">El token es el valor de <code>ADMIN_TOKEN</code> en la configuración del servidor.</p>`,
  });
}

function reasonText(r: AttentionReason): SafeHtml {
  switch (r.kind) {
    case 'paused':
      return html`Bot en pausa: ${r.pauseReason ? PAUSE_REASONS[r.pauseReason] : 'sin motivo registrado'}${r.operatorName ? html` (${r.operatorName})` : ''}`;
    case 'failed':
      return html`El último turno falló${r.errorClass ? html` (<code>${r.errorClass}</code>)` : ''}; el cliente recibió la respuesta de respaldo`;
    case 'undelivered':
      return html`La última respuesta no se pudo entregar${r.errorClass ? html` (<code>${r.errorClass}</code>)` : ''}`;
    case 'escalated':
      return html`Seguimiento de pago escalado al personal`;
  }
}

const when = (at: number, ctx: PageContext) => html`<time datetime="${new Date(at).toISOString()}">${formatDateTime(at, ctx.timezone)}</time> <span class="ago">${formatAgo(at, ctx.now)}</span>`;

function guestCell(name: string | undefined): SafeHtml {
  return name ? html`${name}` : html`<span class="muted">sin nombre</span>`;
}

export function attentionPage(rows: readonly AttentionRow[], ctx: PageContext): SafeHtml {
  const body = rows.length === 0
    ? html`<p class="empty">Ninguna conversación necesita a una persona ahora.</p>`
    : html`<table class="attention">
<thead><tr><th>Cliente</th><th>Canal</th><th>Número</th><th>Por qué</th><th>Desde</th><th></th></tr></thead>
<tbody>
${rows.map(
  (r) => html`<tr>
<td>${guestCell(r.guestName)}</td>
<td>${CHANNELS[r.channel]}</td>
<td><code class="masked">${maskedId(r.conversationId)}</code></td>
<td><ul class="reasons">${r.reasons.map((x) => html`<li class="reason-${x.kind}">${reasonText(x)}</li>`)}</ul></td>
<td>${when(r.since, ctx)}</td>
<td><a class="open" href="/admin/conversacion/${ctx.refFor(r.conversationId)}">Abrir conversación</a></td>
</tr>`,
)}
</tbody>
</table>`;
  return layout({
    title: 'Conversaciones que necesitan a una persona',
    section: 'attention',
    signedIn: true,
    body: html`<p class="lead">En pausa, con el último turno fallido, con una respuesta sin entregar o con un seguimiento de pago escalado (estos dos, de los últimos 7 días).</p>${body}`,
  });
}

const ROLE_LABELS: Record<TranscriptMessage['role'], string> = { guest: 'Cliente', assistant: 'Asistente', staff: 'Personal' };
const IMPORTED_LABELS: Record<NonNullable<TranscriptMessage['imported']>, string> = {
  history: 'importado del servicio anterior',
  pending: 'importado del servicio anterior · sin responder al cambio',
};

function transcriptMessage(m: TranscriptMessage, ctx: PageContext): SafeHtml {
  const imported = m.imported ? html` <span class="tag imported">${IMPORTED_LABELS[m.imported]}</span>` : '';
  return html`<li class="msg ${m.role}${m.imported ? ' imported' : ''}"><div class="meta"><span class="who">${ROLE_LABELS[m.role]}${m.role === 'staff' && m.author ? html` · ${m.author}` : ''}</span> <time datetime="${new Date(m.at).toISOString()}">${formatDateTime(m.at, ctx.timezone)}</time>${imported}</div><div class="text">${m.text}</div></li>`;
}

export function conversationPage(view: ConversationView, ctx: PageContext, notice?: string): SafeHtml {
  const ref = ctx.refFor(view.conversationId);
  const pause = view.pause;
  const state = view.paused && pause
    ? html`<p class="state paused" id="estado">Bot en pausa desde ${when(pause.pausedAt ?? ctx.now, ctx)}${pause.reason ? html` — ${PAUSE_REASONS[pause.reason]}` : ''}${pause.operatorName ? html` (${pause.operatorName})` : ''}.${pause.until !== null ? html` Se reanuda solo el ${formatDateTime(pause.until, ctx.timezone)}.` : ''}</p>`
    : html`<p class="state active" id="estado">El bot responde en esta conversación.${pause?.resumedAt ? html` Última reanudación: ${formatDateTime(pause.resumedAt, ctx.timezone)}.` : ''}</p>`;
  const hasImported = view.messages.some((m) => m.imported !== undefined);
  const transcript = view.messages.length === 0
    ? html`<p class="empty">Todavía no hay mensajes.</p>`
    : html`${view.truncated ? html`<p class="hint">Se muestran los ${view.messages.length} mensajes más recientes.</p>` : ''}${hasImported ? html`<p class="hint">Los mensajes marcados <span class="tag imported">importado del servicio anterior</span> vienen del servicio anterior (su historial y los mensajes que dejó sin responder al cambio). La hora de un mensaje del historial es la de su intercambio.</p>` : ''}<ol class="transcript">${view.messages.map((m) => transcriptMessage(m, ctx))}</ol>`;
  return layout({
    title: view.guestName ? `Conversación con ${view.guestName}` : 'Conversación',
    section: 'attention',
    signedIn: true,
    body: html`<p class="who-line">${CHANNELS[view.channel]} · <code class="masked">${maskedId(view.conversationId)}</code></p>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
${state}
<div class="actions">
<form method="post" action="/admin/conversacion/${ref}/pausar"><button type="submit" name="accion" value="pausar"${view.paused ? html` disabled` : ''}>Pausar</button></form>
<form method="post" action="/admin/conversacion/${ref}/reanudar"><button type="submit" name="accion" value="reanudar"${view.paused ? '' : html` disabled`}>Reanudar</button></form>
</div>
<h2>Mensajes</h2>
${transcript}`,
  });
}

/** The search form and, after a search, its results (or what to type instead). */
export function searchPage(outcome: SearchOutcome | undefined, ctx: PageContext): SafeHtml {
  // A name typed is shown again; a number is not (pages never hold a full number): only its last digits.
  const typed = outcome?.query.kind === 'name' ? outcome.query.text : '';
  const form = html`<form method="post" action="${SEARCH_PATH}" class="search-form" role="search">
<label for="q">Número de teléfono (completo o sus últimos dígitos) o nombre del cliente</label>
<div class="search-row"><input id="q" name="q" type="search" maxlength="${MAX_QUERY_LENGTH}" value="${typed}" autocomplete="off" autofocus required><button type="submit">Buscar</button></div>
</form>
<p class="hint">Busca en todas las conversaciones, también las importadas del servicio anterior. El número no queda en la dirección de la página y se muestra enmascarado, como en el resto del panel.</p>`;
  let results: HtmlValue = '';
  if (outcome?.query.kind === 'invalid') {
    results = html`<p class="error" role="alert">${outcome.query.error}</p>`;
  } else if (outcome) {
    const { query, hits, more } = outcome;
    const heading = query.kind === 'number' ? html`Conversaciones cuyo número termina en <code>…${query.digits.slice(-4)}</code>` : html`Conversaciones con «${query.text}» en el nombre`;
    const table = hits.length === 0
      ? html`<p class="empty">Ninguna conversación coincide.</p>`
      : html`<table class="results">
<thead><tr><th>Cliente</th><th>Canal</th><th>Número</th><th>Última actividad</th><th></th></tr></thead>
<tbody>
${hits.map(
  (r) => html`<tr>
<td>${guestCell(r.guestName)}${r.alsoKnownAs ? html` <span class="muted">(también «${r.alsoKnownAs}»)</span>` : ''}${r.imported ? html` <span class="tag imported">del servicio anterior</span>` : ''}</td>
<td>${CHANNELS[r.channel]}</td>
<td><code class="masked">${maskedId(r.conversationId)}</code></td>
<td>${r.lastActivityAt !== undefined ? when(r.lastActivityAt, ctx) : html`<span class="muted">—</span>`}</td>
<td><a class="open" href="/admin/conversacion/${ctx.refFor(r.conversationId)}">Abrir conversación</a></td>
</tr>`,
)}
</tbody>
</table>`;
    results = html`<h2>${heading}</h2>${table}${more > 0 ? html`<p class="hint">Hay ${more} más; precise la búsqueda.</p>` : ''}`;
  }
  return layout({ title: 'Buscar una conversación', section: 'search', signedIn: true, body: html`${form}${results}` });
}

export function todayPage(days: readonly DayNumbers[], ctx: PageContext): SafeHtml {
  const today = days[days.length - 1] ?? { conversations: 0, turns: 0, replies: 0, failures: 0, handoffs: 0 };
  const figure = (label: string, value: number, cls: string) => html`<div class="figure ${cls}"><span class="value">${value}</span><span class="label">${label}</span></div>`;
  const chart = barChart({
    title: `Turnos y fallos por día, últimos ${days.length} días`,
    labels: days.map((d) => d.label),
    series: [
      { name: 'Turnos', color: '#0969da', values: days.map((d) => d.turns) },
      { name: 'Fallos', color: '#cf222e', values: days.map((d) => d.failures) },
      { name: 'Pausas', color: '#9a6700', values: days.map((d) => d.handoffs) },
    ],
  });
  return layout({
    title: 'Hoy',
    section: 'today',
    signedIn: true,
    body: html`<p class="lead">${formatDateTime(ctx.now, ctx.timezone)} (${ctx.timezone}).</p>
<div class="figures">
${figure('conversaciones', today.conversations, 'conversations')}
${figure('turnos', today.turns, 'turns')}
${figure('respuestas entregadas', today.replies, 'replies')}
${figure('fallos', today.failures, 'failures')}
${figure('pausas (traspasos a una persona)', today.handoffs, 'handoffs')}
</div>
<h2>Últimos ${days.length} días</h2>
${chart}
<table class="days">
<thead><tr><th>Día</th><th>Conversaciones</th><th>Turnos</th><th>Respuestas</th><th>Fallos</th><th>Pausas</th></tr></thead>
<tbody>${days.map((d) => html`<tr><td>${d.label}</td><td>${d.conversations}</td><td>${d.turns}</td><td>${d.replies}</td><td>${d.failures}</td><td>${d.handoffs}</td></tr>`)}</tbody>
</table>
<p class="hint">Fallos: turnos en que el asistente falló (se envió la respuesta de respaldo) o cuya respuesta no se pudo entregar. Pausas: conversaciones cuyo bot se pausó ese día.</p>`,
  });
}

export function jobsPage(jobs: readonly JobRecord[], ctx: PageContext, notice?: string): SafeHtml {
  const body = jobs.length === 0
    ? html`<p class="empty">No hay trabajos fallidos.</p>`
    : html`<table class="jobs">
<thead><tr><th>#</th><th>Tipo</th><th>Conversación</th><th>Intentos</th><th>Último error</th><th>Falló</th><th></th></tr></thead>
<tbody>${jobs.map(
        (j) => html`<tr>
<td>${j.id}</td><td><code>${j.kind}</code></td>
<td>${j.conversationId ? html`<a href="/admin/conversacion/${ctx.refFor(j.conversationId)}"><code class="masked">${maskedId(j.conversationId)}</code></a>` : html`<span class="muted">—</span>`}</td>
<td>${j.attempts} / ${j.maxAttempts}</td><td>${j.lastErrorClass ? html`<code>${j.lastErrorClass}</code>` : ''}</td>
<td>${when(j.updatedAt, ctx)}</td>
<td><form method="post" action="/admin/trabajos/${j.id}/reintentar"><button type="submit">Reintentar</button></form></td>
</tr>`,
      )}</tbody>
</table>`;
  return layout({
    title: 'Trabajos fallidos',
    section: 'jobs',
    signedIn: true,
    body: html`<p class="lead">Pasos que se agotaron sus reintentos (WATI, ManyChat, avisos, seguimientos de pago). Reintentar les da una nueva serie de intentos.</p>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
${body}`,
  });
}

export function messagePage(title: string, text: string, signedIn: boolean): SafeHtml {
  return layout({ title, signedIn, body: html`<p>${text}</p><p><a href="/admin/">Volver al inicio</a></p>` });
}
