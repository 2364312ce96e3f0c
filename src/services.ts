// Everything the service does, without HTTP: the database (migrated in one explicit step), stores,
// channels, handoff, jobs, media, the agent, the turn scheduler and the job worker. The Fastify app
// (app.ts) is a thin layer over these; a CLI can build them too. Each resource registers its own close
// as it is created, and close() runs them in reverse order.
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_RESOURCES_DIR } from './core/resources.js';
import type { Agent } from './agent/types.js';
import { TurnScheduler } from './buffer/scheduler.js';
import { createTurnRunner } from './buffer/turn-runner.js';
import { Intake } from './buffer/intake.js';
import { DEFAULT_SEND_RETRY, type RetryPolicy } from './channels/retry.js';
import type { ChannelClientOptions } from './channels/http.js';
import { systemClock, type Clock } from './core/clock.js';
import { ConfigError, webhookPasskeyWarning, type Config } from './config.js';
import { PathError, ensureDirectory } from './core/file-paths.js';
import { parseConversationId, useLogMaskKey } from './core/conversation-id.js';
import type { Handoff } from './handoff/handoff.js';
import { createMissedMessagesBlock } from './handoff/missed-messages.js';
import type { JobQueue } from './jobs/types.js';
import type { JobWorker } from './jobs/worker.js';
import { createMonitor } from './monitoring/monitor.js';
import type { StaffAlert, StaffAlerts } from './staff/staff-alerts.js';
import { Closers } from './composition/closers.js';
import { compose } from './composition/root.js';
import { TOOL_DECLARATIONS, type ToolServices } from './tools/index.js';
import { createLogger } from './core/logger.js';
import type { MediaStore } from './media/media-store.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import type { ServiceMetrics } from './metrics/service-metrics.js';
import type { OfficeCalendar } from './office/schedule.js';
import type { Platforms } from './platforms/types.js';
import type { ReadinessReport } from './routes/health.js';
import type { BufferStore } from './store/buffer-store.js';
import type { ConversationHistoryRepository } from './store/conversation-history-repository.js';
import { MonitoringRepository } from './store/monitoring-repository.js';
import { LATEST_SCHEMA_VERSION, migrate, openDatabase, schemaVersion, type Db } from './store/database.js';
import { logMaskKey } from './store/installation.js';
import { acquireInstanceLock, LOCK_HEARTBEAT_MS } from './store/instance-lock.js';
import { startWalCheckpointer } from './store/wal-checkpointer.js';
import { MetricsRepository } from './store/metrics-repository.js';
import { SignInLimiter, type SignInLimits } from './routes/sign-in-limiter.js';
import type { HotelBackends } from './composition/hotel-backends.js';
import type { HotelToolDeps } from './tools/booking/hotel-tool-deps.js';
import { whyNotOffered } from './tools/declaration.js';
import { agentToolNeeds, originalToolsNotOffered, toolsNotOfferedReasons } from './tools/original-tools.js';

const PURGE_INTERVAL_MS = 10 * 60_000;
/** Jobs that ran are kept a week for the admin API; failed ones stay until staff deal with them. */
const DONE_JOB_RETENTION_MS = 7 * 24 * 3600_000;
const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export interface AgentFactoryDeps {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  /** One adapter per messaging platform (WATI, ManyChat), found by a conversation's channel. */
  platforms: Platforms;
  /** Bot pause and handoff; given to the transfer_to_human_agent tool. */
  handoff: Handoff;
  /** Media received from guests (files under config.media.dir, rows in SQLite). */
  mediaStore: MediaStore;
  /** Office hours, closures and holidays; given to the check_office_status tool. */
  office: OfficeCalendar;
  /** The hotel's systems for the booking tools (each part present only when configured). */
  hotel: HotelToolDeps;
  /** Pictures and menus, e-mail and staff alerts, for their tools. */
  toolServices: ToolServices;
  /** Model and tool calls for GET /metrics. */
  metrics: ServiceMetrics;
}

export interface ServiceOverrides {
  /** The agent, or a factory for it; defaults to the OpenAI agent. */
  agent?: Agent | ((deps: AgentFactoryDeps) => Agent);
  clock?: Clock;
  /** A pino logger to use instead of one built from config.logLevel. */
  logger?: Logger;
  sendRetry?: RetryPolicy;
  /** Per-request timeouts of the channel sends (defaults: WATI 15 s text / 30 s files, ManyChat 30 s); tests shorten them. */
  channelTimeouts?: Pick<ChannelClientOptions, 'timeoutMs' | 'mediaTimeoutMs'> | undefined;
  /** How long close() waits for running turns and jobs before leaving them to the next start. */
  shutdownGraceMs?: number;
  /** How often the job worker looks for due jobs (default 1 s). */
  jobPollMs?: number;
  /** How often the alert monitor evaluates its checks (default 1 minute). */
  monitorIntervalMs?: number;
  /** How often the scheduler sweeps the database for pending conversations without a timer (default 5 s). */
  schedulerSweepMs?: number;
  /** Folder holding `pictures/` and the other shipped files (default: the project's `resources/`). */
  resourcesDir?: string | undefined;
  /** Failed admin sign-ins allowed per client (routes/sign-in-limiter.ts; tests only, the defaults are the policy). */
  signInLimits?: Partial<SignInLimits> | undefined;
}

export interface Services {
  config: Config;
  clock: Clock;
  log: Logger;
  /** The folder of shipped files (pictures/ is served publicly). */
  resourcesDir: string;
  db: Db;
  store: BufferStore;
  /** A conversation's batches and messages, read-only (admin API, missed-messages context). */
  history: ConversationHistoryRepository;
  /** Webhook deliveries in: durable, group-committed, wakes the scheduler. */
  intake: Intake;
  platforms: Platforms;
  handoff: Handoff;
  mediaStore: MediaStore;
  jobs: JobQueue;
  jobWorker: JobWorker;
  agent: Agent;
  scheduler: TurnScheduler;
  /** The hotel database, booking API and booking service (as configured). */
  hotel: HotelBackends;
  /** Staff alerts (WhatsApp to STAFF_WHATSAPP_NUMBERS, e-mail to STAFF_ALERT_EMAIL), as durable jobs. */
  staffAlerts: StaffAlerts;
  /** What GET /metrics exposes: this service's own prom-client registry and the recording methods. */
  metrics: Metrics;
  /** Failed admin sign-ins per client, shared by the dashboard and the admin API. */
  signIns: SignInLimiter;
  /** Enqueues the jobs of a staff alert now (outside a turn) and wakes the worker. */
  alertStaff(alert: StaffAlert): void;
  readiness(): ReadinessReport;
  /** Resumes what the last process left (interrupted turns, due jobs) and starts the timers. */
  start(): void;
  /** Stops turns and jobs (waiting for a grace period), then closes every resource in reverse order. */
  close(): Promise<void>;
}

/** The database CONVERSATION_DB_PATH names; a path that cannot hold it is a ConfigError naming the variable. */
function openConfiguredDatabase(path: string): Db {
  try {
    return openDatabase(path);
  } catch (err) {
    if (err instanceof PathError) throw new ConfigError([`CONVERSATION_DB_PATH: ${err.message}`]);
    throw err;
  }
}

/** Guests' media folder, made at start: an unusable MEDIA_DIR is said now, not at the first photo. */
function prepareMediaDirectory(dir: string): void {
  try {
    ensureDirectory(dir);
  } catch (err) {
    if (err instanceof PathError) throw new ConfigError([`MEDIA_DIR (or its default, media/ beside CONVERSATION_DB_PATH): ${err.message}`]);
    throw err;
  }
}

/**
 * Builds the services of the server (or of a tool that runs turns or jobs): it takes the single-process
 * lock on the database. Read-only tools use openReadonlyDatabase() instead.
 */
export async function createServices(config: Config, overrides: ServiceOverrides = {}): Promise<Services> {
  const clock = overrides.clock ?? systemClock;
  const log = overrides.logger ?? createLogger(config.logLevel);
  const graceMs = overrides.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  const resourcesDir = resolve(overrides.resourcesDir ?? DEFAULT_RESOURCES_DIR);
  const closers = new Closers(log);
  const closeAll = () => closers.closeAll();

  try {
    const db = openConfiguredDatabase(config.dbPath);
    closers.add('database', () => void db.close());
    migrate(db);

    const lock = acquireInstanceLock(db, clock.now());
    const heartbeat = setInterval(
      () =>
        guarded(log, 'instance lock heartbeat', () => {
          if (!lock.heartbeat(clock.now())) log.error('another process has taken over the database');
        }),
      LOCK_HEARTBEAT_MS,
    );
    heartbeat.unref();
    closers.add('instance lock', () => {
      clearInterval(heartbeat);
      lock.release();
    });
    // After the lock: a second process refused there never starts a checkpointer on another's database.
    // Closed before the database (closers run in reverse).
    const checkpointer = await startWalCheckpointer(db, config.dbPath, log);
    closers.add('WAL checkpoint worker', () => checkpointer.close());

    useLogMaskKey(logMaskKey(db));
    // Built before the components that record into it; the job kinds are read at scrape time (the worker comes later).
    const metrics = createMetrics({
      repository: new MetricsRepository(db),
      models: [config.llm.model, config.llm.canary.model, config.media.paymentProofModel, config.media.transcriptionModel],
      jobKinds: () => worker.kindNames,
      pauseMs: config.handoff.pauseMs,
      now: () => clock.now(),
      log,
    });
    prepareMediaDirectory(config.media.dir);
    const parts = compose({
      config,
      db,
      mode: { kind: 'serving', metrics, jobPollMs: overrides.jobPollMs },
      clock,
      log,
      resourcesDir,
      closers,
      channelTimeouts: overrides.channelTimeouts,
    });
    const { store, jobs, worker, history, platforms, handoff, mediaStore, office, hotel, toolServices, staffAlerts: alerts, menus, serviceNeeds, enqueueNow } = parts;
    const agent = await resolveAgent(overrides, { config, db, clock, log, platforms, handoff, mediaStore, office, hotel: hotel.tools, toolServices, metrics });

    const runTurn = createTurnRunner({
      store,
      agent,
      platforms,
      clock,
      log,
      fallbackReply: config.fallbackReply,
      sendRetry: overrides.sendRetry ?? DEFAULT_SEND_RETRY,
      handoff,
      missedMessagesBlock: createMissedMessagesBlock({ history, config, platforms, handoff, clock }),
      jobs,
      wakeJobs: () => worker.wake(),
      media: {
        resourcesDir,
        publicMediaBaseUrl: config.publicMediaBaseUrl,
        storedMediaPath: (conversationId, mediaId) => mediaStore.pathOf(conversationId, mediaId),
      },
      metrics,
    });
    const scheduler = new TurnScheduler({
      store,
      timing: config.buffer,
      clock,
      log,
      runTurn,
      canRun: (conversationId) =>
        agent.readiness().ready && platforms.disabledReason(parseConversationId(conversationId).channel) === undefined,
      ...(overrides.schedulerSweepMs !== undefined ? { sweepMs: overrides.schedulerSweepMs } : {}),
    });
    // Turns and jobs stop together, each given the grace period, before anything they use is closed.
    closers.add('turns and jobs', async () => void (await Promise.all([scheduler.close(graceMs), worker.close(graceMs)])));

    const intake = new Intake(
      store,
      clock,
      (conversationId, receivedAt, hasMedia) => scheduler.noteAccepted(conversationId, receivedAt, hasMedia),
      metrics,
      log,
    );

    // Housekeeping runs from timers: a failure is logged, never thrown out of a timer (that would end the process).
    const purgeExpired = () => {
      guarded(log, 'dedupe key purge', () => store.purgeExpiredDedupeKeys(clock.now()));
      guarded(log, 'finished jobs purge', () => jobs.purgeDone(clock.now() - DONE_JOB_RETENTION_MS));
      guarded(log, 'media retention purge', () => {
        const removed = mediaStore.purgeExpired(clock.now());
        if (removed > 0) log.info({ removed }, 'expired media removed');
      });
    };
    let purge: NodeJS.Timeout | undefined;
    closers.add('housekeeping', () => clearInterval(purge));

    // The alert monitor (ALERT_*, src/monitoring/): its timer starts with the others; it is stopped before the
    // job worker it enqueues staff alerts for.
    const monitor = createMonitor({
      config: config.monitoring,
      repository: new MonitoringRepository(db),
      alertStaff: (alert) => enqueueNow(alerts.jobsFor(alert)),
      clock,
      log,
      intervalMs: overrides.monitorIntervalMs,
    });
    closers.add('alert monitor', () => monitor.stop());

    // The original's tools the model is not offered, each group with the exact variables missing: warnings among
    // /ready's reasons (the service still answers) and one line of the start log.
    // The hotel's reasons come from its own readiness (its tools' needs against what it built); the others from
    // every registered tool's needs against what the agent offers.
    const toolsNotOffered = (): string[] => {
      const offered = agent.offeredTools?.();
      const others = whyNotOffered(TOOL_DECLARATIONS, new Set(offered ?? []), { ...agentToolNeeds(config.llm), ...serviceNeeds });
      return toolsNotOfferedReasons(originalToolsNotOffered(offered, [...hotel.readiness().whyNotOffered, ...others]));
    };

    const readiness = (): ReadinessReport => {
      const reasons: string[] = [];
      const version = db.open ? schemaVersion(db) : -1;
      if (!db.open) reasons.push('database is not open');
      else if (version !== LATEST_SCHEMA_VERSION) reasons.push(`database schema is at ${version}, expected ${LATEST_SCHEMA_VERSION}`);
      if (!config.webhookPasskey) reasons.push('WEBHOOK_PASSKEY is not set');
      const agentState = agent.readiness();
      reasons.push(...agentState.reasons);
      // Messages for a channel that cannot send wait silently in the buffer, so every disabled channel is a
      // reason staff should see; the service is ready only if at least one channel can answer.
      const allChannels = platforms.channels;
      const disabled = allChannels.flatMap((c) => {
        const why = platforms.disabledReason(c);
        return why ? [why] : [];
      });
      if (disabled.length === allChannels.length) reasons.push('no channel can send replies: configure WATI or ManyChat');
      const ready = reasons.length === 0;
      reasons.push(...disabled, ...(agentState.warnings ?? []), ...toolsNotOffered());
      return {
        ready,
        reasons,
        checks: {
          database: db.open && version === LATEST_SCHEMA_VERSION,
          webhookPasskey: Boolean(config.webhookPasskey),
          agent: agentState.ready,
          ...(agentState.instructions ? { instructions: agentState.instructions } : {}),
          channels: Object.fromEntries(allChannels.map((c) => [c, platforms.disabledReason(c) ?? 'enabled'])),
          activeTurns: scheduler.activeTurns,
          activeJobs: worker.activeJobs,
          hotel: hotel.readiness(),
        },
      };
    };

    let started = false;
    return {
      config,
      clock,
      log,
      resourcesDir,
      db,
      store,
      history,
      intake,
      platforms,
      handoff,
      mediaStore,
      jobs,
      jobWorker: worker,
      agent,
      scheduler,
      hotel,
      staffAlerts: alerts,
      metrics,
      signIns: new SignInLimiter(overrides.signInLimits),
      alertStaff: (alert) => enqueueNow(alerts.jobsFor(alert)),
      readiness,
      start() {
        if (started) return;
        started = true;
        // Said once, at start: what the hotel's .env sets that is not read here, and which tools are not offered.
        if (config.originalVariablesNotRead.length > 0) {
          log.warn(
            { notRead: Object.fromEntries(config.originalVariablesNotRead.map((v) => [v.name, v.replacement])) },
            'variables of the original service are not read by this one',
          );
        }
        const passkeyWarning = webhookPasskeyWarning(config);
        if (passkeyWarning) log.warn({ variable: 'WEBHOOK_PASSKEY' }, passkeyWarning);
        const notOffered = toolsNotOffered();
        if (notOffered.length > 0) log.warn({ notOffered }, 'tools of the original service are not offered');
        // Says now which menus can be sent (the PDF text is extracted by the first request); never throws.
        void menus.preload();
        purgeExpired();
        purge = setInterval(purgeExpired, PURGE_INTERVAL_MS);
        purge.unref();
        const released = store.releaseInterruptedBatches(clock.now());
        if (released > 0) log.warn({ batches: released }, 'batches interrupted by the last shutdown will be answered again');
        // Before turns and jobs run: a booking left in flight is reconciled, never posted again.
        guarded(log, 'booking recovery', () => hotel.recover());
        scheduler.start();
        worker.start();
        monitor.start();
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function guarded(log: Logger, what: string, run: () => void): void {
  try {
    run();
  } catch (err) {
    log.warn({ err }, `${what} failed`);
  }
}

async function resolveAgent(overrides: ServiceOverrides, deps: AgentFactoryDeps): Promise<Agent> {
  if (typeof overrides.agent === 'function') return overrides.agent(deps);
  if (overrides.agent) return overrides.agent;
  const { createOpenAiAgent } = await import('./agent/openai-agent.js');
  return createOpenAiAgent(deps);
}
