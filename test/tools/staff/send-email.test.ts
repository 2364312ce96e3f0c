// send_email: only the configured hotel mailboxes (by label or address), the mail queued as a job with the
// reply, never sent from the tool itself; end to end through the job worker to a real SMTP server on 127.0.0.1.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailJobKind, emailJob } from '../../../src/email/email-job.js';
import { createMailer } from '../../../src/email/mailer.js';
import type { JobKind, NewJob } from '../../../src/jobs/types.js';
import { JobWorker } from '../../../src/jobs/worker.js';
import { SqliteJobQueue } from '../../../src/store/jobs-repository.js';
import { createSendEmailTool } from '../../../src/tools/staff/send-email.js';
import { ToolRegistry, type ToolCallContext } from '../../../src/tools/registry.js';
import { movableClock } from '../../support/movable-clock.js';
import { tempDbPath } from '../../support/test-config.js';
import { openMigratedDatabase } from '../../support/test-db.js';
import { parseMime, partText } from '../../email/mime.js';
import { startSmtpSink, type SmtpSink } from '../../email/smtp-sink.js';

const log = pino({ level: 'silent' });
const ALLOWED = [
  { label: 'promociones', address: 'promociones@hotel.example' },
  { label: 'ventas', address: 'ventas@hotel.example' },
  { label: undefined, address: 'reservas@hotel.example' },
];
const ctx: ToolCallContext = {
  conversationId: '50370000042',
  channel: 'whatsapp',
  waId: '50370000042',
  subscriberId: undefined,
  guestName: 'Ana',
  logger: log,
  clock: { now: () => Date.parse('2027-02-22T15:00:00Z') },
};

function setup() {
  const kind = createEmailJobKind({ mailer: { send: () => Promise.reject(new Error('not in these tests')) } });
  const made: { mail: unknown; conversationId: string }[] = [];
  const registry = new ToolRegistry([
    createSendEmailTool({
      allowedRecipients: ALLOWED,
      emailJob: (mail, conversationId): NewJob => {
        made.push({ mail, conversationId });
        return emailJob(kind, mail, conversationId);
      },
    }),
  ]);
  const call = async (args: Record<string, unknown>) => {
    const r = await registry.execute('send_email', JSON.stringify(args), ctx);
    return { ...r, result: JSON.parse(r.output) as Record<string, unknown> };
  };
  return { registry, call, made };
}

describe('send_email', () => {
  it('describes itself in Spanish with the allowed mailboxes, and takes the original’s parameters', () => {
    const { registry } = setup();
    const [spec] = registry.specs;
    expect(spec!.name).toBe('send_email');
    expect(spec!.description).toContain('nunca al huésped ni a direcciones que él dé');
    expect(spec!.description).toContain('promociones (promociones@hotel.example), ventas (ventas@hotel.example), reservas@hotel.example');
    expect(Object.keys((spec!.parameters as { properties: Record<string, unknown> }).properties)).toEqual(['to_emails', 'subject', 'body']);
  });

  it('queues the mail as a job effect for the listed mailboxes (labels or addresses, any case)', async () => {
    const { call, made } = setup();
    const r = await call({ to_emails: ['VENTAS', 'Reservas@Hotel.example'], subject: 'Cotización\n grupo 35 personas', body: 'Grupo de 35 personas.\nContacto: Ana' });
    expect(r.result).toEqual({ success: true, status: 'queued', to: ['ventas@hotel.example', 'reservas@hotel.example'], note: 'El correo se enviará en los próximos minutos.' });
    const mail = { to: ['ventas@hotel.example', 'reservas@hotel.example'], subject: 'Cotización grupo 35 personas', text: 'Grupo de 35 personas.\nContacto: Ana', purpose: 'tool' };
    expect(made).toEqual([{ mail, conversationId: '50370000042' }]);
    expect(r.effects).toEqual([{ type: 'job', job: { kind: 'email.send', conversationId: '50370000042', payload: mail, maxAttempts: 6, runAt: undefined } }]);
  });

  it('refuses an unlisted recipient, names the allowed ones and queues nothing', async () => {
    const { call, made } = setup();
    const r = await call({ to_emails: ['ventas', 'huesped@gmail.com'], subject: 'Hola', body: 'Texto' });
    expect(r.result).toEqual({
      success: false,
      error: 'Destinatario no autorizado: huesped@gmail.com. No se envió nada; usa solo los buzones permitidos.',
      allowed: ['promociones', 'ventas', 'reservas@hotel.example'],
    });
    expect(r.effects).toEqual([]);
    expect(made).toEqual([]);
    // More than 10 recipients, an empty subject or body: refused by the schema before the handler.
    for (const args of [
      { to_emails: Array(11).fill('ventas'), subject: 'x', body: 'y' },
      { to_emails: ['ventas'], subject: '  ', body: 'y' },
      { to_emails: [], subject: 'x', body: 'y' },
    ]) {
      const bad = await call(args);
      expect(bad.error).toBe('invalid_arguments');
      expect(bad.effects).toEqual([]);
    }
    expect(made).toEqual([]);
  });

  describe('end to end', () => {
    let sink: SmtpSink;
    beforeAll(async () => {
      sink = await startSmtpSink();
    });
    afterAll(async () => {
      await sink.close();
    });

    it('the queued job delivers the mail through the worker', async () => {
      const db = openMigratedDatabase(tempDbPath());
      const queue = new SqliteJobQueue(db);
      const clock = movableClock(Date.parse('2027-02-22T15:00:00Z'));
      const mailer = createMailer({ transport: { type: 'smtp', url: sink.url }, from: 'bot@hotel.example' });
      const kind = createEmailJobKind({ mailer });
      const worker = new JobWorker({ queue, kinds: [kind as JobKind<unknown>], clock, log, pollMs: 60_000 });
      try {
        const registry = new ToolRegistry([createSendEmailTool({ allowedRecipients: ALLOWED, emailJob: (mail, id) => emailJob(kind, mail, id) })]);
        const r = await registry.execute(
          'send_email',
          JSON.stringify({ to_emails: ['promociones'], subject: 'Prospecto de membresía', body: 'Ana quiere información de la membresía <b>familiar</b>.' }),
          ctx,
        );
        // The turn runner applies job effects with the reply; here, straight into the queue.
        for (const effect of r.effects) if (effect.type === 'job') queue.enqueue(effect.job, clock.now());
        await worker.runDue();
        expect(queue.list({ kind: 'email.send', limit: 5 }).map((j) => j.status)).toEqual(['done']);
        expect(sink.received.map((m) => m.to)).toEqual([['promociones@hotel.example']]);
        const raw = sink.received[0]!.raw;
        expect(parseMime(raw).headers.get('subject')).toBe('Prospecto de membresía');
        expect(partText(raw, 'text/html')).toContain('&lt;b&gt;familiar&lt;/b&gt;');
      } finally {
        await worker.close(100);
        await mailer.close();
        db.close();
      }
    });
  });
});
