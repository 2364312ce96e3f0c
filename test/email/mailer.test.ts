// The mailer against a real SMTP server and a fake Google (token + Gmail endpoints), all on 127.0.0.1:
// what arrives (recipients, headers, a text part and an escaped HTML part), how failures are classed, the
// Gmail token cached and refreshed once on a 401, and no secret in any error.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, MailError, type Mailer } from '../../src/email/mailer.js';
import { CLIENT, startFakeGoogle, type FakeGoogle } from './fake-google.js';
import { leaves, parseMime, partText } from './mime.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

const FROM = 'Asistente Hotel <bot@hotel.example>';
const TEXT = 'Grupo de 35 personas, cotización & fechas:\n12–14 de marzo\n\n<script>alert(1)</script> ñandú';

let mailers: Mailer[] = [];
afterEach(async () => {
  for (const m of mailers) await m.close();
  mailers = [];
});
function track(m: Mailer): Mailer {
  mailers.push(m);
  return m;
}

async function failure(p: Promise<unknown>): Promise<MailError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MailError) return err;
    throw err;
  }
  throw new Error('expected a MailError');
}

function expectEscapedBody(raw: string): void {
  // Both parts travel encoded, so the assertions below read them decoded.
  expect(leaves(parseMime(raw)).map((p) => p.headers.get('content-transfer-encoding'))).toEqual(
    expect.arrayContaining([expect.stringMatching(/^(quoted-printable|base64)$/)]),
  );
  expect(partText(raw, 'text/plain')?.replace(/\r\n/g, '\n').trimEnd()).toBe(TEXT);
  const html = partText(raw, 'text/html') ?? '';
  expect(html).toContain('cotización &amp; fechas:<br>');
  expect(html).toContain('<p>&lt;script&gt;alert(1)&lt;/script&gt; ñandú</p>');
  expect(html).not.toContain('<script>');
}

describe('SMTP mailer', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
  });

  it('delivers to every recipient with the subject, the Message-ID, a text part and an escaped HTML part', async () => {
    const mailer = track(createMailer({ transport: { type: 'smtp', url: sink.url }, from: FROM }));
    const sent = await mailer.send({ to: ['ventas@hotel.example', 'reservas@hotel.example'], subject: 'Cotización de grupo — 35 personas', text: TEXT, messageId: 'job-7' });
    expect(sent).toEqual({ messageId: '<job-7@hotel.example>', rejected: [] });
    const mail = sink.received.at(-1)!;
    expect(mail.from).toBe('bot@hotel.example');
    expect(mail.to).toEqual(['ventas@hotel.example', 'reservas@hotel.example']);
    const headers = parseMime(mail.raw).headers;
    expect(headers.get('subject')).toBe('Cotización de grupo — 35 personas');
    expect(headers.get('to')).toBe('ventas@hotel.example, reservas@hotel.example');
    expect(headers.get('from')).toBe('Asistente Hotel <bot@hotel.example>');
    expect(headers.get('message-id')).toBe('<job-7@hotel.example>');
    expect(headers.get('content-type')).toMatch(/^multipart\/alternative/);
    expectEscapedBody(mail.raw);
  });

  it('classes a 4xx reply as transient and a 5xx reply as permanent', async () => {
    const mailer = track(createMailer({ transport: { type: 'smtp', url: sink.url }, from: FROM }));
    const mail = { to: ['ventas@hotel.example'], subject: 'Prueba', text: 'Hola' };
    sink.failNext({ code: 451, text: '4.3.0 Try again later' }, { code: 550, text: '5.7.1 Relaying denied' });
    const temporary = await failure(mailer.send(mail));
    expect(temporary).toMatchObject({ code: 'smtp_temporary', transient: true, status: 451 });
    expect(temporary.message).toContain('451');
    expect(await failure(mailer.send(mail))).toMatchObject({ code: 'smtp_rejected', transient: false, status: 550 });
    await expect(mailer.send(mail)).resolves.toMatchObject({ rejected: [] });
  });

  it('classes a refused connection as transient', async () => {
    const closed = await startSmtpSink();
    await closed.close();
    const mailer = track(createMailer({ transport: { type: 'smtp', url: `smtp://127.0.0.1:${closed.port}` }, from: FROM }));
    expect(await failure(mailer.send({ to: ['ventas@hotel.example'], subject: 'x', text: 'y' }))).toMatchObject({ code: 'connection', transient: true });
  });

  it('logs in with the URL’s credentials; a refused login is permanent and names neither the password nor the URL', async () => {
    const authed = await startSmtpSink({ credentials: { user: 'bot@hotel.example', pass: 'p@ss:w0rd/secret' } });
    try {
      const good = track(createMailer({ transport: { type: 'smtp', url: authed.url }, from: FROM }));
      await good.send({ to: ['ventas@hotel.example'], subject: 'x', text: 'y' });
      expect(authed.received).toHaveLength(1);

      const badUrl = `smtp://bot%40hotel.example:WRONG_secret_pw@127.0.0.1:${authed.port}`;
      const bad = track(createMailer({ transport: { type: 'smtp', url: badUrl }, from: FROM }));
      const err = await failure(bad.send({ to: ['ventas@hotel.example'], subject: 'x', text: 'y' }));
      expect(err).toMatchObject({ code: 'smtp_rejected', transient: false, status: 535 });
      expect(`${err.message} ${JSON.stringify(err)}`).not.toMatch(/WRONG_secret_pw|127\.0\.0\.1:\d+|smtp:\/\//);
    } finally {
      await authed.close();
    }
  });

  it('gives up on a send when its signal aborts, even if the server never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s)); // accepts, never greets
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const mailer = track(createMailer({ transport: { type: 'smtp', url: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}` }, from: FROM }));
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('stop')), 100);
      const started = Date.now();
      await expect(mailer.send({ to: ['ventas@hotel.example'], subject: 'x', text: 'y' }, controller.signal)).rejects.toThrow('stop');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('Gmail mailer', () => {
  let google: FakeGoogle;
  beforeAll(async () => {
    google = await startFakeGoogle();
  });
  afterAll(async () => {
    await google.close();
  });
  afterEach(() => google.reset());

  function gmail(from = 'bot@hotel.example'): Mailer {
    return track(
      createMailer(
        { transport: { type: 'gmail', ...CLIENT, sender: 'bot@hotel.example' }, from },
        { gmailTokenUrl: google.tokenUrl, gmailApiBaseUrl: google.apiBaseUrl },
      ),
    );
  }
  const mail = { to: ['ventas@hotel.example', 'Promos@Hotel.example'], subject: 'Prospecto de membresía', text: TEXT };

  it('gets one token for two sends and sends a raw message with the right headers and parts', async () => {
    const mailer = gmail(FROM);
    expect(await mailer.send({ ...mail, messageId: 'watibot3-email-3-abc' })).toEqual({
      messageId: '<watibot3-email-3-abc@hotel.example>',
      rejected: [],
      providerId: '18c1',
    });
    await mailer.send(mail);
    expect(google.tokenRequests).toEqual([
      { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, refresh_token: CLIENT.refreshToken, grant_type: 'refresh_token' },
    ]);
    expect(google.sendAuth).toEqual(['ya29.token-1', 'ya29.token-1']);
    expect(google.sent).toHaveLength(2);
    const headers = parseMime(google.sent[0]!).headers;
    expect(headers.get('from')).toBe('Asistente Hotel <bot@hotel.example>');
    expect(headers.get('to')).toBe('ventas@hotel.example, Promos@hotel.example'); // nodemailer lower-cases domains
    expect(headers.get('subject')).toBe('Prospecto de membresía');
    expect(headers.get('message-id')).toBe('<watibot3-email-3-abc@hotel.example>');
    expectEscapedBody(google.sent[0]!);
    // Without a Message-ID from the caller: a random one, still at the sender's domain.
    expect(parseMime(google.sent[1]!).headers.get('message-id')).toMatch(/^<[0-9a-f-]{36}@hotel\.example>$/);
  });

  it('refreshes the token once on a 401 and sends with the new one', async () => {
    const mailer = gmail();
    await mailer.send(mail);
    google.revoke('ya29.token-1');
    await mailer.send(mail);
    expect(google.tokenRequests).toHaveLength(2);
    expect(google.sendAuth).toEqual(['ya29.token-1', 'ya29.token-1', 'ya29.token-2']);
    expect(google.sent).toHaveLength(2);
    await mailer.send(mail); // the new token is cached
    expect(google.tokenRequests).toHaveLength(2);
  });

  it('fails for good on a second 401, after one refresh only', async () => {
    const mailer = gmail();
    const unauthorized = { status: 401, body: { error: { code: 401, message: 'Invalid Credentials', status: 'UNAUTHENTICATED' } } };
    google.sendFailures.push(unauthorized, unauthorized);
    expect(await failure(mailer.send(mail))).toMatchObject({ code: 'auth', transient: false, status: 401 });
    expect(google.tokenRequests).toHaveLength(2);
    expect(google.sendAuth).toHaveLength(2);
  });

  it('fetches a new token when the cached one is within 60 s of expiry', async () => {
    google.expiresIn = 50;
    const mailer = gmail();
    await mailer.send(mail);
    await mailer.send(mail);
    expect(google.tokenRequests).toHaveLength(2);
    expect(google.sendAuth).toEqual(['ya29.token-1', 'ya29.token-2']);
  });

  it('classes token and Gmail failures, without a secret or token in any message', async () => {
    const mailer = gmail();
    const errors: MailError[] = [];
    google.tokenFailures.push({ status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } });
    errors.push(await failure(mailer.send(mail)));
    expect(errors.at(-1)).toMatchObject({ code: 'auth', transient: false, status: 400 });
    expect(errors.at(-1)!.message).toContain('invalid_grant');

    google.tokenFailures.push({ status: 503, body: {} });
    errors.push(await failure(mailer.send(mail)));
    expect(errors.at(-1)).toMatchObject({ code: 'unavailable', transient: true });

    const gmailError = (status: number, reason?: string) => ({
      status,
      body: { error: { code: status, message: `failure ${status}`, status: 'X', ...(reason ? { errors: [{ reason }] } : {}) } },
    });
    google.sendFailures.push(gmailError(429), gmailError(403, 'userRateLimitExceeded'), gmailError(500), gmailError(400), gmailError(403, 'insufficientPermissions'));
    for (const expected of [
      { code: 'rate_limited', transient: true, status: 429 },
      { code: 'rate_limited', transient: true, status: 403 },
      { code: 'unavailable', transient: true, status: 500 },
      { code: 'rejected', transient: false, status: 400 },
      { code: 'rejected', transient: false, status: 403 },
    ]) {
      errors.push(await failure(mailer.send(mail)));
      expect(errors.at(-1)).toMatchObject(expected);
    }
    for (const e of errors) {
      expect(`${e.message} ${JSON.stringify(e)}`).not.toMatch(/CLIENT_SECRET|REFRESH_TOKEN|ya29\./);
    }
    expect(google.sent).toHaveLength(0);
  });

  it('classes an unreachable Google as transient', async () => {
    const closed = await startFakeGoogle();
    await closed.close();
    const mailer = track(
      createMailer(
        { transport: { type: 'gmail', ...CLIENT, sender: 'bot@hotel.example' }, from: 'bot@hotel.example' },
        { gmailTokenUrl: closed.tokenUrl, gmailApiBaseUrl: closed.apiBaseUrl },
      ),
    );
    expect(await failure(mailer.send(mail))).toMatchObject({ code: 'connection', transient: true });
  });
});
