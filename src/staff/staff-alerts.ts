// Alerts for the hotel's staff (a guest's problem for Operations, a frustrated guest), as durable jobs that
// are never silent: one `staff.alert` job per staff WhatsApp number, plus an e-mail job when mailboxes are
// configured. The caller enqueues them in its own transaction (a tool's effects, with the turn's reply).
// With an approved template the alert is a template message, the only kind WhatsApp delivers outside the
// staff number's 24-hour window; without one it is a session message, which WhatsApp refuses outside it.
// Retryable failures follow the handoff steps' schedule; one that fails for good is logged at error level
// and stays failed in GET /admin/jobs, where staff can retry it.
import { z } from 'zod';
import type { Logger } from 'pino';
import { WHATSAPP_TEXT_LIMIT } from '../channels/split-text.js';
import { systemClock, type Clock } from '../core/clock.js';
import { loggableConversationId } from '../core/conversation-id.js';
import { EMAIL_SUBJECT_MAX, EMAIL_TEXT_MAX } from '../email/email-job.js';
import { defineJobKind, jobOf, JobError, type JobKind, type NewJob } from '../jobs/types.js';
import { zonedParts } from '../core/zoned-time.js';
import { HANDOFF_STEP_RETRY_DELAYS_MS, STEP_TIMEOUT_MS, step } from '../platforms/step-jobs.js';
import { templateParameterValue, type TemplateMessage } from '../platforms/wati/templates.js';
import type { StaffConfig } from './config.js';
import { maskPhone } from './mask.js';

export const STAFF_ALERT_JOB = 'staff.alert';
export const STAFF_ALERT_SUBJECT_PREFIX = '[Asistente]';

export interface StaffAlert {
  /** Why staff are alerted; names the WATI broadcast and the log lines. */
  reason: 'operations' | 'frustrated' | 'email_failed' | (string & {});
  /** One line. */
  title: string;
  lines: string[];
  /** The guest's conversation, when there is one (the jobs are listed under it in /admin/jobs). */
  conversationId?: string | undefined;
}

/** What the alerts need of WATI (the services adapt the WATI client and template sender to it). */
export interface StaffWhatsApp {
  sendText(waId: string, text: string, signal?: AbortSignal): Promise<unknown>;
  sendTemplate(waId: string, message: TemplateMessage, signal?: AbortSignal): Promise<unknown>;
}

export interface StaffAlertMail {
  to: string[];
  subject: string;
  text: string;
  purpose: 'staff_alert';
}

export interface StaffAlertsDeps {
  config: StaffConfig;
  /** Undefined when WhatsApp (WATI) is not configured: alerts then go by e-mail only, if at all. */
  wati: StaffWhatsApp | undefined;
  /** The e-mail job for a copy of each alert; without it STAFF_ALERT_EMAIL is not used. */
  emailJob?: ((mail: StaffAlertMail) => NewJob) | undefined;
  log: Logger;
  /** Default: the system clock. */
  clock?: Clock | undefined;
  /** The zone of the broadcast name's time. Default America/El_Salvador. */
  timeZone?: string | undefined;
}

export interface StaffAlerts {
  /** Whether an alert reaches anyone (a staff number with WhatsApp, or a mailbox with e-mail). */
  readonly configured: boolean;
  /** Where alerts go, for the model and logs: numbers masked, never in full. */
  readonly destinations: { whatsapp: string[]; email: boolean };
  /** The jobs that deliver `alert`; empty (and a warning logged) when no destination is configured. */
  jobsFor(alert: StaffAlert): NewJob[];
  /** Register these with the job worker. */
  readonly jobKinds: JobKind<unknown>[];
}

const TITLE_MAX = 200;
const LINE_MAX = 2_000;
const LINES_MAX = 60;
const PARAM_LINE_SEPARATOR = ' · ';

const payload = z.object({
  number: z.string().regex(/^\d{8,15}$/),
  title: z.string().min(1).max(TITLE_MAX),
  lines: z.array(z.string().max(LINE_MAX)).max(LINES_MAX),
  reason: z.string().min(1).max(64),
  /** When the alert was raised (epoch ms): the broadcast name, the same on every retry. */
  at: z.number().int(),
});
export type StaffAlertPayload = z.output<typeof payload>;

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const reasonSlug = (reason: string) => reason.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'alert';
const pad = (n: number) => String(n).padStart(2, '0');

/** `staff_alert_<reason>_<yyyymmddHHMM>` in `timeZone`. */
export function broadcastName(reason: string, at: number, timeZone: string): string {
  const p = zonedParts(at, timeZone);
  return `staff_alert_${reasonSlug(reason)}_${p.year}${pad(p.month)}${pad(p.day)}${pad(p.hour)}${pad(p.minute)}`;
}

/**
 * The template's parameters: one name takes the title and every line; with N names the first N-1 take the
 * title and the first lines in order and the last takes the rest, joined. Each value is flattened to what
 * WhatsApp accepts (no newlines or tabs, at most 1,000 characters).
 */
export function templateParameters(names: readonly string[], title: string, lines: readonly string[]): { name: string; value: string }[] {
  const items = [title, ...lines];
  return names.map((name, i) => {
    const last = i === names.length - 1;
    const taken = last ? items.slice(i) : items.slice(i, i + 1);
    return { name, value: templateParameterValue(taken.join(PARAM_LINE_SEPARATOR)) };
  });
}

/** The session message: `🔔 title`, then the lines, within WhatsApp's text limit. */
export function sessionText(title: string, lines: readonly string[]): string {
  return clip([`🔔 ${title}`, ...lines].join('\n'), WHATSAPP_TEXT_LIMIT);
}

export function createStaffAlerts(deps: StaffAlertsDeps): StaffAlerts {
  const { config, wati, emailJob, log } = deps;
  const clock = deps.clock ?? systemClock;
  const timeZone = deps.timeZone ?? 'America/El_Salvador';
  const numbers = wati ? config.whatsappNumbers : [];
  const emails = emailJob ? config.emails : [];

  if (config.whatsappNumbers.length > 0 && !wati) {
    log.warn({ staffNumbers: config.whatsappNumbers.length }, 'STAFF_WHATSAPP_NUMBERS is set but WhatsApp (WATI) is not configured: staff alerts are not sent by WhatsApp');
  }
  if (config.emails.length > 0 && !emailJob) {
    log.warn('STAFF_ALERT_EMAIL is set but e-mail is not configured: staff alerts are not sent by e-mail');
  }

  const kind = defineJobKind<StaffAlertPayload>({
    kind: STAFF_ALERT_JOB,
    payload,
    retryDelaysMs: HANDOFF_STEP_RETRY_DELAYS_MS,
    timeoutMs: STEP_TIMEOUT_MS,
    async run(p, ctx) {
      if (!wati) throw new JobError('channel_disabled', 'staff alert: WhatsApp (WATI) is not configured', true);
      const template = config.template;
      await step(async () => {
        if (template) {
          await wati.sendTemplate(
            p.number,
            {
              templateName: template.name,
              broadcastName: broadcastName(p.reason, p.at, timeZone),
              parameters: templateParameters(template.params, p.title, p.lines),
            },
            ctx.signal,
          );
        } else {
          await wati.sendText(p.number, sessionText(p.title, p.lines), ctx.signal);
        }
      });
      ctx.log.info({ reason: p.reason, to: maskPhone(p.number), via: template ? 'template' : 'session' }, 'staff alert sent');
    },
    onFinalFailure(p, ctx, errorClass) {
      ctx.log.error(
        {
          reason: p.reason,
          to: maskPhone(p.number),
          errorClass,
          // A session message is refused outside the number's 24-hour window; a template is not.
          ...(config.template ? {} : { hint: 'set STAFF_ALERT_TEMPLATE so alerts reach staff outside the 24-hour window' }),
        },
        'staff alert not delivered',
      );
    },
  });

  return {
    configured: numbers.length > 0 || emails.length > 0,
    destinations: { whatsapp: numbers.map(maskPhone), email: emails.length > 0 },
    jobKinds: [kind as JobKind<unknown>],
    jobsFor(alert) {
      const title = oneLine(alert.title, TITLE_MAX) || 'Alerta';
      const lines = alert.lines.slice(0, LINES_MAX).map((l) => clip(l.replace(/\r\n?/g, '\n'), LINE_MAX));
      const reason = clip(alert.reason, 64) || 'alert';
      const at = clock.now();
      const jobs = numbers.map((number) => jobOf(kind, { number, title, lines, reason, at }, alert.conversationId));
      if (emailJob && emails.length > 0) {
        try {
          const mail = emailJob({
            to: [...emails],
            subject: clip(`${STAFF_ALERT_SUBJECT_PREFIX} ${title}`, EMAIL_SUBJECT_MAX),
            text: clip([title, '', ...lines].join('\n'), EMAIL_TEXT_MAX),
            purpose: 'staff_alert',
          });
          jobs.push({ ...mail, conversationId: mail.conversationId ?? alert.conversationId });
        } catch (err) {
          // A refused mail must not take the WhatsApp alerts (and the caller's other effects) down with it.
          log.error({ reason, err: err instanceof Error ? err.message.slice(0, 300) : String(err) }, 'staff alert e-mail not queued');
        }
      }
      if (jobs.length === 0) {
        log.warn(
          { reason, ...(alert.conversationId ? { conversationId: loggableConversationId(alert.conversationId) } : {}) },
          'staff alert not sent: no staff destination configured (STAFF_WHATSAPP_NUMBERS, STAFF_ALERT_EMAIL)',
        );
      }
      return jobs;
    },
  };
}
