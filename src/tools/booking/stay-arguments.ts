// The stay dates every hotel tool takes, validated before any backend is asked: a real calendar date,
// check-out after check-in (only a Pasadía is same-day), not in the past in the hotel's time zone.
import { z } from 'zod';
import { validateStay, type StayDateError, type StayDates } from '../../hotel-rules/stay-dates.js';
import type { ToolContext } from '../types.js';
import { hotelToday } from './hotel-tool-deps.js';

/** Dates of a stay that is never a Pasadía (several rooms). */
export const nightsDateArguments = {
  check_in_date: z.string().max(40).describe('YYYY-MM-DD'),
  check_out_date: z.string().max(40).describe('YYYY-MM-DD'),
};

export const stayDateArguments = {
  check_in_date: z.string().max(40).describe('YYYY-MM-DD'),
  check_out_date: z.string().max(40).describe('YYYY-MM-DD; igual a la entrada solo en Pasadía'),
};

export function checkStay(
  context: Pick<ToolContext, 'clock'>,
  timezone: string,
  args: { check_in_date: string; check_out_date: string },
  sameDayAllowed: boolean,
): StayDates | StayDateError {
  return validateStay({
    checkIn: args.check_in_date.trim(),
    checkOut: args.check_out_date.trim(),
    sameDayAllowed,
    today: hotelToday({ timezone }, context.clock.now()),
  });
}

/** The model's output for bad dates: the field and what is wrong, in the original's `error` key. */
export function dateError(error: StayDateError): { success: false; error: string; field: string } {
  return { success: false, error: error.message, field: error.field };
}

/** A backend that failed: a short reason for the model, which offers a person; never internal detail. */
export function backendUnavailable(what: string): { success: false; error: string; assistant_instruction: string } {
  return {
    success: false,
    error: `${what} is not answering right now`,
    assistant_instruction:
      'Discúlpate con el huésped: no se pudo consultar el sistema del hotel en este momento. Ofrécele intentarlo de ' +
      'nuevo en unos minutos o transferirlo a un ejecutivo (transfer_to_human_agent). No inventes disponibilidad ni precios.',
  };
}
