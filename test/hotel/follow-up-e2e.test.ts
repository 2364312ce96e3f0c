// A bank transfer that never appears, end to end: the guest's message, the real agent calling
// start_bank_transfer_retry_process (fake model), the reassurance with the reply, the 365/UNI question after
// the first stage, and after the last check exactly one apology while the conversation goes to staff.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import Database from 'better-sqlite3';
import { fixture, startHarness, type Harness } from '../support/app-harness.js';
import { startFakeBookingApi, type FakeBookingApi } from '../support/fake-booking-api.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI } from '../support/fake-openai.js';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';
import { movableClock } from '../support/movable-clock.js';
import { TEST_PASSKEY } from '../support/test-config.js';
import { sleep, until } from '../support/wait.js';
import { hotelDbEnv } from '../support/hotel-fixtures.js';

const WA_ID = '50370000321';
const sv = (y: number, mo: number, d: number, h: number) => Date.UTC(y, mo - 1, d, h + 6);

describeWithMariaDb('payment follow-up end to end', () => {
  const hotel = useHotelDatabase();
  let openai: FakeOpenAI;
  let api: FakeBookingApi;
  let h: Harness;
  const clock = movableClock(sv(2027, 3, 8, 21)); // Monday night: the office is closed

  beforeAll(async () => {
    openai = await startFakeOpenAI();
    api = await startFakeBookingApi({ connection: hotel.connection });
    const dir = mkdtempSync(join(tmpdir(), 'watibot3-followup-'));
    writeFileSync(join(dir, 'system_instructions.txt'), 'Eres la asistente de un hotel ficticio.');
    const c = hotel.connection;
    h = await startHarness({
      clock,
      jobPollMs: 10,
      env: {
        OPENAI_BASE_URL: openai.url, OPENAI_MODEL: 'gpt-5-mini', LLM_OPENAI_DIALECT: 'on',
        SYSTEM_INSTRUCTIONS_PATH: join(dir, 'system_instructions.txt'), HISTORY_IMPORT_MESSAGES: '0',
        HANDOVER_OPERATOR_EMAIL: 'reservas@example.com', ADMIN_TOKEN: 'admin-secret-0123456789abcdef',
        ...hotelDbEnv(c),
        BOOKING_API_URL: api.url,
      },
      agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
    });
    h.wati.setHandler('assignOperator', () => ({ status: 200, body: { result: true } }));
    h.wati.setHandler('updateChatStatus', () => ({ status: 200, body: { result: true } }));
  });
  afterAll(async () => {
    await h?.close();
    await api?.close();
    await openai?.close();
  });

  it('reassures with the reply, asks 365 or UNI after the first stage, then apologises once and hands over', async () => {
    openai.queue(
      toolCallReply([
        {
          name: 'start_bank_transfer_retry_process',
          callId: 'call_f1',
          arguments: {
            payment_data: {
              slip_date: '2027-03-08', slip_amount: 118, booking_amount: 118,
              booking_data: { customer_name: 'Elsa Ponce Rivas', email: 'elsa@example.com', city: 'San Salvador', dui_passport: '01234567-8', nationality: 'Salvadoreña', check_in_date: '2027-03-15', check_out_date: '2027-03-16', adults: 2, bungalow_type: 'Junior', package_type: 'Las Hojas' },
            },
          },
        },
      ]),
      textReply('Quedo pendiente de su pago.'),
    );
    await h.post('/webhook', { waId: WA_ID, userMessage: 'Ya hice la transferencia de $118', passkey: TEST_PASSKEY });
    const first = await h.wati.waitForTexts(2, 10_000, WA_ID);
    expect(first[0]).toMatch(/lo estaremos verificando automáticamente/);
    expect(first[1]).toBe('Quedo pendiente de su pago.');

    // 16 checks over 8.5 hours; the clock moves in steps so each check runs when due.
    for (let i = 0; i < 60; i++) {
      clock.advance(10 * 60_000);
      await sleep(25);
    }
    await until(() => h.wati.sentTexts(WA_ID).length >= 4, 'the apology', 10_000);
    await sleep(200);
    const texts = h.wati.sentTexts(WA_ID);
    expect(texts.slice(2)).toEqual([
      expect.stringMatching(/Transferencia 365 o como transferencia UNI/),
      expect.stringMatching(/^Lamentamos la demora: su transferencia todavía no aparece/),
    ]);
    await until(() => h.wati.requests.some((r) => r.path.endsWith('/assignOperator')), 'the operator assigned', 10_000);
    expect(h.wati.requests.filter((r) => r.path.endsWith('/assignOperator'))).toHaveLength(1);
    expect(api.bookings()).toBe(0);
    // The bot is paused: a person has the conversation.
    const res = await fetch(`${h.url}/admin/conversations/${WA_ID}`, { headers: { authorization: 'Bearer admin-secret-0123456789abcdef' } });
    expect(((await res.json()) as { paused: boolean }).paused).toBe(true);
  }, 60_000);

  it('a person writing to the guest stops the follow-up in the same transaction: its waiting check is gone at once', async () => {
    const waId = '50355550104'; // the operator fixture's guest
    openai.queue(
      toolCallReply([
        {
          name: 'start_bank_transfer_retry_process',
          callId: 'call_f2',
          arguments: {
            payment_data: {
              slip_date: '2027-03-08', slip_amount: 119, booking_amount: 118,
              booking_data: { customer_name: 'Carlos Mena Ruiz', email: 'carlos.mena@example.com', city: 'San Salvador', dui_passport: '01234567-9', nationality: 'Salvadoreño', check_in_date: '2027-03-22', check_out_date: '2027-03-23', adults: 2, bungalow_type: 'Junior', package_type: 'Las Hojas' },
            },
          },
        },
      ]),
      textReply('Quedo pendiente de su pago.'),
    );
    await h.post('/webhook', { waId, userMessage: 'Ya transferí $119', passkey: TEST_PASSKEY });
    await h.wati.waitForTexts(2, 10_000, waId);
    const read = <T>(sql: string): T[] => {
      const db = new Database(h.config.dbPath, { readonly: true });
      try {
        return db.prepare(sql).all(waId) as T[];
      } finally {
        db.close();
      }
    };
    const followUps = () => read<{ state: string }>('SELECT state FROM payment_follow_ups WHERE conversation_id = ?').map((r) => r.state);
    const waitingChecks = () => read("SELECT id FROM jobs WHERE kind = 'payment.follow-up' AND conversation_id = ? AND status = 'pending'").length;
    expect(followUps()).toEqual(['active']);
    expect(waitingChecks()).toBe(1);

    // No clock moves: nothing runs between the operator's message and the look at the database.
    const res = await h.post(`/webhook?passkey=${TEST_PASSKEY}`, { ...fixture('wati_event_operator_reply.json'), passkey: undefined });
    expect(res.body).toMatchObject({ status: 'ignored', reason: 'outgoing_message' });
    expect(followUps()).toEqual(['cancelled']);
    expect(waitingChecks()).toBe(0);
  });
});
