// What a booking came to, as the booking service tells its callers (the tools word it for the model and the
// guest), and the payment rule's refusals as such outcomes.
import type { ReserveResult } from '../store/hotel/payment-reservations.js';
import type { FreeCounts } from './availability.js';
import type { alternativesFor } from '../hotel-rules/occupancy.js';
import type { PayVerdict } from '../hotel-rules/payment-rule.js';
import type { PriceQuote } from '../hotel-rules/pricing.js';
import type { BookableType, IsoDate } from '../hotel-rules/types.js';

/** A stay this conversation booked (or is booking) with a payment, as our record has it: told back to its own guest. */
export interface PaidStay {
  /** HR<reserva>; undefined while the booking is still being confirmed. */
  code: string | undefined;
  checkIn: IsoDate;
  checkOut: IsoDate;
  rooms: BookableType[];
}

export type BookingOutcome =
  | { kind: 'booked'; reserva: string; rooms: string[]; quote: PriceQuote; repeated: boolean }
  /** The outcome is being established (in doubt, or a person is checking): tell the guest it is being confirmed. */
  | { kind: 'pending'; state: 'in_doubt' | 'staff' | 'in_progress' }
  /**
   * This conversation's payment is being applied to another of its stays (in flight): the stay asked now
   * was not booked, and this is no confirmation of it.
   */
  | { kind: 'payment_held'; stay: PaidStay; state: 'in_doubt' | 'staff' | 'in_progress' }
  /** Another conversation's payment (in flight, or its leftover): nothing about that booking is told. */
  | { kind: 'payment_in_use' }
  | {
      kind: 'payment_rejected';
      reason: 'not_found' | 'already_used' | 'insufficient' | 'reserved_without_booking' | 'voided';
      /** Every booking the payment already paid for, comma-separated (codreser). */
      bookingCode?: string | undefined;
      remainingCents?: number | undefined;
      /** This conversation's own bookings paid with it (their dates), when it used it: told to the guest. */
      paidStays?: PaidStay[] | undefined;
    }
  | { kind: 'deposit_too_small'; totalCents: number; requiredCents: number; quote: PriceQuote }
  | { kind: 'rates_missing'; dates: IsoDate[] }
  | { kind: 'sold_out'; requested: BookableType[]; free: FreeCounts; alternatives: ReturnType<typeof alternativesFor> }
  /** Anything else: the model offers a person. `detail` is for the model and logs, never for the guest. */
  | { kind: 'failed'; detail: string };

/** A refusal of the payment rule as the booking's outcome (the reservation's, or the plan's). */
export function rejectionOutcome(rejected: Extract<ReserveResult, { ok: false }>): BookingOutcome {
  switch (rejected.reason) {
    case 'in_progress':
      return { kind: 'pending', state: 'in_progress' };
    case 'used_by_other':
      return { kind: 'payment_in_use' };
    default:
      return { kind: 'payment_rejected', reason: rejected.reason, bookingCode: rejected.bookingCode, remainingCents: rejected.remainingCents };
  }
}

export function verdictOutcome(verdict: Extract<PayVerdict, { ok: false }>): BookingOutcome {
  if (verdict.reason === 'used_by_other') return { kind: 'payment_in_use' };
  if (verdict.reason === 'voided') return { kind: 'payment_rejected', reason: 'voided' };
  return {
    kind: 'payment_rejected',
    reason: verdict.reason === 'used_up' ? 'already_used' : verdict.reason,
    ...(verdict.bookingCodes.length > 0 ? { bookingCode: verdict.bookingCodes.join(',') } : {}),
    remainingCents: verdict.unusedCents,
  };
}
