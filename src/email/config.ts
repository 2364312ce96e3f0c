// E-mail configuration slice: how staff e-mails leave (an SMTP relay, or the Gmail API with the original's
// OAuth variables, whose refresh token has scope gmail.send and so cannot be used over SMTP), the From
// address, and the allow-list of hotel mailboxes the assistant may write to. Without a transport no e-mail
// is sent and `send_email` is not offered. Secrets (the SMTP URL's password, the OAuth client secret and
// refresh token) are never quoted in an issue.
import { z } from 'zod';
import { emptyToUndefined, optionalString } from '../core/config-schema.js';

export interface AllowedRecipient {
  /** What the model may write instead of the address (`ventas`); lower case. */
  label: string | undefined;
  address: string;
}

export type EmailTransportConfig =
  | { type: 'smtp'; url: string }
  | { type: 'gmail'; clientId: string; clientSecret: string; refreshToken: string; sender: string };

const LABEL = /^[a-z0-9_-]{1,32}$/;
const addressSchema = z.email();

export function isEmailAddress(value: string): boolean {
  return addressSchema.safeParse(value).success;
}

/** `Name <address>` or a bare address, as nodemailer takes it. */
function isFromValue(value: string): boolean {
  const named = /^([^<>\r\n]*)<([^<>\s]+)>$/.exec(value);
  return named ? isEmailAddress(named[2] ?? '') : isEmailAddress(value);
}

/** smtp:// or smtps:// with a host. Only the scheme is named in an issue: the URL may carry a password. */
function smtpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an smtp:// or smtps:// URL';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return 'must be an smtp:// or smtps:// URL';
  if (url.hostname === '') return 'must name the SMTP host';
  // The mailer reads host, port and credentials only; a query option would be silently ignored.
  if (url.search !== '' || url.hash !== '') return 'must not carry query options or a fragment';
  return undefined;
}

type ParsedList = { ok: true; recipients: AllowedRecipient[] } | { ok: false; problems: string[] };

/** `ventas=ventas@hotel.com, reservas@hotel.com`: labels lower-cased, each label used once. */
export function parseAllowedRecipients(value: string | undefined): ParsedList {
  const recipients: AllowedRecipient[] = [];
  const problems: string[] = [];
  const labels = new Set<string>();
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const label = eq >= 0 ? entry.slice(0, eq).trim().toLowerCase() : undefined;
    const address = (eq >= 0 ? entry.slice(eq + 1) : entry).trim();
    if (label !== undefined && !LABEL.test(label)) {
      problems.push(`"${entry}": the label must be 1 to 32 of a-z, 0-9, _ and -`);
    } else if (!isEmailAddress(address)) {
      problems.push(`"${entry}": not an e-mail address`);
    } else if (label !== undefined && labels.has(label)) {
      problems.push(`"${entry}": the label ${label} is used twice`);
    } else {
      if (label !== undefined) labels.add(label);
      recipients.push({ label, address });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, recipients };
}

const GMAIL_VARIABLES = ['GMAIL_CLIENT_ID', 'GMAIL_CLIENT_SECRET', 'GMAIL_REFRESH_TOKEN', 'GMAIL_SENDER_EMAIL'] as const;

export const emailConfig = z
  .object({
    EMAIL_FROM: optionalString,
    SMTP_URL: optionalString,
    GMAIL_CLIENT_ID: optionalString,
    GMAIL_CLIENT_SECRET: optionalString,
    GMAIL_REFRESH_TOKEN: optionalString,
    GMAIL_SENDER_EMAIL: optionalString,
    EMAIL_ALLOWED_RECIPIENTS: z.preprocess(emptyToUndefined, z.string().optional()),
  })
  .superRefine((e, ctx) => {
    const smtpProblem = e.SMTP_URL === undefined ? undefined : smtpUrlProblem(e.SMTP_URL);
    if (smtpProblem) ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: smtpProblem });
    if (e.SMTP_URL !== undefined) {
      // SMTP_URL wins over the Gmail variables (an .env that still carries the original's Gmail
      // credentials may move to a relay by adding one line), so incomplete Gmail variables do not matter.
      if (e.EMAIL_FROM === undefined) {
        ctx.addIssue({ code: 'custom', path: ['EMAIL_FROM'], message: 'is required when SMTP_URL is set' });
      }
    } else {
      const missing = GMAIL_VARIABLES.filter((name) => e[name] === undefined);
      if (missing.length > 0 && missing.length < GMAIL_VARIABLES.length) {
        for (const name of missing) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `is required with the other Gmail variables (missing: ${missing.join(', ')})`,
          });
        }
      }
      if (e.GMAIL_SENDER_EMAIL !== undefined && !isEmailAddress(e.GMAIL_SENDER_EMAIL)) {
        ctx.addIssue({ code: 'custom', path: ['GMAIL_SENDER_EMAIL'], message: 'must be an e-mail address' });
      }
    }
    if (e.EMAIL_FROM !== undefined && !isFromValue(e.EMAIL_FROM)) {
      ctx.addIssue({ code: 'custom', path: ['EMAIL_FROM'], message: 'must be an e-mail address or "Name <address>"' });
    }
    const list = parseAllowedRecipients(e.EMAIL_ALLOWED_RECIPIENTS);
    if (!list.ok) {
      for (const problem of list.problems) ctx.addIssue({ code: 'custom', path: ['EMAIL_ALLOWED_RECIPIENTS'], message: problem });
    }
  })
  .transform((e) => {
    const transport: EmailTransportConfig | undefined =
      e.SMTP_URL !== undefined
        ? { type: 'smtp', url: e.SMTP_URL }
        : e.GMAIL_CLIENT_ID && e.GMAIL_CLIENT_SECRET && e.GMAIL_REFRESH_TOKEN && e.GMAIL_SENDER_EMAIL
          ? {
              type: 'gmail',
              clientId: e.GMAIL_CLIENT_ID,
              clientSecret: e.GMAIL_CLIENT_SECRET,
              refreshToken: e.GMAIL_REFRESH_TOKEN,
              sender: e.GMAIL_SENDER_EMAIL,
            }
          : undefined;
    const list = parseAllowedRecipients(e.EMAIL_ALLOWED_RECIPIENTS);
    return {
      /** Undefined when neither SMTP_URL nor the four Gmail variables are set: no e-mail is sent. */
      transport,
      /** The From header; for Gmail it defaults to the sender (Gmail rewrites any address that is not one of its aliases). */
      from: e.EMAIL_FROM ?? (transport?.type === 'gmail' ? transport.sender : undefined),
      allowedRecipients: list.ok ? list.recipients : [],
    };
  });

export type EmailConfig = z.output<typeof emailConfig>;
