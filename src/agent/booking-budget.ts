// How long the make_booking tool may run, from the booking API's timeout.
import type { HotelConfig } from '../hotel/config.js';

/** A booking call: up to three booking API posts (a vanished room is re-picked twice) plus the database steps. */
export function bookingCallBudgetMs(config: { hotel: HotelConfig }): number {
  return (config.hotel.bookingApi?.timeoutMs ?? 30_000) * 4 + 20_000;
}
