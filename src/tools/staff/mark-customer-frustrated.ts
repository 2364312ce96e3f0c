// mark_customer_frustrated: a guest who is annoyed or asks for a refund goes to a person at once. The tool
// returns the handoff effect (with the reply the turn runner pauses the bot, sends the handover notice and
// runs the platform's steps: WATI ticket pending, or ManyChat Live Chat) and enqueues staff alerts carrying
// what staff need to pick the conversation up: the channel, the guest (on WhatsApp the number in full, which
// only the alert text holds, never a log) and the last messages. Unlike the original it works on every
// channel and flags no payment retry; the identity comes from the context, never from `phone_number`.
import { z } from 'zod';
import { loggableConversationId, type Channel } from '../../core/conversation-id.js';
import { zonedParts } from '../../core/zoned-time.js';
import type { StaffAlerts } from '../../staff/staff-alerts.js';
import { defineTool, type ToolContext, type ToolDefinition } from '../types.js';
import { declareTool } from '../declaration.js';

export const MARK_CUSTOMER_FRUSTRATED = declareTool({ name: 'mark_customer_frustrated', needs: [], does: 'hands-off' });

export interface RecentMessage {
  role: 'guest' | 'bot' | 'staff';
  text: string;
  at: number;
}

export interface MarkCustomerFrustratedDeps {
  staffAlerts: StaffAlerts;
  /** The newest `limit` messages of the conversation, oldest first. */
  lastMessages: (conversationId: string, limit: number) => RecentMessage[];
  /** The zone of the messages' times. Default America/El_Salvador. */
  timeZone?: string | undefined;
}

export const RECENT_MESSAGES_IN_ALERT = 8;
const MESSAGE_CLIP = 300;

const CHANNEL_NAMES: Record<Channel, string> = { whatsapp: 'WhatsApp', facebook: 'Messenger', instagram: 'Instagram' };
const ROLE_NAMES: Record<RecentMessage['role'], string> = { guest: 'Huésped', bot: 'Asistente', staff: 'Agente' };

const pad = (n: number) => String(n).padStart(2, '0');
const clip = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** `[24/12 10:05] Huésped: …` in `timeZone`. */
export function formatRecentMessage(m: RecentMessage, timeZone: string): string {
  const p = zonedParts(m.at, timeZone);
  return `[${pad(p.day)}/${pad(p.month)} ${pad(p.hour)}:${pad(p.minute)}] ${ROLE_NAMES[m.role]}: ${clip(m.text, MESSAGE_CLIP) || '(sin texto)'}`;
}

/** Who the guest is, for staff: the number to write to on WhatsApp, the subscriber on ManyChat. */
function guestLines(context: ToolContext): string[] {
  const lines = [`Canal: ${CHANNEL_NAMES[context.channel]}`, `Conversación: ${loggableConversationId(context.conversationId)}`];
  // The context sets the waId on WhatsApp only and the subscriber id on ManyChat only.
  if (context.waId) lines.push(`WhatsApp del huésped: +${context.waId}`);
  if (context.subscriberId) lines.push(`Suscriptor ManyChat: ${context.subscriberId}`);
  if (context.guestName) lines.push(`Nombre: ${context.guestName}`);
  return lines;
}

export function createMarkCustomerFrustratedTool(deps: MarkCustomerFrustratedDeps): ToolDefinition {
  const timeZone = deps.timeZone ?? 'America/El_Salvador';
  return defineTool({
    ...MARK_CUSTOMER_FRUSTRATED,
    description:
      'Huésped molesto o frustrado, con quejas o que pide reembolso: pasa de inmediato a un humano con alerta al equipo (el huésped ya recibe el aviso; dejas de responder).',
    parameters: z.object({
      phone_number: z.string().max(64).optional().describe('Lo pone el sistema.'),
      reason: z.string().max(500).optional().describe('Breve, para el equipo'),
    }),
    handler: (context, args) => {
      const reason = args.reason?.trim() || 'sin motivo indicado';
      context.effects.handoff(`cliente frustrado: ${reason}`);

      let alerted = false;
      if (deps.staffAlerts.configured) {
        const recent = deps.lastMessages(context.conversationId, RECENT_MESSAGES_IN_ALERT);
        const jobs = deps.staffAlerts.jobsFor({
          reason: 'frustrated',
          title: `Cliente frustrado (${CHANNEL_NAMES[context.channel]}): atender ahora`,
          lines: [
            ...guestLines(context),
            `Motivo: ${clip(reason, 500)}`,
            ...(recent.length > 0 ? ['Últimos mensajes:', ...recent.map((m) => formatRecentMessage(m, timeZone))] : []),
          ],
          conversationId: context.conversationId,
        });
        for (const job of jobs) context.effects.enqueue(job);
        alerted = jobs.length > 0;
      } else {
        context.logger.warn('frustrated guest handed to staff without a staff alert: no staff destination configured');
      }

      return {
        success: true,
        status: 'escalated',
        staff_alerted: alerted,
        note:
          (alerted
            ? 'La conversación pasa a un agente humano y el equipo recibe una alerta con los últimos mensajes. '
            : 'La conversación pasa a un agente humano (el equipo no fue alertado por mensaje: no hay destino configurado). ') +
          'El huésped recibe el aviso de traspaso automáticamente al terminar este turno; no escribas otro mensaje.',
      };
    },
  });
}
