// trigger_compraclick_retry_for_missing_payment: a card payment whose authorization code is not in the
// synced sales report yet: checked once now, then followed up durably like a bank transfer.
import { z } from 'zod';
import type { FollowUpPayload, PaymentCheckResult } from '../../hotel/payment-check.js';
import { toCents } from '../../hotel-rules/values.js';
import { gateRefusal, outcomeOutput } from '../booking/booking-arguments.js';
import { backendUnavailable } from '../booking/stay-arguments.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { bookingDataSchema, CARD_REASSURANCE, checkFollowUpBooking } from './follow-up-arguments.js';
import { FIRST_FOLLOW_UP_DELAY_MS, type FollowUpToolDeps } from './start-bank-transfer-retry-process.js';
import { declareTool } from '../declaration.js';

export const TRIGGER_COMPRACLICK_RETRY_FOR_MISSING_PAYMENT = declareTool({ name: 'trigger_compraclick_retry_for_missing_payment', needs: ['hotel-database', 'booking-api'], does: 'books' });

export function createTriggerCompraclickRetryTool(deps: FollowUpToolDeps): ToolDefinition {
  return defineTool({
    ...TRIGGER_COMPRACLICK_RETRY_FOR_MISSING_PAYMENT,
    description:
      'Comprobante CompraClick válido cuya autorización aún no aparece: se verifica ahora y luego, y se reserva al aparecer (el huésped ya recibe el aviso).',
    timeoutMs: deps.timeoutMs,
    parameters: z.object({
      phone_number: z.string().max(40).optional().describe('Solo Messenger/Instagram'),
      authorization_number: z.string().max(40),
      booking_total: z.number().positive().max(1_000_000),
      booking_data: bookingDataSchema,
    }),
    handler: async (context, args) => {
      const code = args.authorization_number.replace(/\s+/g, '').toUpperCase();
      if (!/^[0-9A-Z]{4,12}$/.test(code)) return { success: false, error: 'authorization_number must be the 4–12 letters or digits of the receipt' };
      const booking = checkFollowUpBooking(context, deps.timezone, args.booking_data, args.phone_number);
      if (!booking.ok) return booking.output;
      const refused = await gateRefusal(deps.gate, context.clock.now(), context.signal);
      if (refused) return refused;
      const payload: FollowUpPayload = { ...booking.value, card: { authorization: code, bookingTotalCents: toCents(args.booking_total) } };
      let first: PaymentCheckResult;
      try {
        first = await deps.check(payload, context.signal);
      } catch (err) {
        context.logger.warn({ err }, 'first card payment check failed; following up');
        first = { kind: 'not_yet' };
      }
      if (first.kind !== 'not_yet') return first.booking ? outcomeOutput(first.booking) : backendUnavailable('the hotel system');
      const firstAt = context.clock.now() + FIRST_FOLLOW_UP_DELAY_MS;
      const started = deps.followUps.start({ conversationId: context.conversationId, paymentKey: `CC_${code}`, kind: 'card', payload, firstAt });
      if (started.created) context.effects.say(CARD_REASSURANCE);
      return {
        success: true,
        data: { retry_started: started.created, authorization_number: code, first_check_at: new Date(firstAt).toISOString() },
        error: '',
        customer_message: started.created ? 'The guest has already been told the payment is being checked (do not repeat it).' : 'This payment is already being checked.',
      };
    },
  });
}
