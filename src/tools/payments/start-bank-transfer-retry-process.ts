// start_bank_transfer_retry_process: a bank transfer that is not in the statement yet. Checked once now
// (sync, validate, book); if it is not there, the guest is reassured with this turn's reply and a durable
// follow-up checks again on the original's schedule (a UNI transfer first when the banks process it).
import { z } from 'zod';
import type { PaymentCheckResult, FollowUpPayload } from '../../hotel/payment-check.js';
import type { PaymentFollowUps } from '../../hotel/payment-follow-up.js';
import { uniProcessingStart } from '../../hotel/follow-up-schedule.js';
import { parsePaymentDate } from '../../hotel-rules/stay-dates.js';
import { toCents } from '../../hotel-rules/values.js';
import { gateRefusal, outcomeOutput } from '../booking/booking-arguments.js';
import { hotelToday, type BookingGate } from '../booking/hotel-tool-deps.js';
import { backendUnavailable } from '../booking/stay-arguments.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { BANK_REASSURANCE, bookingDataSchema, checkFollowUpBooking } from './follow-up-arguments.js';
import { declareTool } from '../declaration.js';

export const START_BANK_TRANSFER_RETRY_PROCESS = declareTool({ name: 'start_bank_transfer_retry_process', needs: ['hotel-database', 'booking-api'], does: 'books' });

export const FIRST_FOLLOW_UP_DELAY_MS = 5 * 60_000;

export interface FollowUpToolDeps {
  followUps: PaymentFollowUps;
  check: (payload: FollowUpPayload, signal?: AbortSignal) => Promise<PaymentCheckResult>;
  gate: BookingGate;
  timezone: string;
  timeoutMs: number;
}

export function createStartBankTransferRetryProcessTool(deps: FollowUpToolDeps): ToolDefinition {
  return defineTool({
    ...START_BANK_TRANSFER_RETRY_PROCESS,
    description:
      'Transferencia válida que aún no aparece en el estado de cuenta: se verifica ahora y por horas, y se reserva al aparecer (el huésped ya recibe el aviso).',
    timeoutMs: deps.timeoutMs,
    parameters: z.object({
      phone_number: z.string().max(40).optional().describe('Solo Messenger/Instagram'),
      payment_data: z.object({
        slip_date: z.string().max(40).describe('YYYY-MM-DD o como aparece'),
        slip_amount: z.number().positive().max(1_000_000),
        booking_amount: z.number().positive().max(1_000_000),
        transfer_method: z.enum(['UNI', '365', 'unknown']).default('unknown').describe('Según analyze_payment_proof'),
        booking_data: bookingDataSchema,
      }),
    }),
    handler: async (context, args) => {
      const data = args.payment_data;
      const today = hotelToday(deps, context.clock.now());
      const slipDate = parsePaymentDate(data.slip_date, today);
      if (!slipDate) return { success: false, error: 'payment_data.slip_date must be a real date YYYY-MM-DD' };
      if (slipDate > today) return { success: false, error: 'future_date', message: 'The slip date is after today: read the slip again or ask the guest.' };
      const booking = checkFollowUpBooking(context, deps.timezone, data.booking_data, args.phone_number);
      if (!booking.ok) return booking.output;
      const refused = await gateRefusal(deps.gate, context.clock.now(), context.signal);
      if (refused) return refused;
      const payload: FollowUpPayload = {
        ...booking.value,
        bank: { slipDate, slipAmountCents: toCents(data.slip_amount), bookingAmountCents: toCents(data.booking_amount) },
      };
      let first: PaymentCheckResult;
      try {
        first = await deps.check(payload, context.signal);
      } catch (err) {
        context.logger.warn({ err }, 'first bank transfer check failed; following up');
        first = { kind: 'not_yet' };
      }
      if (first.kind !== 'not_yet') return first.booking ? outcomeOutput(first.booking) : backendUnavailable('the hotel system');
      const now = context.clock.now();
      const firstAt = Math.max(now + FIRST_FOLLOW_UP_DELAY_MS, data.transfer_method === 'UNI' ? uniProcessingStart(now, deps.timezone) : 0);
      const started = deps.followUps.start({
        conversationId: context.conversationId,
        paymentKey: `BANK_${booking.value.booking.holder}_${slipDate}_${toCents(data.slip_amount)}`,
        kind: 'bank',
        payload,
        firstAt,
      });
      if (started.created) context.effects.say(BANK_REASSURANCE);
      return {
        success: true,
        retry_started: started.created,
        already_running: !started.created,
        first_check_at: new Date(firstAt).toISOString(),
        message: started.created
          ? 'The transfer is not in the statement yet. The guest has already been told it is being checked (do not repeat it); the booking will be made and the guest told the code when it appears.'
          : 'This transfer is already being checked; nothing new was started.',
      };
    },
  });
}
