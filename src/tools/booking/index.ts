// The hotel tools that the configured backends allow: the booking API's availability tools, the hotel
// database's rate, payment and lookup tools, and the booking tools that need both.
import type { ToolDefinition } from '../types.js';
import { createHandleTransferTypeResponseTool } from '../payments/handle-customer-transferencia-type-response.js';
import { createStartBankTransferRetryProcessTool } from '../payments/start-bank-transfer-retry-process.js';
import { createTriggerCompraclickRetryTool } from '../payments/trigger-compraclick-retry-for-missing-payment.js';
import { createValidateBankTransferTool } from '../payments/validate-bank-transfer.js';
import { createCompraclickLinkTool } from '../payments/create-compraclick-link.js';
import { createSyncBankTransfersTool, createSyncCompraclickPaymentsTool } from '../payments/sync-payments.js';
import { createValidateCompraclickPaymentFallbackTool } from '../payments/validate-compraclick-payment-fallback.js';
import { createValidateCompraclickPaymentTool } from '../payments/validate-compraclick-payment.js';
import { createCheckRoomAvailabilityCountsTool } from './check-room-availability-counts.js';
import { createCheckRoomAvailabilityTool } from './check-room-availability.js';
import { createCheckSmartAvailabilityTool } from './check-smart-availability.js';
import { createGetPriceForDateTool } from './get-price-for-date.js';
import type { HotelToolDeps } from './hotel-tool-deps.js';
import { createLookupBookingTool } from './lookup-booking.js';
import { createMakeBookingTool } from './make-booking.js';
import { createMakeMultiRoomBookingTool } from './make-multi-room-booking.js';

/** Tools by the backend they need, so /ready can name the ones not offered. */
export const BOOKING_API_TOOLS = ['check_room_availability', 'check_smart_availability', 'check_room_availability_counts'] as const;
export const HOTEL_DB_TOOLS = [
  'get_price_for_date',
  'validate_compraclick_payment',
  'validate_compraclick_payment_fallback',
  'validate_bank_transfer',
  'lookup_booking',
] as const;
export const BOOKING_TOOLS = [
  'make_booking',
  'make_multi_room_booking',
  'start_bank_transfer_retry_process',
  'trigger_compraclick_retry_for_missing_payment',
  'handle_customer_transferencia_type_response',
] as const;

export const PORTAL_TOOLS = ['sync_compraclick_payments', 'sync_bank_transfers', 'create_compraclick_link'] as const;

export function createHotelTools(deps: HotelToolDeps, options: { bookingTimeoutMs: number }): ToolDefinition[] {
  const { timezone, availability, rates, ledgers, guestBookings, bookings, attempts, gate, followUps, paymentCheck, ledgerSync, paymentLinks } = deps;
  const tools: ToolDefinition[] = [];
  if (availability) {
    tools.push(
      createCheckRoomAvailabilityTool({ availability, timezone }),
      createCheckSmartAvailabilityTool({ availability, timezone }),
      createCheckRoomAvailabilityCountsTool({ availability, timezone }),
    );
  }
  if (rates) tools.push(createGetPriceForDateTool({ rates }));
  if (ledgers) {
    tools.push(
      createValidateCompraclickPaymentTool({ ledgers, attempts }),
      createValidateCompraclickPaymentFallbackTool({ ledgers, attempts, timezone }),
      createValidateBankTransferTool({ ledgers, attempts, timezone }),
    );
  }
  if (guestBookings) tools.push(createLookupBookingTool({ guestBookings }));
  if (bookings) {
    const booking = { bookings, gate, timezone, timeoutMs: options.bookingTimeoutMs };
    tools.push(createMakeBookingTool(booking), createMakeMultiRoomBookingTool(booking));
    if (followUps && paymentCheck) {
      const followUp = { followUps, check: paymentCheck, gate, timezone, timeoutMs: options.bookingTimeoutMs };
      tools.push(
        createStartBankTransferRetryProcessTool(followUp),
        createTriggerCompraclickRetryTool(followUp),
        createHandleTransferTypeResponseTool({ followUps }),
      );
    }
  }
  const syncTimeoutMs = (deps.portalTimeoutMs ?? 120_000) + 15_000;
  if (ledgerSync?.has('compraclick')) tools.push(createSyncCompraclickPaymentsTool({ sync: ledgerSync, timeoutMs: syncTimeoutMs }));
  if (ledgerSync?.has('bac')) tools.push(createSyncBankTransfersTool({ sync: ledgerSync, timeoutMs: syncTimeoutMs }));
  if (paymentLinks) {
    tools.push(
      createCompraclickLinkTool({ links: paymentLinks.links, createLink: paymentLinks.create, availability, timezone, portalTimeoutMs: paymentLinks.portalTimeoutMs }),
    );
  }
  return tools;
}
