// The assistant's own record of booking attempts (table `booking_attempts`, migration 8): all SQL on that
// table lives here. The record is written before any money is reserved and before the booking API is
// called, so a payment is booked once whatever is retried, re-run or killed.
import { z } from 'zod';
import type { Db } from './database.js';

export const BOOKING_ATTEMPT_STATES = ['reserving', 'posting', 'booked', 'failed', 'in_doubt', 'staff'] as const;
/**
 * reserving: recorded, the money is being reserved in the hotel database;
 * posting: the money is reserved, the booking API is being called;
 * booked: the API gave a reservation number; failed: no booking, the money was given back (or never taken);
 * in_doubt: the API call's outcome is unknown, a job is looking for the reservation;
 * staff: the job could not tell, a person was asked to check.
 */
export type BookingAttemptState = (typeof BOOKING_ATTEMPT_STATES)[number];

export interface BookingAttempt {
  id: number;
  conversationId: string;
  paymentRef: string;
  holder: string;
  state: BookingAttemptState;
  /** The validated booking as JSON (validated again by whoever reads it). */
  request: unknown;
  amountCents: number;
  ledgerRowId: number | null;
  reserva: string | null;
  ledgerDone: boolean;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

const attemptRow = z.object({
  id: z.number().int(),
  conversation_id: z.string(),
  payment_ref: z.string(),
  holder: z.string(),
  state: z.enum(BOOKING_ATTEMPT_STATES),
  request: z.string(),
  amount_cents: z.number().int(),
  ledger_row_id: z.number().int().nullable(),
  reserva: z.string().nullable(),
  ledger_done: z.number().int(),
  error: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});

function toAttempt(row: unknown): BookingAttempt {
  const r = attemptRow.parse(row);
  let request: unknown;
  try {
    request = JSON.parse(r.request) as unknown;
  } catch {
    request = undefined;
  }
  return {
    id: r.id,
    conversationId: r.conversation_id,
    paymentRef: r.payment_ref,
    holder: r.holder,
    state: r.state,
    request,
    amountCents: r.amount_cents,
    ledgerRowId: r.ledger_row_id,
    reserva: r.reserva,
    ledgerDone: r.ledger_done === 1,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The states in which an attempt holds its payment (money reserved or being reserved, outcome open). */
export const IN_FLIGHT_STATES = ['reserving', 'posting', 'in_doubt', 'staff'] as const satisfies readonly BookingAttemptState[];

/** How our attempts use one payment: at most one in flight, and the bookings it already paid for. */
export interface PaymentUse {
  inFlight: BookingAttempt | undefined;
  booked: BookingAttempt[];
}

export type StartAttemptResult = { started: true; attempt: BookingAttempt } | { started: false; existing: BookingAttempt };

export class BookingAttemptsRepository {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO booking_attempts (conversation_id, payment_ref, holder, state, request, amount_cents, ledger_row_id, created_at, updated_at)
         VALUES (@conversationId, @paymentRef, @holder, 'reserving', @request, @amountCents, @ledgerRowId, @now, @now)`,
      ),
      byId: db.prepare<[number]>('SELECT * FROM booking_attempts WHERE id = ?'),
      inFlight: db.prepare<[string]>(`SELECT * FROM booking_attempts WHERE payment_ref = ? AND state IN ('reserving', 'posting', 'in_doubt', 'staff') LIMIT 1`),
      booked: db.prepare<[string]>(`SELECT * FROM booking_attempts WHERE payment_ref = ? AND state = 'booked' ORDER BY id`),
      byState: db.prepare<[string]>('SELECT * FROM booking_attempts WHERE state = ? ORDER BY id'),
      unfinishedLedgers: db.prepare(`SELECT * FROM booking_attempts WHERE state = 'booked' AND ledger_done = 0 ORDER BY id`),
      byConversation: db.prepare<[string, number]>('SELECT * FROM booking_attempts WHERE conversation_id = ? ORDER BY id DESC LIMIT ?'),
      setState: db.prepare(
        `UPDATE booking_attempts SET state = @state, error = COALESCE(@error, error), updated_at = @now
          WHERE id = @id AND state = @from`,
      ),
      setPosting: db.prepare(
        `UPDATE booking_attempts SET state = 'posting', ledger_row_id = @ledgerRowId, updated_at = @now
          WHERE id = @id AND state = 'reserving'`,
      ),
      setRequest: db.prepare('UPDATE booking_attempts SET request = @request, updated_at = @now WHERE id = @id'),
      setBooked: db.prepare(
        `UPDATE booking_attempts SET state = 'booked', reserva = @reserva, error = NULL, updated_at = @now
          WHERE id = @id AND state IN ('posting', 'in_doubt', 'staff')`,
      ),
      setLedgerDone: db.prepare('UPDATE booking_attempts SET ledger_done = 1, updated_at = @now WHERE id = @id'),
    };
  }

  /**
   * Records a new attempt for a payment, unless one is in flight for it (then that one is returned), or
   * `sameBooking` says one of its booked attempts is this very booking (then that one). Atomic: two calls
   * racing for one payment start one attempt. A payment may pay several different bookings (the payment
   * rule); whether its balance covers this one is the hotel ledger's to say, under its lock. The ledger
   * row the money will come from is recorded now, before any is taken: a release after a crash gives it
   * back to exactly that row (undefined: an attempt whose row is decided later).
   */
  start(
    input: { conversationId: string; paymentRef: string; holder: string; request: unknown; amountCents: number; ledgerRowId?: number | undefined },
    now: number,
    sameBooking: (booked: BookingAttempt) => boolean = () => false,
  ): StartAttemptResult {
    return this.db.transaction((): StartAttemptResult => {
      const use = this.paymentUse(input.paymentRef);
      if (use.inFlight) return { started: false, existing: use.inFlight };
      const same = use.booked.find(sameBooking);
      if (same) return { started: false, existing: same };
      const info = this.stmts.insert.run({ ...input, ledgerRowId: input.ledgerRowId ?? null, request: JSON.stringify(input.request), now });
      return { started: true, attempt: this.get(Number(info.lastInsertRowid)) as BookingAttempt };
    })();
  }

  get(id: number): BookingAttempt | undefined {
    const row = this.stmts.byId.get(id);
    return row === undefined ? undefined : toAttempt(row);
  }

  /** The attempt holding this payment now (if any) and the bookings it already paid for. */
  paymentUse(paymentRef: string): PaymentUse {
    const row = this.stmts.inFlight.get(paymentRef);
    return { inFlight: row === undefined ? undefined : toAttempt(row), booked: this.stmts.booked.all(paymentRef).map(toAttempt) };
  }

  inState(state: BookingAttemptState): BookingAttempt[] {
    return this.stmts.byState.all(state).map(toAttempt);
  }

  /** Booked attempts whose ledger row does not carry the booking code yet. */
  unfinishedLedgers(): BookingAttempt[] {
    return this.stmts.unfinishedLedgers.all().map(toAttempt);
  }

  forConversation(conversationId: string, limit: number): BookingAttempt[] {
    return this.stmts.byConversation.all(conversationId, limit).map(toAttempt);
  }

  /** Moves an attempt from `from` to `state`; false when it was not in `from` (someone else moved it). */
  transition(id: number, from: BookingAttemptState, state: BookingAttemptState, now: number, error?: string): boolean {
    return this.stmts.setState.run({ id, from, state, now, error: error ?? null }).changes === 1;
  }

  markPosting(id: number, ledgerRowId: number, now: number): boolean {
    return this.stmts.setPosting.run({ id, ledgerRowId, now }).changes === 1;
  }

  updateRequest(id: number, request: unknown, now: number): void {
    this.stmts.setRequest.run({ id, request: JSON.stringify(request), now });
  }

  markBooked(id: number, reserva: string, now: number): boolean {
    return this.stmts.setBooked.run({ id, reserva, now }).changes === 1;
  }

  markLedgerDone(id: number, now: number): void {
    this.stmts.setLedgerDone.run({ id, now });
  }

  /** Runs `fn` in one SQLite transaction (a state change together with the job it needs). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
