// validate_compraclick_payment: a card payment by its authorization code, against the compraclick ledger.
import { z } from 'zod';
import { toCents } from '../../hotel-rules/values.js';
import type { BookingAttemptsRepository } from '../../store/booking-attempts-repository.js';
import type { PaymentLedgers } from '../../store/hotel/payment-ledgers.js';
import { backendUnavailable } from '../booking/stay-arguments.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { cardCoverage } from './card-coverage.js';
import { declareTool } from '../declaration.js';

export const VALIDATE_COMPRACLICK_PAYMENT = declareTool({ name: 'validate_compraclick_payment', needs: ['hotel-database'], does: 'reads' });

export function createValidateCompraclickPaymentTool(deps: {
  ledgers: Pick<PaymentLedgers, 'cardPaymentsByAuthorization'>;
  attempts: Pick<BookingAttemptsRepository, 'paymentUse'>;
}): ToolDefinition {
  return defineTool({
    ...VALIDATE_COMPRACLICK_PAYMENT,
    description:
      'Verifica un pago CompraClick por su autorización y si cubre el 50 % del total. Solo consulta: se aplica con make_booking.',
    parameters: z.object({
      authorization_number: z.string().max(40).describe('6 dígitos'),
      booking_total: z.number().positive().max(1_000_000).describe('USD'),
    }),
    handler: async (context, args) => {
      const code = args.authorization_number.replace(/\s+/g, '').toUpperCase();
      if (!/^[0-9A-Z]{4,12}$/.test(code)) return { success: false, error: 'authorization_number must be the 4–12 letters or digits of the receipt' };
      let payments;
      try {
        payments = await deps.ledgers.cardPaymentsByAuthorization(code, context.signal);
      } catch (err) {
        context.logger.warn({ err }, 'compraclick lookup failed');
        return backendUnavailable('the payments database');
      }
      if (payments.length === 0) {
        return {
          success: false,
          error: 'Authorization code not found',
          customer_message:
            'No encuentro ese número de autorización todavía. ¿Podría revisar el comprobante que el banco le envió por ' +
            'correo electrónico (PDF) y confirmarme el número de autorización?',
        };
      }
      return cardCoverage(payments, toCents(args.booking_total), deps.attempts, context.conversationId, code);
    },
  });
}
