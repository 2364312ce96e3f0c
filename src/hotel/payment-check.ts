// One check of a payment that was not in the ledger: bring the ledger up to date (the portal sync, when the
// portal is configured), look for the payment, and book through the booking service, which never books a
// payment twice. Used by the follow-up attempts and by the tools' first check in the turn.
import { z } from 'zod';
import type { BookingAttemptsRepository } from '../store/booking-attempts-repository.js';
import { bankRowState, cardRowState, type PaymentLedgers } from '../store/hotel/payment-ledgers.js';
import { bookingRequestSchema, type BookingRequest } from './booking-request.js';
import { isSameBooking } from './booking-attempt-record.js';
import type { BookingOutcome } from './booking-outcome.js';
import type { BookingService } from './booking-service.js';
import { chooseRow, minimumDepositCents, seenBy } from '../hotel-rules/payment-rule.js';
import { statementDatesFor } from './follow-up-schedule.js';
import type { AttemptOutcome } from './payment-follow-up.js';
import { todayIn } from '../hotel-rules/values.js';

/** What a follow-up looks for and the booking it makes (stored as the follow-up's payload). */
export const followUpPayloadSchema = z.object({
  booking: bookingRequestSchema.omit({ payment: true }),
  makerName: z.string(),
  bank: z.object({ slipDate: z.string(), slipAmountCents: z.number().int().positive(), bookingAmountCents: z.number().int().positive() }).optional(),
  card: z.object({ authorization: z.string(), bookingTotalCents: z.number().int().positive() }).optional(),
});
export type FollowUpPayload = z.output<typeof followUpPayloadSchema>;

/** Brings a ledger up to date from its portal (bounded, with a cooldown); absent when the portal is not configured. */
export interface LedgerRefresh {
  bank?: ((signal?: AbortSignal) => Promise<unknown>) | undefined;
  card?: ((signal?: AbortSignal) => Promise<unknown>) | undefined;
}

export interface PaymentCheckDeps {
  ledgers: Pick<PaymentLedgers, 'bankCreditsOn' | 'cardPaymentsByAuthorization'>;
  bookings: Pick<BookingService, 'book'>;
  attempts: Pick<BookingAttemptsRepository, 'paymentUse'>;
  sync: LedgerRefresh;
  timezone: string;
  now: () => number;
}

export type PaymentCheckResult = AttemptOutcome & { booking?: BookingOutcome | undefined };

function toAttempt(outcome: BookingOutcome): PaymentCheckResult {
  switch (outcome.kind) {
    case 'booked':
      return { kind: 'booked', reserva: outcome.reserva, booking: outcome };
    case 'pending':
      return { kind: 'delegated', booking: outcome };
    case 'rates_missing':
    case 'sold_out':
    case 'deposit_too_small':
    case 'payment_in_use':
    case 'payment_held': // another of this guest's stays is being booked with it: not this follow-up's booking
    case 'payment_rejected':
    case 'failed':
      return { kind: 'give_up', reason: outcome.kind, booking: outcome };
  }
}

export function createPaymentCheck(deps: PaymentCheckDeps): (payload: FollowUpPayload, signal?: AbortSignal) => Promise<PaymentCheckResult> {
  const book = async (payload: FollowUpPayload, payment: BookingRequest['payment'], signal?: AbortSignal) =>
    toAttempt(await deps.bookings.book({ ...payload.booking, payment }, signal));

  return async (payload, signal) => {
    if (payload.bank) {
      const { slipDate, slipAmountCents, bookingAmountCents } = payload.bank;
      await deps.sync.bank?.(signal);
      const conversationId = payload.booking.conversationId;
      // A transfer made late in the day may be on the next day's statement.
      for (const date of statementDatesFor(slipDate, todayIn(deps.timezone, deps.now()))) {
        const credits = (await deps.ledgers.bankCreditsOn(date, signal)).filter((c) => c.creditCents === slipAmountCents);
        const uses = new Map(credits.map((c) => [c.id, deps.attempts.paymentUse(`BAC_${c.id}`)]));
        // This follow-up's own booking (in flight, or made by an earlier check): the booking path tells its outcome.
        const ours = credits.find((c) => {
          const use = uses.get(c.id);
          return use?.inFlight?.conversationId === conversationId || use?.booked.some((a) => isSameBooking(a, payload.booking));
        });
        if (ours) return book(payload, { method: 'Depósito BAC', bacId: ours.id, amountCents: slipAmountCents, makerName: payload.makerName }, signal);
        // Otherwise a credit the payment rule lets pay this booking, and none of our bookings is applying.
        const free = credits.filter((c) => !uses.get(c.id)?.inFlight);
        const chosen = chooseRow(free.map((c) => seenBy(bankRowState(c), uses.get(c.id)?.booked ?? [], conversationId)), bookingAmountCents);
        if (chosen?.verdict.ok) {
          // What is left of the transfer, up to the slip (a fresh transfer: all of it, as the original).
          const amountCents = Math.min(slipAmountCents, chosen.verdict.unusedCents);
          return book(payload, { method: 'Depósito BAC', bacId: chosen.row.id, amountCents, makerName: payload.makerName }, signal);
        }
      }
      return { kind: 'not_yet' };
    }
    if (payload.card) {
      await deps.sync.card?.(signal);
      const payments = await deps.ledgers.cardPaymentsByAuthorization(payload.card.authorization, signal);
      const { booked } = deps.attempts.paymentUse(`CC_${payload.card.authorization}`);
      const seen = payments.map((p) => seenBy(cardRowState(p), booked, payload.booking.conversationId));
      const chosen = chooseRow(seen, minimumDepositCents(payload.card.bookingTotalCents));
      if (!chosen) return { kind: 'not_yet' };
      // The amount taken is what is left of the payment (the original's rule); the booking path refuses it
      // (with the reason) when that is not at least the deposit.
      const amountCents = chosen.verdict.unusedCents > 0 ? chosen.verdict.unusedCents : chosen.row.amountCents;
      return book(payload, { method: 'CompraClick', authorization: payload.card.authorization, amountCents, makerName: payload.makerName }, signal);
    }
    return { kind: 'give_up', reason: 'nothing_to_look_for' };
  };
}
