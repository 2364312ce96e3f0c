// kill -9 during the booking API call: the real server in a child process (real agent, fake model, fake
// WATI, the MariaDB replica, the fake booking API that books and then never answers). After a restart on
// the same database there is one reservation at most, it is never posted again, and the guest is told.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { killHard, standbyChild, startChild } from '../support/child-process.js';
import { startFakeBookingApi, type FakeBookingApi } from '../support/fake-booking-api.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI, type RecordedRequest } from '../support/fake-openai.js';
import { startFakeWati, type FakeWati } from '../support/fake-wati.js';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';
import { TEST_PASSKEY, testEnv } from '../support/test-config.js';
import { until } from '../support/wait.js';
import { hotelDbEnv } from '../support/hotel-fixtures.js';

type Item = Record<string, unknown>;

function lastToolOutput(req: RecordedRequest): Record<string, unknown> {
  const items = (req.body.input as Item[]).filter((i) => i.type === 'function_call_output');
  return JSON.parse((items[items.length - 1] as Item).output as string) as Record<string, unknown>;
}

const BOOKING = {
  customer_name: 'Maria Jose Hernandez',
  email: 'maria.demo@example.com',
  phone_number: 'AUTO',
  city: 'San Salvador',
  dui_passport: '00000009-9',
  nationality: 'Salvadoreña',
  payment_maker_name: 'Maria Jose Hernandez',
  check_in_date: '2027-02-22',
  check_out_date: '2027-02-24',
  adults: 2,
  bungalow_type: 'Junior',
  package_type: 'Las Hojas',
  payment_method: 'CompraClick',
  payment_amount: 235,
  authorization_number: '517364',
};

describeWithMariaDb('booking across kill -9', () => {
  const hotel = useHotelDatabase();
  let api: FakeBookingApi;
  let openai: FakeOpenAI;
  let wati: FakeWati;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    [api, openai, wati] = await Promise.all([startFakeBookingApi({ connection: hotel.connection }), startFakeOpenAI(), startFakeWati()]);
    const dir = mkdtempSync(join(tmpdir(), 'watibot3-bkcrash-'));
    writeFileSync(join(dir, 'system_instructions.txt'), 'Eres la asistente de un hotel ficticio.');
    const c = hotel.connection;
    env = testEnv({
      CONVERSATION_DB_PATH: join(dir, 'bot.db'),
      WATI_API_URL: wati.url,
      WATI_API_KEY: wati.apiKey,
      OPENAI_BASE_URL: openai.url,
      OPENAI_MODEL: 'gpt-5-mini',
      LLM_OPENAI_DIALECT: 'on',
      SYSTEM_INSTRUCTIONS_PATH: join(dir, 'system_instructions.txt'),
      HISTORY_IMPORT_MESSAGES: '0',
      ...hotelDbEnv(c),
      BOOKING_API_URL: api.url,
      BOOKING_API_TIMEOUT_SECONDS: '60',
      BOOKING_AUTOMATION: 'always',
    });
  });
  afterAll(async () => {
    await Promise.all([api?.close(), openai?.close(), wati?.close()]);
  });

  // Its real work is two server processes (loading every source file is most of a start: 3 s alone, 8 s
  // on two busy cores), one booking and one reconciliation; the restart's process is loaded while the first
  // one runs, so only one load is on the critical path. Every wait below is on a condition, none a sleep.
  it('books once: the reservation made before the crash is found, recorded on the ledger and sent to the guest', { timeout: 60_000 }, async () => {
    const waId = '50370005555';
    const restart = standbyChild(env);
    try {
      await bookThenCrashThenRecover(waId, restart);
    } finally {
      await killHard(restart.child);
    }
  });

  async function bookThenCrashThenRecover(waId: string, restart: ReturnType<typeof standbyChild>): Promise<void> {
    const first = await startChild(env);
    try {
      api.hangBookings('after_insert');
      openai.queue(toolCallReply([{ name: 'make_booking', arguments: BOOKING, callId: 'call_k1' }]));
      const posted = api.nextBookingRequest();
      const res = await request(`${first.url}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ waId, userMessage: 'Ya pagué, autorización 517364, reserven por favor', passkey: TEST_PASSKEY }),
      });
      await res.body.text();
      await posted;
      await until(async () => (await hotel.query("SELECT reserva FROM user_books WHERE compraclick = '517364'")).length === 1, 'the booking row', 10_000);
    } finally {
      await killHard(first.child);
    }
    api.hangBookings(false);
    const [row] = await hotel.query<{ reserva: number }>("SELECT reserva FROM user_books WHERE compraclick = '517364'");
    const reserva = String(row!.reserva);

    // The interrupted turn is answered again; the model asks to book again and is told what happened.
    openai.setFallback((req) =>
      (req.body.input as Item[]).some((i) => i.type === 'function_call_output' && i.call_id === 'call_k2')
        ? textReply(String(lastToolOutput(req).customer_message))
        : toolCallReply([{ name: 'make_booking', arguments: BOOKING, callId: 'call_k2' }]),
    );
    const second = await restart.start();
    try {
      await until(() => wati.sentTexts(waId).some((t) => t.includes(`HR${reserva}`)), 'the code sent to the guest', 15_000);
      await until(() => wati.sentTexts(waId).length >= 2, 'two messages to the guest', 15_000);
      const texts = wati.sentTexts(waId);
      // Either the re-run turn saw the reservation already reconciled, or it told the guest it is being
      // confirmed and the reconciliation's message followed with the code.
      expect(texts.some((t) => /HR\d+/.test(t) && t.includes(`HR${reserva}`))).toBe(true);
      expect(texts.every((t) => !/error|exception/i.test(t))).toBe(true);
      expect(api.requests.filter((r) => r.path === '/api/addBookingUserRest')).toHaveLength(1);
      expect(await hotel.query("SELECT reserva FROM user_books WHERE compraclick = '517364'")).toHaveLength(1);
      await until(async () => (await hotel.query<{ codreser: string | null }>("SELECT codreser FROM compraclick WHERE autorizacion = '517364'"))[0]?.codreser === `HR${reserva}`, 'the ledger booking code', 10_000);
      expect(await hotel.query("SELECT used FROM compraclick WHERE autorizacion = '517364'")).toEqual([{ used: '235.00' }]);
    } finally {
      await killHard(second.child);
    }
  }
});
