// make_multi_room_booking: two or more rooms for one group, one payment, one reservation (rooms joined
// by '+', per-room guest counts in the same order). No Pasadía.
import { z } from 'zod';
import { normalizePackage, normalizeRoomType } from '../../hotel-rules/rooms.js';
import type { BookableType, Party } from '../../hotel-rules/types.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { checkGuestData, gateRefusal, guestFields, outcomeOutput } from './booking-arguments.js';
import { occupancyRefusal, type MakeBookingDeps } from './make-booking.js';
import { backendUnavailable, checkStay, dateError, nightsDateArguments } from './stay-arguments.js';
import { declareTool } from '../declaration.js';

export const MAKE_MULTI_ROOM_BOOKING = declareTool({ name: 'make_multi_room_booking', needs: ['hotel-database', 'booking-api'], does: 'books' });

const count = z.number().int().min(0).max(50);

export function createMakeMultiRoomBookingTool(deps: MakeBookingDeps): ToolDefinition {
  return defineTool({
    ...MAKE_MULTI_ROOM_BOOKING,
    description:
      'Reserva DOS O MÁS habitaciones para un grupo con un solo pago ya validado (no Pasadía); campos y reglas de make_booking.',
    timeoutMs: deps.timeoutMs,
    parameters: z.object({
      ...guestFields,
      ...nightsDateArguments,
      room_bookings: z
        .array(
          z.object({
            bungalow_type: z.string().max(40).describe('Familiar, Junior, Matrimonial o Habitación'),
            adults: count,
            children_0_5: count.default(0),
            children_6_10: count.default(0),
          }),
        )
        .min(2)
        .max(20)
        .describe('Una por habitación'),
      package_type: z.string().max(40).describe('Las Hojas, Escapadita o Romántico'),
    }),
    handler: async (context, args) => {
      const stay = checkStay(context, deps.timezone, args, false);
      if (!stay.ok) return dateError(stay);
      const pkg = normalizePackage(args.package_type);
      if (!pkg || pkg === 'Pasadía') return { success: false, error: 'package_type must be Las Hojas, Escapadita or Romántico (a Pasadía is booked with make_booking)' };
      const rooms: { type: BookableType; party: Party }[] = [];
      for (const [index, room] of args.room_bookings.entries()) {
        const type = normalizeRoomType(room.bungalow_type);
        if (!type || type === 'Pasadía') return { success: false, error: `room_bookings.${index}.bungalow_type must be Junior, Familiar, Matrimonial or Habitación` };
        const party: Party = { adults: room.adults, children0to5: room.children_0_5, children6to10: room.children_6_10 };
        const occupancy = occupancyRefusal(type, party);
        if (occupancy) return { ...occupancy, room_index: index };
        rooms.push({ type, party });
      }
      const refused = await gateRefusal(deps.gate, context.clock.now(), context.signal);
      if (refused) return refused;
      const guest = checkGuestData(context, args);
      if (!guest.ok) return guest.output;
      try {
        const outcome = await deps.bookings.book(
          { conversationId: context.conversationId, ...guest.value, checkIn: stay.checkIn, checkOut: stay.checkOut, nights: stay.nights, pkg, rooms },
          context.signal,
          context.logger,
        );
        return outcomeOutput(outcome);
      } catch (err) {
        context.logger.warn({ err }, 'multi-room booking could not start');
        return backendUnavailable('the hotel system');
      }
    },
  });
}
