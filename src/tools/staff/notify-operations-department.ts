// notify_operations_department: alerts the on-site Operations team about a guest's problem. The alert is a
// set of durable jobs (src/staff/staff-alerts.ts) enqueued with the turn's reply: a WhatsApp template or
// message to each staff number, and an e-mail when configured. The staff numbers come from the config and
// never appear in the description or the output in full (the original echoed its hard-coded number).
import { z } from 'zod';
import type { StaffAlerts } from '../../staff/staff-alerts.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { declareTool } from '../declaration.js';

export const NOTIFY_OPERATIONS_DEPARTMENT = declareTool({ name: 'notify_operations_department', needs: ['staff-alerts'], does: 'alerts-staff' });

export const ISSUE_TYPES = [
  'Habitación/Room',
  'Servicio/Service',
  'Instalaciones/Facilities',
  'Mantenimiento/Maintenance',
  'Limpieza/Cleaning',
  'Restaurante/Restaurant',
  'Otro/Other',
] as const;

const DEFAULT_GUEST_NAME = 'Huésped';
const DEFAULT_GUEST_PHONE = 'contacto vía asistente';
const DEFAULT_LOCATION = 'Instalaciones del hotel';

const given = (value: string | undefined) => (value !== undefined && value.trim() !== '' ? value.trim() : undefined);

/** Where the alert goes, as the model may see it: `WhatsApp de Operaciones (…1234) y correo`. */
export function describeDestinations(staffAlerts: Pick<StaffAlerts, 'destinations'>): string {
  const { whatsapp, email } = staffAlerts.destinations;
  const parts = [whatsapp.length > 0 ? `WhatsApp de Operaciones (${whatsapp.join(', ')})` : undefined, email ? 'correo del personal' : undefined];
  return parts.filter(Boolean).join(' y ') || 'ninguno configurado';
}

export function createNotifyOperationsDepartmentTool(deps: { staffAlerts: StaffAlerts }): ToolDefinition {
  const { staffAlerts } = deps;
  return defineTool({
    ...NOTIFY_OPERATIONS_DEPARTMENT,
    description:
      'Avisa a Operaciones de un problema del huésped durante su estadía; dile que Operaciones fue notificado.',
    parameters: z.object({
      issue_type: z.enum(ISSUE_TYPES),
      issue_description: z.string().trim().min(1).max(2000),
      guest_name: z.string().max(200).optional(),
      guest_phone: z.string().max(64).optional(),
      guest_location: z.string().max(200).optional().describe('p. ej. número de habitación'),
    }),
    handler: (context, args) => {
      const name = given(args.guest_name) ?? given(context.guestName) ?? DEFAULT_GUEST_NAME;
      // The context has a waId on WhatsApp only.
      const phone = given(args.guest_phone) ?? given(context.waId) ?? DEFAULT_GUEST_PHONE;
      const location = given(args.guest_location) ?? DEFAULT_LOCATION;
      const guestInfo = { name, phone, issue_type: args.issue_type };
      if (!staffAlerts.configured) {
        context.logger.warn({ issueType: args.issue_type }, 'operations alert not sent: no staff destination configured');
        return {
          success: false,
          error: 'not_configured',
          message:
            'No hay un destino configurado para alertar a Operaciones. Si el problema necesita atención, usa ' +
            'transfer_to_human_agent.',
          guest_info: guestInfo,
        };
      }
      for (const job of staffAlerts.jobsFor({
        reason: 'operations',
        title: `Operaciones: ${args.issue_type}`,
        lines: [
          `Huésped: ${name}`,
          `Teléfono: ${phone}`,
          `Ubicación: ${location}`,
          `Tipo: ${args.issue_type}`,
          `Descripción: ${args.issue_description}`,
        ],
        conversationId: context.conversationId,
      })) {
        context.effects.enqueue(job);
      }
      return {
        success: true,
        message: 'El departamento de Operaciones fue notificado del problema; la alerta sale con esta respuesta.',
        operations_phone: describeDestinations(staffAlerts),
        guest_info: guestInfo,
      };
    },
  });
}
