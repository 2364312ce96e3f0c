// The payment follow-up tools on the real engines: a transfer not in the statement yet is checked now, the
// guest reassured with the reply, and booked once by the durable follow-up when it appears; the guest's
// "UNI or 365?" answer in whole words.
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HotelBackends } from '../../../src/composition/hotel-backends.js';
import type { JobWorker } from '../../../src/jobs/worker.js';
import { classifyTransferType } from '../../../src/tools/payments/handle-customer-transferencia-type-response.js';
import type { ToolCallContext, ToolRegistry } from '../../../src/tools/registry.js';
import { startFakeBookingApi, type FakeBookingApi } from '../../support/fake-booking-api.js';
import { describeWithMariaDb, useHotelDatabase } from '../../support/mariadb.js';
import { movableClock, type MovableClock } from '../../support/movable-clock.js';
import { hotelDbEnv } from '../../support/hotel-fixtures.js';
import { recordingHotelNotifiers } from '../../support/hotel-notifiers.js';
import { startHotelTools } from '../../support/hotel-tools-harness.js';

const log = pino({ level: 'silent' });
const sv = (y: number, mo: number, d: number, h: number) => Date.UTC(y, mo - 1, d, h + 6);
const MIN = 60_000;

describe('the 365 / UNI answer', () => {
  it.each([
    ['Fue UNI', 'uni'],
    ['transferencia uni desde otro banco', 'uni'],
    ['la hice por 365', '365'],
    ['Estados Unidos', 'unclear'],
    ['me comuniqué con el banco', 'unclear'],
    ['no sé', 'unclear'],
  ])('%s → %s', (text, expected) => {
    expect(classifyTransferType(text)).toBe(expected);
  });
});

describeWithMariaDb('payment follow-up tools', () => {
  const hotel = useHotelDatabase();
  let api: FakeBookingApi;
  let backends: HotelBackends;
  let registry: ToolRegistry;
  let worker: JobWorker;
  let clock: MovableClock;
  const told: string[] = [];

  beforeAll(async () => {
    api = await startFakeBookingApi({ connection: hotel.connection });
  });
  beforeEach(async () => {
    await hotel.reset();
    told.length = 0;
    clock = movableClock(sv(2027, 2, 22, 21)); // a Monday night: the office is closed, the bot books
    ({ backends, registry, worker } = startHotelTools({
      env: { ...hotelDbEnv(hotel.connection), BOOKING_API_URL: api.url },
      clock,
      notifiers: recordingHotelNotifiers(told),
    }));
  });
  afterAll(async () => {
    await backends?.close();
    await api?.close();
  });

  const context = (): ToolCallContext => ({
    conversationId: '50370000077', channel: 'whatsapp', waId: '50370000077', subscriberId: undefined, guestName: undefined, logger: log, clock,
  });
  const bookingData = {
    customer_name: 'Luis Fernando Rivas', email: 'luis.demo@example.com', city: 'Soyapango', dui_passport: '00000005-5', nationality: 'Salvadoreño',
    check_in_date: '2027-03-01', check_out_date: '2027-03-02', adults: 2, bungalow_type: 'Junior', package_type: 'Las Hojas',
  };
  const runFor = async (minutes: number) => {
    for (let i = 0; i < minutes; i++) {
      clock.advance(MIN);
      await worker.runDue();
    }
  };

  it('checks now, reassures the guest with the reply, and books once when the transfer shows up on the third check', async () => {
    const r = await registry.execute(
      'start_bank_transfer_retry_process',
      JSON.stringify({ payment_data: { slip_date: '2027-02-22', slip_amount: 118, booking_amount: 118, booking_data: bookingData } }),
      context(),
    );
    expect(JSON.parse(r.output)).toMatchObject({ success: true, retry_started: true });
    expect(r.effects).toEqual([{ type: 'outbox', part: { type: 'text', text: expect.stringMatching(/lo estaremos verificando/) } }]);
    const again = await registry.execute(
      'start_bank_transfer_retry_process',
      JSON.stringify({ payment_data: { slip_date: '2027-02-22', slip_amount: 118, booking_amount: 118, booking_data: bookingData } }),
      context(),
    );
    expect(JSON.parse(again.output)).toMatchObject({ success: true, retry_started: false, already_running: true });
    expect(again.effects).toEqual([]);

    await runFor(11); // checks at +5 and +10: nothing yet
    expect(told).toEqual([]);
    await hotel.query("INSERT INTO bac (date, reference, code, description, debit, credit, balance, used) VALUES ('22/02/2027', '3420001', 'TF', 'TRANSFERENCIA 365 LUIS F RIVAS', '0.00', '118.00', '11774.00', 0)");
    await runFor(60);
    expect(told).toHaveLength(1);
    const [, reserva] = /HR(\d+)/.exec(told[0]!) ?? [];
    expect(told[0]).toBe(`found, booked HR${reserva}`);
    expect(await hotel.query("SELECT used, codreser FROM bac WHERE reference = '3420001'")).toEqual([{ used: '118.00', codreser: `HR${reserva}` }]);
    expect(await hotel.query("SELECT reserva FROM user_books WHERE phone = '70000077'")).toHaveLength(1);
  });

  it("a credit another booking partly used is not this guest's: the follow-up books with the guest's own credit of that amount, the slip date read month first", async () => {
    // The Python service's booking took 100 of the first; the second is this guest's, untouched.
    await hotel.query(
      `INSERT INTO bac (date, reference, code, description, debit, credit, balance, used, codreser) VALUES
         ('22/02/2027', '3420002', 'TF', 'TRANSFERENCIA 365 FAMILIA RIVAS', '0.00', '300.00', '', 100.00, 'HR28609'),
         ('22/02/2027', '3420003', 'TF', 'TRANSFERENCIA 365 LUIS F RIVAS', '0.00', '300.00', '', 0.00, NULL)`,
    );
    const r = await registry.execute(
      'start_bank_transfer_retry_process',
      JSON.stringify({ payment_data: { slip_date: '02/22/2027', slip_amount: 300, booking_amount: 118, booking_data: bookingData } }),
      context(),
    );
    const out = JSON.parse(r.output) as Record<string, unknown>;
    expect(out).toMatchObject({ success: true, reserva: expect.any(String) });
    expect(await hotel.query("SELECT reference, used, codreser FROM bac WHERE reference IN ('3420002', '3420003') ORDER BY id")).toEqual([
      { reference: '3420002', used: '100.00', codreser: 'HR28609' },
      { reference: '3420003', used: '300.00', codreser: `HR${String(out.reserva)}` },
    ]);
    expect(await hotel.query('SELECT loadamount FROM user_books WHERE reserva = ?', [out.reserva])).toEqual([{ loadamount: '300.00' }]);
  });

  it('a card payment that never appears: one apology and a handoff after the last check, 8.5 hours later', async () => {
    const r = await registry.execute(
      'trigger_compraclick_retry_for_missing_payment',
      JSON.stringify({ authorization_number: '999001', booking_total: 118, booking_data: bookingData }),
      context(),
    );
    expect(JSON.parse(r.output)).toMatchObject({ success: true, data: { retry_started: true } });
    await runFor(9 * 60);
    expect(told).toEqual(['escalated payment_not_found']);
  });

  it('a UNI answer stops the follow-up and hands the guest to a person', async () => {
    await registry.execute(
      'start_bank_transfer_retry_process',
      JSON.stringify({ payment_data: { slip_date: '2027-02-22', slip_amount: 118, booking_amount: 118, transfer_method: 'UNI', booking_data: bookingData } }),
      context(),
    );
    const r = await registry.execute('handle_customer_transferencia_type_response', JSON.stringify({ response_text: 'fue UNI' }), context());
    expect(JSON.parse(r.output)).toMatchObject({ result: 'uni_escalated', follow_ups_stopped: 1 });
    expect(r.effects.map((e) => e.type)).toEqual(['handoff']);
    await runFor(3 * 24 * 60 / 30); // nothing runs any more
    expect(told).toEqual([]);
  });

  it('a UNI transfer made on Saturday is first checked on Monday at 09:00', async () => {
    clock = movableClock(sv(2027, 2, 27, 15)); // Saturday afternoon: the office has closed
    const ctx = { ...context(), clock };
    const r = await registry.execute(
      'start_bank_transfer_retry_process',
      JSON.stringify({ payment_data: { slip_date: '2027-02-27', slip_amount: 118, booking_amount: 118, transfer_method: 'UNI', booking_data: bookingData } }),
      ctx,
    );
    expect(JSON.parse(r.output)).toMatchObject({ success: true, first_check_at: new Date(sv(2027, 3, 1, 9)).toISOString() });
  });
});
