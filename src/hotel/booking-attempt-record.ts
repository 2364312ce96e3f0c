// What our booking attempt record holds (src/store/booking-attempts-repository.ts keeps it): the request as
// stored with the rooms and quote chosen, whether an attempt is the very booking asked again, and the stay told
// back to its own guest.
import { z } from 'zod';
import type { BookingAttempt } from '../store/booking-attempts-repository.js';
import type { PaidStay } from './booking-outcome.js';
import { bookingRequestSchema, type BookingRequest } from './booking-request.js';
import type { PriceQuote } from '../hotel-rules/pricing.js';

/** The stay an attempt of ours recorded (undefined when its record cannot be read). */
export function paidStayOf(attempt: BookingAttempt): PaidStay | undefined {
  try {
    const stored = storedRequest(attempt.request);
    return {
      code: attempt.state === 'booked' && attempt.reserva ? `HR${attempt.reserva}` : undefined,
      checkIn: stored.checkIn,
      checkOut: stored.checkOut,
      rooms: stored.rooms.map((r) => r.type),
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether a booked attempt is this very booking (the same conversation asking again for the same stay:
 * a re-run turn, a repeated tool call), not another booking paid with the same payment.
 */
export function isSameBooking(attempt: BookingAttempt, request: StayOf): boolean {
  if (attempt.conversationId !== request.conversationId) return false;
  let stored: BookingRequest;
  try {
    stored = storedRequest(attempt.request);
  } catch {
    // An attempt whose record we cannot read is taken as this booking: never a second one by doubt.
    return true;
  }
  return stayKey(stored) === stayKey(request);
}

export type StayOf = Pick<BookingRequest, 'conversationId' | 'checkIn' | 'checkOut' | 'pkg' | 'rooms'>;

function stayKey(r: StayOf): string {
  const rooms = r.rooms.map((room) => `${room.type}:${room.party.adults}/${room.party.children0to5}/${room.party.children6to10}`).sort();
  return JSON.stringify([r.checkIn, r.checkOut, r.pkg, rooms]);
}

interface StoredAttemptRequest {
  request: BookingRequest;
  rooms: string[];
  quote: PriceQuote;
}

const storedSchema = bookingRequestSchema.extend({
  chosenRooms: z.array(z.string()),
  quote: z.custom<PriceQuote>((v) => typeof v === 'object' && v !== null && typeof (v as { totalCents?: unknown }).totalCents === 'number'),
});

function parseStored(value: unknown): StoredAttemptRequest {
  const parsed = storedSchema.parse(value);
  const { chosenRooms, quote, ...request } = parsed;
  return { request, rooms: chosenRooms, quote };
}

/** The request an attempt was recorded with (throws when the stored JSON is not one: a bug, not input). */
export function storedRequest(value: unknown): BookingRequest {
  return parseStored(value).request;
}

export function storedOutcome(value: unknown): { rooms: string[]; quote: PriceQuote } {
  const { rooms, quote } = parseStored(value);
  return { rooms, quote };
}
