// pino JSON logs. Secrets and phone numbers never reach the log: known fields are redacted by path,
// conversation ids are logged through loggableConversationId, and passkeys are cut out of URLs.
import pino, { type Logger, type LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'passkey',
  '*.passkey',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-webhook-passkey"]',
  'waId',
  '*.waId',
  'phone',
  '*.phone',
  'whatsappNumber',
  '*.whatsappNumber',
];

/** Removes secrets and phone numbers from a request URL before it is logged. */
export function redactUrl(url: string): string {
  return url
    .replace(/([?&](?:passkey|api_key|apikey|token)=)[^&#]*/gi, '$1[Redacted]')
    .replace(/\d{8,}/g, (digits) => `…${digits.slice(-4)}`);
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    serializers: {
      req(req: { method?: string; url?: string; id?: string }) {
        return { method: req.method, url: redactUrl(req.url ?? ''), id: req.id };
      },
    },
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

export type { Logger };
