// send_email: an internal e-mail to one of the hotel's own mailboxes (membership leads, group quotes,
// requests for the reservations office), never to a guest. Every recipient must be on EMAIL_ALLOWED_RECIPIENTS
// (by label or address), otherwise nothing is sent. The mail is not sent here: it becomes a durable job
// written with the turn's reply, so a failed turn sends nothing and a relay that is down is retried later.
import { z } from 'zod';
import type { AllowedRecipient } from '../../email/config.js';
import { EMAIL_SUBJECT_MAX, EMAIL_TEXT_MAX, type EmailJobPayload } from '../../email/email-job.js';
import { describeAllowedRecipients, resolveRecipients } from '../../email/recipients.js';
import type { NewJob } from '../../jobs/types.js';
import { defineTool, type ToolDefinition } from '../types.js';
import { declareTool } from '../declaration.js';

export const SEND_EMAIL = declareTool({ name: 'send_email', needs: ['email'], does: 'emails' });

export const SEND_EMAIL_MAX_RECIPIENTS = 10;

export interface SendEmailToolDeps {
  allowedRecipients: readonly AllowedRecipient[];
  /** The job that sends the mail (emailJob(kind, mail, conversationId)). */
  emailJob: (mail: EmailJobPayload, conversationId: string) => NewJob;
}

/** A subject is one header line: line breaks and other control characters become spaces. */
function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

export function createSendEmailTool(deps: SendEmailToolDeps): ToolDefinition {
  const allowed = [...deps.allowedRecipients];
  return defineTool({
    ...SEND_EMAIL,
    description:
      'Correo interno al personal (membresías, grupos, cambios de fecha, peticiones para reservas o recepción); nunca al ' +
      `huésped ni a direcciones que él dé. Buzones (etiqueta o dirección): ${describeAllowedRecipients(allowed) || 'ninguno configurado'}. ` +
      'Cuerpo en texto plano con lo que el equipo necesita (huésped y contacto, fechas, personas, pedido). Sale en ' +
      'minutos: no prometas respuesta inmediata.',
    parameters: z.object({
      to_emails: z
        .array(z.string().trim().min(1).max(254))
        .min(1)
        .max(SEND_EMAIL_MAX_RECIPIENTS),
      subject: z.string().trim().min(1).max(EMAIL_SUBJECT_MAX).describe('Una línea'),
      body: z.string().trim().min(1).max(EMAIL_TEXT_MAX),
    }),
    handler: (context, args) => {
      const resolved = resolveRecipients(args.to_emails, allowed);
      if (!resolved.ok) {
        context.logger.warn({ refused: resolved.refused.length }, 'send_email refused: recipient not on the allow-list');
        return {
          success: false,
          error:
            `Destinatario no autorizado: ${resolved.refused.join(', ') || '(ninguno válido)'}. ` +
            'No se envió nada; usa solo los buzones permitidos.',
          allowed: resolved.allowedLabels,
        };
      }
      const subject = oneLine(args.subject) || '(sin asunto)';
      context.effects.enqueue(
        deps.emailJob({ to: resolved.addresses, subject, text: args.body, purpose: 'tool' }, context.conversationId),
      );
      context.logger.info({ recipients: resolved.addresses.length }, 'staff e-mail queued');
      return {
        success: true,
        status: 'queued',
        to: resolved.addresses,
        note: 'El correo se enviará en los próximos minutos.',
      };
    },
  });
}
