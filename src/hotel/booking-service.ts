// Booking with money counted once. The order is what makes it safe:
//   1. our SQLite attempt is recorded (one attempt in flight per payment, and the same booking asked again
//      — a second tool call, a re-run turn — gets its outcome instead of a second booking);
//      Before it, the payment rule (hotel-rules/payment-rule.ts) chooses the ledger row and the amount taken —
//      what the guest paid, at most what is unused — and the attempt records both: whatever stops the
//      process later, the money goes back to exactly that row;
//   2. the payment is reserved in the hotel database under a real lock (booking_locks row, ledger row FOR
//      UPDATE, the payment rule checked again, used += amount) — another process with the same payment
//      waits; a payment pays another booking only while its unused balance covers it, and only for the
//      conversation that used it;
//   3. the booking API is called (never retried blindly: only a room that vanished is re-picked, twice);
//   4. the outcome is recorded; the ledger row's codreser gets this booking added and dateused (booked),
//      or the row gets its money back (failed).
// An API call whose answer is lost (timeout, 5xx, kill -9) is never posted again: the attempt is "in
// doubt" and a durable job looks for the reservation in user_books, then tells the guest or staff.
// Nothing here sleeps; every wait is a bounded request or a job.
import type { Logger } from 'pino';
import { jobOf, type JobKind, type JobQueue } from '../jobs/types.js';
import type { BookingAttempt, BookingAttemptsRepository } from '../store/booking-attempts-repository.js';
import { bankRowState, cardRowState, type PaymentLedgers } from '../store/hotel/payment-ledgers.js';
import { lockKeyOf, type PaymentRef, type PaymentReservations } from '../store/hotel/payment-reservations.js';
import type { RatesRepository } from '../store/hotel/rates-repository.js';
import type { AvailabilityService } from './availability.js';
import { BookingApiError, type BookingApi } from './booking-api.js';
import { bookingForm, type BookingRequest } from './booking-request.js';
import { alternativesFor } from '../hotel-rules/occupancy.js';
import { quoteStay, type PriceQuote } from '../hotel-rules/pricing.js';
import { countFreeByType, pickRoom } from '../hotel-rules/rooms.js';
import type { DayRates } from '../hotel-rules/types.js';
import { chooseRow, minimumDepositCents, seenBy } from '../hotel-rules/payment-rule.js';
import { sqlDateTimeIn } from '../hotel-rules/values.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { isSameBooking, paidStayOf, storedOutcome, storedRequest, type StayOf } from './booking-attempt-record.js';
import { rejectionOutcome, verdictOutcome, type BookingOutcome } from './booking-outcome.js';

/** A room that vanished between the pick and the booking is re-picked at most this many times. */
const MAX_REPICKS = 2;
/** First look for a reservation whose API answer was lost: give the backend time to finish. */
export const RECONCILE_FIRST_DELAY_MS = 30_000;

export interface BookingServiceDeps {
  attempts: BookingAttemptsRepository;
  jobs: JobQueue;
  wakeJobs: () => void;
  api: Pick<BookingApi, 'createBooking'>;
  availability: Pick<AvailabilityService, 'freeRooms'>;
  rates: Pick<RatesRepository, 'ratesFor'>;
  reservations: PaymentReservations;
  ledgers: Pick<PaymentLedgers, 'cardPaymentsByAuthorization' | 'bankCredit'>;
  jobKinds: BookingJobKinds;
  now: () => number;
  timezone: string;
  random: () => number;
  log: Logger;
  /** Booking outcomes for GET /metrics. */
  metrics?: Pick<ServiceMetrics, 'booking'> | undefined;
}

/** The job kinds the service enqueues (defined in booking-jobs.ts, which also needs the service). */
export interface BookingJobKinds {
  reconcile: JobKind<{ attemptId: number }>;
  settleLedger: JobKind<{ attemptId: number }>;
}

export function paymentRefOf(request: BookingRequest): PaymentRef {
  const { payment } = request;
  if (payment.method === 'CompraClick') return { kind: 'card', authorization: payment.authorization ?? '' };
  return { kind: 'bank', bacId: payment.bacId ?? 0 };
}

export class BookingService {
  constructor(private readonly deps: BookingServiceDeps) {}

  /**
   * What an existing attempt for the same payment means for this request: its outcome when it is this very
   * booking asked again; when it is another stay of this conversation still being booked, that the payment
   * is held by that stay (never this one's confirmation).
   */
  private outcomeOf(attempt: BookingAttempt, request: StayOf): BookingOutcome {
    if (attempt.conversationId !== request.conversationId) {
      // Another guest's booking: say it is used, never whose it is.
      return { kind: 'payment_in_use' };
    }
    const state = attempt.state === 'in_doubt' || attempt.state === 'staff' ? attempt.state : 'in_progress';
    if (attempt.state !== 'booked' && !isSameBooking(attempt, request)) {
      const stay = paidStayOf(attempt);
      if (stay) return { kind: 'payment_held', stay, state };
    }
    if (attempt.state === 'booked') {
      const stored = storedOutcome(attempt.request);
      return { kind: 'booked', reserva: attempt.reserva ?? '', rooms: stored.rooms, quote: stored.quote, repeated: true };
    }
    return { kind: 'pending', state };
  }

  /**
   * A refusal because this conversation's own bookings took the payment (used up, or too little left) says
   * which bookings those are, with their dates: the guest must not read it as this stay's confirmation.
   */
  private withOurStays(outcome: BookingOutcome, paymentRef: string, conversationId: string): BookingOutcome {
    if (outcome.kind !== 'payment_rejected' || (outcome.reason !== 'already_used' && outcome.reason !== 'insufficient')) return outcome;
    const paidStays = this.deps.attempts
      .paymentUse(paymentRef)
      .booked.filter((a) => a.conversationId === conversationId)
      .flatMap((a) => paidStayOf(a) ?? []);
    return paidStays.length > 0 ? { ...outcome, paidStays } : outcome;
  }

  /** `log` is the caller's (a tool call's logger carries the masked conversation id). */
  async book(request: BookingRequest, signal?: AbortSignal, callerLog?: Logger): Promise<BookingOutcome> {
    const { metrics } = this.deps;
    try {
      const outcome = await this.bookOnce(request, signal, callerLog);
      metrics?.booking(outcome.kind === 'booked' && outcome.repeated ? 'repeated' : outcome.kind);
      return outcome;
    } catch (err) {
      metrics?.booking('error');
      throw err;
    }
  }

  private async bookOnce(request: BookingRequest, signal?: AbortSignal, callerLog?: Logger): Promise<BookingOutcome> {
    const { deps } = this;
    const ref = paymentRefOf(request);
    const paymentRef = lockKeyOf(ref);
    // One attempt in flight per payment; the same booking asked again gets its outcome. Another booking
    // with the same payment goes on: the ledger says, under its lock, whether the balance covers it.
    const use = deps.attempts.paymentUse(paymentRef);
    const existing = use.inFlight ?? use.booked.find((a) => isSameBooking(a, request));
    if (existing) return this.outcomeOf(existing, request);

    const rates = await deps.rates.ratesFor(request.nights, signal);
    const missing = request.nights.filter((d) => !rates.has(d));
    if (missing.length > 0) return { kind: 'rates_missing', dates: missing };
    const quote = quoteStay({
      pkg: request.pkg,
      nights: request.nights.map((d) => rates.get(d) as DayRates),
      rooms: request.rooms.map((r) => r.party),
    });
    const requiredCents = minimumDepositCents(quote.totalCents);
    if (request.payment.amountCents < requiredCents) {
      return { kind: 'deposit_too_small', totalCents: quote.totalCents, requiredCents, quote };
    }

    const plan = await this.planPayment(ref, request, requiredCents, use.booked, signal);
    if (!plan.ok) return this.withOurStays(plan.outcome, paymentRef, request.conversationId);
    // The booking takes (records, reserves, sends as loadamount) what it can take of what the guest paid.
    const paid: BookingRequest = { ...request, payment: { ...request.payment, amountCents: plan.amountCents } };

    let free = await deps.availability.freeRooms(request.checkIn, request.checkOut, signal);
    let rooms = this.pickRooms(request, free);
    if (!rooms) return this.soldOut(request, free);

    const started = deps.attempts.start(
      { conversationId: paid.conversationId, paymentRef, holder: paid.holder, amountCents: plan.amountCents, ledgerRowId: plan.ledgerRowId, request: { ...paid, chosenRooms: rooms, quote } },
      deps.now(),
      (booked) => isSameBooking(booked, request),
    );
    if (!started.started) return this.outcomeOf(started.existing, request);
    const attempt = started.attempt;
    const log = (callerLog ?? deps.log).child({ bookingAttempt: attempt.id });

    let reserved;
    try {
      // Our bookings on this payment as of now (one may have finished since the plan was made).
      const by = { conversationId: request.conversationId, booked: deps.attempts.paymentUse(paymentRef).booked };
      reserved = await deps.reservations.reserve(
        { ref, holder: request.holder, amountCents: plan.amountCents, requiredRemainingCents: plan.amountCents, by, ledgerRowId: plan.ledgerRowId },
        signal,
      );
    } catch (err) {
      // The reservation may or may not have committed: a job gives the money back if it did.
      log.error({ err }, 'payment reservation failed; releasing it later');
      this.queueSettle(attempt.id, request.conversationId);
      return { kind: 'failed', detail: 'the hotel database did not answer while reserving the payment' };
    }
    if (!reserved.ok) {
      deps.attempts.transition(attempt.id, 'reserving', 'failed', deps.now(), `payment ${reserved.reason}`);
      deps.attempts.markLedgerDone(attempt.id, deps.now());
      return this.withOurStays(rejectionOutcome(reserved), paymentRef, request.conversationId);
    }
    deps.attempts.markPosting(attempt.id, reserved.ledgerRowId, deps.now());

    for (let repicks = 0; ; repicks++) {
      const form = bookingForm(paid, rooms, quote);
      try {
        const { reserva } = await deps.api.createBooking(form, signal);
        return await this.booked(attempt.id, paid, reserva, rooms, quote, log);
      } catch (err) {
        if (err instanceof BookingApiError && err.code === 'room_unavailable' && repicks < MAX_REPICKS) {
          log.info({ rooms }, 'room taken meanwhile; picking again');
          try {
            free = (await deps.availability.freeRooms(request.checkIn, request.checkOut, signal)).filter((r) => !rooms?.includes(r));
          } catch (refetch) {
            log.warn({ err: refetch }, 'availability check before re-pick failed');
            return this.fail(attempt.id, 'availability could not be checked again after the room was taken', log);
          }
          const next = this.pickRooms(request, free);
          if (!next) {
            await this.fail(attempt.id, 'sold out while booking', log);
            return this.soldOut(request, free);
          }
          rooms = next;
          deps.attempts.updateRequest(attempt.id, { ...paid, chosenRooms: rooms, quote }, deps.now());
          continue;
        }
        if (err instanceof BookingApiError && !err.ambiguous) {
          return this.fail(attempt.id, `booking API refused: ${err.code}: ${err.message}`, log);
        }
        // Timeout, connection error, 5xx, an unreadable 200, an abort mid-call: it may have booked.
        log.warn({ err }, 'booking API outcome unknown; reconciling');
        deps.attempts.atomically(() => {
          deps.attempts.transition(attempt.id, 'posting', 'in_doubt', deps.now(), errorText(err));
          deps.jobs.enqueue(jobOf(deps.jobKinds.reconcile, { attemptId: attempt.id }, request.conversationId, deps.now() + RECONCILE_FIRST_DELAY_MS), deps.now());
        });
        return { kind: 'pending', state: 'in_doubt' };
      }
    }
  }

  /**
   * The row this booking is paid from and what it takes of it, by the payment rule for this conversation:
   * what the guest paid, at most the row's unused balance, which must cover the deposit. Read without a
   * lock: reserve checks the same row again under its lock, and refuses if it changed meanwhile.
   */
  private async planPayment(
    ref: PaymentRef,
    request: BookingRequest,
    requiredCents: number,
    booked: readonly BookingAttempt[],
    signal?: AbortSignal,
  ): Promise<{ ok: true; ledgerRowId: number; amountCents: number } | { ok: false; outcome: BookingOutcome }> {
    const { ledgers } = this.deps;
    const rows =
      ref.kind === 'card'
        ? (await ledgers.cardPaymentsByAuthorization(ref.authorization, signal)).map(cardRowState)
        : [await ledgers.bankCredit(ref.bacId, signal)].flatMap((c) => (c ? [bankRowState(c)] : []));
    const chosen = chooseRow(rows.map((r) => seenBy(r, booked, request.conversationId)), requiredCents);
    if (!chosen) return { ok: false, outcome: { kind: 'payment_rejected', reason: 'not_found' } };
    if (!chosen.verdict.ok) return { ok: false, outcome: verdictOutcome(chosen.verdict) };
    return { ok: true, ledgerRowId: chosen.row.id, amountCents: Math.min(request.payment.amountCents, chosen.verdict.unusedCents) };
  }

  /** Records the reservation (first: nothing may post it again), then writes the ledger or leaves it to a job. */
  async booked(attemptId: number, request: BookingRequest, reserva: string, rooms: string[], quote: PriceQuote, log: Logger): Promise<BookingOutcome> {
    const { deps } = this;
    deps.attempts.markBooked(attemptId, reserva, deps.now());
    log.info({ reserva }, 'booking made');
    await this.settleLedgerOrQueue(attemptId, request.conversationId, log);
    return { kind: 'booked', reserva, rooms, quote, repeated: false };
  }

  /** A booking that did not happen: the attempt is failed and its money given back (now, or by a job). */
  private async fail(attemptId: number, detail: string, log: Logger): Promise<BookingOutcome> {
    const { deps } = this;
    const attempt = deps.attempts.get(attemptId);
    deps.attempts.transition(attemptId, 'posting', 'failed', deps.now(), detail);
    log.warn({ detail }, 'booking failed');
    if (attempt) await this.settleLedgerOrQueue(attemptId, attempt.conversationId, log);
    return { kind: 'failed', detail };
  }

  private async settleLedgerOrQueue(attemptId: number, conversationId: string, log: Logger): Promise<void> {
    try {
      await this.settleLedger(attemptId);
    } catch (err) {
      log.warn({ err }, 'ledger update failed; a job will finish it');
      this.queueSettle(attemptId, conversationId);
    }
  }

  /** Leaves the ledger of an attempt to the settle-ledger job (durable, retried). */
  queueSettle(attemptId: number, conversationId: string): void {
    const { deps } = this;
    deps.attempts.atomically(() => deps.jobs.enqueue(jobOf(deps.jobKinds.settleLedger, { attemptId }, conversationId), deps.now()));
    deps.wakeJobs();
  }

  /**
   * Brings the hotel ledger in line with the attempt, idempotently: a booked attempt's row gets codreser and
   * dateused and the lock goes; a failed (or never-posted) attempt's money is given back, once.
   */
  async settleLedger(attemptId: number, signal?: AbortSignal): Promise<void> {
    const { deps } = this;
    const attempt = deps.attempts.get(attemptId);
    if (!attempt || attempt.ledgerDone) return;
    const request = storedRequest(attempt.request);
    const ref = paymentRefOf(request);
    if (attempt.state === 'booked' && attempt.reserva) {
      const ledgerRowId = attempt.ledgerRowId ?? (await this.reservedRowId(ref, attempt, signal));
      if (ledgerRowId !== undefined) {
        const written = await deps.reservations.finalize(
          { ref, ledgerRowId, reserva: attempt.reserva, dateUsed: sqlDateTimeIn(deps.timezone, deps.now()) },
          signal,
        );
        if (written === 'full') deps.log.error({ bookingAttempt: attemptId, ledgerRowId }, 'codreser cannot name one more booking (column full); the booking is recorded in booking_attempts only');
        if (written === 'not_found') deps.log.error({ bookingAttempt: attemptId, ledgerRowId }, 'the ledger row of a booked attempt is gone; booking code not written');
      }
      deps.attempts.markLedgerDone(attemptId, deps.now());
      return;
    }
    if (attempt.state === 'failed' || attempt.state === 'reserving') {
      const ledgerRowId = attempt.ledgerRowId ?? (await this.reservedRowId(ref, attempt, signal));
      if (ledgerRowId !== undefined) {
        await deps.reservations.release({ ref, holder: attempt.holder, ledgerRowId, amountCents: attempt.amountCents }, signal);
      }
      deps.attempts.atomically(() => {
        if (attempt.state === 'reserving') deps.attempts.transition(attemptId, 'reserving', 'failed', deps.now(), 'interrupted before the booking was posted');
        deps.attempts.markLedgerDone(attemptId, deps.now());
      });
    }
  }

  /**
   * The ledger row of an attempt recorded without one (before attempts named their row when recorded),
   * when the process stopped before the reservation was recorded: only if our lock is still there
   * (otherwise the reservation never committed), and only a row it can only be — the one card sale with
   * this code that has the amount used. Several could be: nothing is given back to a guess, staff is told.
   */
  private async reservedRowId(ref: PaymentRef, attempt: BookingAttempt, signal?: AbortSignal): Promise<number | undefined> {
    if (!(await this.deps.reservations.isLocked(ref, attempt.holder, signal))) return undefined;
    if (ref.kind === 'bank') return ref.bacId;
    const rows = (await this.deps.ledgers.cardPaymentsByAuthorization(ref.authorization, signal)).filter((r) => r.usedCents >= attempt.amountCents);
    if (rows.length === 1) return rows[0]?.id;
    this.deps.log.error(
      { bookingAttempt: attempt.id, candidates: rows.map((r) => r.id) },
      'cannot tell which card sale an interrupted booking reserved; its money is not given back: staff must check the sales with this authorization code',
    );
    return undefined;
  }

  /**
   * After a restart: attempts a dead process left behind. Posting ones may have booked: they are put in
   * doubt and reconciled, never posted again; the others get their ledger settled.
   */
  recover(): { inDoubt: number; settling: number } {
    const { deps } = this;
    const now = deps.now();
    return deps.attempts.atomically(() => {
      let inDoubt = 0;
      let settling = 0;
      for (const attempt of deps.attempts.inState('posting')) {
        deps.attempts.transition(attempt.id, 'posting', 'in_doubt', now, 'the process stopped during the booking API call');
        deps.jobs.enqueue(jobOf(deps.jobKinds.reconcile, { attemptId: attempt.id }, attempt.conversationId), now);
        inDoubt++;
      }
      const unsettled = [...deps.attempts.inState('reserving'), ...deps.attempts.unfinishedLedgers(), ...deps.attempts.inState('failed').filter((a) => !a.ledgerDone)];
      const conversations = new Set(unsettled.map((a) => a.conversationId));
      for (const conversationId of conversations) deps.jobs.supersedePending(deps.jobKinds.settleLedger.kind, conversationId, now);
      for (const attempt of unsettled) {
        deps.jobs.enqueue(jobOf(deps.jobKinds.settleLedger, { attemptId: attempt.id }, attempt.conversationId), now);
        settling++;
      }
      return { inDoubt, settling };
    });
  }

  private pickRooms(request: BookingRequest, free: readonly string[]): string[] | undefined {
    const chosen = new Set<string>();
    const rooms: string[] = [];
    for (const { type } of request.rooms) {
      const room = pickRoom(free, type, this.deps.random, chosen);
      if (room === undefined) return undefined;
      chosen.add(room);
      rooms.push(room);
    }
    return rooms;
  }

  private soldOut(request: BookingRequest, free: readonly string[]): BookingOutcome {
    const counts = countFreeByType(free);
    const whole = request.rooms.reduce(
      (sum, r) => ({ adults: sum.adults + r.party.adults, children0to5: sum.children0to5 + r.party.children0to5, children6to10: sum.children6to10 + r.party.children6to10 }),
      { adults: 0, children0to5: 0, children6to10: 0 },
    );
    return { kind: 'sold_out', requested: request.rooms.map((r) => r.type), free: counts, alternatives: alternativesFor(whole, counts) };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : 'unknown error';
}

