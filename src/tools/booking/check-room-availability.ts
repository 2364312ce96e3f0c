// check_room_availability: is at least one room of each type free for the whole stay? Asked of the
// booking backend (getRooms), the system that will accept or refuse the booking.
import { z } from 'zod';
import { availabilityDetail, typesWithFreeRooms, type AvailabilityService } from '../../hotel/availability.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { backendUnavailable, checkStay, dateError, stayDateArguments } from './stay-arguments.js';
import { declareTool } from '../declaration.js';

export const CHECK_ROOM_AVAILABILITY = declareTool({ name: 'check_room_availability', needs: ['booking-api'], does: 'reads' });

export function createCheckRoomAvailabilityTool(deps: { availability: AvailabilityService; timezone: string }): ToolDefinition {
  return defineTool({
    ...CHECK_ROOM_AVAILABILITY,
    description:
      'Si hay Bungalow Familiar, Junior (o Matrimonial) y Habitación libres todo el período. Pasadía: entrada = salida.',
    parameters: z.object(stayDateArguments),
    handler: async (context, args) => {
      const stay = checkStay(context, deps.timezone, args, true);
      if (!stay.ok) return dateError(stay);
      let free: string[];
      try {
        free = await deps.availability.freeRooms(stay.checkIn, stay.checkOut, context.signal);
      } catch (err) {
        context.logger.warn({ err }, 'availability check failed');
        return backendUnavailable('the booking system');
      }
      return { ...availabilityDetail(typesWithFreeRooms(free)), pasadia: free.includes('Pasadía') ? 'Available' : 'Not Available' };
    },
  });
}
