// Staff alerts through the real JobWorker and SQLite queue against the fake WATI: a template when one is
// configured (flattened parameters, the broadcast name), a session message otherwise, retries after a 5xx,
// a refusal that is final and logged at error level once, the e-mail copy, and never a number in a log.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmailJobKind, EMAIL_JOB, EMAIL_SUBJECT_MAX, EMAIL_TEXT_MAX, emailJob, type EmailJobPayload } from '../../src/email/email-job.js';
import type { Db } from '../../src/store/database.js';
import type { NewJob } from '../../src/jobs/types.js';
import { JobWorker } from '../../src/jobs/worker.js';
import { createLogger } from '../../src/core/logger.js';
import { createWatiClient } from '../../src/platforms/wati/client.js';
import { createWatiTemplateSender } from '../../src/platforms/wati/templates.js';
import { staffConfig } from '../../src/staff/config.js';
import {
  broadcastName,
  createStaffAlerts,
  sessionText,
  STAFF_ALERT_JOB,
  templateParameters,
  type StaffAlertMail,
  type StaffWhatsApp,
} from '../../src/staff/staff-alerts.js';
import { SqliteJobQueue } from '../../src/store/jobs-repository.js';
import { startFakeWati, type FakeWati } from '../support/fake-wati.js';
import { movableClock } from '../support/movable-clock.js';
import { tempDbPath } from '../support/test-config.js';
import { openMigratedDatabase } from '../support/test-db.js';

// 10:05 in El Salvador (UTC-6).
const T0 = Date.parse('2026-12-24T16:05:00Z');
const STAFF_A = '50370009991';
const STAFF_B = '50370009992';
const GUEST = '50370000099';
const ALERT = {
  reason: 'operations',
  title: 'Operaciones: Limpieza/Cleaning',
  lines: ['Huésped: Ana', 'Ubicación:\tHabitación 12', 'Descripción: toallas      sucias\ny sin agua'],
  conversationId: GUEST,
};

let wati: FakeWati;
let open: { db: Db; worker: JobWorker }[] = [];
beforeAll(async () => {
  wati = await startFakeWati();
});
afterEach(async () => {
  wati.reset();
  for (const { db, worker } of open) {
    await worker.close(100);
    db.close();
  }
  open = [];
});
afterAll(async () => {
  await wati.close();
});

interface Setup {
  env: Record<string, string>;
  withWati?: boolean;
  emailJob?: (mail: StaffAlertMail) => NewJob;
}

function setup({ env, withWati = true, emailJob }: Setup) {
  const db = openMigratedDatabase(tempDbPath());
  const queue = new SqliteJobQueue(db);
  const clock = movableClock(T0);
  const logs: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const log = createLogger('info', {
    write: (line: string) => {
      raw.push(line);
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  const client = createWatiClient({ baseUrl: wati.url, apiKey: wati.apiKey });
  const templates = createWatiTemplateSender({ baseUrl: wati.url, apiKey: wati.apiKey });
  const staffWhatsApp: StaffWhatsApp = {
    sendText: (waId, text) => client.sendText('whatsapp', waId, text),
    sendTemplate: (waId, message, signal) => templates.sendTemplate(waId, message, signal),
  };
  const staffAlerts = createStaffAlerts({ config: staffConfig.parse(env), wati: withWati ? staffWhatsApp : undefined, emailJob, log, clock });
  const worker = new JobWorker({ queue, kinds: staffAlerts.jobKinds, clock, log, pollMs: 60_000 });
  open.push({ db, worker });
  const enqueue = (jobs: NewJob[]) => jobs.map((job) => queue.enqueue(job, clock.now()));
  const errors = (msg: string) => logs.filter((l) => l.level === 50 && l.msg === msg);
  return { queue, clock, logs, raw, staffAlerts, worker, enqueue, errors };
}

const TEMPLATE_ENV = {
  STAFF_WHATSAPP_NUMBERS: `+503 7000 9991, ${STAFF_B}`,
  STAFF_ALERT_TEMPLATE: 'staff_alert',
  STAFF_ALERT_TEMPLATE_PARAMS: 'title, details',
};

describe('staff alerts', () => {
  it('send the template to each staff number, the parameters flattened, when a template is configured', async () => {
    const { staffAlerts, enqueue, worker, queue, raw } = setup({ env: TEMPLATE_ENV });
    expect(staffAlerts.configured).toBe(true);
    expect(staffAlerts.destinations).toEqual({ whatsapp: ['…9991', '…9992'], email: false });
    const jobs = staffAlerts.jobsFor(ALERT);
    expect(jobs.map((j) => [j.kind, j.conversationId])).toEqual([
      [STAFF_ALERT_JOB, GUEST],
      [STAFF_ALERT_JOB, GUEST],
    ]);
    const ids = enqueue(jobs);
    await worker.runDue();
    expect(ids.map((id) => queue.get(id)?.status)).toEqual(['done', 'done']);
    const parameters = [
      { name: 'title', value: 'Operaciones: Limpieza/Cleaning' },
      { name: 'details', value: 'Huésped: Ana · Ubicación: Habitación 12 · Descripción: toallas sucias y sin agua' },
    ];
    expect(wati.templates.map(({ waId, templateName, broadcastName: b, parameters: p }) => ({ waId, templateName, b, p }))).toEqual([
      { waId: STAFF_A, templateName: 'staff_alert', b: 'staff_alert_operations_202612241005', p: parameters },
      { waId: STAFF_B, templateName: 'staff_alert', b: 'staff_alert_operations_202612241005', p: parameters },
    ]);
    expect(wati.texts).toEqual([]);
    expect(raw.join('')).not.toMatch(/50370009991|50370009992/);
  });

  it('send a session message without a template', async () => {
    const { staffAlerts, enqueue, worker } = setup({ env: { STAFF_WHATSAPP_NUMBERS: STAFF_A } });
    enqueue(staffAlerts.jobsFor(ALERT));
    await worker.runDue();
    expect(wati.sentTexts(STAFF_A)).toEqual([
      '🔔 Operaciones: Limpieza/Cleaning\nHuésped: Ana\nUbicación:\tHabitación 12\nDescripción: toallas      sucias\ny sin agua',
    ]);
    expect(wati.templates).toEqual([]);
  });

  it('retry after a 5xx on the handoff steps’ schedule, then succeed', async () => {
    const { staffAlerts, enqueue, worker, queue, clock } = setup({ env: { ...TEMPLATE_ENV, STAFF_WHATSAPP_NUMBERS: STAFF_A } });
    wati.queueResponses({ status: 503, body: { message: 'unavailable' } });
    const [id] = enqueue(staffAlerts.jobsFor(ALERT));
    await worker.runDue();
    expect(queue.get(id!)).toMatchObject({ status: 'pending', attempts: 1, lastErrorClass: 'upstream_unavailable' });
    expect(wati.templates).toHaveLength(0);
    clock.advance(10_000);
    await worker.runDue();
    expect(queue.get(id!)).toMatchObject({ status: 'done', attempts: 2 });
    expect(wati.sentTemplates(STAFF_A)).toHaveLength(1);
  });

  it('take a refusal as final: failed for good, listed for staff, logged at error once, the number masked', async () => {
    const { staffAlerts, enqueue, worker, queue, clock, errors, raw } = setup({ env: { ...TEMPLATE_ENV, STAFF_WHATSAPP_NUMBERS: STAFF_A } });
    wati.queueResponses({ status: 200, body: { result: false, info: `Template staff_alert not approved for ${STAFF_A}` } });
    const [id] = enqueue(staffAlerts.jobsFor(ALERT));
    await worker.runDue();
    clock.advance(8 * 3_600_000);
    await worker.runDue();
    expect(queue.get(id!)).toMatchObject({ status: 'failed', attempts: 1, lastErrorClass: 'rejected' });
    expect(queue.list({ status: 'failed', kind: STAFF_ALERT_JOB, limit: 10 }).map((j) => j.id)).toEqual([id]);
    expect(errors('staff alert not delivered')).toEqual([
      expect.objectContaining({ reason: 'operations', to: '…9991', errorClass: 'rejected' }),
    ]);
    expect(raw.join('')).not.toContain(STAFF_A);
  });

  it('log a run of retryable failures once, when the last attempt fails', async () => {
    const { staffAlerts, enqueue, worker, queue, clock, errors } = setup({ env: { STAFF_WHATSAPP_NUMBERS: STAFF_A } });
    wati.queueResponses(...Array.from({ length: 6 }, () => ({ status: 500, body: { message: 'down' } })));
    const [id] = enqueue(staffAlerts.jobsFor(ALERT));
    for (let i = 0; i < 8; i++) {
      await worker.runDue();
      clock.advance(7_200_000);
    }
    expect(queue.get(id!)).toMatchObject({ status: 'failed', attempts: 6, lastErrorClass: 'upstream_unavailable' });
    expect(errors('staff alert not delivered')).toEqual([
      expect.objectContaining({ to: '…9991', errorClass: 'upstream_unavailable', hint: expect.stringMatching(/STAFF_ALERT_TEMPLATE/) }),
    ]);
  });

  it('add the e-mail job when STAFF_ALERT_EMAIL is set and e-mail is configured', () => {
    const mails: StaffAlertMail[] = [];
    const emailJob = (mail: StaffAlertMail): NewJob => {
      mails.push(mail);
      return { kind: 'email.send', payload: mail, maxAttempts: 4 };
    };
    const { staffAlerts } = setup({ env: { STAFF_ALERT_EMAIL: 'ops@hotel.example, gerencia@hotel.example' }, emailJob });
    expect(staffAlerts.configured).toBe(true);
    expect(staffAlerts.destinations).toEqual({ whatsapp: [], email: true });
    const jobs = staffAlerts.jobsFor(ALERT);
    expect(jobs).toEqual([{ kind: 'email.send', payload: mails[0], maxAttempts: 4, conversationId: GUEST }]);
    expect(mails).toEqual([
      {
        to: ['ops@hotel.example', 'gerencia@hotel.example'],
        subject: '[Asistente] Operaciones: Limpieza/Cleaning',
        text: 'Operaciones: Limpieza/Cleaning\n\nHuésped: Ana\nUbicación:\tHabitación 12\nDescripción: toallas      sucias\ny sin agua',
        purpose: 'staff_alert',
      },
    ]);

    // With both: one job per number and the e-mail.
    const both = setup({ env: { STAFF_WHATSAPP_NUMBERS: STAFF_A, STAFF_ALERT_EMAIL: 'ops@hotel.example' }, emailJob });
    expect(both.staffAlerts.jobsFor(ALERT).map((j) => j.kind)).toEqual([STAFF_ALERT_JOB, 'email.send']);
  });

  it('fit the e-mail job’s limits (the real email.send kind), and keep the WhatsApp alerts when the mail is refused', () => {
    const kind = createEmailJobKind({ mailer: { send: () => Promise.reject(new Error('unused')) } });
    const env = { STAFF_WHATSAPP_NUMBERS: STAFF_A, STAFF_ALERT_EMAIL: 'ops@hotel.example' };
    const real = setup({ env, emailJob: (mail) => emailJob(kind, mail) });
    const long = { ...ALERT, title: 'T'.repeat(500), lines: Array.from({ length: 40 }, () => 'x'.repeat(2_000)) };
    const jobs = real.staffAlerts.jobsFor(long);
    expect(jobs.map((j) => j.kind)).toEqual([STAFF_ALERT_JOB, EMAIL_JOB]);
    const mail = jobs[1]?.payload as EmailJobPayload;
    expect(mail.subject.length).toBeLessThanOrEqual(EMAIL_SUBJECT_MAX);
    expect(mail.text.length).toBeLessThanOrEqual(EMAIL_TEXT_MAX);

    const refused = setup({
      env,
      emailJob: () => {
        throw new Error('invalid mail');
      },
    });
    expect(refused.staffAlerts.jobsFor(ALERT).map((j) => j.kind)).toEqual([STAFF_ALERT_JOB]);
    expect(refused.errors('staff alert e-mail not queued')).toHaveLength(1);
  });

  it('say so when an alert reaches no one, and when a destination lacks its channel', () => {
    const none = setup({ env: {} });
    expect(none.staffAlerts.configured).toBe(false);
    expect(none.staffAlerts.jobsFor(ALERT)).toEqual([]);
    expect(none.logs.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      expect.stringMatching(/^staff alert not sent: no staff destination configured/),
    ]);

    const noWati = setup({ env: { STAFF_WHATSAPP_NUMBERS: STAFF_A, STAFF_ALERT_EMAIL: 'ops@hotel.example' }, withWati: false });
    expect(noWati.staffAlerts.configured).toBe(false);
    expect(noWati.logs.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      expect.stringMatching(/^STAFF_WHATSAPP_NUMBERS is set but WhatsApp/),
      expect.stringMatching(/^STAFF_ALERT_EMAIL is set but e-mail is not configured/),
    ]);
    expect(noWati.raw.join('')).not.toContain(STAFF_A);
  });

  it('fail a job left from before WhatsApp was unconfigured for good, logged', async () => {
    const { staffAlerts, enqueue, worker, queue, errors } = setup({ env: {}, withWati: false });
    const [id] = enqueue([{ kind: STAFF_ALERT_JOB, payload: { number: STAFF_A, title: 't', lines: [], reason: 'operations', at: T0 }, maxAttempts: 6 }]);
    await worker.runDue();
    expect(queue.get(id!)).toMatchObject({ status: 'failed', lastErrorClass: 'channel_disabled' });
    expect(errors('staff alert not delivered')).toHaveLength(1);
    expect(staffAlerts.jobKinds.map((k) => k.kind)).toEqual([STAFF_ALERT_JOB]);
  });
});

describe('template parameters and texts', () => {
  const lines = ['uno', 'dos\ncon salto', 'tres'];

  it('map the title and lines onto one, two or more names', () => {
    expect(templateParameters(['all'], 'Título', lines)).toEqual([{ name: 'all', value: 'Título · uno · dos con salto · tres' }]);
    expect(templateParameters(['a', 'b', 'c'], 'Título', lines)).toEqual([
      { name: 'a', value: 'Título' },
      { name: 'b', value: 'uno' },
      { name: 'c', value: 'dos con salto · tres' },
    ]);
    // More names than items: the rest are never empty (WhatsApp refuses an empty parameter).
    expect(templateParameters(['a', 'b', 'c'], 'Título', [])).toEqual([
      { name: 'a', value: 'Título' },
      { name: 'b', value: '-' },
      { name: 'c', value: '-' },
    ]);
  });

  it('cap each parameter at 1,000 characters and the session text at WhatsApp’s limit', () => {
    const [p] = templateParameters(['all'], 'T', ['x'.repeat(5_000)]);
    expect(p?.value).toHaveLength(1_000);
    expect(sessionText('T', Array.from({ length: 60 }, () => 'y'.repeat(100)))).toHaveLength(4096);
  });

  it('name the broadcast by reason and local time', () => {
    expect(broadcastName('email_failed', T0, 'America/El_Salvador')).toBe('staff_alert_email_failed_202612241005');
    expect(broadcastName('Cliente Frustrado!', T0, 'UTC')).toBe('staff_alert_cliente_frustrado_202612241605');
  });
});
