// One check of a payment that was not in the ledger: bring the ledger up to date (the portal sync, when the
// portal is configured), look for the payment, and book through the booking service, which never books a
// payment twice. Used by the follow-up attempts and by the tools' first check in the turn.
import { z } from 'zod';
import type { BookingAttemptsRepository } from '../store/booking-attempts-repository.js';
import type { PaymentLedgers } from '../store/hotel/payment-ledgers.js';
import { bookingRequestSchema, type BookingRequest } from './booking-request.js';
import type { BookingOutcome, BookingService } from './booking-service.js';
import { statementDatesFor } from './follow-up-schedule.js';
import type { AttemptOutcome } from './payment-follow-up.js';
import { todayIn } from './values.js';

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
  attempts: Pick<BookingAttemptsRepository, 'livePayment'>;
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
      // A transfer made late in the day may be on the next day's statement.
      for (const date of statementDatesFor(slipDate, todayIn(deps.timezone, deps.now()))) {
        const credits = await deps.ledgers.bankCreditsOn(date, signal);
        const ours = credits.find((c) => c.creditCents === slipAmountCents && deps.attempts.livePayment(`BAC_${c.id}`)?.conversationId === payload.booking.conversationId);
        const free = credits.find(
          (c) => c.creditCents === slipAmountCents && !c.bookingCode && c.usedCents === 0 && !deps.attempts.livePayment(`BAC_${c.id}`) && slipAmountCents >= bookingAmountCents,
        );
        const credit = ours ?? free;
        if (credit) return book(payload, { method: 'Depósito BAC', bacId: credit.id, amountCents: slipAmountCents, makerName: payload.makerName }, signal);
      }
      return { kind: 'not_yet' };
    }
    if (payload.card) {
      await deps.sync.card?.(signal);
      const payments = await deps.ledgers.cardPaymentsByAuthorization(payload.card.authorization, signal);
      const usable = payments.map((p) => ({ p, remaining: p.amountCents - p.usedCents })).sort((a, b) => b.remaining - a.remaining)[0];
      if (!usable) return { kind: 'not_yet' };
      // The amount taken is what is left of the payment (the original's rule), at least half the total.
      const amountCents = usable.remaining > 0 ? usable.remaining : usable.p.amountCents;
      return book(payload, { method: 'CompraClick', authorization: payload.card.authorization, amountCents, makerName: payload.makerName }, signal);
    }
    return { kind: 'give_up', reason: 'nothing_to_look_for' };
  };
}
