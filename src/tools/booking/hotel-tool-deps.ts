// What the hotel tools are built from: each tool takes only the pieces it needs, and a tool whose backend
// is not configured (no DB_HOST, no BOOKING_API_URL) is not built at all.
import type { AvailabilityService } from '../../hotel/availability.js';
import type { BookingService } from '../../hotel/booking-service.js';
import type { FollowUpPayload, PaymentCheckResult } from '../../hotel/payment-check.js';
import type { PaymentFollowUps } from '../../hotel/payment-follow-up.js';
import type { BookingAttemptsRepository } from '../../store/booking-attempts-repository.js';
import type { GuestBookings } from '../../store/hotel/guest-bookings.js';
import type { PaymentLedgers } from '../../store/hotel/payment-ledgers.js';
import type { RatesRepository } from '../../store/hotel/rates-repository.js';
import type { PaymentLinksRepository } from '../../store/payment-links-repository.js';
import type { LedgerSync } from '../../portals/ledger-sync.js';
import { todayIn } from '../../hotel-rules/values.js';
import type { IsoDate } from '../../hotel-rules/types.js';

/** Whether the assistant may book right now (BOOKING_AUTOMATION, the reservations office's hours). */
export interface BookingGate {
  /** Async: the office's closure rules may first be read from the phone system (cached a minute). */
  allowed(now: number, signal?: AbortSignal): Promise<{ allowed: boolean; reason: string }>;
}

/** The hotel's calendar day: relative dates ("hoy", "ayer") and "not in the past" are in TIMEZONE. */
export interface HotelClock {
  timezone: string;
}

export function hotelToday(clock: HotelClock, now: number): IsoDate {
  return todayIn(clock.timezone, now);
}

export interface HotelToolDeps {
  timezone: string;
  /** Needs BOOKING_API_URL. */
  availability?: AvailabilityService | undefined;
  /** Need DB_HOST. */
  rates?: Pick<RatesRepository, 'ratesFor'> | undefined;
  ledgers?: PaymentLedgers | undefined;
  guestBookings?: Pick<GuestBookings, 'byReserva'> | undefined;
  /** Needs both. */
  bookings?: BookingService | undefined;
  /** Payment follow-ups (need both): durable re-checks of a payment not in the ledger yet. */
  followUps?: PaymentFollowUps | undefined;
  paymentCheck?: ((payload: FollowUpPayload, signal?: AbortSignal) => Promise<PaymentCheckResult>) | undefined;
  /** The portals' ledger syncs (each portal only when configured). */
  ledgerSync?: LedgerSync | undefined;
  /** CompraClick link creation (the CompraClick portal). */
  paymentLinks?:
    | { links: PaymentLinksRepository; create: (input: { description: string; amountCents: number }, signal: AbortSignal) => Promise<string>; portalTimeoutMs: number }
    | undefined;
  portalTimeoutMs?: number | undefined;
  /** Our own record of booking attempts (SQLite), for the payment validators. */
  attempts: Pick<BookingAttemptsRepository, 'paymentUse'>;
  gate: BookingGate;
}
