// send_email end to end: the real app, the real OpenAI agent (openai SDK) against the fake model, the real
// send_email tool, the email.send job and nodemailer against a real SMTP server on 127.0.0.1. Also across a
// SIGKILL while the relay holds the mail (the real server as a child process), and a mail refused for good
// (550) told to staff on WhatsApp.
import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { killHard, startChild } from '../support/child-process.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI } from '../support/fake-openai.js';
import { startFakeWati } from '../support/fake-wati.js';
import { movableClock } from '../support/movable-clock.js';
import { TEST_PASSKEY, testEnv } from '../support/test-config.js';
import { sleep, until } from '../support/wait.js';
import { parseMime, partText } from './mime.js';
import { startSmtpSink } from './smtp-sink.js';

type Item = Record<string, unknown>;
const TUESDAY_OPEN = Date.parse('2026-11-17T16:00:00Z');
const GUEST = '50378100001';
const STAFF = '50370009991';
const FROM = 'asistente@hotel.example';
const VENTAS = 'ventas@hotel.example';
const ALLOWED = `ventas=${VENTAS}, reservas=reservas@hotel.example`;
const SUBJECT = 'Cotización de grupo: 40 personas, marzo';
const BODY = 'Grupo de <b>40 personas</b> & más\nFechas: 12 al 14 de marzo\nContacto: +50378100001';
const REPLY = 'Listo, pasé su solicitud a nuestro equipo de ventas; le escribirán con la cotización.';

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  cleanup = [];
});

function instructionsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'watibot3-email-e2e-'));
  const path = join(dir, 'system_instructions.txt');
  writeFileSync(path, 'Eres la asistente de un hotel ficticio.');
  return path;
}

function modelEnv(openai: FakeOpenAI): Record<string, string> {
  return {
    OPENAI_BASE_URL: openai.url,
    OPENAI_MODEL: 'gpt-5-mini',
    LLM_OPENAI_DIALECT: 'on',
    SYSTEM_INSTRUCTIONS_PATH: instructionsFile(),
    HISTORY_IMPORT_MESSAGES: '0',
  };
}

async function setup(env: Record<string, string> = {}) {
  const openai = await startFakeOpenAI();
  cleanup.push(() => openai.close());
  const sink = await startSmtpSink();
  cleanup.push(() => sink.close());
  const h = await startHarness({
    clock: movableClock(TUESDAY_OPEN),
    jobPollMs: 25,
    env: { ...modelEnv(openai), SMTP_URL: sink.url, EMAIL_FROM: FROM, EMAIL_ALLOWED_RECIPIENTS: ALLOWED, ADMIN_TOKEN: 'tok-0123456789abcdefghijk', ...env },
    agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
  });
  cleanup.push(() => h.close());
  return { openai, sink, h };
}

const say = (h: Harness, waId: string, text: string) => h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });

interface JobView {
  id: number;
  kind: string;
  status: string;
  [key: string]: unknown;
}
async function adminJobs(h: Harness): Promise<JobView[]> {
  const res = await request(`${h.url}/admin/jobs`, { headers: { authorization: 'Bearer tok-0123456789abcdefghijk' } });
  expect(res.statusCode).toBe(200);
  return ((await res.body.json()) as { jobs: JobView[] }).jobs;
}

function toolOutput(openai: FakeOpenAI, requestIndex: number): Record<string, unknown> {
  const output = (openai.requests[requestIndex]!.body.input as Item[]).find((i) => i.type === 'function_call_output');
  expect(output).toBeDefined();
  return JSON.parse(output!.output as string) as Record<string, unknown>;
}

const sendEmailCall = (to: string[]) =>
  toolCallReply([{ name: 'send_email', arguments: { to_emails: to, subject: SUBJECT, body: BODY }, callId: 'call_mail_1' }]);

describe('send_email end to end', () => {
  it('queues the mail with the reply; the relay gets it once, from EMAIL_FROM to the labelled mailbox, as text and escaped HTML', async () => {
    const { openai, sink, h } = await setup();
    openai.queue(sendEmailCall(['ventas']), textReply(REPLY));
    await say(h, GUEST, 'Hola, somos 40 personas y queremos una cotización para marzo');

    expect(await h.wati.waitForTexts(1, 8_000, GUEST)).toEqual([REPLY]);
    await until(() => sink.received.length >= 1, 'the mail at the relay', 8_000);
    await until(async () => (await adminJobs(h)).some((j) => j.kind === 'email.send' && j.status === 'done'), 'the email.send job done', 4_000);
    await sleep(100);
    expect(sink.received).toHaveLength(1);
    expect(sink.attempted).toHaveLength(1);

    const mail = sink.received[0]!;
    expect(mail.from).toBe(FROM);
    expect(mail.to).toEqual([VENTAS]);
    const headers = parseMime(mail.raw).headers;
    expect(headers.get('from')).toContain(FROM);
    expect(headers.get('to')).toContain(VENTAS);
    expect(headers.get('subject')).toBe(SUBJECT);
    const html = partText(mail.raw, 'text/html') ?? '';
    expect(html).toContain('&lt;b&gt;40 personas&lt;/b&gt; &amp; más');
    expect(html).not.toContain('<b>');
    expect(partText(mail.raw, 'text/plain')).toContain('Grupo de <b>40 personas</b> & más');

    expect((openai.requests[0]!.body.tools as Item[]).map((t) => t.name)).toContain('send_email');
    expect(toolOutput(openai, 1)).toMatchObject({ success: true, status: 'queued', to: [VENTAS] });
    expect(openai.requests).toHaveLength(2);
  });

  it('refuses a mailbox not on the allow-list: the model gets the allowed labels, nothing is queued or sent', async () => {
    const { openai, sink, h } = await setup();
    openai.queue(sendEmailCall(['huesped@gmail.com']), textReply('No puedo escribir a esa dirección, pero le ayudo por aquí.'));
    await say(h, GUEST, 'Mándeme la cotización a huesped@gmail.com');

    await h.wati.waitForTexts(1, 8_000, GUEST);
    const out = toolOutput(openai, 1);
    expect(out).toMatchObject({ success: false });
    expect(out.allowed).toEqual(expect.arrayContaining(['ventas', 'reservas']));
    expect(String(out.error)).toContain('huesped@gmail.com');
    await sleep(200);
    expect(sink.attempted).toHaveLength(0);
    expect((await adminJobs(h)).filter((j) => j.kind === 'email.send')).toEqual([]);
  });

  it('tells staff on WhatsApp when the relay refuses the mail for good (550), naming the subject', async () => {
    const { openai, sink, h } = await setup({ STAFF_WHATSAPP_NUMBERS: STAFF });
    sink.failNext({ code: 550, text: '5.1.1 Mailbox unavailable' });
    openai.queue(sendEmailCall(['ventas']), textReply(REPLY));
    await say(h, GUEST, 'Somos 40 personas, ¿me cotizan?');

    expect(await h.wati.waitForTexts(1, 8_000, GUEST)).toEqual([REPLY]);
    const [alert] = await h.wati.waitForTexts(1, 8_000, STAFF);
    expect(alert).toContain('no se pudo enviar');
    expect(alert).toContain(SUBJECT);
    expect(alert).toContain(VENTAS);
    expect(sink.attempted).toHaveLength(1);
    expect(sink.received).toHaveLength(0);
    const jobs = await adminJobs(h);
    expect(jobs.find((j) => j.kind === 'email.send')).toMatchObject({ status: 'failed' });
    await until(async () => (await adminJobs(h)).some((j) => j.kind === 'staff.alert' && j.status === 'done'), 'the staff alert job done');
    await sleep(100);
    expect(h.wati.sentTexts(STAFF)).toHaveLength(1);
    expect(h.wati.sentTexts(GUEST)).toEqual([REPLY]);
  });
});

describe('send_email across a SIGKILL', () => {
  function query<T>(dbPath: string, sql: string): T[] {
    const db = new Database(dbPath, { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  }

  it('sends the mail held by the relay again after the restart, with the same Message-ID, without asking the model again', async () => {
    const openai = await startFakeOpenAI();
    const sink = await startSmtpSink();
    const wati = await startFakeWati();
    cleanup.push(() => openai.close(), () => sink.close(), () => wati.close());
    const env = testEnv({
      ...modelEnv(openai),
      WATI_API_URL: wati.url,
      WATI_API_KEY: wati.apiKey,
      SMTP_URL: sink.url,
      EMAIL_FROM: FROM,
      EMAIL_ALLOWED_RECIPIENTS: ALLOWED,
    });
    const dbPath = env.CONVERSATION_DB_PATH!;
    const start = async () => {
      const started = await startChild(env);
      cleanup.push(() => killHard(started.child));
      return started;
    };

    sink.holdNext();
    openai.queue(sendEmailCall(['ventas']), textReply(REPLY));
    const first = await start();
    const res = await request(`${first.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ waId: GUEST, userMessage: 'Somos 40 personas, ¿me cotizan?', passkey: TEST_PASSKEY }),
    });
    await res.body.text();
    expect(res.statusCode).toBe(200);

    // The reply is delivered and recorded, and the relay has the whole mail in hand but has not answered.
    await wati.waitForTexts(1, 15_000, GUEST);
    await until(
      () => {
        const statuses = query<{ status: string }>(dbPath, 'SELECT status FROM batches').map((b) => b.status);
        return statuses.length >= 1 && statuses.every((s) => s !== 'running' && s !== 'delivering');
      },
      'the turn closed',
      15_000,
    );
    await until(() => sink.held.length === 1, 'the relay holding the mail', 15_000);
    await killHard(first.child);
    expect(query<{ status: string }>(dbPath, "SELECT status FROM jobs WHERE kind = 'email.send'")).toEqual([{ status: 'running' }]);
    expect(sink.received).toHaveLength(0);

    await start();
    await until(() => sink.received.length === 1, 'the mail sent again after the restart', 15_000);
    await until(
      () => query<{ status: string }>(dbPath, "SELECT status FROM jobs WHERE kind = 'email.send'")[0]?.status === 'done',
      'the email.send job done',
      5_000,
    );
    await sleep(200);

    const heldId = parseMime(sink.held[0]!.raw).headers.get('message-id');
    const sentId = parseMime(sink.received[0]!.raw).headers.get('message-id');
    expect(heldId).toMatch(/^<watibot3-email-\d+-[0-9a-f]{16}@/);
    expect(sentId).toBe(heldId);
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]!.to).toEqual([VENTAS]);
    expect(openai.requests).toHaveLength(2); // one turn: the tool call, then the reply
    expect(openai.pending).toBe(0);
    expect(wati.sentTexts(GUEST)).toEqual([REPLY]);
  }, 60_000); // two child starts (tsx) take most of it on a loaded 2-core machine
});
