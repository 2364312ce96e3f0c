// check_office_status: is the reservations office open right now (hours, holidays, closures)?
import { z } from 'zod';
import type { Config } from '../../config.js';
import { officeStatus, parseClosures, parseOfficeHours } from '../office-schedule.js';
import { defineTool, type ToolDefinition } from '../types.js';

/** Parses OFFICE_HOURS and OFFICE_CLOSURES once; throws ScheduleSyntaxError on bad syntax. */
export function createCheckOfficeStatusTool(config: Pick<Config, 'office' | 'timezone'>): ToolDefinition {
  const schedule = parseOfficeHours(config.office.hours);
  const closures = parseClosures(config.office.closures);
  return defineTool({
    name: 'check_office_status',
    description:
      'Indica si la oficina de reservas está abierta en este momento (horario de atención, feriados de El ' +
      'Salvador y cierres programados) y si el asistente puede completar una reserva por sí mismo ' +
      '(can_automate). Llámala siempre antes de completar una reserva.',
    parameters: z.object({}),
    handler: (context) =>
      officeStatus(context.clock.now(), config.timezone, schedule, closures, config.office.hours),
  });
}
