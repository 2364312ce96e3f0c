// The staff dashboard at /admin/ (only registered when ADMIN_TOKEN is set): server-rendered pages in Spanish
// over src/dashboard/. Signing in with the admin token gives a session cookie (src/dashboard/session-store.ts);
// every POST must come from our own pages (Origin / Referer) or gets 403. Pausing, resuming and retrying go
// through the same services as the JSON admin API (routes/admin.ts).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { loggableConversationId } from '../core/conversation-id.js';
import { ConversationRefs } from '../dashboard/conversation-ref.js';
import { DashboardData } from '../dashboard/dashboard-data.js';
import { SessionStore } from '../dashboard/session-store.js';
import {
  PAGE_HEADERS,
  SESSION_COOKIE,
  clearedSessionCookie,
  cookieValue,
  isSameOrigin,
  reachedOverHttps,
  sessionCookie,
} from '../dashboard/security.js';
import { STYLESHEET } from '../dashboard/styles.js';
import * as views from '../dashboard/views.js';
import type { SafeHtml } from '../dashboard/html.js';
import type { Handoff } from '../handoff/handoff.js';
import type { JobQueue } from '../jobs/types.js';
import type { ConversationHistoryRepository } from '../store/conversation-history-repository.js';
import type { Db } from '../store/database.js';
import { DashboardRepository } from '../store/dashboard-repository.js';
import { logMaskKey } from '../store/installation.js';
import { passkeyMatches } from './webhook-auth.js';
import { maskedClient, type SignInLimiter } from './sign-in-limiter.js';

export interface AdminDashboardOptions {
  token: string;
  timezone: string;
  db: Db;
  handoff: Handoff;
  history: ConversationHistoryRepository;
  jobs: JobQueue;
  clock: Clock;
  /** A job was made due: run it now rather than at the next poll. */
  wakeJobs: () => void;
  /** Wrong tokens per client: too many and sign-in is refused for a while (shared with the admin API). */
  signIns: SignInLimiter;
}

const LOGIN_PATH = '/admin/entrar';
const PUBLIC_ROUTES = new Set([LOGIN_PATH, views.STYLESHEET_PATH, '/admin']);

const loginBody = z.object({ token: z.string().max(4096).optional() });
// Longer than any query (search.ts MAX_QUERY_LENGTH says so to staff); anything else is no search.
const searchBody = z.object({ q: z.string().max(4096).optional() });
const refParams = z.object({ ref: z.string().max(400) });
const jobParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const noticeQuery = z.object({ hecho: z.string().optional() }).catch({});

const CONVERSATION_NOTICES: Record<string, string> = { pausado: 'Bot pausado en esta conversación.', reanudado: 'Bot reanudado: volverá a responder al cliente.', 'sin-pausa': 'El bot no estaba en pausa.' };
const JOB_NOTICES: Record<string, string> = { reintentado: 'Trabajo reintentado: se ejecutará en breve.', 'no-reintentable': 'Ese trabajo ya no está fallido; no se reintentó.' };

const noticeOf = (notices: Record<string, string>, key: string | undefined) =>
  key !== undefined && Object.hasOwn(notices, key) ? notices[key] : undefined;

/** The pause before answering a wrong token. */
const WRONG_TOKEN_DELAY_MS = 400;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const adminDashboardRoutes: FastifyPluginAsync<AdminDashboardOptions> = async (app, opts) => {
  const { handoff, clock, timezone } = opts;
  const sessions = new SessionStore();
  const refs = new ConversationRefs(logMaskKey(opts.db));
  const data = new DashboardData({ repo: new DashboardRepository(opts.db), handoff, history: opts.history, jobs: opts.jobs, clock, timezone });
  const ctx = () => ({ now: clock.now(), timezone, refFor: (id: string) => refs.refFor(id) });

  const page = (reply: FastifyReply, body: SafeHtml, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').send(body.value);
  const seeOther = (reply: FastifyReply, location: string) => reply.code(303).header('location', location).send();
  const sessionOf = (request: FastifyRequest) => cookieValue(request.headers.cookie, SESSION_COOKIE);

  app.addHook('onSend', async (_request, reply) => {
    reply.headers(PAGE_HEADERS);
  });

  // POSTs from elsewhere are refused before anything else; pages need a session, else the login form.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'POST' && !isSameOrigin(request.headers)) {
      request.log.warn({ origin: request.headers.origin ?? null, hasReferer: request.headers.referer !== undefined }, 'dashboard: POST from another origin refused');
      return page(reply, views.messagePage('Solicitud rechazada', 'La solicitud no viene de este panel (origen distinto).', false), 403);
    }
    if (PUBLIC_ROUTES.has(request.routeOptions.url ?? '')) return;
    if (!sessions.isValid(sessionOf(request), clock.now())) return seeOther(reply, LOGIN_PATH);
  });

  app.setErrorHandler((error, request, reply) => {
    request.log.error({ err: error }, 'dashboard: request failed');
    return page(reply, views.messagePage('Error', 'Algo salió mal al preparar esta página. Vuelva a intentarlo.', true), 500);
  });

  app.get('/admin', async (_request, reply) => seeOther(reply, '/admin/'));

  app.get(views.STYLESHEET_PATH, async (_request, reply) => reply.type('text/css; charset=utf-8').send(STYLESHEET));

  app.get(LOGIN_PATH, async (request, reply) => {
    if (sessions.isValid(sessionOf(request), clock.now())) return seeOther(reply, '/admin/');
    return page(reply, views.loginPage());
  });

  app.post(LOGIN_PATH, async (request, reply) => {
    const { signIns } = opts;
    // Only signing in is refused to a locked-out client: sessions already open keep working (behind the
    // proxy every client has the proxy's address).
    const verdict = signIns.check(request.ip, clock.now());
    if (!verdict.allowed) {
      const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      return page(
        reply,
        views.messagePage('Demasiados intentos', `Demasiados intentos con un token incorrecto desde esta dirección. Vuelva a intentarlo en ${minutes} ${minutes === 1 ? 'minuto' : 'minutos'}.`, false),
        429,
      );
    }
    const parsed = loginBody.safeParse(request.body ?? {});
    const provided = parsed.success ? (parsed.data.token ?? '').trim() : '';
    if (provided === '' || !passkeyMatches(provided, opts.token)) {
      // Counted before the pause, so guesses sent at once are counted at once. An empty form is no guess.
      if (provided !== '' && signIns.fail(request.ip, clock.now()).lockedOut) {
        request.log.warn({ client: maskedClient(request.ip), failures: signIns.limits.maxFailures, lockoutSeconds: signIns.limits.lockoutMs / 1000 }, 'dashboard: too many wrong tokens; client locked out');
      }
      // Guessing is slowed down; the answer says nothing about how close a guess was.
      await sleep(WRONG_TOKEN_DELAY_MS);
      request.log.warn('dashboard: sign-in with a wrong token');
      // 200, not 401: a form shown again with its error (401 would need a WWW-Authenticate scheme we do not use).
      return page(reply, views.loginPage(provided === '' ? 'Escriba el token de administración.' : 'Token incorrecto.'));
    }
    signIns.succeed(request.ip);
    const now = clock.now();
    const session = sessions.create(now);
    request.log.info('dashboard: signed in');
    reply.header('set-cookie', sessionCookie(session.id, Math.floor((session.expiresAt - now) / 1000), reachedOverHttps(request.headers, request.protocol)));
    return seeOther(reply, '/admin/');
  });

  app.post('/admin/salir', async (request, reply) => {
    sessions.delete(sessionOf(request));
    reply.header('set-cookie', clearedSessionCookie(reachedOverHttps(request.headers, request.protocol)));
    return seeOther(reply, LOGIN_PATH);
  });

  app.get('/admin/', async (_request, reply) => page(reply, views.attentionPage(data.needingAPerson(), ctx())));

  const conversationOf = (request: FastifyRequest): string | undefined => {
    const params = refParams.safeParse(request.params);
    if (!params.success) return undefined;
    const id = refs.conversationIdOf(params.data.ref);
    return id !== undefined && data.isKnown(id) ? id : undefined;
  };
  const notFound = (reply: FastifyReply) =>
    page(reply, views.messagePage('Conversación no encontrada', 'Este enlace no corresponde a ninguna conversación.', true), 404);

  app.get('/admin/conversacion/:ref', async (request, reply) => {
    const id = conversationOf(request);
    if (id === undefined) return notFound(reply);
    const { hecho } = noticeQuery.parse(request.query);
    return page(reply, views.conversationPage(data.conversation(id), ctx(), noticeOf(CONVERSATION_NOTICES, hecho)));
  });

  app.post('/admin/conversacion/:ref/pausar', async (request, reply) => {
    const id = conversationOf(request);
    if (id === undefined) return notFound(reply);
    handoff.pause(id, 'admin');
    request.log.info({ conversationId: loggableConversationId(id) }, 'dashboard: bot paused');
    return seeOther(reply, `/admin/conversacion/${refs.refFor(id)}?hecho=pausado`);
  });

  app.post('/admin/conversacion/:ref/reanudar', async (request, reply) => {
    const id = conversationOf(request);
    if (id === undefined) return notFound(reply);
    const was = handoff.pauses.resume(id, 'admin', clock.now());
    request.log.info({ conversationId: loggableConversationId(id), wasPaused: was }, 'dashboard: bot resumed');
    return seeOther(reply, `/admin/conversacion/${refs.refFor(id)}?hecho=${was ? 'reanudado' : 'sin-pausa'}`);
  });

  app.get(views.SEARCH_PATH, async (_request, reply) => page(reply, views.searchPage(undefined, ctx())));

  // A POST, so the number typed is in no address; it is never logged.
  app.post(views.SEARCH_PATH, async (request, reply) => {
    const parsed = searchBody.safeParse(request.body ?? {});
    const outcome = data.search(parsed.success ? (parsed.data.q ?? '') : '');
    if (outcome.query.kind === 'invalid') return page(reply, views.searchPage(outcome, ctx()), 400);
    request.log.info({ kind: outcome.query.kind, results: outcome.hits.length + outcome.more }, 'dashboard: conversation search');
    return page(reply, views.searchPage(outcome, ctx()));
  });

  app.get('/admin/hoy', async (_request, reply) => page(reply, views.todayPage(data.days(), ctx())));

  app.get('/admin/trabajos', async (request, reply) => {
    const { hecho } = noticeQuery.parse(request.query);
    return page(reply, views.jobsPage(data.failedJobs(), ctx(), noticeOf(JOB_NOTICES, hecho)));
  });

  app.post('/admin/trabajos/:id/reintentar', async (request, reply) => {
    const params = jobParams.safeParse(request.params);
    const job = params.success ? opts.jobs.get(params.data.id) : undefined;
    if (!params.success || !job) {
      return page(reply, views.messagePage('Trabajo no encontrado', 'Ese trabajo no existe.', true), 404);
    }
    const retried = opts.jobs.retry(job.id, clock.now());
    if (retried) {
      opts.wakeJobs();
      request.log.info({ jobId: job.id, job: job.kind }, 'dashboard: job retried');
    }
    return seeOther(reply, `/admin/trabajos?hecho=${retried ? 'reintentado' : 'no-reintentable'}`);
  });
};
