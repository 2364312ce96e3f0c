// Sends one staff e-mail, over SMTP (nodemailer, a fresh connection per mail) or through the Gmail API (the
// original's route: its refresh token has scope gmail.send, which Gmail does not accept over SMTP). Every
// failure is a MailError whose `transient` says whether a later attempt may succeed; the durable e-mail job
// retries on that and nothing here retries by itself (apart from one token refresh on a Gmail 401). Error
// messages carry reply codes and short server texts, never the SMTP URL, a password or a token.
import { randomUUID } from 'node:crypto';
// nodemailer (~13 MB of RSS) is imported by the first mail sent, not at start: staff e-mails are rare.
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { Agent, request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { abandonOnAbort, deadline } from '../core/abort.js';
import type { EmailConfig } from './config.js';
import { renderBody } from './message.js';

export type MailErrorCode =
  /** An SMTP 4xx reply (greylisting, a full queue, a relay briefly down). */
  | 'smtp_temporary'
  /** An SMTP 5xx reply: the server refused the mail or the login. */
  | 'smtp_rejected'
  | 'connection'
  | 'timeout'
  /** Gmail: the OAuth client or refresh token was refused, or a fresh token was refused too. */
  | 'auth'
  | 'rate_limited'
  /** HTTP 5xx. */
  | 'unavailable'
  /** Another HTTP 4xx, or a mail that cannot be sent as given. */
  | 'rejected'
  | 'bad_response';

export class MailError extends Error {
  override readonly name = 'MailError';

  constructor(
    readonly code: MailErrorCode,
    message: string,
    /** A later attempt may succeed (retry); false: it will fail the same way. */
    readonly transient: boolean,
    /** The SMTP reply code or HTTP status, when there was one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface OutgoingMail {
  to: string[];
  subject: string;
  /** Plain text; an escaped HTML rendering of it is sent alongside (see message.ts). */
  text: string;
  /**
   * The Message-ID, or its left part (before `@`), to which the sender's domain is added. The same value on
   * a second attempt lets the recipient (and staff) recognise a repeat as the same mail. Default: random.
   */
  messageId?: string;
}

export interface SentMail {
  /** The Message-ID header, `<…@…>`. */
  messageId: string;
  /** Recipients the SMTP server refused while accepting the others (always empty for Gmail). */
  rejected: string[];
  /** Gmail's id of the sent message, when Gmail sent it. */
  providerId?: string;
}

export interface Mailer {
  send(mail: OutgoingMail, signal?: AbortSignal): Promise<SentMail>;
  close(): Promise<void>;
}

export interface MailerOptions {
  /** Tests only: the OAuth token endpoint (never from the environment). */
  gmailTokenUrl?: string;
  /** Tests only: the Gmail API origin (never from the environment). */
  gmailApiBaseUrl?: string;
}

export const GMAIL_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const GMAIL_API_BASE_URL = 'https://gmail.googleapis.com';

// Bounded so a silent relay fails an attempt well within the job's 60 s timeout.
const SMTP_CONNECTION_TIMEOUT_MS = 10_000;
const SMTP_GREETING_TIMEOUT_MS = 10_000;
const SMTP_SOCKET_TIMEOUT_MS = 30_000;
const SMTP_DNS_TIMEOUT_MS = 10_000;
const HTTP_CONNECT_TIMEOUT_MS = 10_000;
const HTTP_REQUEST_TIMEOUT_MS = 20_000;
/** A token is used until this long before Google says it expires. */
const TOKEN_EXPIRY_MARGIN_MS = 60_000;
const RESPONSE_MAX_BYTES = 64 * 1024;
const DETAIL_MAX = 200;

export function createMailer(config: Pick<EmailConfig, 'transport' | 'from'>, options: MailerOptions = {}): Mailer {
  const { transport, from } = config;
  if (!transport) throw new Error('e-mail: no transport configured (SMTP_URL or the GMAIL_* variables)');
  if (!from) throw new Error('e-mail: no From address configured (EMAIL_FROM)');
  const domain = senderDomain(from);
  return transport.type === 'smtp'
    ? smtpMailer(transport.url, from, domain)
    : gmailMailer(transport, from, domain, options);
}

function senderDomain(from: string): string {
  const address = /<([^<>\s]+)>\s*$/.exec(from)?.[1] ?? from.trim();
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase() || 'localhost';
}

function messageIdOf(mail: OutgoingMail, domain: string): string {
  const id = mail.messageId?.trim().replace(/^<|>$/g, '') || randomUUID();
  return `<${id.includes('@') ? id : `${id}@${domain}`}>`;
}

function checkMail(mail: OutgoingMail): void {
  if (mail.to.length === 0) throw new MailError('rejected', 'e-mail without recipients', false);
}

function short(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, DETAIL_MAX);
}

// ── SMTP ────────────────────────────────────────────────────────────────────────────────────────────

function smtpOptions(url: string): SMTPTransport.Options {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    ...(u.port !== '' ? { port: Number(u.port) } : {}),
    // smtps:// is TLS from the first byte (465); smtp:// upgrades with STARTTLS when the server offers it.
    secure: u.protocol === 'smtps:',
    ...(u.username !== '' ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
    dnsTimeout: SMTP_DNS_TIMEOUT_MS,
    // nodemailer's transcript logging would print the AUTH exchange.
    logger: false,
    debug: false,
  };
}

interface NodemailerError {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
}

const SMTP_TIMEOUT_CODES = new Set(['ETIMEDOUT']);
const SMTP_CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'ETLS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

export function smtpError(err: unknown): MailError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as NodemailerError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  // The reply text without its leading code (that is given once, in front).
  const response = typeof e.response === 'string' ? short(e.response.replace(/^\d{3}[ -]/, '')) : '';
  if (reply !== undefined && reply >= 400 && reply < 500) {
    return new MailError('smtp_temporary', `SMTP ${reply}: ${response || code || 'temporary failure'}`, true, reply);
  }
  if (reply !== undefined && reply >= 500) {
    return new MailError('smtp_rejected', `SMTP ${reply}: ${response || code || 'rejected'}`, false, reply);
  }
  if (code !== undefined && SMTP_TIMEOUT_CODES.has(code)) return new MailError('timeout', 'SMTP: timed out', true);
  if (code !== undefined && SMTP_CONNECTION_CODES.has(code)) return new MailError('connection', `SMTP: connection failed (${code})`, true);
  // Anything else (a protocol surprise, a stream error) is treated as passing: the job's retries are bounded.
  return new MailError('connection', `SMTP: ${code ?? 'send failed'}`, true);
}

function smtpMailer(url: string, from: string, domain: string): Mailer {
  // No `pool`: one connection per mail (staff e-mails are rare; a pool would keep a login open for nothing),
  // so the transport opens nothing before its first mail and is created with it.
  const options = smtpOptions(url);
  let transporter: Promise<Transporter<SMTPTransport.SentMessageInfo>> | undefined;
  const transport = () =>
    (transporter ??= import('nodemailer').then(
      ({ createTransport }) => createTransport(options),
      (err: unknown) => {
        transporter = undefined;
        throw err;
      },
    ));
  let closed = false;
  return {
    async send(mail, signal) {
      if (closed) throw new Error('e-mail: mailer closed');
      checkMail(mail);
      const body = renderBody(mail.text);
      const messageId = messageIdOf(mail, domain);
      // nodemailer takes no signal; an aborted send is abandoned and ends at its socket timeouts.
      let info: SMTPTransport.SentMessageInfo;
      try {
        info = await abandonOnAbort(
          transport().then((t) => t.sendMail({ from, to: mail.to, subject: mail.subject, text: body.text, html: body.html, messageId })),
          signal,
        );
      } catch (err) {
        if (signal?.aborted) throw err;
        throw smtpError(err);
      }
      const rejected = info.rejected.map((r) => (typeof r === 'string' ? r : r.address));
      return { messageId: info.messageId || messageId, rejected };
    },
    close() {
      closed = true;
      void transporter?.then(
        (t) => t.close(),
        () => undefined,
      );
      return Promise.resolve();
    },
  };
}

// ── Gmail API ───────────────────────────────────────────────────────────────────────────────────────

const tokenBody = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });
const oauthErrorBody = z.object({ error: z.string().max(100) });
const gmailSendBody = z.object({ id: z.string().min(1) });
const gmailErrorBody = z.object({
  error: z.object({
    message: z.string().optional(),
    status: z.string().optional(),
    errors: z.array(z.object({ reason: z.string().optional() })).optional(),
  }),
});
// Gmail answers its per-user rate limits with 403, not 429.
const GMAIL_RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

interface HttpAnswer {
  status: number;
  json: unknown;
}

async function readBounded(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > RESPONSE_MAX_BYTES) {
      body.destroy();
      throw new MailError('bad_response', 'Gmail: response too large', true);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function gmailMailer(
  transport: Extract<NonNullable<EmailConfig['transport']>, { type: 'gmail' }>,
  from: string,
  domain: string,
  options: MailerOptions,
): Mailer {
  const tokenUrl = options.gmailTokenUrl ?? GMAIL_TOKEN_URL;
  const sendUrl = `${(options.gmailApiBaseUrl ?? GMAIL_API_BASE_URL).replace(/\/+$/, '')}/gmail/v1/users/me/messages/send`;
  const agent = new Agent({
    connect: { timeout: HTTP_CONNECT_TIMEOUT_MS },
    headersTimeout: HTTP_REQUEST_TIMEOUT_MS,
    bodyTimeout: HTTP_REQUEST_TIMEOUT_MS,
    connections: 4,
  });
  let cached: { token: string; usableUntil: number } | undefined;
  let pending: Promise<string> | undefined;
  let closed = false;

  async function call(
    label: string,
    url: string,
    init: { body: string; headers: Record<string, string> },
    signal: AbortSignal | undefined,
  ): Promise<HttpAnswer> {
    const bound = deadline(HTTP_REQUEST_TIMEOUT_MS, signal);
    try {
      const res = await request(url, { method: 'POST', ...init, signal: bound.signal, dispatcher: agent });
      const text = await readBounded(res.body);
      return { status: res.statusCode, json: parseJson(text) };
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      if (err instanceof MailError) throw err;
      if (bound.timedOut) throw new MailError('timeout', `${label}: no answer within ${HTTP_REQUEST_TIMEOUT_MS} ms`, true);
      const code = (err as { code?: unknown }).code;
      throw new MailError('connection', `${label}: connection failed${typeof code === 'string' ? ` (${code})` : ''}`, true);
    } finally {
      bound.clear();
    }
  }

  async function fetchToken(): Promise<string> {
    const form = new URLSearchParams({
      client_id: transport.clientId,
      client_secret: transport.clientSecret,
      refresh_token: transport.refreshToken,
      grant_type: 'refresh_token',
    });
    const startedAt = Date.now();
    const res = await call(
      'Gmail token',
      tokenUrl,
      { body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } },
      undefined,
    );
    if (res.status >= 200 && res.status < 300) {
      const parsed = tokenBody.safeParse(res.json);
      if (!parsed.success) throw new MailError('bad_response', 'Gmail token: unexpected answer', true, res.status);
      cached = { token: parsed.data.access_token, usableUntil: startedAt + parsed.data.expires_in * 1000 - TOKEN_EXPIRY_MARGIN_MS };
      return parsed.data.access_token;
    }
    // Google's OAuth error is a short code (invalid_grant: the refresh token was revoked or expired).
    const oauth = oauthErrorBody.safeParse(res.json);
    const detail = oauth.success ? ` ${short(oauth.data.error)}` : '';
    if (res.status === 429) throw new MailError('rate_limited', `Gmail token: HTTP 429${detail}`, true, res.status);
    if (res.status >= 500) throw new MailError('unavailable', `Gmail token: HTTP ${res.status}${detail}`, true, res.status);
    throw new MailError('auth', `Gmail token: HTTP ${res.status}${detail}`, false, res.status);
  }

  /** One token request at a time; concurrent sends share it (bounded by its own deadline, not by one caller's signal). */
  function accessToken(signal: AbortSignal | undefined): Promise<string> {
    if (cached && Date.now() < cached.usableUntil) return Promise.resolve(cached.token);
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return abandonOnAbort(pending, signal);
  }

  /** Drops a token Gmail refused (unless another send has already replaced it). */
  function invalidate(token: string): void {
    if (cached?.token === token) cached = undefined;
  }

  async function post(raw: string, token: string, signal: AbortSignal | undefined): Promise<HttpAnswer> {
    return call(
      'Gmail send',
      sendUrl,
      {
        body: JSON.stringify({ raw }),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      },
      signal,
    );
  }

  return {
    async send(mail, signal) {
      if (closed) throw new Error('e-mail: mailer closed');
      checkMail(mail);
      const body = renderBody(mail.text);
      const messageId = messageIdOf(mail, domain);
      const { default: MailComposer } = await import('nodemailer/lib/mail-composer/index.js');
      const mime = await new MailComposer({
        from,
        to: mail.to,
        subject: mail.subject,
        text: body.text,
        html: body.html,
        messageId,
      })
        .compile()
        .build();
      const raw = mime.toString('base64url');

      const first = await accessToken(signal);
      let res = await post(raw, first, signal);
      if (res.status === 401) {
        // The token was revoked or expired early: one fresh token, one more try.
        invalidate(first);
        const second = await accessToken(signal);
        res = await post(raw, second, signal);
        if (res.status === 401) {
          invalidate(second);
          throw new MailError('auth', 'Gmail send: HTTP 401 with a fresh token', false, 401);
        }
      }
      if (res.status >= 200 && res.status < 300) {
        // Gmail took the mail: an answer of another shape must not fail it (a retry would send it twice).
        const sent = gmailSendBody.safeParse(res.json);
        return { messageId, rejected: [], ...(sent.success ? { providerId: sent.data.id } : {}) };
      }
      const error = gmailErrorBody.safeParse(res.json);
      const detail = error.success
        ? ` ${short([error.data.error.status, error.data.error.message].filter(Boolean).join(': '))}`
        : '';
      const reasons = error.success ? (error.data.error.errors ?? []).map((e) => e.reason ?? '') : [];
      if (res.status === 429 || (res.status === 403 && reasons.some((r) => GMAIL_RATE_REASONS.has(r)))) {
        throw new MailError('rate_limited', `Gmail send: HTTP ${res.status}${detail}`, true, res.status);
      }
      if (res.status >= 500) throw new MailError('unavailable', `Gmail send: HTTP ${res.status}${detail}`, true, res.status);
      throw new MailError('rejected', `Gmail send: HTTP ${res.status}${detail}`, false, res.status);
    },
    async close() {
      closed = true;
      await agent.close();
    },
  };
}
