// validate_bank_transfer: a transfer slip matched to a credit of the bac statement ledger — exactly the
// slip's amount (compared in cents, so "1,250.00" matches 1250) on exactly the slip's date, with an unused
// balance of at least the booking amount. Its transfer_id (bac.id) is what make_booking needs.
import { z } from 'zod';
import { formatAmount, fromCents, isIsoDate, toCents } from '../../hotel/values.js';
import type { BookingAttemptsRepository } from '../../store/booking-attempts-repository.js';
import type { BankCredit, PaymentLedgers } from '../../store/hotel/payment-ledgers.js';
import { backendUnavailable } from '../booking/stay-arguments.js';
import { hotelToday } from '../booking/hotel-tool-deps.js';
import { defineTool, type ToolDefinition } from '../types.js';

export function createValidateBankTransferTool(deps: {
  ledgers: Pick<PaymentLedgers, 'bankCreditsOn'>;
  attempts: Pick<BookingAttemptsRepository, 'livePayment'>;
  timezone: string;
}): ToolDefinition {
  return defineTool({
    name: 'validate_bank_transfer',
    description:
      'Verifica una transferencia o depósito BAC: busca un crédito exacto por el monto del comprobante en la fecha ' +
      'del comprobante y comprueba que cubra el monto de la reserva. Devuelve transfer_id para make_booking.',
    parameters: z.object({
      slip_date: z.string().max(40).describe('Fecha del comprobante, YYYY-MM-DD.'),
      slip_amount: z.number().positive().max(1_000_000).describe('Monto del comprobante en USD.'),
      booking_amount: z.number().positive().max(1_000_000).describe('Monto que debe cubrir (USD).'),
    }),
    handler: async (context, args) => {
      const date = args.slip_date.trim();
      if (!isIsoDate(date)) {
        return { success: false, error: 'invalid_date', message: 'slip_date must be a real date YYYY-MM-DD: read the slip again, or ask the guest for the date.' };
      }
      const today = hotelToday(deps, context.clock.now());
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
          message: `No credit of $${formatAmount(amount)} on ${date} in the bank statement yet. Bank transfers can take a while to appear.`,
        };
      }
      const ours = (c: BankCredit) => deps.attempts.livePayment(`BAC_${c.id}`);
      const free = matching.find((c) => !c.bookingCode && c.usedCents === 0 && !ours(c) && (c.creditCents ?? 0) - c.usedCents >= needed);
      if (free) {
        const balance = (free.creditCents ?? 0) - free.usedCents;
        return { success: true, message: 'Transfer found and valid for this booking.', transfer_id: String(free.id), available_balance: fromCents(balance) };
      }
      const mine = matching.map((c) => ({ c, live: ours(c) })).find(({ live }) => live?.conversationId === context.conversationId);
      if (mine?.live?.state === 'booked') {
        return { success: false, error: 'already_used_for_booking', booking_code: `HR${mine.live.reserva ?? ''}`, message: 'This transfer was already applied to this guest\'s booking.' };
      }
      const used = matching.find((c) => c.bookingCode);
      if (used) {
        return {
          success: false,
          error: 'already_used_for_booking',
          booking_code: used.bookingCode,
          date_used: used.dateUsed,
          message: `This transfer was already applied to booking ${used.bookingCode}.`,
        };
      }
      const partial = matching.find((c) => !ours(c) && !c.bookingCode && c.usedCents === 0);
      if (partial) {
        return { success: false, error: 'insufficient_amount', message: `The transfer of $${formatAmount(amount)} does not cover $${formatAmount(needed)}.` };
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
