// The HTTP app: a thin Fastify layer over the services (services.ts). Routes only validate, call a service
// and answer; the services' start and close follow the app's ready and close.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { HttpError } from './core/errors.js';
import { quoteUnsafeIntegers } from './ingest/json-text.js';
import { adminRoutes } from './routes/admin.js';
import { adminDashboardRoutes } from './routes/admin-dashboard.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { picturesRoutes } from './routes/pictures.js';
import { webhookRoutes } from './routes/webhooks.js';
import { createServices, type ServiceOverrides, type Services } from './services.js';
import type { Config } from './config.js';
import { createLogger } from './core/logger.js';
import { WEBHOOK_ROUTES } from './metrics/metrics.js';
import { PROJECT_ROOT } from './core/resources.js';

export type { AgentFactoryDeps } from './services.js';

const BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppOptions extends ServiceOverrides {
  config: Config;
}

export const SERVICE_VERSION = readVersion();

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

const WEBHOOK_ROUTE_SET: ReadonlySet<string> = new Set(WEBHOOK_ROUTES);

/**
 * Fastify's "incoming request" and "request completed" lines, except for the webhooks: each webhook logs one
 * line of its own (message buffered, duplicate, ignored; a refusal is logged by the error handler), and the
 * two request lines per delivery were most of the log volume and a good part of its CPU under load.
 */
class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (isWebhook(request)) return;
    super.incomingRequest(request, reply, metadata);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    // A reply that failed while being written is still logged.
    if (!error && isWebhook(request)) return;
    super.requestCompleted(error, request, reply, metadata);
  }
}

function isWebhook(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route !== undefined && WEBHOOK_ROUTE_SET.has(route);
}

/** Builds the services and the app over them; closing the app closes the services. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, ...overrides } = options;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const services = await createServices(config, { ...overrides, logger });
  try {
    return await buildHttpApp(services);
  } catch (err) {
    await services.close();
    throw err;
  }
}

/** The Fastify app over services built elsewhere. */
export async function buildHttpApp(services: Services): Promise<FastifyInstance> {
  const { config, handoff, intake, jobs, jobWorker, clock, history } = services;
  const app = Fastify({
    loggerInstance: services.log,
    logController: new RequestLogController(),
    bodyLimit: BODY_LIMIT_BYTES,
    // Behind a reverse proxy the hotel's nginx terminates TLS; we never trust forwarded IPs for anything.
    trustProxy: false,
    // On close, keep-alive connections (nginx keeps them for a minute) must not hold the shutdown open.
    // Cutting one is safe: a webhook is answered only after its commit, and a cut one is re-delivered.
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;
  registerBodyParsers(app);
  registerErrorHandlers(app);
  app.addHook('onReady', async () => services.start());
  app.addHook('onClose', async () => services.close());

  await app.register(healthRoutes, { version: SERVICE_VERSION, readiness: () => services.readiness() });
  await app.register(webhookRoutes, {
    inbounds: services.platforms.all.map((platform) => platform.inbound),
    passkey: config.webhookPasskey,
    accept: (messages) => intake.accept(messages),
    onOutgoing: (event) => handoff.recordOutgoing(event),
    onGuestOperator: (conversationId, operatorName) => handoff.noteGuestOperator(conversationId, operatorName),
    notGuests: new Set(config.staff.whatsappNumbers),
    metrics: services.metrics,
  });
  // Loopback only unless METRICS_PUBLIC=true; the bearer token when METRICS_TOKEN is set.
  await app.register(metricsRoutes, { metrics: services.metrics, token: config.metrics.token, public: config.metrics.public });
  // Never open: without ADMIN_TOKEN the admin routes do not exist (404).
  if (config.adminToken) {
    await app.register(adminRoutes, { token: config.adminToken, handoff, history, clock, jobs, wakeJobs: () => jobWorker.wake(), cancelJob: (id) => jobWorker.cancel(id), ledgerSync: services.hotel.ledgerSync, signIns: services.signIns });
    await app.register(adminDashboardRoutes, { token: config.adminToken, timezone: config.timezone, db: services.db, handoff, history, clock, jobs, wakeJobs: () => jobWorker.wake(), signIns: services.signIns });
  }
  await app.register(picturesRoutes, { picturesDir: join(services.resourcesDir, 'pictures') });
  return app;
}

function registerBodyParsers(app: FastifyInstance): void {
  // Fastify's own JSON parser (prototype-poisoning checks included), after quoting integers too large for a
  // double, so ManyChat's numeric subscriber ids keep every digit.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
    parseJson(req, quoteUnsafeIntegers(body as string), done),
  );
  // WATI flows and ManyChat post JSON; the original also accepted form bodies, so keep doing so.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Some senders label JSON as text/plain.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (req, body, done) =>
    parseJson(req, quoteUnsafeIntegers(body as string), done),
  );
}

const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; error: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, error: 'BAD_REQUEST', message: 'Body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'BAD_REQUEST', message: 'Body is empty' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'PAYLOAD_TOO_LARGE', message: 'Body is larger than 1 MiB' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    error: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Unsupported content type: send application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'BAD_REQUEST', message: 'Content-Length does not match the body' },
};

function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      if (error.statusCode >= 500) request.log.error({ code: error.code }, error.message);
      else request.log.warn({ code: error.code, status: error.statusCode }, error.message);
      return reply
        .code(error.statusCode)
        .send({ error: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) });
    }
    const known = FASTIFY_CLIENT_ERRORS[error.code];
    if (known) {
      request.log.warn({ code: error.code }, known.message);
      return reply.code(known.status).send({ error: known.error, message: known.message });
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: 'BAD_REQUEST', message: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: 'INTERNAL', message: 'Internal Server Error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'NOT_FOUND', message: `Route ${request.method} ${request.url.split('?')[0]} not found` }),
  );
}
