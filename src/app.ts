// The application as a Fastify instance built from options, so tests can build it with fake upstreams.
// Resources (database, migrations) are opened before the app is ready; the scheduler starts on ready and
// stops before the database closes.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Agent } from './agent/types.js';
import { TurnScheduler } from './buffer/scheduler.js';
import { createTurnRunner } from './buffer/turn-runner.js';
import { Intake } from './buffer/intake.js';
import { createChannelClients, type ChannelClients } from './channels/index.js';
import { DEFAULT_SEND_RETRY, type RetryPolicy } from './channels/retry.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { parseConversationId, useLogMaskKey, type Channel } from './conversation-id.js';
import { HttpError } from './errors.js';
import { quoteUnsafeIntegers } from './ingest/json-text.js';
import { loggerOptions } from './logger.js';
import { healthRoutes, type ReadinessReport } from './routes/health.js';
import { picturesRoutes } from './routes/pictures.js';
import { webhookRoutes } from './routes/webhooks.js';
import { adminRoutes } from './routes/admin.js';
import { createManychatLiveChat } from './channels/manychat-live-chat.js';
import { createWatiTickets } from './channels/wati-tickets.js';
import { createHandoffJobKinds, handoffJobKindList } from './handoff/handoff-jobs.js';
import { JobWorker } from './jobs/worker.js';
import { SqliteJobQueue } from './store/jobs-repository.js';
import { Handoff } from './handoff/handoff.js';
import { createTurnContext } from './handoff/missed-messages.js';
import { PauseStore } from './handoff/pause-store.js';
import { BufferStore } from './store/buffer-store.js';
import { logMaskKey } from './store/installation.js';
import { MediaStore } from './media/media-store.js';
import { LATEST_SCHEMA_VERSION, openDatabase, type Db } from './store/database.js';
import { acquireInstanceLock, LOCK_HEARTBEAT_MS, type InstanceLock } from './store/instance-lock.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BODY_LIMIT_BYTES = 1024 * 1024;
const PURGE_INTERVAL_MS = 10 * 60_000;
/** Jobs that ran are kept a week for the admin API; failed ones stay until staff deal with them. */
const DONE_JOB_RETENTION_MS = 7 * 24 * 3600_000;

export interface AgentFactoryDeps {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  channels: ChannelClients;
  /** Bot pause and handoff; given to the transfer_to_human_agent tool. */
  handoff: Handoff;
  /** Media received from guests (files under config.media.dir, rows in SQLite). */
  mediaStore: MediaStore;
}

export interface AppOptions {
  config: Config;
  /** The agent, or a factory for it; defaults to the OpenAI agent. */
  agent?: Agent | ((deps: AgentFactoryDeps) => Agent);
  clock?: Clock;
  /** A pino logger to use instead of one built from config.logLevel. */
  logger?: Logger;
  /** Folder holding `pictures/` (default: the project's `resources/`). */
  resourcesDir?: string;
  sendRetry?: RetryPolicy;
  /** How long close() waits for running turns before leaving them to the next start. */
  shutdownGraceMs?: number;
  /** How often the job worker looks for due jobs (default 1 s). */
  jobPollMs?: number;
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

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: loggerOptions(config.logLevel) }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Behind a reverse proxy the hotel's nginx terminates TLS; we never trust forwarded IPs for anything.
    trustProxy: false,
  }) as unknown as FastifyInstance;
  const log = app.log as unknown as Logger;

  registerBodyParsers(app);
  registerErrorHandlers(app);

  const db = openDatabase(config.dbPath);
  let lock: InstanceLock;
  try {
    lock = acquireInstanceLock(db, clock.now());
  } catch (err) {
    db.close();
    throw err;
  }
  const heartbeat = setInterval(
    () =>
      guarded(log, 'instance lock heartbeat', () => {
        if (!lock.heartbeat(clock.now())) log.error('another process has taken over the database');
      }),
    LOCK_HEARTBEAT_MS,
  );
  heartbeat.unref();
  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    lock.release();
    db.close();
  });
  useLogMaskKey(logMaskKey(db));
  const store = new BufferStore(db);
  const channels = createChannelClients(config);
  const watiTickets = createWatiTickets(config.wati);
  const jobs = new SqliteJobQueue(db);
  const handoffJobKinds = createHandoffJobKinds({ wati: watiTickets, manychat: createManychatLiveChat(config.manychat) });
  const jobWorker = new JobWorker({ queue: jobs, kinds: handoffJobKindList(handoffJobKinds), clock, log, ...(options.jobPollMs ? { pollMs: options.jobPollMs } : {}) });
  const handoff = new Handoff({
    config,
    pauses: new PauseStore(db, config.handoff.pauseMs),
    jobs,
    jobKinds: handoffJobKinds,
    clock,
    log,
  });
  const mediaStore = new MediaStore(db, config.media.dir, config.media.retentionMs);
  const agent = await resolveAgent(options, { config, db, clock, log, channels, handoff, mediaStore });

  const runTurn = createTurnRunner({
    store,
    agent,
    channels,
    clock,
    log,
    fallbackReply: config.fallbackReply,
    sendRetry: options.sendRetry ?? DEFAULT_SEND_RETRY,
    handoff,
    turnContext: createTurnContext({ db, config, wati: watiTickets, handoff, clock }),
    wakeJobs: () => jobWorker.wake(),
  });
  const scheduler = new TurnScheduler({
    store,
    timing: config.buffer,
    clock,
    log,
    runTurn,
    canRun: (conversationId) =>
      agent.readiness().ready && channels.disabledReason(parseConversationId(conversationId).channel) === undefined,
  });

  // Housekeeping runs from timers: a failure is logged, never thrown out of a timer (that would end the process).
  const purgeExpired = () => {
    guarded(log, 'dedupe key purge', () => store.purgeExpiredDedupeKeys(clock.now()));
    guarded(log, 'finished jobs purge', () => jobs.purgeDone(clock.now() - DONE_JOB_RETENTION_MS));
    guarded(log, 'media retention purge', () => {
      const removed = mediaStore.purgeExpired(clock.now());
      if (removed > 0) log.info({ removed }, 'expired media removed');
    });
  };
  const purge = setInterval(purgeExpired, PURGE_INTERVAL_MS);
  purge.unref();
  app.addHook('onReady', async () => {
    purgeExpired();
    const released = store.releaseInterruptedBatches(clock.now());
    if (released > 0) log.warn({ batches: released }, 'batches interrupted by the last shutdown will be answered again');
    scheduler.start();
    jobWorker.start();
  });
  // onClose hooks run in reverse registration order: turns and jobs stop before the database closes.
  app.addHook('onClose', async () => {
    clearInterval(purge);
    await Promise.all([scheduler.close(options.shutdownGraceMs ?? 10_000), jobWorker.close(options.shutdownGraceMs ?? 10_000)]);
  });

  const intake = new Intake(store, clock, (conversationId, receivedAt, hasMedia) =>
    scheduler.noteAccepted(conversationId, receivedAt, hasMedia),
  );

  const readiness = (): ReadinessReport => {
    const reasons: string[] = [];
    const version = db.open ? (db.pragma('user_version', { simple: true }) as number) : -1;
    if (!db.open) reasons.push('database is not open');
    else if (version !== LATEST_SCHEMA_VERSION) reasons.push(`database schema is at ${version}, expected ${LATEST_SCHEMA_VERSION}`);
    if (!config.webhookPasskey) reasons.push('WEBHOOK_PASSKEY is not set');
    const agentState = agent.readiness();
    reasons.push(...agentState.reasons);
    // Messages for a channel that cannot send wait silently in the buffer, so every disabled channel is a
    // reason staff should see; the service is ready only if at least one channel can answer.
    const allChannels: Channel[] = ['whatsapp', 'facebook', 'instagram'];
    const disabled = allChannels.flatMap((c) => {
      const why = channels.disabledReason(c);
      return why ? [why] : [];
    });
    if (disabled.length === allChannels.length) reasons.push('no channel can send replies: configure WATI or ManyChat');
    const ready = reasons.length === 0;
    reasons.push(...disabled);
    const channelState = Object.fromEntries(allChannels.map((c) => [c, channels.disabledReason(c) ?? 'enabled']));
    return {
      ready,
      reasons,
      checks: { database: db.open && version === LATEST_SCHEMA_VERSION, webhookPasskey: Boolean(config.webhookPasskey), agent: agentState.ready, channels: channelState, activeTurns: scheduler.activeTurns, activeJobs: jobWorker.activeJobs },
    };
  };

  await app.register(healthRoutes, { version: SERVICE_VERSION, readiness });
  await app.register(webhookRoutes, {
    passkey: config.webhookPasskey,
    accept: (messages) => intake.accept(messages),
    onOutgoing: (event) => handoff.recordOutgoing(event),
    onGuestOperator: (conversationId, operatorName) => handoff.noteGuestOperator(conversationId, operatorName),
  });
  // Never open: without ADMIN_TOKEN the admin routes do not exist (404).
  if (config.adminToken) {
    await app.register(adminRoutes, { token: config.adminToken, handoff, db, clock, jobs, wakeJobs: () => jobWorker.wake() });
  }
  await app.register(picturesRoutes, { picturesDir: join(options.resourcesDir ?? join(PROJECT_ROOT, 'resources'), 'pictures') });
  return app;
}

function guarded(log: Logger, what: string, run: () => void): void {
  try {
    run();
  } catch (err) {
    log.warn({ err }, `${what} failed`);
  }
}

async function resolveAgent(options: AppOptions, deps: AgentFactoryDeps): Promise<Agent> {
  if (typeof options.agent === 'function') return options.agent(deps);
  if (options.agent) return options.agent;
  const { createOpenAiAgent } = await import('./agent/openai-agent.js');
  return createOpenAiAgent(deps);
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
