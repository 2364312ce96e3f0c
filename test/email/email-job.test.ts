// The e-mail job through the real JobWorker and SQLite queue against a real SMTP server on 127.0.0.1: a 451
// is retried on the schedule and the mail arrives on the next run with the same Message-ID; a 550 fails the
// job for good at once; exhausted retries end the same way; the final-failure callback runs once each time.
import pino, { type Logger } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmailJobKind, EMAIL_RETRY_DELAYS_MS, emailJob, type EmailJobPayload } from '../../src/email/email-job.js';
import { createMailer, type Mailer } from '../../src/email/mailer.js';
import type { JobKind } from '../../src/jobs/types.js';
import { JobWorker } from '../../src/jobs/worker.js';
import type { Db } from '../../src/store/database.js';
import { SqliteJobQueue } from '../../src/store/jobs-repository.js';
import { movableClock } from '../support/movable-clock.js';
import { tempDbPath } from '../support/test-config.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { parseMime, partText } from './mime.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

const log = pino({ level: 'silent' });
const T0 = Date.parse('2027-02-22T15:00:00Z');

const MAIL: EmailJobPayload = {
  to: ['ventas@hotel.example'],
  subject: 'Cotización de grupo',
  text: 'Grupo de 35 personas del 12 al 14 de marzo.\nContacto: Ana & Luis <ana@example.com>',
  purpose: 'tool',
};

describe('email.send job', () => {
  let sink: SmtpSink;
  let open: { db: Db; worker: JobWorker; mailer: Mailer }[] = [];
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
  });
  afterEach(async () => {
    for (const o of open) {
      await o.worker.close(100);
      await o.mailer.close();
      o.db.close();
    }
    open = [];
    sink.received.length = 0;
    sink.attempted.length = 0;
  });

  function setup() {
    const db = openMigratedDatabase(tempDbPath());
    const queue = new SqliteJobQueue(db);
    const clock = movableClock(T0);
    const mailer = createMailer({ transport: { type: 'smtp', url: sink.url }, from: 'Asistente <bot@hotel.example>' });
    const finals: { mail: EmailJobPayload; errorClass: string; log: Logger }[] = [];
    const kind = createEmailJobKind({ mailer, onFinalFailure: (mail, errorClass, l) => void finals.push({ mail, errorClass, log: l }) });
    const worker = new JobWorker({ queue, kinds: [kind as JobKind<unknown>], clock, log, pollMs: 60_000 });
    open.push({ db, worker, mailer });
    return { queue, clock, kind, worker, finals };
  }

  it('retries a 451 and delivers on the next run, with the same Message-ID both times', async () => {
    const { queue, clock, kind, worker, finals } = setup();
    const id = queue.enqueue(emailJob(kind, MAIL, '50370000001'), clock.now());
    expect(queue.get(id)).toMatchObject({ kind: 'email.send', conversationId: '50370000001', maxAttempts: EMAIL_RETRY_DELAYS_MS.length + 1 });

    sink.failNext({ code: 451, text: '4.7.1 Greylisted, try again later' });
    await worker.runDue();
    expect(queue.get(id)).toMatchObject({ status: 'pending', attempts: 1, lastErrorClass: 'email_smtp_temporary' });
    expect(queue.get(id)!.runAt - clock.now()).toBeGreaterThan(25_000);
    expect(sink.received).toHaveLength(0);

    clock.advance(30_000);
    await worker.runDue();
    expect(queue.get(id)).toMatchObject({ status: 'done', attempts: 2 });
    expect(sink.received).toHaveLength(1);
    const [refused, delivered] = sink.attempted.map((m) => parseMime(m.raw).headers.get('message-id'));
    expect(delivered).toMatch(new RegExp(`^<watibot3-email-${id}-[0-9a-f]{16}@hotel\\.example>$`));
    expect(refused).toBe(delivered);
    const raw = sink.received[0]!.raw;
    expect(sink.received[0]!.to).toEqual(['ventas@hotel.example']);
    expect(parseMime(raw).headers.get('subject')).toBe('Cotización de grupo');
    expect(partText(raw, 'text/plain')?.replace(/\r\n/g, '\n').trimEnd()).toBe(MAIL.text);
    expect(partText(raw, 'text/html')).toContain('Ana &amp; Luis &lt;ana@example.com&gt;');
    expect(finals).toEqual([]);
  });

  it('fails for good on a 550 and calls the final-failure callback once, with the payload', async () => {
    const { queue, clock, kind, worker, finals } = setup();
    const alert: EmailJobPayload = { ...MAIL, purpose: 'staff_alert' };
    const id = queue.enqueue(emailJob(kind, alert), clock.now());
    sink.failNext({ code: 550, text: '5.1.1 Mailbox unavailable' });
    await worker.runDue();
    expect(queue.get(id)).toMatchObject({ status: 'failed', attempts: 1, lastErrorClass: 'email_smtp_rejected' });
    clock.advance(3 * 3600_000);
    await worker.runDue();
    expect(sink.attempted).toHaveLength(1);
    expect(finals.map((f) => [f.mail, f.errorClass])).toEqual([[alert, 'email_smtp_rejected']]);
    expect(typeof finals[0]!.log.warn).toBe('function');
  });

  it('fails for good after its last attempt when the failure keeps being temporary', async () => {
    const { queue, clock, kind, worker, finals } = setup();
    const id = queue.enqueue(emailJob(kind, MAIL), clock.now());
    const runs = EMAIL_RETRY_DELAYS_MS.length + 1;
    sink.failNext(...Array.from({ length: runs + 1 }, () => ({ code: 421, text: '4.3.2 Service shutting down' })));
    for (let i = 0; i < runs + 2; i++) {
      await worker.runDue();
      clock.advance(2 * 3600_000);
    }
    expect(sink.attempted).toHaveLength(runs);
    expect(queue.get(id)).toMatchObject({ status: 'failed', attempts: runs, lastErrorClass: 'email_smtp_temporary' });
    expect(finals.map((f) => f.errorClass)).toEqual(['email_smtp_temporary']);
  });

  it('refuses a mail the job could not send when it is made, not when it runs', () => {
    const { kind } = setup();
    expect(() => emailJob(kind, { ...MAIL, subject: 'Uno\r\nBcc: otro@example.com' })).toThrow();
    expect(() => emailJob(kind, { ...MAIL, to: [] })).toThrow();
    expect(() => emailJob(kind, { ...MAIL, to: Array.from({ length: 21 }, (_, i) => `s${i}@hotel.example`) })).toThrow();
    expect(() => emailJob(kind, { ...MAIL, to: ['no-es-correo'] })).toThrow();
    expect(emailJob(kind, MAIL)).toEqual({ kind: 'email.send', payload: MAIL, conversationId: undefined, maxAttempts: 6, runAt: undefined });
  });
});
