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
  'Authorization',
  '*.Authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
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

/**
 * Bytes of log output kept while stdout is slower than the service (journald busy, a slow terminal). pino's
 * default stdout stream buffers without limit: at ~1 KB of log lines per webhook, a consumer that falls
 * behind made the heap grow by ~14-20 MB per 20,000 webhooks (issue 8 §8). Past the limit, lines are dropped
 * and counted, and a warning says how many a while later.
 */
export const LOG_BUFFER_MAX_BYTES = 4 * 1024 * 1024;
const DROP_REPORT_MS = 10_000;

export interface StdoutLogOptions {
  /** Where to write (default 1, stdout). */
  fd?: number;
  maxBufferBytes?: number;
  /** How long after the first dropped line the warning with the count is logged. */
  dropReportMs?: number;
}

/** A logger writing to stdout asynchronously, with at most `maxBufferBytes` waiting to be written. */
export function createStdoutLogger(level: string, opts: StdoutLogOptions = {}): Logger {
  const stdout = pino.destination({ dest: opts.fd ?? 1, sync: false, maxLength: opts.maxBufferBytes ?? LOG_BUFFER_MAX_BYTES });
  const logger = pino(loggerOptions(level), stdout);
  let dropped = 0;
  let report: NodeJS.Timeout | undefined;
  stdout.on('drop', () => {
    dropped++;
    // One timer while lines are being dropped, none otherwise.
    report ??= setTimeout(() => {
      report = undefined;
      const droppedLines = dropped;
      dropped = 0;
      logger.warn({ droppedLines }, 'stdout is not keeping up with the log: lines were dropped');
      // A warning that was dropped too counted itself (synchronously) and re-armed the timer: carry the count on.
      if (dropped > 0) dropped += droppedLines - 1;
    }, opts.dropReportMs ?? DROP_REPORT_MS).unref();
  });
  return logger;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : createStdoutLogger(level);
}

export type { Logger };
