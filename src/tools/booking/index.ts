// The hotel tools that the configured backends allow: the booking API's availability tools, the hotel
// database's rate, payment and lookup tools, and the booking tools that need both.
import { buildTools, register, type ToolRegistration } from '../registration.js';
import type { ToolDefinition } from '../types.js';
import { HANDLE_CUSTOMER_TRANSFERENCIA_TYPE_RESPONSE, createHandleTransferTypeResponseTool } from '../payments/handle-customer-transferencia-type-response.js';
import { START_BANK_TRANSFER_RETRY_PROCESS, createStartBankTransferRetryProcessTool } from '../payments/start-bank-transfer-retry-process.js';
import { TRIGGER_COMPRACLICK_RETRY_FOR_MISSING_PAYMENT, createTriggerCompraclickRetryTool } from '../payments/trigger-compraclick-retry-for-missing-payment.js';
import { VALIDATE_BANK_TRANSFER, createValidateBankTransferTool } from '../payments/validate-bank-transfer.js';
import { CREATE_COMPRACLICK_LINK, createCompraclickLinkTool } from '../payments/create-compraclick-link.js';
import { createSyncBankTransfersTool, createSyncCompraclickPaymentsTool, SYNC_BANK_TRANSFERS, SYNC_COMPRACLICK_PAYMENTS } from '../payments/sync-payments.js';
import { VALIDATE_COMPRACLICK_PAYMENT_FALLBACK, createValidateCompraclickPaymentFallbackTool } from '../payments/validate-compraclick-payment-fallback.js';
import { VALIDATE_COMPRACLICK_PAYMENT, createValidateCompraclickPaymentTool } from '../payments/validate-compraclick-payment.js';
import { CHECK_ROOM_AVAILABILITY_COUNTS, createCheckRoomAvailabilityCountsTool } from './check-room-availability-counts.js';
import { CHECK_ROOM_AVAILABILITY, createCheckRoomAvailabilityTool } from './check-room-availability.js';
import { CHECK_SMART_AVAILABILITY, createCheckSmartAvailabilityTool } from './check-smart-availability.js';
import { GET_PRICE_FOR_DATE, createGetPriceForDateTool } from './get-price-for-date.js';
import type { HotelToolDeps } from './hotel-tool-deps.js';
import { LOOKUP_BOOKING, createLookupBookingTool } from './lookup-booking.js';
import { MAKE_BOOKING, createMakeBookingTool } from './make-booking.js';
import { MAKE_MULTI_ROOM_BOOKING, createMakeMultiRoomBookingTool } from './make-multi-room-booking.js';

/** What the hotel's tools are built from: the backends, and the time a booking call may take. */
export type HotelToolsDeps = HotelToolDeps & { bookingTimeoutMs: number };

const syncTimeoutMs = (d: HotelToolsDeps) => (d.portalTimeoutMs ?? 120_000) + 15_000;
const booking = (d: HotelToolsDeps) => d.bookings && { bookings: d.bookings, gate: d.gate, timezone: d.timezone, timeoutMs: d.bookingTimeoutMs };
/** The payment follow-ups exist only beside the booking service (they book once the payment shows up). */
const followUp = (d: HotelToolsDeps) =>
  d.bookings && d.followUps && d.paymentCheck && { followUps: d.followUps, check: d.paymentCheck, gate: d.gate, timezone: d.timezone, timeoutMs: d.bookingTimeoutMs };

/** `create(part)` when the part is there. */
function when<P>(part: P | undefined, create: (part: P) => ToolDefinition): ToolDefinition | undefined {
  return part ? create(part) : undefined;
}

/**
 * The hotel's tools, one registration each, in the order /ready names those not offered. A tool whose backend is
 * not configured is not built; its declaration's needs say which variables are missing (composition/hotel-backends.ts).
 */
export const HOTEL_TOOLS: readonly ToolRegistration<HotelToolsDeps>[] = [
  register(CHECK_ROOM_AVAILABILITY, (d) => d.availability && createCheckRoomAvailabilityTool({ availability: d.availability, timezone: d.timezone })),
  register(CHECK_SMART_AVAILABILITY, (d) => d.availability && createCheckSmartAvailabilityTool({ availability: d.availability, timezone: d.timezone })),
  register(CHECK_ROOM_AVAILABILITY_COUNTS, (d) => d.availability && createCheckRoomAvailabilityCountsTool({ availability: d.availability, timezone: d.timezone })),
  register(GET_PRICE_FOR_DATE, (d) => d.rates && createGetPriceForDateTool({ rates: d.rates })),
  register(VALIDATE_COMPRACLICK_PAYMENT, (d) => d.ledgers && createValidateCompraclickPaymentTool({ ledgers: d.ledgers, attempts: d.attempts })),
  register(VALIDATE_COMPRACLICK_PAYMENT_FALLBACK, (d) => d.ledgers && createValidateCompraclickPaymentFallbackTool({ ledgers: d.ledgers, attempts: d.attempts, timezone: d.timezone })),
  register(VALIDATE_BANK_TRANSFER, (d) => d.ledgers && createValidateBankTransferTool({ ledgers: d.ledgers, attempts: d.attempts, timezone: d.timezone })),
  register(LOOKUP_BOOKING, (d) => d.guestBookings && createLookupBookingTool({ guestBookings: d.guestBookings })),
  register(MAKE_BOOKING, (d) => when(booking(d), createMakeBookingTool)),
  register(MAKE_MULTI_ROOM_BOOKING, (d) => when(booking(d), createMakeMultiRoomBookingTool)),
  register(START_BANK_TRANSFER_RETRY_PROCESS, (d) => when(followUp(d), createStartBankTransferRetryProcessTool)),
  register(TRIGGER_COMPRACLICK_RETRY_FOR_MISSING_PAYMENT, (d) => when(followUp(d), createTriggerCompraclickRetryTool)),
  register(HANDLE_CUSTOMER_TRANSFERENCIA_TYPE_RESPONSE, (d) => when(followUp(d), (f) => createHandleTransferTypeResponseTool({ followUps: f.followUps }))),
  register(SYNC_COMPRACLICK_PAYMENTS, (d) => d.ledgerSync?.has('compraclick') && createSyncCompraclickPaymentsTool({ sync: d.ledgerSync, timeoutMs: syncTimeoutMs(d) })),
  register(SYNC_BANK_TRANSFERS, (d) => d.ledgerSync?.has('bac') && createSyncBankTransfersTool({ sync: d.ledgerSync, timeoutMs: syncTimeoutMs(d) })),
  register(
    CREATE_COMPRACLICK_LINK,
    (d) =>
      d.paymentLinks &&
      createCompraclickLinkTool({ links: d.paymentLinks.links, createLink: d.paymentLinks.create, availability: d.availability, timezone: d.timezone, portalTimeoutMs: d.paymentLinks.portalTimeoutMs }),
  ),
];

export function createHotelTools(deps: HotelToolDeps, options: { bookingTimeoutMs: number }): ToolDefinition[] {
  return buildTools(HOTEL_TOOLS, { ...deps, ...options });
}
