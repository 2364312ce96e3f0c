// check_office_status: is the reservations office open right now (hours, holidays, closures, and the phone
// system's closure rules when one is configured)?
import { z } from 'zod';
import type { OfficeCalendar } from '../../office/schedule.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { declareTool } from '../declaration.js';

export const CHECK_OFFICE_STATUS = declareTool({ name: 'check_office_status', needs: ['office-calendar'], does: 'reads' });

export interface CheckOfficeStatusDeps {
  /** The service's office calendar (OFFICE_HOURS, OFFICE_CLOSURES, holidays, PBX rules), parsed once. */
  office: OfficeCalendar;
}

export function createCheckOfficeStatusTool({ office }: CheckOfficeStatusDeps): ToolDefinition {
  return defineTool({
    ...CHECK_OFFICE_STATUS,
    description:
      'Si la oficina de reservas está abierta (horario, feriados, cierres) y si puedes completar una reserva (can_automate). Llámala siempre antes de reservar.',
    parameters: z.object({}),
    handler: async (context) => {
      const now = context.clock.now();
      // Never throws: without the phone system the configured calendar answers, with a note.
      await office.refresh(now, context.signal);
      return office.status(now);
    },
  });
}
