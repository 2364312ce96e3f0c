// How long the make_booking tool may run, from the booking API's timeout.
import type { Config } from '../config.js';

/** A booking call: up to three booking API posts (a vanished room is re-picked twice) plus the database steps. */
export function bookingCallBudgetMs(config: Pick<Config, 'hotel'>): number {
  return (config.hotel.bookingApi?.timeoutMs ?? 30_000) * 4 + 20_000;
}
