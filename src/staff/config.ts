// Staff alerts configuration slice: the staff WhatsApp numbers that alerts go to, the approved WATI template
// that carries them outside a number's 24-hour window (with the names of its body parameters), and the
// mailboxes that get a copy by e-mail. Phone numbers are only ever quoted masked in an issue.
import { z } from 'zod';
import { optionalString } from '../core/config-schema.js';
import { maskPhone } from './mask.js';

/** E.164 allows at most 15 digits; fewer than 8 is no number WhatsApp reaches. */
const WHATSAPP_DIGITS = /^\d{8,15}$/;
const WRITTEN_NUMBER = /^\+?[\d ]+$/;
// WATI names template parameters like {{name}} or {{1}}.
const PARAM_NAME = /^\w{1,64}$/;
const emailSchema = z.email();

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `+503 7000 1234` → `50370001234`; undefined when it is not a WhatsApp number. */
export function normalizeWhatsappNumber(written: string): string | undefined {
  if (!WRITTEN_NUMBER.test(written)) return undefined;
  const digits = written.replace(/\D/g, '');
  return WHATSAPP_DIGITS.test(digits) ? digits : undefined;
}

export const staffConfig = z
  .object({
    STAFF_WHATSAPP_NUMBERS: optionalString,
    STAFF_ALERT_TEMPLATE: optionalString,
    STAFF_ALERT_TEMPLATE_PARAMS: optionalString,
    STAFF_ALERT_EMAIL: optionalString,
  })
  .superRefine((e, ctx) => {
    for (const written of list(e.STAFF_WHATSAPP_NUMBERS)) {
      if (normalizeWhatsappNumber(written) === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['STAFF_WHATSAPP_NUMBERS'],
          message: `"${maskPhone(written)}" is not a WhatsApp number (8 to 15 digits, optionally with + and spaces)`,
        });
      }
    }
    if (e.STAFF_ALERT_TEMPLATE && list(e.STAFF_ALERT_TEMPLATE_PARAMS).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['STAFF_ALERT_TEMPLATE_PARAMS'],
        message: "is required when STAFF_ALERT_TEMPLATE is set (the names of the template's body parameters, comma-separated)",
      });
    }
    for (const name of list(e.STAFF_ALERT_TEMPLATE_PARAMS)) {
      if (!PARAM_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['STAFF_ALERT_TEMPLATE_PARAMS'],
          message: `"${name.slice(0, 64)}" is not a template parameter name (letters, digits and _)`,
        });
      }
    }
    for (const address of list(e.STAFF_ALERT_EMAIL)) {
      if (!emailSchema.safeParse(address).success) {
        ctx.addIssue({ code: 'custom', path: ['STAFF_ALERT_EMAIL'], message: `"${address.slice(0, 100)}" is not an e-mail address` });
      }
    }
  })
  .transform((e) => ({
    /** Digits only, each once, in the order written. */
    whatsappNumbers: [...new Set(list(e.STAFF_WHATSAPP_NUMBERS).map((n) => normalizeWhatsappNumber(n) ?? ''))].filter((n) => n !== ''),
    /** The approved template for alerts; undefined ⇒ session messages (delivered only inside the 24-hour window). */
    template: e.STAFF_ALERT_TEMPLATE
      ? { name: e.STAFF_ALERT_TEMPLATE, params: list(e.STAFF_ALERT_TEMPLATE_PARAMS) }
      : undefined,
    emails: [...new Set(list(e.STAFF_ALERT_EMAIL))],
  }));

export type StaffConfig = z.output<typeof staffConfig>;
