// The durable follow-ups of a booking attempt:
// - settle-ledger: write codreser/dateused after a booking, or give a failed attempt's money back, when
//   the hotel database did not answer at the time (idempotent: the lock row guards the give-back);
// - reconcile: an attempt whose booking API answer was lost is looked up in user_books (by its dates, the
//   guest's phone and the CompraClick code) — found: recorded as booked and the guest gets the code;
//   still not found after the last look: a person is asked to check (the money stays reserved for them).
import { z } from 'zod';
import { defineJobKind, JobError, type JobKind } from '../jobs/types.js';
import type { BookingAttemptsRepository } from '../store/booking-attempts-repository.js';
import type { GuestBookings } from '../store/hotel/guest-bookings.js';
import type { BookingJobKinds, BookingService } from './booking-service.js';
import { storedRequest } from './booking-attempt-record.js';
import { foldForMatch } from '../hotel-rules/guest-identity.js';
import { sqlDateTimeIn } from '../hotel-rules/values.js';

const attemptPayload = z.object({ attemptId: z.number().int().positive() });
type AttemptPayload = z.output<typeof attemptPayload>;

/** After the first look (30 s after the lost answer, or at restart): 1, 5 and 15 minutes later. */
export const RECONCILE_RETRY_DELAYS_MS = [60_000, 300_000, 900_000] as const;
/** 10 s … 2 h: a database outage is absorbed within hours. */
export const SETTLE_RETRY_DELAYS_MS = [10_000, 60_000, 300_000, 1_800_000, 7_200_000] as const;
/** user_books rows created up to this long before the attempt still count (clocks differ). */
const CLOCK_SKEW_MS = 10 * 60_000;

/** The backend may stamp user_books in the hotel's time or in UTC: the earlier bound covers both. */
function earliest(a: string, b: string): string {
  return a < b ? a : b;
}

/** What a reconciliation tells the guest (and staff) — wired in services.ts to the guest-notice and handoff paths. */
export interface BookingNotifier {
  /** Called inside the transaction that records the booking. */
  confirmed(conversationId: string, reserva: string): void;
  /** Called inside the transaction that hands the attempt to staff. */
  needsStaff(conversationId: string, reason: string): void;
}

export interface BookingJobsDeps {
  attempts: BookingAttemptsRepository;
  guestBookings: Pick<GuestBookings, 'findRecent'>;
  /** Late-bound: the service enqueues these jobs and the jobs use the service. */
  service: () => BookingService;
  notifier: BookingNotifier;
  timezone: string;
  now: () => number;
}

export function createBookingJobKinds(deps: BookingJobsDeps): BookingJobKinds & { all: JobKind<unknown>[] } {
  const settleLedger = defineJobKind<AttemptPayload>({
    kind: 'booking.settle-ledger',
    payload: attemptPayload,
    retryDelaysMs: SETTLE_RETRY_DELAYS_MS,
    timeoutMs: 30_000,
    async run({ attemptId }, ctx) {
      try {
        await deps.service().settleLedger(attemptId, ctx.signal);
      } catch (err) {
        throw new JobError('hotel_db', err instanceof Error ? err.message : String(err));
      }
    },
    onFinalFailure({ attemptId }, ctx) {
      ctx.log.error({ bookingAttempt: attemptId }, 'hotel ledger could not be updated for a booking attempt; staff must fix it by hand');
    },
  });

  const reconcile = defineJobKind<AttemptPayload>({
    kind: 'booking.reconcile',
    payload: attemptPayload,
    retryDelaysMs: RECONCILE_RETRY_DELAYS_MS,
    timeoutMs: 30_000,
    async run({ attemptId }, ctx) {
      const attempt = deps.attempts.get(attemptId);
      if (!attempt || attempt.state !== 'in_doubt') return;
      const request = storedRequest(attempt.request);
      let found;
      try {
        const rows = await deps.guestBookings.findRecent(
          {
            checkIn: request.checkIn,
            checkOut: request.checkOut,
            phone: request.guest.phone,
            compraclick: request.payment.method === 'CompraClick' ? request.payment.authorization : undefined,
            since: earliest(sqlDateTimeIn(deps.timezone, attempt.createdAt - CLOCK_SKEW_MS), sqlDateTimeIn('UTC', attempt.createdAt - CLOCK_SKEW_MS)),
          },
          ctx.signal,
        );
        found = rows.find((row) => !row.cancelled && foldForMatch(row.lastname) === foldForMatch(request.guest.lastname));
      } catch (err) {
        throw new JobError('hotel_db', err instanceof Error ? err.message : String(err));
      }
      if (!found) throw new JobError('not_found_yet', 'no matching reservation in user_books yet');
      const reserva = found.reserva;
      deps.attempts.atomically(() => {
        if (deps.attempts.markBooked(attemptId, reserva, deps.now())) deps.notifier.confirmed(attempt.conversationId, reserva);
      });
      ctx.log.info({ bookingAttempt: attemptId, reserva }, 'reservation found after its API answer was lost');
      try {
        await deps.service().settleLedger(attemptId, ctx.signal);
      } catch (err) {
        // The booking is recorded; the ledger is left to its own job.
        ctx.log.warn({ err }, 'ledger update after reconciliation failed; queued');
        deps.service().queueSettle(attemptId, attempt.conversationId);
      }
    },
    onFinalFailure({ attemptId }, ctx, errorClass) {
      const attempt = deps.attempts.get(attemptId);
      if (!attempt) return;
      deps.attempts.atomically(() => {
        if (deps.attempts.transition(attemptId, 'in_doubt', 'staff', deps.now(), `reconciliation ended: ${errorClass}`)) {
          deps.notifier.needsStaff(attempt.conversationId, 'booking_unconfirmed');
        }
      });
      ctx.log.error({ bookingAttempt: attemptId, errorClass }, 'booking outcome unknown; handed to staff');
    },
  });

  return { reconcile, settleLedger, all: [reconcile, settleLedger] as JobKind<unknown>[] };
}
