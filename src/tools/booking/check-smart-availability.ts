// check_smart_availability: for a multi-night request, the whole stay or, when it is not free, the
// partial stays that are (longest first, then earliest). Each night is asked of the backend once.
import { z } from 'zod';
import type { AvailabilityService, PartialOption } from '../../hotel/availability.js';
import type { RoomType } from '../../hotel-rules/types.js';
import { SPANISH_MONTHS } from '../../core/zoned-time.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { backendUnavailable, checkStay, dateError, stayDateArguments } from './stay-arguments.js';
import { declareTool } from '../declaration.js';

export const CHECK_SMART_AVAILABILITY = declareTool({ name: 'check_smart_availability', needs: ['booking-api'], does: 'reads' });

const LISTED_OPTIONS = 3;
const RETURNED_OPTIONS = 10;

const TYPE_NAMES: Record<RoomType, string> = {
  Familiar: 'Bungalow Familiar',
  Junior: 'Bungalow Junior',
  Matrimonial: 'Bungalow Matrimonial',
  Habitación: 'Habitación',
};

function spanishDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} de ${SPANISH_MONTHS[(m ?? 1) - 1]}${y ? ` de ${y}` : ''}`;
}

function describeOption(o: PartialOption): string {
  const nights = o.nights === 1 ? '1 noche' : `${o.nights} noches`;
  return `del ${spanishDate(o.check_in)} al ${spanishDate(o.check_out)} (${nights}): ${o.available_room_types.map((t) => TYPE_NAMES[t]).join(', ')}`;
}

export function createCheckSmartAvailabilityTool(deps: { availability: AvailabilityService; timezone: string }): ToolDefinition {
  return defineTool({
    ...CHECK_SMART_AVAILABILITY,
    description:
      'Varias noches: si hay disponibilidad todo el período y, si no, qué estadías parciales sí (las más largas primero).',
    parameters: z.object(stayDateArguments),
    handler: async (context, args) => {
      const stay = checkStay(context, deps.timezone, args, false);
      if (!stay.ok) return { ...dateError(stay), customer_message: 'Por favor confirme las fechas de entrada y salida de su estadía.' };
      let result;
      try {
        result = await deps.availability.smart(stay.nights, context.signal);
      } catch (err) {
        context.logger.warn({ err }, 'smart availability failed');
        return { ...backendUnavailable('the booking system'), customer_message: 'No pude consultar la disponibilidad en este momento.' };
      }
      const options = result.partialOptions.slice(0, RETURNED_OPTIONS);
      let recommendation: string;
      if (result.fullPeriodAvailable) {
        recommendation = `¡Hay disponibilidad para todo el período (${spanishDate(stay.checkIn)} al ${spanishDate(stay.checkOut)})! Tipos disponibles: ${result.fullPeriodTypes.map((t) => TYPE_NAMES[t]).join(', ')}.`;
      } else if (options.length === 0) {
        recommendation = 'Lamentablemente no hay disponibilidad en ninguna noche de esas fechas.';
      } else {
        const listed = options.slice(0, LISTED_OPTIONS).map((o) => `• ${describeOption(o)}`);
        const more = result.partialOptions.length - listed.length;
        recommendation =
          'No hay disponibilidad para todo el período, pero sí para estas opciones:\n' +
          listed.join('\n') +
          (more > 0 ? `\n(y ${more} ${more === 1 ? 'opción más' : 'opciones más'})` : '');
      }
      return {
        success: true,
        full_period_available: result.fullPeriodAvailable,
        full_period_availability: result.fullPeriod,
        partial_options: options,
        recommendation_message: recommendation,
      };
    },
  });
}
