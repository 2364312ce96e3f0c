// A staff e-mail as a durable job: written with the turn's reply (or by a service), sent by the job worker,
// retried on a bounded schedule while the failure may pass (an SMTP 4xx, a connection error, Gmail 429/5xx)
// and failed for good at once when it will not (an SMTP 5xx, another HTTP 4xx). A run cut short after the
// server took the mail sends it again: the Message-ID follows from the job, so the repeat carries the same
// Message-ID and is recognisable as the same mail.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { defineJobKind, jobOf, JobError, type JobKind, type NewJob } from '../jobs/types.js';
import { MailError, type Mailer } from './mailer.js';

export const EMAIL_JOB = 'email.send';
/** 6 runs over about 2 h 42 min: long enough for a relay's maintenance, short enough to alert staff the same shift. */
export const EMAIL_RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 1_800_000, 7_200_000] as const;
export const EMAIL_TIMEOUT_MS = 60_000;
export const EMAIL_MAX_RECIPIENTS = 20;
export const EMAIL_SUBJECT_MAX = 200;
export const EMAIL_TEXT_MAX = 20_000;

const emailPayload = z.object({
  to: z.array(z.email()).min(1).max(EMAIL_MAX_RECIPIENTS),
  // One header line: a line break in a subject would be a header injection.
  subject: z.string().min(1).max(EMAIL_SUBJECT_MAX).regex(/^[^\r\n]*$/, { error: 'must be one line' }),
  text: z.string().min(1).max(EMAIL_TEXT_MAX),
  /** `tool`: send_email; `staff_alert`: the service alerting staff (whose own failure must not alert again). */
  purpose: z.enum(['tool', 'staff_alert']),
});
export type EmailJobPayload = z.output<typeof emailPayload>;

export interface EmailJobDeps {
  mailer: Pick<Mailer, 'send'>;
  /** Called once when the mail has failed for good (its retries exhausted, or a permanent refusal). */
  onFinalFailure?: (mail: EmailJobPayload, errorClass: string, log: Logger) => Promise<void> | void;
}

/** The same for every run of a job; the digest keeps job 7 of a fresh database from reusing an old job 7's id. */
export function emailMessageIdFor(jobId: number, mail: EmailJobPayload): string {
  const digest = createHash('sha256').update(JSON.stringify([mail.to, mail.subject, mail.text])).digest('hex').slice(0, 16);
  return `watibot3-email-${jobId}-${digest}`;
}

export function createEmailJobKind(deps: EmailJobDeps): JobKind<EmailJobPayload> {
  return defineJobKind({
    kind: EMAIL_JOB,
    payload: emailPayload,
    retryDelaysMs: EMAIL_RETRY_DELAYS_MS,
    timeoutMs: EMAIL_TIMEOUT_MS,
    async run(mail, ctx) {
      const messageId = emailMessageIdFor(ctx.jobId, mail);
      try {
        const sent = await deps.mailer.send({ to: mail.to, subject: mail.subject, text: mail.text, messageId }, ctx.signal);
        if (sent.rejected.length > 0) {
          // The others have it; sending again would repeat it to them.
          ctx.log.warn({ messageId: sent.messageId, refused: sent.rejected.length, purpose: mail.purpose }, 'e-mail sent, some recipients refused');
        } else {
          ctx.log.info({ messageId: sent.messageId, recipients: mail.to.length, purpose: mail.purpose }, 'e-mail sent');
        }
      } catch (err) {
        if (err instanceof MailError) throw new JobError(`email_${err.code}`, err.message, !err.transient);
        throw err;
      }
    },
    async onFinalFailure(mail, ctx, errorClass) {
      await deps.onFinalFailure?.(mail, errorClass, ctx.log);
    },
  });
}

/**
 * The job that sends `mail`; `conversationId` ties it to the conversation it came from (staff see it in the
 * job list). Checked here, so a mail the job would refuse fails its caller instead of failing later.
 */
export function emailJob(kind: JobKind<EmailJobPayload>, mail: EmailJobPayload, conversationId?: string): NewJob {
  return jobOf(kind, kind.payload.parse(mail), conversationId);
}
