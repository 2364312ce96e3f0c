// The composition root: the one function that builds what the server, the chat console and the comparison
// share — platforms, the job queue, handoff, guest media, the office calendar, the hotel's backends and the
// tools' services — from one configuration, so all three offer the same tools built the same way.
// What differs is the mode:
//   - serving:    jobs are stored (SQLite) and run by the job worker; the hotel's notices reach the guest as
//                 guest-notice jobs; e-mail and staff WhatsApp send for real;
//   - console:    jobs are held in memory (inside the console's transaction) to be printed, never stored or
//                 run; nothing is sent;
//   - comparison: on the read-only database; jobs are held and counted, nothing is sent, the handover state
//                 is never consulted; the tools are built here for the dry run (compare/dry-run-tools.ts).
// Each resource registers its own close on `closers` as it is created (closers.ts).
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { bookingCallBudgetMs } from '../agent/booking-budget.js';
import { openInstructionSources } from '../agent/instruction-sources.js';
import { createOpenAiClient } from '../agent/openai-client.js';
import { parseConversationId, type ConversationRef } from '../core/conversation-id.js';
import { createGuestNoticeJobKind, guestNotice } from '../platforms/guest-notice.js';
import type { ChannelClientOptions } from '../channels/http.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config.js';
import { createMailer, MailError, type Mailer } from '../email/mailer.js';
import { Handoff } from '../handoff/handoff.js';
import { PauseStore } from '../handoff/pause-store.js';
import { guestNotifiers, type GuestMessenger } from '../hotel/guest-notices.js';
import { createHotelBackends, type HotelBackends } from './hotel-backends.js';
import { HeldJobQueue } from '../jobs/held-job-queue.js';
import type { JobKind, JobQueue, NewJob } from '../jobs/types.js';
import { JobWorker } from '../jobs/worker.js';
import type { MenuDocuments } from '../media/menu-documents.js';
import { MediaStore } from '../media/media-store.js';
import type { Metrics } from '../metrics/metrics.js';
import type { OfficeCalendar } from '../office/schedule.js';
import { createPlatforms } from '../platforms/index.js';
import type { Platforms } from '../platforms/types.js';
import { createWatiTemplateSender } from '../platforms/wati/templates.js';
import { emailFailedAlert } from '../staff/email-failed-alert.js';
import type { StaffAlerts, StaffWhatsApp } from '../staff/staff-alerts.js';
import { BufferStore } from '../store/buffer-store.js';
import { ConversationHistoryRepository } from '../store/conversation-history-repository.js';
import { ConversationStore } from '../store/conversation-store.js';
import type { Db } from '../store/database.js';
import { SqliteJobQueue } from '../store/jobs-repository.js';
import { PauseRepository } from '../store/pause-repository.js';
import type { NeedsReport } from '../tools/declaration.js';
import { createTools, type ToolDefinition, type ToolServices } from '../tools/index.js';
import type { Closers } from './closers.js';
import { assembleToolServices, createConfiguredOffice } from './tool-services.js';

export type CompositionMode =
  | { kind: 'serving'; metrics: Metrics; jobPollMs?: number | undefined }
  | { kind: 'console' }
  | { kind: 'comparison' };

export interface CompositionDeps<M extends CompositionMode> {
  config: Config;
  db: Db;
  mode: M;
  clock: Clock;
  log: Logger;
  /** The folder of shipped files (pictures/, menus). */
  resourcesDir: string;
  closers: Closers;
  /** Per-request timeouts of the channel sends (defaults: WATI 15 s text / 30 s files, ManyChat 30 s); tests shorten them. */
  channelTimeouts?: Pick<ChannelClientOptions, 'timeoutMs' | 'mediaTimeoutMs'> | undefined;
}

/** What every mode builds. */
export interface ComposedParts {
  platforms: Platforms;
  history: ConversationHistoryRepository;
  pauses: PauseStore;
  handoff: Handoff;
  mediaStore: MediaStore;
  /** Office hours, closures and holidays (with the PBX's closure rules when configured). */
  office: OfficeCalendar;
  hotel: HotelBackends;
  toolServices: ToolServices;
  staffAlerts: StaffAlerts;
  menus: MenuDocuments;
  /** The e-mail and staff-alert needs that are not met (tools/declaration.ts). */
  serviceNeeds: NeedsReport;
}

export interface ServingParts extends ComposedParts {
  store: BufferStore;
  jobs: SqliteJobQueue;
  /** Runs the jobs; every kind is registered (platform steps, guest notices, the hotel's, e-mail, staff alerts). */
  worker: JobWorker;
  /** Enqueues jobs now (outside a turn) and wakes the worker. */
  enqueueNow(jobs: readonly NewJob[]): void;
}

export interface HeldParts extends ComposedParts {
  /** What the hotel's services and the tools enqueue, held in memory. */
  jobs: HeldJobQueue;
}

export interface ComparisonParts extends HeldParts {
  /** The server's tool definitions, as the agent would be offered them. */
  tools: ToolDefinition[];
}

export type Composition<M extends CompositionMode> = M extends { kind: 'serving' }
  ? ServingParts
  : M extends { kind: 'comparison' }
    ? ComparisonParts
    : HeldParts;

export function compose<M extends CompositionMode>(deps: CompositionDeps<M>): Composition<M> {
  // The cast is the conditional type's: each branch builds exactly its mode's parts.
  return (deps.mode.kind === 'serving' ? composeServing({ ...deps, mode: deps.mode }) : composeHeld(deps, deps.mode)) as Composition<M>;
}

/** The parts before the jobs' consumers: the same in every mode but for the queue. */
function composeBase<M extends CompositionMode>(deps: CompositionDeps<M>, jobs: JobQueue) {
  const { config, db, clock, log, closers } = deps;
  const platforms = createPlatforms(config, deps.channelTimeouts ?? {});
  const history = new ConversationHistoryRepository(db);
  const pauses = new PauseStore(new PauseRepository(db), config.handoff.pauseMs, history);
  // Parsed once here (config validated the syntax): the tool, the booking gate and the handover notice read the
  // same calendar, with the phone system's closure rules when configured (read at most once a minute).
  const { office, close: closeOffice } = createConfiguredOffice(config, log);
  closers.add('PBX connection', closeOffice);
  const handoff = new Handoff({ config, office, pauses, jobs, platforms, clock, log });
  const mediaStore = new MediaStore(db, config.media.dir, config.media.retentionMs);
  return { platforms, history, pauses, office, handoff, mediaStore };
}

function hotelBackends(
  deps: CompositionDeps<CompositionMode>,
  parts: { jobs: JobQueue; office: OfficeCalendar },
  wiring: Pick<Parameters<typeof createHotelBackends>[0], 'wakeJobs' | 'notifier' | 'followUpNotifier' | 'isHandedOff' | 'metrics'>,
): HotelBackends {
  const { config, closers } = deps;
  const hotel = createHotelBackends({
    config: config.hotel,
    portals: config.portals,
    dataDir: dirname(resolve(config.dbPath)),
    timezone: config.timezone,
    db: deps.db,
    jobs: parts.jobs,
    office: parts.office,
    clock: deps.clock,
    log: deps.log,
    ...wiring,
  });
  closers.add('hotel backends', () => hotel.close());
  return hotel;
}

function composeServing(deps: CompositionDeps<Extract<CompositionMode, { kind: 'serving' }>>): ServingParts {
  const { config, db, clock, log, closers, mode } = deps;
  const { metrics } = mode;
  const store = new BufferStore(db);
  const jobs = new SqliteJobQueue(db);
  const base = composeBase(deps, jobs);
  const { platforms, history, handoff, pauses } = base;

  // Texts for the guest outside a turn (a booking confirmed late, or handed to staff), as durable jobs.
  const handToStaff = (ref: ConversationRef, stepLog: Logger) => {
    handoff.pause(ref.conversationId, 'handoff');
    handoff.enqueueHandoffSteps(ref, stepLog);
  };
  const guestNoticeKind = createGuestNoticeJobKind({
    platforms,
    store,
    history,
    transcript: new ConversationStore(db),
    llm: { model: config.llm.model, api: config.llm.api },
    // The pause and the platform steps together, or neither.
    toStaff: (ref, stepLog) => db.transaction(() => handToStaff(ref, stepLog))(),
    now: () => clock.now(),
  });
  // Built before the services that enqueue jobs (they wake it); their kinds are registered as they are built.
  const worker = new JobWorker({
    queue: jobs,
    kinds: [...platforms.jobKinds, guestNoticeKind as JobKind<unknown>],
    clock,
    log,
    ...(mode.jobPollMs ? { pollMs: mode.jobPollMs } : {}),
    metrics,
  });
  const enqueueNow = (jobsToAdd: readonly NewJob[]) => {
    if (jobsToAdd.length === 0) return;
    jobs.atomically(() => jobsToAdd.forEach((job) => jobs.enqueue(job, clock.now())));
    worker.wake();
  };

  // Both run inside the transaction that records what happened, so the message goes with it or not at all.
  const guest: GuestMessenger = {
    tellGuest: (conversationId, text) => void jobs.enqueue(guestNotice(guestNoticeKind, conversationId, text), clock.now()),
    toStaff: (conversationId, text) => {
      handToStaff(parseConversationId(conversationId), log);
      guest.tellGuest(conversationId, text);
    },
  };
  const hotel = hotelBackends(deps, { jobs, office: base.office }, {
    wakeJobs: () => worker.wake(),
    ...guestNotifiers(guest),
    isHandedOff: (conversationId) => handoff.isPaused(conversationId),
    metrics,
  });
  // A conversation handed to a person (any pause: handover, operator, assignment) stops its payment
  // follow-ups in the pause's own transaction, not when the next check would have run.
  const followUps = hotel.tools.followUps;
  if (followUps) pauses.onPause((conversationId) => void followUps.cancelFor(conversationId));

  // E-mail: a durable job per mail. The kind is registered even without a transport, so mails queued
  // before the transport was removed fail visibly instead of as an unknown kind.
  const mailer: Mailer = config.email.transport ? createMailer(config.email) : unconfiguredMailer;
  closers.add('mailer', () => mailer.close());
  const watiTemplates = createWatiTemplateSender(config.wati);
  const watiClient = platforms.forChannel('whatsapp').client;
  const services = assembleToolServices({
    config,
    resourcesDir: deps.resourcesDir,
    history,
    email: {
      mailer,
      // A mail that finally failed is told to staff (never about a staff alert's own copy: no loop).
      onFinalFailure: (mail, errorClass, jobLog) => {
        if (mail.purpose === 'staff_alert') return;
        jobLog.error({ errorClass }, 'e-mail not delivered; alerting staff');
        enqueueNow(services.staffAlerts.jobsFor(emailFailedAlert(mail, errorClass)));
      },
    },
    staffWhatsApp:
      platforms.disabledReason('whatsapp') === undefined
        ? {
            sendText: (waId, text) => watiClient.sendText('whatsapp', waId, text),
            sendTemplate: (waId, message, signal) => watiTemplates.sendTemplate(waId, message, signal),
          }
        : undefined,
    clock,
    log,
  });
  worker.register(...hotel.jobKinds, services.emailKind as JobKind<unknown>, ...services.staffAlerts.jobKinds);
  return {
    ...base,
    hotel,
    toolServices: services.toolServices,
    staffAlerts: services.staffAlerts,
    menus: services.menus,
    serviceNeeds: services.needs,
    store,
    jobs,
    worker,
    enqueueNow,
  };
}

function composeHeld(deps: CompositionDeps<CompositionMode>, mode: Exclude<CompositionMode, { kind: 'serving' }>): HeldParts | ComparisonParts {
  const { config, db, clock, log } = deps;
  const comparison = mode.kind === 'comparison';
  // The console's writes are its own conversation's: what the hotel's services enqueue goes with them or not at all.
  const jobs = comparison ? new HeldJobQueue() : new HeldJobQueue((fn) => db.transaction(fn)());
  const base = composeBase(deps, jobs);
  // The notifiers are only called by job kinds, which never run here: each just logs that it was not run.
  const notRun = (what: string) => () => log.warn({ what }, 'jobs are not run here');
  const hotel = hotelBackends(deps, { jobs, office: base.office }, {
    wakeJobs: () => undefined,
    notifier: { confirmed: notRun('booking notice'), needsStaff: notRun('booking to staff') },
    followUpNotifier: { confirmed: notRun('follow-up notice'), askTransferType: notRun('follow-up question'), escalate: notRun('follow-up escalation') },
    isHandedOff: comparison ? () => false : (conversationId) => base.handoff.isPaused(conversationId),
  });
  const neverSent = () => Promise.reject(new MailError('rejected', comparison ? 'a comparison sends nothing' : 'the chat console sends nothing', false));
  const staffWhatsApp: StaffWhatsApp | undefined =
    base.platforms.disabledReason('whatsapp') === undefined ? { sendText: neverSent, sendTemplate: neverSent } : undefined;
  const services = assembleToolServices({
    config,
    resourcesDir: deps.resourcesDir,
    history: base.history,
    email: { mailer: { send: neverSent } },
    staffWhatsApp,
    clock,
    log,
  });
  const parts: HeldParts = {
    ...base,
    hotel,
    toolServices: services.toolServices,
    staffAlerts: services.staffAlerts,
    menus: services.menus,
    serviceNeeds: services.needs,
    jobs,
  };
  return comparison ? { ...parts, tools: comparisonTools(config, parts, log) } : parts;
}

/**
 * The tools as the server offers them, for the comparison: the server's instructions' modules (the JSON file's
 * own, or the folder's; a side with its own instructions file gets load_additional_modules over that file
 * instead, runner.ts), and analyze_payment_proof offered as the server offers it (with a key) but never executed.
 */
function comparisonTools(config: Config, parts: HeldParts, log: Logger): ToolDefinition[] {
  const { modules: instructionModules, startWarnings } = openInstructionSources(config.llm);
  for (const problem of startWarnings) log.warn({ problem }, 'system instructions problem');
  const paymentProof = config.llm.apiKey
    ? { client: createOpenAiClient({ apiKey: config.llm.apiKey, baseUrl: config.llm.baseUrl }), store: parts.mediaStore, config }
    : undefined;
  return createTools({
    office: parts.office,
    paymentProof,
    hotel: parts.hotel.tools,
    bookingTimeoutMs: bookingCallBudgetMs(config),
    instructionModules,
    ...parts.toolServices,
  });
}

/** Without SMTP_URL or Gmail: a queued mail fails for good, visibly, instead of waiting for a transport. */
const unconfiguredMailer: Mailer = {
  send: () => Promise.reject(new MailError('rejected', 'no e-mail transport is configured (SMTP_URL or GMAIL_*)', false)),
  close: () => Promise.resolve(),
};
