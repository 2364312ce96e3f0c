// validate_compraclick_payment_fallback: a card payment without its authorization code — by the card's
// last four digits, the amount charged and the day (relative days in the hotel's time zone).
import { z } from 'zod';
import { parsePaymentDate } from '../../hotel-rules/stay-dates.js';
import { toCents } from '../../hotel-rules/values.js';
import type { BookingAttemptsRepository } from '../../store/booking-attempts-repository.js';
import type { PaymentLedgers } from '../../store/hotel/payment-ledgers.js';
import { backendUnavailable } from '../booking/stay-arguments.js';
import { hotelToday } from '../booking/hotel-tool-deps.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { cardCoverage } from './card-coverage.js';
import { declareTool } from '../declaration.js';

export const VALIDATE_COMPRACLICK_PAYMENT_FALLBACK = declareTool({ name: 'validate_compraclick_payment_fallback', needs: ['hotel-database'], does: 'reads' });

export function createValidateCompraclickPaymentFallbackTool(deps: {
  ledgers: Pick<PaymentLedgers, 'cardPaymentsByCard' | 'cardDiagnostics'>;
  attempts: Pick<BookingAttemptsRepository, 'paymentUse'>;
  timezone: string;
}): ToolDefinition {
  return defineTool({
    ...VALIDATE_COMPRACLICK_PAYMENT_FALLBACK,
    description:
      'Verifica un pago CompraClick sin autorización (últimos 4 dígitos, monto, fecha). Devuelve la autorización para make_booking.',
    parameters: z.object({
      card_last_four: z.string().max(20),
      charged_amount: z.number().positive().max(1_000_000).describe('USD'),
      payment_date: z.string().max(60).describe('Como la dice el huésped ("hoy", "ayer", DD/MM/YYYY…)'),
      booking_total: z.number().positive().max(1_000_000).describe('USD'),
    }),
    handler: async (context, args) => {
      const last4 = args.card_last_four.replace(/\D/g, '').slice(-4);
      if (last4.length !== 4) return { success: false, error: 'card_last_four must be the last 4 digits of the card' };
      const day = parsePaymentDate(args.payment_date, hotelToday(deps, context.clock.now()));
      if (!day) return { success: false, error: `payment_date could not be read as a date: ${JSON.stringify(args.payment_date.slice(0, 60))}` };
      const amountCents = toCents(args.charged_amount);
      try {
        const payments = await deps.ledgers.cardPaymentsByCard(last4, amountCents, day, context.signal);
        if (payments.length === 0) {
          const d = await deps.ledgers.cardDiagnostics(last4, amountCents, day, context.signal);
          const unmatched = [
            d.cardMatches === 0 ? 'los últimos 4 dígitos de la tarjeta' : undefined,
            d.amountMatches === 0 ? 'el monto' : undefined,
            d.dateMatches === 0 ? 'la fecha' : undefined,
          ].filter((x): x is string => x !== undefined);
          return {
            success: false,
            error: 'payment_not_found',
            validation_method: 'fallback',
            searched: { card_last_four: last4, charged_amount: args.charged_amount, payment_date: day },
            customer_message:
              unmatched.length > 0
                ? `No encuentro un pago con esos datos. No coinciden ${unmatched.join(', ')}; ¿podría verificarlos en su comprobante?`
                : 'No encuentro un pago que coincida a la vez con la tarjeta, el monto y la fecha; ¿podría verificar los datos en su comprobante?',
          };
        }
        const authorization = (payments[0] as (typeof payments)[number]).authorization;
        const same = payments.filter((p) => p.authorization === authorization);
        return {
          ...cardCoverage(same, toCents(args.booking_total), deps.attempts, context.conversationId, authorization),
          validation_method: 'fallback',
          authorization_number: authorization,
          matched_criteria: { card_last_four: last4, charged_amount: args.charged_amount, payment_date: day },
        };
      } catch (err) {
        context.logger.warn({ err }, 'compraclick fallback lookup failed');
        return backendUnavailable('the payments database');
      }
    },
  });
}
