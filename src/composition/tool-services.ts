// The parts of the services the tools are given, assembled by the composition root (root.ts) for the server,
// the chat console and the comparison, so all offer the same tools from the same configuration: the office
// calendar (with the phone system's closure rules), pictures and menus, the e-mail job, staff alerts.
// What differs is passed in: the server sends for real, the console and the comparison send nothing.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config.js';
import { createEmailJobKind, emailJob, type EmailJobDeps, type EmailJobPayload } from '../email/email-job.js';
import type { JobKind } from '../jobs/types.js';
import { MenuDocuments } from '../media/menu-documents.js';
import { createPbxClosureSource } from '../office/pbx-closure-source.js';
import { createOfficeCalendar, type OfficeCalendar } from '../office/schedule.js';
import { createStaffAlerts, type StaffAlerts, type StaffWhatsApp } from '../staff/staff-alerts.js';
import type { ConversationHistoryRepository } from '../store/conversation-history-repository.js';
import type { ToolServices } from '../tools/index.js';
import type { NeedsReport } from '../tools/declaration.js';

/** The office calendar of the configuration, reading the PBX's closure rules when OFFICE_DB_HOST is set. */
export function createConfiguredOffice(config: Config, log: Logger): { office: OfficeCalendar; close(): Promise<void> } {
  const pbx = config.office.pbx ? createPbxClosureSource(config.office.pbx, log.child({ component: 'office' })) : undefined;
  const office = createOfficeCalendar({
    hours: config.office.hours,
    closures: config.office.closures,
    timezone: config.timezone,
    ...(pbx ? { pbxSource: pbx } : {}),
    log,
  });
  return { office, close: async () => pbx?.close() };
}

export interface ToolServicesDeps {
  config: Config;
  resourcesDir: string;
  history: Pick<ConversationHistoryRepository, 'lastMessages'>;
  /** How e-mail jobs send and what happens when one fails for good. */
  email: EmailJobDeps;
  /** WhatsApp to staff numbers; undefined when WATI is not configured. */
  staffWhatsApp: StaffWhatsApp | undefined;
  clock: Clock;
  log: Logger;
}

export interface AssembledToolServices {
  toolServices: ToolServices;
  /** The `email.send` job kind (register it with the worker). */
  emailKind: JobKind<EmailJobPayload>;
  staffAlerts: StaffAlerts;
  menus: MenuDocuments;
  /** The e-mail and staff-alert needs that are not met, with the exact variables missing (tools/declaration.ts). */
  needs: NeedsReport;
}

const EMAIL_TRANSPORT = 'SMTP_URL (or GMAIL_CLIENT_ID, GMAIL_CLIENT_SECRET, GMAIL_REFRESH_TOKEN and GMAIL_SENDER_EMAIL)';

/** What the `email` and `staff-alerts` needs lack, when they do (the conditions in assembleToolServices and createTools). */
function unmetNeeds(config: Config, staffWhatsApp: boolean, staffAlerts: StaffAlerts): NeedsReport {
  const out: NeedsReport = {};
  const transport = Boolean(config.email.transport);
  if (!transport || config.email.allowedRecipients.length === 0) {
    out.email = { unset: [...(transport ? [] : [EMAIL_TRANSPORT]), ...(config.email.allowedRecipients.length > 0 ? [] : ['EMAIL_ALLOWED_RECIPIENTS'])] };
  }
  if (!staffAlerts.configured) {
    // A destination that is set but cannot be reached says what it needs; the unset ones are named.
    const needs: string[] = [];
    const unset: string[] = [];
    if (config.staff.whatsappNumbers.length === 0) unset.push('STAFF_WHATSAPP_NUMBERS');
    else if (!staffWhatsApp) {
      const wati = [!config.wati.baseUrl && 'WATI_API_URL', !config.wati.apiKey && 'WATI_API_KEY'].filter((n): n is string => Boolean(n));
      needs.push(`STAFF_WHATSAPP_NUMBERS needs ${wati.join(' and ')}`);
    }
    if (config.staff.emails.length === 0) unset.push('STAFF_ALERT_EMAIL');
    else if (!transport) needs.push('STAFF_ALERT_EMAIL needs SMTP_URL (or the GMAIL_* variables)');
    out['staff-alerts'] = { problems: needs, unset };
  }
  return out;
}

export function assembleToolServices(deps: ToolServicesDeps): AssembledToolServices {
  const { config, resourcesDir, log } = deps;
  const emailKind = createEmailJobKind(deps.email);
  const staffAlerts = createStaffAlerts({
    config: config.staff,
    wati: deps.staffWhatsApp,
    ...(config.email.transport ? { emailJob: (mail) => emailJob(emailKind, mail) } : {}),
    log: log.child({ component: 'staff-alerts' }),
    clock: deps.clock,
    timeZone: config.timezone,
  });
  const menus = new MenuDocuments({ resourcesDir, log: log.child({ component: 'menus' }) });
  const toolServices: ToolServices = {
    media: { resourcesDir, menus, publicMediaBaseUrl: config.publicMediaBaseUrl },
    // send_email needs a transport and at least one mailbox it may write to.
    ...(config.email.transport && config.email.allowedRecipients.length > 0
      ? {
          email: {
            allowedRecipients: config.email.allowedRecipients,
            emailJob: (mail: EmailJobPayload, conversationId: string) => emailJob(emailKind, mail, conversationId),
          },
        }
      : {}),
    staff: {
      staffAlerts,
      lastMessages: (conversationId, limit) => deps.history.lastMessages(conversationId, limit),
      timeZone: config.timezone,
    },
  };
  return { toolServices, emailKind, staffAlerts, menus, needs: unmetNeeds(config, Boolean(deps.staffWhatsApp), staffAlerts) };
}
