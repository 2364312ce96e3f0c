// validate_bank_transfer: a transfer slip matched to a credit of the bac statement ledger — exactly the
// slip's amount (compared in cents, so "1,250.00" matches 1250) on exactly the slip's date — that the
// payment rule (hotel-rules/payment-rule.ts) lets this conversation pay the booking amount with: its unused
// balance covers it, after this conversation's earlier bookings; a credit another guest (or the Python
// service) already used is not this guest's, and is refused without naming that booking or its amounts.
// Its transfer_id (bac.id) is what make_booking needs; available_amount is what make_booking will take.
import { z } from 'zod';
import { chooseRow, seenBy } from '../../hotel-rules/payment-rule.js';
import { parsePaymentDate } from '../../hotel-rules/stay-dates.js';
import { formatAmount, fromCents, toCents } from '../../hotel-rules/values.js';
import type { BookingAttemptsRepository } from '../../store/booking-attempts-repository.js';
import { bankRowState, type BankCredit, type PaymentLedgers } from '../../store/hotel/payment-ledgers.js';
import { backendUnavailable } from '../booking/stay-arguments.js';
import { hotelToday } from '../booking/hotel-tool-deps.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { declareTool } from '../declaration.js';

export const VALIDATE_BANK_TRANSFER = declareTool({ name: 'validate_bank_transfer', needs: ['hotel-database'], does: 'reads' });

export function createValidateBankTransferTool(deps: {
  ledgers: Pick<PaymentLedgers, 'bankCreditsOn'>;
  attempts: Pick<BookingAttemptsRepository, 'paymentUse'>;
  timezone: string;
}): ToolDefinition {
  return defineTool({
    ...VALIDATE_BANK_TRANSFER,
    description:
      'Verifica una transferencia BAC: crédito exacto por slip_amount en slip_date cuyo saldo sin usar cubra booking_amount. Devuelve transfer_id para make_booking.',
    parameters: z.object({
      slip_date: z.string().max(40).describe('YYYY-MM-DD o como aparece, p. ej. 24/11/2026'),
      slip_amount: z.number().positive().max(1_000_000).describe('USD'),
      booking_amount: z.number().positive().max(1_000_000).describe('USD a cubrir'),
    }),
    handler: async (context, args) => {
      const today = hotelToday(deps, context.clock.now());
      const date = parsePaymentDate(args.slip_date, today);
      if (!date) {
        return { success: false, error: 'invalid_date', message: 'slip_date must be a real date (YYYY-MM-DD): read the slip again, or ask the guest for the date.' };
      }
      if (date > today) {
        return { success: false, error: 'future_date', message: `slip_date ${date} is after today (${today}): read the slip again, or ask the guest for the date.` };
      }
      let credits: BankCredit[];
      try {
        credits = await deps.ledgers.bankCreditsOn(date, context.signal);
      } catch (err) {
        context.logger.warn({ err }, 'bac lookup failed');
        return backendUnavailable('the payments database');
      }
      const amount = toCents(args.slip_amount);
      const needed = toCents(args.booking_amount);
      const matching = credits.filter((c) => c.creditCents === amount);
      if (matching.length === 0) {
        return {
          success: false,
          error: 'transfer_not_found',
          slip_date_read_as: date,
          message: `No credit of $${formatAmount(amount)} on ${date} in the bank statement yet. Bank transfers can take a while to appear.`,
        };
      }
      // A credit one of our bookings is applying right now is not offered again until that attempt ends.
      const uses = new Map(matching.map((c) => [c.id, deps.attempts.paymentUse(`BAC_${c.id}`)]));
      const inFlight = new Map(matching.map((c) => [c.id, uses.get(c.id)?.inFlight]));
      const free = matching.filter((c) => !inFlight.get(c.id));
      const chosen = chooseRow(
        free.map((c) => seenBy(bankRowState(c), uses.get(c.id)?.booked ?? [], context.conversationId)),
        needed,
      );
      if (chosen?.verdict.ok) {
        const codes = chosen.row.bookingCodes;
        return {
          success: true,
          message:
            codes.length > 0
              ? `Transfer found; it already paid ${codes.join(', ')} and $${formatAmount(chosen.verdict.unusedCents)} of it is unused, enough for this booking.`
              : 'Transfer found and valid for this booking.',
          transfer_id: String(chosen.row.id),
          available_balance: fromCents(chosen.verdict.unusedCents),
          // What make_booking takes of it: the payment_amount given, at most this.
          available_amount: fromCents(chosen.verdict.unusedCents),
          slip_date_read_as: date,
          ...(codes.length > 0 ? { bookings_paid: codes } : {}),
        };
      }
      const mine = [...inFlight.values()].find((a) => a?.conversationId === context.conversationId);
      if (mine) {
        return {
          success: false,
          error: 'payment_in_process',
          message: 'This transfer is being applied to this guest\'s booking right now.',
          assistant_instruction: 'No llames make_booking otra vez con esta transferencia: la reserva ya está en proceso.',
        };
      }
      const verdict = chosen?.verdict;
      if (verdict && !verdict.ok && verdict.reason === 'used_by_other') return paymentUsedByOther('transferencia');
      if (verdict && !verdict.ok && verdict.reason === 'used_up') {
        const row = matching.find((c) => c.id === chosen.row.id);
        return {
          success: false,
          error: 'already_used_for_booking',
          booking_code: verdict.bookingCodes.join(','),
          bookings_paid: verdict.bookingCodes,
          date_used: row?.dateUsed ?? null,
          message: `This transfer was already applied to booking ${verdict.bookingCodes.join(', ')}; nothing of it is left.`,
        };
      }
      if (verdict && !verdict.ok && verdict.reason === 'insufficient') {
        return {
          success: false,
          error: 'insufficient_amount',
          available_balance: fromCents(verdict.unusedCents),
          ...(verdict.bookingCodes.length > 0 ? { bookings_paid: verdict.bookingCodes } : {}),
          message:
            verdict.bookingCodes.length > 0
              ? `The transfer of $${formatAmount(amount)} already paid ${verdict.bookingCodes.join(', ')}; the $${formatAmount(verdict.unusedCents)} left does not cover $${formatAmount(needed)}.`
              : `The transfer of $${formatAmount(amount)} does not cover $${formatAmount(needed)}.`,
        };
      }
      return {
        success: false,
        error: 'transfer_in_use',
        message: 'A matching transfer is already being applied to a booking (or is reserved without one); a person must check it.',
        assistant_instruction: 'No reserves con esta transferencia. Ofrece transferir al huésped a un ejecutivo (transfer_to_human_agent).',
      };
    },
  });
}

/**
 * A payment another conversation (or the Python service) already used: refused as already used, to staff,
 * with nothing of that booking (its code, its amounts) told — the same words make_booking uses.
 */
export function paymentUsedByOther(what: 'transferencia' | 'pago'): Record<string, unknown> {
  return {
    success: false,
    error: 'payment_already_used',
    customer_message: 'Este pago ya fue utilizado para otra reserva.',
    message: 'This payment was already used for another booking.',
    assistant_instruction: `No reserves con esta ${what}. Si el huésped cree que es un error, ofrécele un ejecutivo (transfer_to_human_agent) para que la revise.`,
  };
}
