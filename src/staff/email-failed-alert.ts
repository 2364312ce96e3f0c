// What staff are told (in the reservations team's Spanish) when a mail of the assistant could not be sent
// after its retries.
import type { EmailJobPayload } from '../email/email-job.js';
import type { StaffAlert } from './staff-alerts.js';

export function emailFailedAlert(mail: EmailJobPayload, errorClass: string): StaffAlert {
  return {
    reason: 'email_failed',
    title: 'Un correo del asistente no se pudo enviar',
    lines: [`Para: ${mail.to.join(', ')}`, `Asunto: ${mail.subject}`, `Error: ${errorClass}`, '', mail.text.slice(0, 1500)],
  };
}
