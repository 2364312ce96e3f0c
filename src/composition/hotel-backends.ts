// The hotel's systems as the service uses them, built from config.hotel: the MySQL database (rates,
// ledgers, reservations), the booking API (availability, bookings), the booking service over both, its
// durable jobs, and what /ready says about them. A backend that is not configured is simply absent: the
// tools that need it are not offered (tools/booking/index.ts), and their declared needs name its variables.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { JobQueue, JobKind } from '../jobs/types.js';
import type { OfficeCalendar } from '../office/schedule.js';
import { BookingAttemptsRepository } from '../store/booking-attempts-repository.js';
import type { Db } from '../store/database.js';
import { GuestBookings } from '../store/hotel/guest-bookings.js';
import { PaymentLedgers } from '../store/hotel/payment-ledgers.js';
import { PaymentReservations } from '../store/hotel/payment-reservations.js';
import { RatesRepository } from '../store/hotel/rates-repository.js';
import { createHotelTools, HOTEL_TOOLS } from '../tools/booking/index.js';
import type { BookingGate, HotelToolDeps } from '../tools/booking/hotel-tool-deps.js';
import { AvailabilityService } from '../hotel/availability.js';
import { createBookingApi, type BookingApi } from '../hotel/booking-api.js';
import { createBookingJobKinds, type BookingNotifier } from '../hotel/booking-jobs.js';
import { BookingService } from '../hotel/booking-service.js';
import type { HotelConfig } from '../hotel/config.js';
import { createHotelDb } from '../store/hotel-db.js';
import { createPaymentCheck, followUpPayloadSchema } from '../hotel/payment-check.js';
import { PaymentFollowUps, type FollowUpNotifier } from '../hotel/payment-follow-up.js';
import { PaymentFollowUpsRepository } from '../store/payment-follow-ups-repository.js';
import { PaymentLinksRepository } from '../store/payment-links-repository.js';
import type { PortalsConfig } from '../portals/config.js';
import type { LedgerSync } from '../portals/ledger-sync.js';
import { createPaymentPortals } from '../portals/payment-portals.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { notSet } from '../core/config-schema.js';
import { whyNotOffered as declaredWhyNotOffered, type NeedsReport, type ToolNotOffered } from '../tools/declaration.js';

export interface HotelReadiness {
  database: string;
  bookingApi: string;
  compraclickPortal: string;
  bacPortal: string;
  bookingAutomation: string;
  /** Hotel tools the model is not offered, because a backend is not configured. */
  toolsNotOffered: string[];
  /** The same tools, each with the exact variables missing (`DB_HOST is not set`). */
  whyNotOffered: ToolNotOffered[];
}

export interface HotelBackends {
  tools: HotelToolDeps;
  /** The portal syncs of the ledgers (admin API, cron), when a portal is configured. */
  ledgerSync: LedgerSync | undefined;
  jobKinds: readonly JobKind<unknown>[];
  readiness(): HotelReadiness;
  /** At start, before the job worker: booking attempts a dead process left behind. */
  recover(): void;
  close(): Promise<void>;
}

export interface HotelBackendsDeps {
  config: HotelConfig;
  /** The payment portals (config.portals); absent: none configured. */
  portals?: PortalsConfig | undefined;
  /** Where portal screenshots go (next to the database). */
  dataDir?: string | undefined;
  timezone: string;
  db: Db;
  jobs: JobQueue;
  wakeJobs: () => void;
  office: OfficeCalendar;
  notifier: BookingNotifier;
  /** What a payment follow-up tells the guest and staff. */
  followUpNotifier: FollowUpNotifier;
  /** A conversation with a person stops its follow-ups. */
  isHandedOff: (conversationId: string) => boolean;
  clock: Clock;
  log: Logger;
  random?: () => number;
  /** A ready booking API client (benchmarks wrap one to time it); by default one built from config. */
  bookingApi?: (BookingApi & { close(): Promise<void> }) | undefined;
  /** Booking outcomes for GET /metrics. */
  metrics?: Pick<ServiceMetrics, 'booking'> | undefined;
}

export function bookingGate(mode: HotelConfig['bookingAutomation'], office: OfficeCalendar): BookingGate {
  return {
    async allowed(now, signal) {
      if (mode === 'always') return { allowed: true, reason: 'BOOKING_AUTOMATION=always' };
      if (mode === 'never') return { allowed: false, reason: 'BOOKING_AUTOMATION=never: bookings are made by the reservations office' };
      // The same calendar check_office_status answers from, PBX closure rules included.
      await office.refresh(now, signal);
      const status = office.status(now);
      return status.can_automate
        ? { allowed: true, reason: 'the reservations office is closed' }
        : { allowed: false, reason: 'the reservations office is open: its staff make the bookings' };
    },
  };
}

export function createHotelBackends(deps: HotelBackendsDeps): HotelBackends {
  const { config, log } = deps;
  const now = () => deps.clock.now();
  const attempts = new BookingAttemptsRepository(deps.db);
  const hotelDb = config.database ? createHotelDb(config.database) : undefined;
  const api = config.bookingApi ? (deps.bookingApi ?? createBookingApi(config.bookingApi)) : undefined;
  const availability = api ? new AvailabilityService({ api, concurrency: config.availabilityConcurrency, now }) : undefined;
  const rates = hotelDb ? new RatesRepository(hotelDb) : undefined;
  const ledgers = hotelDb ? new PaymentLedgers(hotelDb) : undefined;
  const guestBookings = hotelDb ? new GuestBookings(hotelDb) : undefined;
  const gate = bookingGate(config.bookingAutomation, deps.office);
  const portals = deps.portals ? createPaymentPortals({ config: deps.portals, hotelDb, dataDir: deps.dataDir ?? '.', timezone: deps.timezone, now, log }) : undefined;
  const ledgerSync = portals?.ledgerSync;
  const sync = {
    bank: ledgerSync?.has('bac') ? (signal?: AbortSignal) => ledgerSync.sync('bac', signal) : undefined,
    card: ledgerSync?.has('compraclick') ? (signal?: AbortSignal) => ledgerSync.sync('compraclick', signal) : undefined,
  };

  let bookings: BookingService | undefined;
  let followUps: PaymentFollowUps | undefined;
  let paymentCheck: ReturnType<typeof createPaymentCheck> | undefined;
  let jobKinds: JobKind<unknown>[] = [];
  if (hotelDb && api && availability && rates && ledgers && guestBookings) {
    const kinds = createBookingJobKinds({
      attempts,
      guestBookings,
      service: () => bookings as BookingService,
      notifier: deps.notifier,
      timezone: deps.timezone,
      now,
    });
    bookings = new BookingService({
      attempts,
      jobs: deps.jobs,
      wakeJobs: deps.wakeJobs,
      api,
      availability,
      rates,
      reservations: new PaymentReservations(hotelDb),
      ledgers,
      jobKinds: kinds,
      now,
      timezone: deps.timezone,
      random: deps.random ?? Math.random,
      log: log.child({ component: 'bookings' }),
      metrics: deps.metrics,
    });
    const check = createPaymentCheck({ ledgers, bookings, attempts, sync, timezone: deps.timezone, now });
    paymentCheck = check;
    followUps = new PaymentFollowUps({
      followUps: new PaymentFollowUpsRepository(deps.db),
      jobs: deps.jobs,
      attempt: (followUp, signal) => check(followUpPayloadSchema.parse(followUp.payload), signal),
      isHandedOff: deps.isHandedOff,
      notifier: deps.followUpNotifier,
      now,
    });
    jobKinds = [...kinds.all, followUps.jobKind as JobKind<unknown>];
  }

  // What is missing of each backend, by variable name (the portals name their own variables); the tools'
  // declarations say which backends each needs, so the reasons follow from the tools not built.
  const compraclickMissing = deps.portals?.missing.compraclick ?? ['COMPRACLICK_PORTAL_URL', 'COMPRACLICK_EMAIL', 'COMPRACLICK_PASSWORD'];
  const bacMissing = deps.portals?.missing.bac ?? ['BAC_PORTAL_URL', 'BAC_USERNAME', 'BAC_PASSWORD'];
  const needs: NeedsReport = {
    'hotel-database': { unset: hotelDb ? [] : ['DB_HOST'] },
    'booking-api': { unset: api ? [] : ['BOOKING_API_URL'] },
    'compraclick-portal': { unset: compraclickMissing },
    'bac-portal': { unset: bacMissing },
  };
  const tools: HotelToolDeps = {
    timezone: deps.timezone,
    availability,
    rates,
    ledgers,
    guestBookings,
    bookings,
    attempts,
    gate,
    followUps,
    paymentCheck,
    ledgerSync,
    paymentLinks: portals?.createLink ? { links: new PaymentLinksRepository(deps.db), create: portals.createLink, portalTimeoutMs: portals.timeoutMs } : undefined,
    portalTimeoutMs: deps.portals?.timeoutMs ?? 120_000,
  };
  // Building a tool contacts nothing: what is built is exactly what the model would be offered.
  const offered = new Set(createHotelTools(tools, { bookingTimeoutMs: 0 }).map((t) => t.name));
  const whyNotOffered = declaredWhyNotOffered(HOTEL_TOOLS.map((t) => t.declaration), offered, needs);
  return {
    tools,
    ledgerSync,
    jobKinds,
    readiness: () => ({
      database: hotelDb ? 'configured' : 'DB_HOST is not set',
      bookingApi: api ? 'configured' : 'BOOKING_API_URL is not set',
      compraclickPortal: portals?.readiness().compraclick ?? notSet(compraclickMissing),
      bacPortal: portals?.readiness().bac ?? notSet(bacMissing),
      bookingAutomation: config.bookingAutomation,
      toolsNotOffered: whyNotOffered.map((t) => t.tool),
      whyNotOffered,
    }),
    recover() {
      if (!bookings) return;
      const recovered = bookings.recover();
      if (recovered.inDoubt + recovered.settling > 0) log.warn(recovered, 'booking attempts left by the last process are being reconciled');
    },
    async close() {
      await portals?.close();
      await api?.close();
      await hotelDb?.close();
    },
  };
}
