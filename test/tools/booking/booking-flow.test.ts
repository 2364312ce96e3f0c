// End to end: a guest's message through the webhook, the real agent (a fake model asking for the hotel
// tools), the real MariaDB replica and the fake booking API, to the reservation code the guest receives.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../../src/agent/openai-agent.js';
import { startHarness, type Harness } from '../../support/app-harness.js';
import { startFakeBookingApi, type FakeBookingApi } from '../../support/fake-booking-api.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI, type RecordedRequest } from '../../support/fake-openai.js';
import { describeWithMariaDb, useHotelDatabase } from '../../support/mariadb.js';
import { movableClock } from '../../support/movable-clock.js';
import { TEST_PASSKEY } from '../../support/test-config.js';
import { hotelDbEnv } from '../../support/hotel-fixtures.js';

type Item = Record<string, unknown>;

/** The output of the newest tool call in a model request (Responses or Chat Completions). */
function lastToolOutput(req: RecordedRequest): Record<string, unknown> {
  const items = ((req.body.input ?? req.body.messages) as Item[]).filter((i) => i.type === 'function_call_output' || i.role === 'tool');
  const last = items[items.length - 1] as Item;
  return JSON.parse((last.output ?? last.content) as string) as Record<string, unknown>;
}

const GUEST = {
  customer_name: 'Carlos Alberto Perez',
  email: 'carlos.demo@example.com',
  phone_number: 'AUTO',
  city: 'Santa Ana',
  dui_passport: '00000004-4',
  nationality: 'Salvadoreño',
  payment_maker_name: 'Carlos Alberto Perez',
};

describeWithMariaDb('booking end to end', () => {
  const hotel = useHotelDatabase();
  let openai: FakeOpenAI;
  let api: FakeBookingApi;
  let h: Harness;

  beforeAll(async () => {
    openai = await startFakeOpenAI();
    api = await startFakeBookingApi({ connection: hotel.connection });
    const dir = mkdtempSync(join(tmpdir(), 'watibot3-booking-'));
    writeFileSync(join(dir, 'system_instructions.txt'), 'Eres la asistente de un hotel ficticio.');
    const c = hotel.connection;
    h = await startHarness({
      clock: movableClock(Date.parse('2027-02-22T15:00:00Z')),
      env: {
        OPENAI_BASE_URL: openai.url,
        OPENAI_MODEL: 'gpt-5-mini',
        LLM_OPENAI_DIALECT: 'on',
        SYSTEM_INSTRUCTIONS_PATH: join(dir, 'system_instructions.txt'),
        HISTORY_IMPORT_MESSAGES: '0',
        ...hotelDbEnv(c),
        BOOKING_API_URL: api.url,
        BOOKING_AUTOMATION: 'always',
      },
      agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
    });
  });
  afterAll(async () => {
    await h?.close();
    await api?.close();
    await openai?.close();
  });

  const say = (waId: string, text: string) => h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });

  const bookingArgs = {
    ...GUEST,
    check_in_date: '2027-03-12',
    check_out_date: '2027-03-14',
    adults: 2,
    children_0_5: 0,
    children_6_10: 0,
    bungalow_type: 'Junior',
    package_type: 'Las Hojas',
    payment_method: 'CompraClick',
    payment_amount: 235,
    authorization_number: '517364',
  };

  it('offers the hotel tools and goes from a quote to a reservation code on WhatsApp, counting the card payment once', async () => {
    openai.queue(
      toolCallReply([{ name: 'get_price_for_date', arguments: { date_str: '2027-03-12' }, callId: 'call_p' }]),
      toolCallReply([{ name: 'validate_compraclick_payment', arguments: { authorization_number: '517364', booking_total: 276 }, callId: 'call_v' }]),
      toolCallReply([{ name: 'make_booking', arguments: bookingArgs, callId: 'call_b' }]),
      (req) => textReply(`¡Listo! Su código de reserva es ${String(lastToolOutput(req).codigo_reserva)}.`),
    );
    await say('50370001234', 'Quiero reservar un Junior del 12 al 14 de marzo, ya pagué con tarjeta, autorización 517364');
    const [reply] = await h.wati.waitForTexts(1, 10_000);

    const tools = (openai.requests[0]!.body.tools as Item[]).map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['check_room_availability', 'check_smart_availability', 'make_booking', 'validate_bank_transfer', 'lookup_booking']));
    expect(lastToolOutput(openai.requests[1]!)).toMatchObject({ lh_adulto: '69.00', lh_nino: '34.50' });
    expect(lastToolOutput(openai.requests[2]!)).toMatchObject({ success: true, data: { is_valid: true, remaining_amount: 235 } });
    const booked = lastToolOutput(openai.requests[3]!);
    expect(booked).toMatchObject({ success: true, booking_total: 276 });
    const reserva = String(booked.reserva);
    expect(reply).toBe(`¡Listo! Su código de reserva es HR${reserva}.`);

    // The backend got the original's form: mm/dd/yyyy, the phone from the conversation, a Junior room.
    const form = api.requests.find((r) => r.path === '/api/addBookingUserRest')!.form!;
    expect(form).toMatchObject({ checkIn: '03/12/2027', checkOut: '03/14/2027', phone: '70001234', compraclick: '517364', loadamount: '235.00', reseramount: '276.00', adultrate: '69.00', payway: 'Tarjeta de crédito', titulo: 'Sr.' });
    expect(form.reserverooms).toMatch(/^1-(1[89]|2\d|3\d|4\d|5\d)$/);
    const [ledger] = await hotel.query<{ used: string; codreser: string | null }>('SELECT used, codreser FROM compraclick WHERE autorizacion = ?', ['517364']);
    expect(ledger).toEqual({ used: '235.00', codreser: `HR${reserva}` });
    expect(await hotel.query('SELECT payment_ref FROM booking_locks WHERE payment_ref = ?', ['CC_517364'])).toEqual([]);
  });

  it('a second make_booking with the same authorization returns the same reservation; the backend saw one booking', async () => {
    const before = api.bookings();
    openai.queue(toolCallReply([{ name: 'make_booking', arguments: bookingArgs, callId: 'call_b2' }]), (req) => {
      const out = lastToolOutput(req);
      return textReply(`Su reserva ya está hecha: ${String(out.codigo_reserva)} (${String(out.already_booked)})`);
    });
    await say('50370001234', '¿Me confirma la reserva otra vez?');
    const texts = await h.wati.waitForTexts(2, 10_000);
    const [row] = await hotel.query<{ reserva: number }>("SELECT reserva FROM user_books WHERE compraclick = '517364' AND phone = '70001234'");
    expect(texts[1]).toBe(`Su reserva ya está hecha: HR${row!.reserva} (true)`);
    expect(api.bookings()).toBe(before);
    expect(await hotel.query("SELECT reserva FROM user_books WHERE compraclick = '517364'")).toHaveLength(1);
  });

  it('the same payment asked for another stay says which booking (code and dates) it already paid, not a confirmation; the true retry still returns that booking', async () => {
    const before = api.bookings();
    const [row] = await hotel.query<{ reserva: number }>("SELECT reserva FROM user_books WHERE compraclick = '517364' AND phone = '70001234'");
    const code = `HR${row!.reserva}`;
    openai.queue(
      toolCallReply([{ name: 'make_booking', arguments: { ...bookingArgs, check_in_date: '2027-03-16', check_out_date: '2027-03-17' }, callId: 'call_b3' }]),
      (req) => textReply(JSON.stringify(lastToolOutput(req))),
    );
    await say('50370001234', 'Y otra reserva del 16 al 17 de marzo con el mismo pago');
    const texts = await h.wati.waitForTexts(3, 10_000);
    const out = JSON.parse(texts[2]!) as Record<string, unknown>;
    expect(out).toMatchObject({
      success: false,
      error: 'already_used_for_booking',
      paid_bookings: [{ codigo_reserva: code, check_in_date: '2027-03-12', check_out_date: '2027-03-14', rooms: ['Junior'] }],
    });
    expect(out.customer_message).toBe(`Este pago ya fue utilizado para su reserva ${code} (del 12/03/2027 al 14/03/2027); no cubre otra reserva.`);
    expect(JSON.stringify(out)).not.toMatch(/confirmada|already_booked/);
    expect(out.reserva).toBeUndefined();

    // The identical request again (a re-run turn): the booking already made, once.
    openai.queue(toolCallReply([{ name: 'make_booking', arguments: bookingArgs, callId: 'call_b4' }]), (req) => textReply(JSON.stringify(lastToolOutput(req))));
    await say('50370001234', '¿Y la del 12 al 14?');
    const retry = JSON.parse((await h.wati.waitForTexts(4, 10_000))[3]!) as Record<string, unknown>;
    expect(retry).toMatchObject({ success: true, codigo_reserva: code, already_booked: true });
    expect(api.bookings()).toBe(before);
    expect(await hotel.query("SELECT reserva FROM user_books WHERE compraclick = '517364'")).toHaveLength(1);
  });

  it('books a bank transfer from Messenger: the guest gives the phone, the transfer is matched exactly and consumed', async () => {
    openai.queue(
      toolCallReply([{ name: 'validate_bank_transfer', arguments: { slip_date: '2027-02-21', slip_amount: 236, booking_amount: 236 }, callId: 'call_t' }]),
      (req) => {
        const validated = lastToolOutput(req);
        return toolCallReply([
          {
            name: 'make_booking',
            callId: 'call_tb',
            arguments: {
              ...GUEST,
              customer_name: 'Ana Prueba Gomez',
              email: 'ana.prueba@example.com',
              phone_number: '+503 7111-2222',
              payment_maker_name: 'Ana Prueba Gomez',
              check_in_date: '2027-03-05',
              check_out_date: '2027-03-07',
              adults: 2,
              children_6_10: 1,
              bungalow_type: 'Familiar',
              package_type: 'Escapadita',
              payment_method: 'Depósito BAC',
              payment_amount: 236,
              transfer_id: String(validated.transfer_id),
            },
          },
        ]);
      },
      (req) => textReply(JSON.stringify(lastToolOutput(req))),
    );
    await h.post('/manychat/webhook', {
      platform: 'manychat',
      passkey: TEST_PASSKEY,
      subscriber: { id: '7100000000000042', first_name: 'Ana', last_name: 'Prueba' },
      message: { text: 'Ya transferí $236 el 21 de febrero' },
    });
    const [text] = await h.manychat.waitForTexts(1, 10_000, '7100000000000042');
    const out = JSON.parse(text!) as Record<string, unknown>;
    // 2 adults + 1 child 6–10 is occupancy 2.5: a Familiar is for 5 to 8, so the tool refuses before any money moves.
    expect(out).toMatchObject({ success: false, error: 'occupancy_exceeded', requested_type: 'Familiar' });
    expect(await hotel.query('SELECT used FROM bac WHERE id = 4')).toEqual([{ used: '0.00' }]);
  });

  it('books the matched transfer once the room fits, writing HR<reserva> on that statement line only', async () => {
    openai.queue(
      toolCallReply([
        {
          name: 'make_booking',
          callId: 'call_tb2',
          arguments: {
            ...GUEST,
            customer_name: 'Ana Prueba Gomez',
            email: 'ana.prueba@example.com',
            phone_number: '+503 7111-2222',
            payment_maker_name: 'Ana Prueba Gomez',
            check_in_date: '2027-03-05',
            check_out_date: '2027-03-07',
            adults: 2,
            children_6_10: 1,
            bungalow_type: 'Junior',
            package_type: 'Escapadita',
            payment_method: 'Depósito BAC',
            payment_amount: 236,
            transfer_id: '4',
          },
        },
      ]),
      (req) => textReply(JSON.stringify(lastToolOutput(req))),
    );
    await h.post('/manychat/webhook', {
      platform: 'manychat',
      passkey: TEST_PASSKEY,
      subscriber: { id: '7100000000000042', first_name: 'Ana', last_name: 'Prueba' },
      message: { text: 'Entonces un Junior, por favor' },
    });
    const texts = await h.manychat.waitForTexts(2, 10_000, '7100000000000042');
    const out = JSON.parse(texts[1]!) as Record<string, unknown>;
    // Escapadita Fri+Sat (64 + 64) × 2 adults + (32 + 32) × 1 child = 320.00; 236 covers the 50 % deposit.
    expect(out).toMatchObject({ success: true, booking_total: 320 });
    const rows = await hotel.query<{ id: number; used: string; codreser: string | null }>('SELECT id, used, codreser FROM bac WHERE id IN (4, 5) ORDER BY id');
    expect(rows).toEqual([
      { id: 4, used: '236.00', codreser: `HR${String(out.reserva)}` },
      { id: 5, used: '0.00', codreser: null },
    ]);
    const [booking] = await hotel.query<{ phone: string; payway: string; childcount1: string }>('SELECT phone, payway, childcount1 FROM user_books WHERE reserva = ?', [out.reserva]);
    expect(booking).toEqual({ phone: '71112222', payway: 'Depósito a cuenta BAC', childcount1: '1' });
  });
});
