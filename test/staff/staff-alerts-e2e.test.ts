// Staff alerts end to end: the real app, the real OpenAI agent (openai SDK) against the fake model, the real
// notify_operations_department and mark_customer_frustrated tools, and the staff.alert jobs delivered through
// fake WATI on 127.0.0.1 — as a template, as a session message retried after a 5xx, and with a handoff.
import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI } from '../support/fake-openai.js';
import { movableClock } from '../support/movable-clock.js';
import { TEST_PASSKEY } from '../support/test-config.js';
import { sleep, until } from '../support/wait.js';

type Item = Record<string, unknown>;
const TUESDAY_OPEN = Date.parse('2026-11-17T16:00:00Z');
const GUEST = '50378200001';
const STAFF_1 = '50370009991';
const STAFF_2 = '50370009992';
const HANDOVER = 'Le comunico con un ejecutivo de reservas.';

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  cleanup = [];
});

async function setup(env: Record<string, string> = {}) {
  const openai = await startFakeOpenAI();
  cleanup.push(() => openai.close());
  const dir = mkdtempSync(join(tmpdir(), 'watibot3-staff-e2e-'));
  writeFileSync(join(dir, 'system_instructions.txt'), 'Eres la asistente de un hotel ficticio.');
  const clock = movableClock(TUESDAY_OPEN);
  const h = await startHarness({
    clock,
    jobPollMs: 25,
    env: {
      OPENAI_BASE_URL: openai.url,
      OPENAI_MODEL: 'gpt-5-mini',
      LLM_OPENAI_DIALECT: 'on',
      SYSTEM_INSTRUCTIONS_PATH: join(dir, 'system_instructions.txt'),
      HISTORY_IMPORT_MESSAGES: '0',
      HANDOVER_OPERATOR_EMAIL: 'reservas@example.com',
      HANDOVER_MESSAGE_OPEN: HANDOVER,
      ...env,
    },
    agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
  });
  cleanup.push(() => h.close());
  h.wati.setHandler('assignOperator', () => ({ status: 200, body: { result: true } }));
  h.wati.setHandler('updateChatStatus', () => ({ status: 200, body: { result: true } }));
  return { openai, h, clock };
}

const say = (h: Harness, waId: string, text: string) => h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });
const sayOnMessenger = (h: Harness, id: string, text: string) =>
  h.post('/manychat/webhook', { platform: 'manychat', passkey: TEST_PASSKEY, subscriber: { id }, message: { text } });

interface JobRow {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  last_error_class: string | null;
  run_at: number;
  payload: string;
}
function jobRows(h: Harness, kind: string): JobRow[] {
  const db = new Database(h.config.dbPath, { readonly: true });
  try {
    return db.prepare('SELECT id, kind, status, attempts, last_error_class, run_at, payload FROM jobs WHERE kind = ? ORDER BY id').all(kind) as JobRow[];
  } finally {
    db.close();
  }
}

const toolNames = (openai: FakeOpenAI) => (openai.requests[0]!.body.tools as Item[]).map((t) => t.name);
function toolOutput(openai: FakeOpenAI, requestIndex: number): Record<string, unknown> {
  const output = (openai.requests[requestIndex]!.body.input as Item[]).find((i) => i.type === 'function_call_output');
  expect(output).toBeDefined();
  return JSON.parse(output!.output as string) as Record<string, unknown>;
}
const watiCalls = (h: Harness, endpoint: string) => h.wati.requests.filter((r) => r.path.endsWith(`/api/v1/${endpoint}`));

const OPERATIONS_CALL = toolCallReply([
  {
    name: 'notify_operations_department',
    arguments: {
      issue_type: 'Mantenimiento/Maintenance',
      issue_description: 'El aire acondicionado del bungalow 7 gotea\nsobre la cama',
      guest_location: 'Bungalow 7',
    },
    callId: 'call_ops_1',
  },
]);
const OPERATIONS_REPLY = 'Ya avisé a Operaciones; en unos minutos pasan a revisar el aire acondicionado.';

describe('notify_operations_department end to end', () => {
  it('sends the alert as the WATI template to each staff number, the description in its parameters, the numbers masked for the model', async () => {
    const { openai, h } = await setup({
      STAFF_WHATSAPP_NUMBERS: `${STAFF_1},${STAFF_2}`,
      STAFF_ALERT_TEMPLATE: 'alerta_personal',
      STAFF_ALERT_TEMPLATE_PARAMS: 'titulo,detalle',
    });
    openai.queue(OPERATIONS_CALL, textReply(OPERATIONS_REPLY));
    await say(h, GUEST, 'El aire acondicionado del bungalow 7 está goteando sobre la cama');

    expect(await h.wati.waitForTexts(1, 8_000, GUEST)).toEqual([OPERATIONS_REPLY]);
    await h.wati.waitForTemplates(2, 8_000);
    await until(() => jobRows(h, 'staff.alert').every((j) => j.status === 'done'), 'the staff.alert jobs done');
    await sleep(100);
    const templates = h.wati.sentTemplates();
    expect(templates.map((t) => t.waId).sort()).toEqual([STAFF_1, STAFF_2]);
    for (const t of templates) {
      expect(t.templateName).toBe('alerta_personal');
      expect(t.broadcastName).toMatch(/^staff_alert_operations_\d{12}$/);
      expect(t.parameters.map((p) => p.name)).toEqual(['titulo', 'detalle']);
      for (const p of t.parameters) expect(p.value).not.toMatch(/[\n\r\t]/);
      expect(t.parameters[0]!.value).toContain('Mantenimiento/Maintenance');
      expect(t.parameters[1]!.value).toContain('El aire acondicionado del bungalow 7 gotea sobre la cama');
      expect(t.parameters[1]!.value).toContain('Bungalow 7');
      expect(t.parameters[1]!.value).toContain(GUEST);
    }
    // Only the guest's reply went out as a session message.
    expect(h.wati.sentTexts()).toEqual([OPERATIONS_REPLY]);

    expect(toolNames(openai)).toEqual(expect.arrayContaining(['notify_operations_department', 'mark_customer_frustrated']));
    const out = toolOutput(openai, 1);
    expect(out).toMatchObject({ success: true });
    expect(out.operations_phone).toEqual(expect.stringContaining('…9991'));
    expect(out.operations_phone).toEqual(expect.stringContaining('…9992'));
    const everythingTheModelSaw = JSON.stringify(openai.requests.map((r) => r.body));
    expect(everythingTheModelSaw).not.toContain(STAFF_1);
    expect(everythingTheModelSaw).not.toContain(STAFF_2);
  });

  it('without a template sends a session message to each staff number, retried once after a WATI 5xx and delivered once', async () => {
    const { openai, h, clock } = await setup({ STAFF_WHATSAPP_NUMBERS: `${STAFF_1},${STAFF_2}` });
    // A Messenger guest: every WATI session message of this test is a staff alert, so the 503 hits one of them.
    h.wati.queueResponses({ status: 503, body: { error: 'Service Unavailable' } });
    openai.queue(OPERATIONS_CALL, textReply(OPERATIONS_REPLY));
    await sayOnMessenger(h, '7700112233', 'El aire acondicionado del bungalow 7 está goteando sobre la cama');

    expect(await h.manychat.waitForTexts(1, 8_000, '7700112233')).toEqual([OPERATIONS_REPLY]);
    await until(
      () => {
        const jobs = jobRows(h, 'staff.alert');
        return jobs.length === 2 && jobs.some((j) => j.status === 'done') && jobs.some((j) => j.status === 'pending' && j.attempts === 1);
      },
      'one alert delivered, the other waiting for its retry',
      8_000,
    );
    const retrying = jobRows(h, 'staff.alert').find((j) => j.status === 'pending')!;
    expect(retrying.last_error_class).toBe('upstream_unavailable');
    expect(retrying.run_at - clock.now()).toBeGreaterThan(8_000); // the first retry is 10 s later
    const failedNumber = (JSON.parse(retrying.payload) as { number: string }).number;
    const deliveredNumber = failedNumber === STAFF_1 ? STAFF_2 : STAFF_1;
    expect(h.wati.sentTexts(deliveredNumber)).toHaveLength(1);
    expect(h.wati.sentTexts(failedNumber)).toHaveLength(0);

    await sleep(150);
    expect(watiCalls(h, `sendSessionMessage/${failedNumber}`)).toHaveLength(1); // not before its time
    clock.advance(10_000);
    await until(() => jobRows(h, 'staff.alert').every((j) => j.status === 'done'), 'the retried alert delivered', 5_000);
    await sleep(150);

    expect(jobRows(h, 'staff.alert').find((j) => j.id === retrying.id)).toMatchObject({ status: 'done', attempts: 2 });
    for (const number of [STAFF_1, STAFF_2]) {
      const texts = h.wati.sentTexts(number);
      expect(texts).toHaveLength(1);
      expect(texts[0]).toMatch(/^🔔 Operaciones: Mantenimiento\/Maintenance\n/);
      expect(texts[0]).toContain('Descripción: El aire acondicionado del bungalow 7 gotea\nsobre la cama');
      expect(texts[0]).toContain('Ubicación: Bungalow 7');
    }
    expect(h.wati.templates).toHaveLength(0);
    expect(h.manychat.sentTexts()).toEqual([OPERATIONS_REPLY]);
  });
});

describe('mark_customer_frustrated end to end', () => {
  async function frustratedGuest(h: Harness, openai: FakeOpenAI) {
    openai.queue(textReply('¡Hola! Con gusto reviso su reserva.'));
    await say(h, GUEST, 'Hola, reservé el bungalow 3 para el sábado');
    await h.wati.waitForTexts(1, 8_000, GUEST);
    openai.queue(textReply('Disculpe la demora, ya lo reviso.'));
    await say(h, GUEST, 'Llevo una hora esperando la confirmación');
    await h.wati.waitForTexts(2, 8_000, GUEST);

    openai.queue(
      toolCallReply([{ name: 'mark_customer_frustrated', arguments: { reason: 'pide reembolso por la espera' }, callId: 'call_frustrated_1' }]),
      textReply('Este texto no debe llegar al huésped.'),
    );
    await say(h, GUEST, 'Esto es un pésimo servicio, quiero que me devuelvan mi dinero');
    expect(await h.wati.waitForTexts(3, 8_000, GUEST)).toEqual([
      '¡Hola! Con gusto reviso su reserva.',
      'Disculpe la demora, ya lo reviso.',
      HANDOVER,
    ]);
    await until(() => watiCalls(h, 'updateChatStatus').length > 0 && watiCalls(h, 'assignOperator').length > 0, 'the WATI handoff steps', 5_000);
    expect(openai.requests).toHaveLength(4);
    expect(toolOutput(openai, 3)).toMatchObject({ success: true, status: 'escalated' });

    // The bot is paused: the next message is not answered and the model is not asked.
    await say(h, GUEST, '¿Hola? ¿Alguien?');
    await sleep(600);
    expect(openai.requests).toHaveLength(4);
    expect(h.wati.sentTexts(GUEST)).toHaveLength(3);
    expect(watiCalls(h, 'updateChatStatus').map((r) => r.json)).toEqual([{ whatsappNumber: GUEST, ticketStatus: 'PENDING' }]);
    expect(watiCalls(h, 'assignOperator')).toHaveLength(1);
    expect(watiCalls(h, 'assignOperator')[0]!.query.get('whatsappNumber')).toBe(GUEST);
  }

  it('hands the guest to staff with only the handover notice, and alerts staff with the earlier messages', async () => {
    const { openai, h } = await setup({ STAFF_WHATSAPP_NUMBERS: STAFF_1 });
    await frustratedGuest(h, openai);
    expect(toolOutput(openai, 3)).toMatchObject({ staff_alerted: true });

    const [alert] = await h.wati.waitForTexts(1, 5_000, STAFF_1);
    expect(alert).toMatch(/^🔔 Cliente frustrado \(WhatsApp\): atender ahora\n/);
    expect(alert).toContain(`WhatsApp del huésped: +${GUEST}`);
    expect(alert).toContain('Motivo: pide reembolso por la espera');
    expect(alert).toContain('Huésped: Hola, reservé el bungalow 3 para el sábado');
    expect(alert).toContain('Huésped: Llevo una hora esperando la confirmación');
    expect(alert).toContain('Asistente: Disculpe la demora, ya lo reviso.');
    await sleep(100);
    expect(h.wati.sentTexts(STAFF_1)).toHaveLength(1);
  });

  it('without STAFF_* still offers the tool and hands the guest over; notify_operations_department is not offered', async () => {
    const { openai, h } = await setup();
    await frustratedGuest(h, openai);
    const names = toolNames(openai);
    expect(names).toContain('mark_customer_frustrated');
    expect(names).not.toContain('notify_operations_department');
    expect(toolOutput(openai, 3)).toMatchObject({ staff_alerted: false });
    expect(jobRows(h, 'staff.alert')).toEqual([]);
    expect(h.wati.texts.map((t) => t.waId)).toEqual([GUEST, GUEST, GUEST]);
  });
});
