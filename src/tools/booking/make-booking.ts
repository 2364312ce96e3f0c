// make_booking: books one room (or a Pasadía) once the payment is validated. The tool checks what the
// model sent (dates, the guest's data, room type and occupancy, the payment reference); the booking
// service does the rest with the money counted once (hotel/booking-service.ts).
import { z } from 'zod';
import type { BookingService } from '../../hotel/booking-service.js';
import { checkOccupancy, alternativesFor } from '../../hotel-rules/occupancy.js';
import { normalizePackage, normalizeRoomType } from '../../hotel-rules/rooms.js';
import type { BookableType, PackageType, Party } from '../../hotel-rules/types.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { checkGuestData, gateRefusal, guestArguments, outcomeOutput } from './booking-arguments.js';
import type { BookingGate } from './hotel-tool-deps.js';
import { backendUnavailable, checkStay, dateError, stayDateArguments } from './stay-arguments.js';
import { declareTool } from '../declaration.js';

export const MAKE_BOOKING = declareTool({ name: 'make_booking', needs: ['hotel-database', 'booking-api'], does: 'books' });

export interface MakeBookingDeps {
  bookings: BookingService;
  gate: BookingGate;
  timezone: string;
  /** Bounds the call: up to three booking API posts plus the database steps. */
  timeoutMs: number;
}

const count = z.number().int().min(0).max(200);

/** A package and a room type that go together (a Pasadía package is the day pass, and only it). */
export function checkPackage(pkgText: string, typeText: string): { ok: true; pkg: PackageType; type: BookableType } | { ok: false; error: string } {
  const pkg = normalizePackage(pkgText);
  if (!pkg) return { ok: false, error: 'package_type must be one of Las Hojas, Escapadita, Pasadía, Romántico' };
  const type = pkg === 'Pasadía' ? 'Pasadía' : normalizeRoomType(typeText);
  if (!type) return { ok: false, error: 'bungalow_type must be one of Familiar, Junior, Matrimonial, Habitación (or Pasadía)' };
  if (type === 'Pasadía' && pkg !== 'Pasadía') return { ok: false, error: 'a Pasadía (day pass) is booked with package_type "Pasadía"' };
  return { ok: true, pkg, type };
}

export function occupancyRefusal(type: BookableType, party: Party): Record<string, unknown> | undefined {
  if (party.adults < 1) return { success: false, error: 'adults must be at least 1' };
  const fit = checkOccupancy(type, party);
  if (fit.ok) return undefined;
  const alternatives = alternativesFor(party);
  return {
    success: false,
    error: 'occupancy_exceeded',
    requested_type: type,
    group_size: fit.occupancy,
    capacity: { min: fit.min, max: fit.max },
    compatible_single_room: alternatives.singleRoom,
    compatible_multi_room: alternatives.multiRoom,
    has_compatible_alternatives: alternatives.singleRoom.length + alternatives.multiRoom.length > 0,
    customer_message: fit.message,
    assistant_instruction: 'Explica la capacidad al huésped y propón una alternativa compatible; no reserves este tipo para este grupo.',
  };
}

export function createMakeBookingTool(deps: MakeBookingDeps): ToolDefinition {
  return defineTool({
    ...MAKE_BOOKING,
    description:
      'Reserva UNA habitación o un Pasadía con el pago ya validado (validate_compraclick_payment o validate_bank_transfer). ' +
      'Solo datos reales del huésped; NUNCA marcadores como "pendiente".',
    timeoutMs: deps.timeoutMs,
    parameters: z.object({
      ...guestArguments,
      ...stayDateArguments,
      adults: count.describe('11 años o más'),
      children_0_5: count.default(0).describe('no pagan'),
      children_6_10: count.default(0).describe('tarifa de niño'),
      bungalow_type: z.string().max(40).describe('Familiar, Junior, Matrimonial, Habitación o Pasadía'),
      package_type: z.string().max(40).describe('Las Hojas, Escapadita, Pasadía o Romántico'),
    }),
    handler: async (context, args) => {
      const kind = checkPackage(args.package_type, args.bungalow_type);
      const stay = checkStay(context, deps.timezone, args, kind.ok && kind.type === 'Pasadía');
      if (!stay.ok) return dateError(stay);
      if (!kind.ok) return { success: false, error: kind.error };
      if (kind.type === 'Pasadía' && stay.checkIn !== stay.checkOut) {
        return { success: false, error: 'a Pasadía (day pass) starts and ends on the same day: check_out_date must equal check_in_date', field: 'check_out_date' };
      }
      const refused = await gateRefusal(deps.gate, context.clock.now(), context.signal);
      if (refused) return refused;
      const guest = checkGuestData(context, args);
      if (!guest.ok) return guest.output;
      const party: Party = { adults: args.adults, children0to5: args.children_0_5, children6to10: args.children_6_10 };
      const occupancy = occupancyRefusal(kind.type, party);
      if (occupancy) return occupancy;
      try {
        const outcome = await deps.bookings.book(
          {
            conversationId: context.conversationId,
            ...guest.value,
            checkIn: stay.checkIn,
            checkOut: stay.checkOut,
            nights: stay.nights,
            pkg: kind.pkg,
            rooms: [{ type: kind.type, party }],
          },
          context.signal,
          context.logger,
        );
        return outcomeOutput(outcome);
      } catch (err) {
        // Before an attempt was recorded (rates, availability): nothing was reserved or posted.
        context.logger.warn({ err }, 'booking could not start');
        return backendUnavailable('the hotel system');
      }
    },
  });
}
