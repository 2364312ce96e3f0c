// check_room_availability_counts: how many rooms of each type are free (for groups needing several rooms).
import { z } from 'zod';
import type { AvailabilityService } from '../../hotel/availability.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { backendUnavailable, checkStay, dateError, stayDateArguments } from './stay-arguments.js';
import { declareTool } from '../declaration.js';

export const CHECK_ROOM_AVAILABILITY_COUNTS = declareTool({ name: 'check_room_availability_counts', needs: ['booking-api'], does: 'reads' });

export function createCheckRoomAvailabilityCountsTool(deps: { availability: AvailabilityService; timezone: string }): ToolDefinition {
  return defineTool({
    ...CHECK_ROOM_AVAILABILITY_COUNTS,
    description:
      'Habitaciones libres por tipo en el período (grupos). No digas las cantidades al huésped.',
    parameters: z.object(stayDateArguments),
    handler: async (context, args) => {
      const stay = checkStay(context, deps.timezone, args, false);
      if (!stay.ok) return dateError(stay);
      try {
        const free = await deps.availability.counts(stay.checkIn, stay.checkOut, context.signal);
        return {
          bungalow_familiar: free.familiar,
          bungalow_junior: free.junior,
          habitacion: free.habitacion,
          bungalow_matrimonial: free.matrimonial,
          total: free.familiar + free.junior + free.habitacion + free.matrimonial,
        };
      } catch (err) {
        context.logger.warn({ err }, 'availability count failed');
        return backendUnavailable('the booking system');
      }
    },
  });
}
