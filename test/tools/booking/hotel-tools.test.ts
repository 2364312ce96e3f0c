// The hotel tools as the model calls them (through the registry), assembled from configuration exactly as
// the server does, on the MariaDB replica and the fake booking API.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotelBackends } from '../../../src/composition/hotel-backends.js';
import type { ToolCallContext, ToolRegistry } from '../../../src/tools/registry.js';
import { startFakeBookingApi, type FakeBookingApi } from '../../support/fake-booking-api.js';
import { describeWithMariaDb, useHotelDatabase } from '../../support/mariadb.js';
import { hotelDbEnv } from '../../support/hotel-fixtures.js';
import { startHotelTools } from '../../support/hotel-tools-harness.js';

/** An instant given as El Salvador wall-clock time (UTC-6). */
const sv = (y: number, mo: number, d: number, h: number) => Date.UTC(y, mo - 1, d, h + 6);
const log = pino({ level: 'silent' });

function context(now: number, who: { waId?: string; subscriberId?: string } = { waId: '50370000001' }): ToolCallContext {
  return {
    conversationId: who.waId ?? `facebook:${who.subscriberId ?? ''}`,
    channel: who.waId ? 'whatsapp' : 'facebook',
    waId: who.waId,
    subscriberId: who.subscriberId,
    guestName: undefined,
    logger: log,
    clock: { now: () => now },
  };
}

describeWithMariaDb('hotel tools', () => {
  const hotel = useHotelDatabase();
  let api: FakeBookingApi;
  let backends: HotelBackends;
  let registry: ToolRegistry;
  // A Monday at 10:00 in El Salvador (the reservations office is open), before the Holy Week stays.
  const now = sv(2027, 2, 22, 10);

  beforeAll(async () => {
    api = await startFakeBookingApi({ connection: hotel.connection });
    ({ backends, registry } = startHotelTools({ env: { ...hotelDbEnv(hotel.connection), BOOKING_API_URL: api.url }, clock: { now: () => now } }));
  });
  afterAll(async () => {
    await backends?.close();
    await api?.close();
  });

  const call = async (name: string, args: unknown, ctx = context(now)) => {
    const r = await registry.execute(name, JSON.stringify(args), ctx);
    return JSON.parse(r.output) as Record<string, unknown>;
  };

  it('offers every hotel tool when both backends are configured, and /ready has nothing to list', () => {
    expect([...registry.specs.map((s) => s.name)]).toEqual([
      'check_room_availability',
      'check_room_availability_counts',
      'check_smart_availability',
      'get_price_for_date',
      'handle_customer_transferencia_type_response',
      'lookup_booking',
      'make_booking',
      'make_multi_room_booking',
      'start_bank_transfer_retry_process',
      'trigger_compraclick_retry_for_missing_payment',
      'validate_bank_transfer',
      'validate_compraclick_payment',
      'validate_compraclick_payment_fallback',
    ]);
    expect(backends.readiness()).toMatchObject({
      database: 'configured',
      bookingApi: 'configured',
      bookingAutomation: 'outside_office_hours',
      toolsNotOffered: ['sync_compraclick_payments', 'sync_bank_transfers', 'create_compraclick_link'],
    });
  });

  describe('get_price_for_date', () => {
    it("answers the day's six rates as the hotel writes them", async () => {
      expect(await call('get_price_for_date', { date_str: '2027-01-01' })).toEqual({
        date: '2027-01-01', lh_adulto: '79.00', lh_nino: '39.50', pa_adulto: '29.00', pa_nino: '14.50', es_adulto: '74.00', es_nino: '37.00',
      });
    });
    it('refuses a date that is not one, and says when there is no rate', async () => {
      expect((await call('get_price_for_date', { date_str: '2027-02-30' })).error).toMatch(/date_str must be a real date/);
      expect(await call('get_price_for_date', { date_str: '2027-06-01' })).toEqual({ error: 'No prices found for 2027-06-01.' });
    });
  });

  describe('availability', () => {
    it('check_room_availability reflects bookings in every stored format (the Familiar event block of Holy Week)', async () => {
      expect(await call('check_room_availability', { check_in_date: '2027-03-26', check_out_date: '2027-03-28' })).toMatchObject({
        bungalow_familiar: 'Not Available',
        bungalow_junior: 'Available',
        habitacion: 'Available',
      });
      expect(await call('check_room_availability', { check_in_date: '2027-04-02', check_out_date: '2027-04-04' })).toMatchObject({ habitacion: 'Not Available' });
    });

    it('refuses past dates, reversed ranges and non-dates before asking the backend', async () => {
      const before = api.requests.length;
      expect(await call('check_room_availability', { check_in_date: '2027-01-20', check_out_date: '2027-01-22' })).toMatchObject({ success: false, field: 'check_in_date' });
      expect(await call('check_room_availability', { check_in_date: '2027-03-14', check_out_date: '2027-03-12' })).toMatchObject({ success: false, field: 'check_out_date' });
      expect(await call('check_room_availability', { check_in_date: "2027-03-14' OR 1=1", check_out_date: '2027-03-15' })).toMatchObject({ success: false, field: 'check_in_date' });
      expect(api.requests.length).toBe(before);
    });

    it('check_room_availability_counts counts free rooms per type, Matrimonial apart from Junior', async () => {
      const counts = await call('check_room_availability_counts', { check_in_date: '2027-03-26', check_out_date: '2027-03-28' });
      // Holy Week: Familiar 1–17 blocked (28603, '+' format); of the 37 plain Juniors 24, 25 (28604, one room
      // per night), 30–32 (28608) and 41, 43 (a member booking) are taken.
      expect(counts).toEqual({ bungalow_familiar: 0, bungalow_junior: 30, bungalow_matrimonial: 5, habitacion: 14, total: 49 });
    });

    it('check_smart_availability asks each night once and offers the longest free sub-stays', async () => {
      await hotel.query(
        `INSERT INTO user_books (firstname, lastname, reserverooms, checkIn, checkOut, acomodacion, cancel_flag)
         VALUES ('Evento', 'Total', ?, '03/10/2027', '03/11/2027', 'Evento', 'no')`,
        [Array.from({ length: 59 }, (_, i) => String(i + 1)).concat(Array.from({ length: 14 }, (_, i) => `${i + 1}A`)).join('+')],
      );
      const before = api.requests.filter((r) => r.path === '/api/getRooms').length;
      const out = await call('check_smart_availability', { check_in_date: '2027-03-08', check_out_date: '2027-03-15' });
      const calls = api.requests.filter((r) => r.path === '/api/getRooms').length - before;
      expect(calls).toBe(7);
      expect(out).toMatchObject({ success: true, full_period_available: false });
      const options = out.partial_options as { check_in: string; check_out: string; nights: number }[];
      expect(options.slice(0, 2).map((o) => [o.check_in, o.check_out, o.nights])).toEqual([
        ['2027-03-11', '2027-03-15', 4],
        ['2027-03-08', '2027-03-10', 2],
      ]);
      expect(out.recommendation_message).toMatch(/del 11 de marzo de 2027 al 15 de marzo de 2027 \(4 noches\)/);
      // The same nights again within the minute: answered from the cache.
      await call('check_smart_availability', { check_in_date: '2027-03-09', check_out_date: '2027-03-12' });
      expect(api.requests.filter((r) => r.path === '/api/getRooms').length - before).toBe(7);
    });
  });

  describe('card payments', () => {
    it('a fresh payment covering half the total is valid', async () => {
      expect(await call('validate_compraclick_payment', { authorization_number: '517364', booking_total: 470 })).toEqual({
        success: true,
        error: '',
        data: { authorization_code: '517364', amount_paid: 235, remaining_amount: 235, booking_total: 470, coverage_percentage: 50, is_valid: true },
        available_amount: 235,
      });
      expect(await call('validate_compraclick_payment', { authorization_number: '517364', booking_total: 471 })).toMatchObject({ success: false, error: 'insufficient_amount' });
    });
    it('a payment used by a booking we have no record of is used, unnamed; a voided sale is not valid; a balance taken without a booking is sent to a person', async () => {
      // The Python service's HR28601: whoever asks may not be that guest, so the booking is not named.
      const used = await call('validate_compraclick_payment', { authorization_number: '481920', booking_total: 276 });
      expect(used).toMatchObject({ success: false, error: 'payment_already_used' });
      expect(JSON.stringify(used)).not.toContain('HR28601');
      expect(await call('validate_compraclick_payment', { authorization_number: '239411', booking_total: 300 })).toMatchObject({ success: false, error: 'payment_voided' });
      const orphan = await call('validate_compraclick_payment', { authorization_number: '603118', booking_total: 200 });
      expect(orphan).toMatchObject({ success: false, error: 'payment_reserved_without_booking' });
      expect(JSON.stringify(orphan)).not.toMatch(/remaining|amount_paid|\d+\.\d\d/);
      expect(await call('validate_compraclick_payment', { authorization_number: '111111', booking_total: 200 })).toMatchObject({ success: false, error: 'Authorization code not found' });
      // Nothing was reset: the orphan keeps its balance taken.
      expect(await hotel.query("SELECT used FROM compraclick WHERE autorizacion = '603118'")).toEqual([{ used: '118.00' }]);
    });
    it('the fallback finds the payment by card digits, amount and day, and gives its authorization code', async () => {
      expect(
        await call('validate_compraclick_payment_fallback', { card_last_four: '2222', charged_amount: 235, payment_date: '05/02/2027', booking_total: 470 }),
      ).toMatchObject({ success: true, authorization_number: '517364', validation_method: 'fallback' });
      const miss = await call('validate_compraclick_payment_fallback', { card_last_four: '2222', charged_amount: 236, payment_date: '5 de febrero', booking_total: 470 });
      // "5 de febrero" without a year: the most recent one, this year's.
      expect(miss).toMatchObject({ success: false, error: 'payment_not_found' });
      expect(miss.customer_message).toMatch(/el monto/);
      expect(miss.customer_message).not.toMatch(/la fecha/);
    });
    it('reads "hoy" in the hotel time zone, not the server clock', async () => {
      // 2027-02-06 01:00 UTC is still the 5th in El Salvador, the day of the payment.
      const lateEvening = context(Date.UTC(2027, 1, 6, 1));
      expect(
        await call('validate_compraclick_payment_fallback', { card_last_four: '2222', charged_amount: 235, payment_date: 'hoy', booking_total: 470 }, lateEvening),
      ).toMatchObject({ success: true, authorization_number: '517364' });
    });
  });

  describe('bank transfers', () => {
    it('matches an exact credit on the slip date and returns its transfer_id', async () => {
      expect(await call('validate_bank_transfer', { slip_date: '2027-02-21', slip_amount: 236, booking_amount: 236 })).toMatchObject({ success: true, transfer_id: '4', available_balance: 236 });
    });
    it('refuses a used transfer without naming its booking, refuses future dates, and does not reset a transfer taken without a booking', async () => {
      const used = await call('validate_bank_transfer', { slip_date: '2027-01-14', slip_amount: 128, booking_amount: 128 });
      expect(used).toMatchObject({ success: false, error: 'payment_already_used' });
      expect(JSON.stringify(used)).not.toContain('HR28605');
      expect(await call('validate_bank_transfer', { slip_date: '2027-03-01', slip_amount: 128, booking_amount: 128 })).toMatchObject({ success: false, error: 'future_date' });
      expect(await call('validate_bank_transfer', { slip_date: '2027-02-21', slip_amount: 300, booking_amount: 300 })).toMatchObject({ success: false, error: 'transfer_in_use' });
      expect(await hotel.query('SELECT used FROM bac WHERE id = 6')).toEqual([{ used: '300.00' }]);
    });
    it('finds a credit printed with a thousands separator (the original never matched it)', async () => {
      await hotel.query("INSERT INTO bac (date, reference, code, description, debit, credit, balance, used) VALUES ('25/01/2027', '3399', 'TF', 'TRANSFERENCIA 365', '0.00', '1,250.00', '12,000.00', 0)");
      expect(await call('validate_bank_transfer', { slip_date: '2027-01-25', slip_amount: 1250, booking_amount: 1250 })).toMatchObject({ success: true, available_balance: 1250 });
    });
  });

  describe('lookup_booking', () => {
    it("gives a WhatsApp guest their own reservation and 'not found' for anyone else's", async () => {
      expect(await call('lookup_booking', { reservation_code: 'hr 28601' }, context(now, { waId: '50370000001' }))).toMatchObject({
        success: true, codigo_reserva: 'HR28601', nombre_completo: 'Ana Lucia Martinez', fecha_entrada: '2027-02-12', cancelada: false,
      });
      expect(await call('lookup_booking', { reservation_code: 'HR28601' }, context(now, { waId: '50370009999' }))).toMatchObject({ success: false, error: 'not_found' });
      expect(await call('lookup_booking', { reservation_code: 'SOC1042' })).toMatchObject({ success: false, error: 'invalid_prefix' });
    });
    it('on Messenger asks for the e-mail or last name of the reservation', async () => {
      const fb = context(now, { subscriberId: '7100000000000009' });
      expect(await call('lookup_booking', { reservation_code: 'HR28606' }, fb)).toMatchObject({ error: 'not_found' });
      expect(await call('lookup_booking', { reservation_code: 'HR28606', last_name: 'Campos' }, fb)).toMatchObject({ success: true, cancelada: true });
      expect(await call('lookup_booking', { reservation_code: 'HR28606', email: 'ROSA.demo@example.com' }, fb)).toMatchObject({ success: true });
      expect(await call('lookup_booking', { reservation_code: 'HR28606', last_name: 'Perez' }, fb)).toMatchObject({ error: 'not_found' });
    });
  });

  describe('make_multi_room_booking', () => {
    it("books three Juniors in one reservation with per-room guests, the backend's '+' format and one payment", async () => {
      // 7 adults + 1 child 6–10, one Monday night at 59 / 29.50: 7 × 59 + 29.50 = 442.50; deposit 221.25.
      await hotel.query(
        "INSERT INTO compraclick (date, estado, cliente, tarjeta, importe, autorizacion, descripcion, used) VALUES ('2027-02-22 09:00:00', 'APROBADA', 'PATRICIA GUZMAN', '455555XXXXXX5555', 221.25, '654321', 'Patricia Guzman', 0)",
      );
      const night = context(sv(2027, 2, 22, 22), { waId: '50370000008' });
      const out = await call(
        'make_multi_room_booking',
        {
          customer_name: 'Patricia Elena Guzman', email: 'patricia.demo@example.com', phone_number: 'AUTO', city: 'San Miguel', dui_passport: '00000008-8', nationality: 'Salvadoreña',
          check_in_date: '2027-03-15', check_out_date: '2027-03-16', package_type: 'Las Hojas',
          room_bookings: [
            { bungalow_type: 'Junior', adults: 2 },
            { bungalow_type: 'Junior', adults: 3, children_6_10: 1 },
            { bungalow_type: 'Junior', adults: 2 },
          ],
          payment_method: 'CompraClick', payment_amount: 221.25, payment_maker_name: 'Patricia Elena Guzman', authorization_number: '654321',
        },
        night,
      );
      expect(out).toMatchObject({ success: true, total_rooms: 3, booking_total: 442.5 });
      const [row] = await hotel.query<Record<string, string>>('SELECT titulo, reserverooms, adultcount, childcount, childcount1, reseramount, loadamount, phone FROM user_books WHERE reserva = ?', [out.reserva]);
      expect(row).toMatchObject({ titulo: 'Sres.', adultcount: '2+3+2', childcount: '0+0+0', childcount1: '0+1+0', reseramount: '442.50', loadamount: '221.25', phone: '70000008' });
      const rooms = String(row!.reserverooms).split('+');
      expect(rooms).toHaveLength(3);
      expect(new Set(rooms).size).toBe(3);
      expect(await hotel.query("SELECT used, codreser FROM compraclick WHERE autorizacion = '654321'")).toEqual([{ used: '221.25', codreser: `HR${String(out.reserva)}` }]);
    });
  });

  // Side by side with the original on one database, validate_bank_transfer refused a transfer an earlier
  // booking had partly used while make_booking booked it. One rule now (src/hotel-rules/payment-rule.ts), in
  // both: a row pays several bookings while its unused balance covers each — of the conversation that used
  // it; another guest's leftover, or one the Python service used, pays nothing and is not described.
  describe('one payment rule: a partly used payment, validated and booked alike', () => {
    const night = (waId: string) => context(sv(2027, 2, 22, 22), { waId });
    const guest = {
      customer_name: 'Jose Roberto Lopez', email: 'jose.demo@example.com', phone_number: 'AUTO', city: 'Santa Tecla', dui_passport: '00000002-2', nationality: 'Salvadoreño',
      payment_maker_name: 'Jose Roberto Lopez', adults: 2, bungalow_type: 'Junior', package_type: 'Las Hojas',
    };
    const bookingsMade = () => api.requests.filter((r) => r.path === '/api/addBookingUserRest').length;
    const loadAmount = async (reserva: unknown) => (await hotel.query<{ loadamount: string }>('SELECT loadamount FROM user_books WHERE reserva = ?', [reserva]))[0]?.loadamount;
    /** Nothing of another guest's booking: no booking code, no amounts. */
    const tellsNothingOfIt = (out: Record<string, unknown>) => {
      expect(out).toMatchObject({ success: false, error: 'payment_already_used', assistant_instruction: expect.stringContaining('transfer_to_human_agent') });
      expect(JSON.stringify(out)).not.toMatch(/HR\d|\d+\.\d\d|available|remaining|bookings_paid|booking_code|amount_paid/);
    };
    // One Monday night for 2 adults (118; deposit 59) and a Friday-to-Sunday stay.
    const monday = { check_in_date: '2027-03-15', check_out_date: '2027-03-16' };
    const weekend = { check_in_date: '2027-03-12', check_out_date: '2027-03-14' };

    it("two guests' transfers of one amount on one day: each books with their own, the leftover stays its guest's", async () => {
      const insert = async (reference: string) => {
        const [r] = await hotel.query<{ insertId: number }>(
          "INSERT INTO bac (date, reference, code, description, debit, credit, balance, used, codreser, dateused) VALUES ('18/02/2027', ?, 'TF', 'TRANSFERENCIA 365', '0.00', '400.00', '', 0.00, NULL, NULL)",
          [reference],
        );
        return String(r!.insertId);
      };
      const first = await insert('3410000010'); // guest A's
      const second = await insert('3410000011'); // guest B's
      const a = night('50370000021');
      const b = night('50370000022');
      const slip = { slip_date: '2027-02-18', slip_amount: 400 };

      expect(await call('validate_bank_transfer', { ...slip, booking_amount: 150 }, a)).toMatchObject({ success: true, transfer_id: first, available_amount: 400 });
      const one = await call('make_booking', { ...guest, ...monday, payment_method: 'Depósito BAC', payment_amount: 150, transfer_id: first }, a);
      expect(one).toMatchObject({ success: true });
      const codeA = `HR${String(one.reserva)}`;
      expect(await hotel.query('SELECT used, codreser FROM bac WHERE id = ?', [first])).toEqual([{ used: '150.00', codreser: codeA }]);

      // B's transfer is B's own: the untouched credit, not what is left of A's.
      expect(await call('validate_bank_transfer', { ...slip, booking_amount: 200 }, b)).toMatchObject({ success: true, transfer_id: second, available_amount: 400 });
      // Told A's transfer_id all the same, the booking refuses it as the validators would, telling nothing of A's booking.
      const before = bookingsMade();
      tellsNothingOfIt(await call('make_booking', { ...guest, ...weekend, payment_method: 'Depósito BAC', payment_amount: 200, transfer_id: first }, b));
      expect(bookingsMade()).toBe(before);
      expect(await call('make_booking', { ...guest, ...weekend, payment_method: 'Depósito BAC', payment_amount: 400, transfer_id: second }, b)).toMatchObject({ success: true });
      // Now only A's leftover matches: B (or anyone else) is refused it, in the same words.
      tellsNothingOfIt(await call('validate_bank_transfer', { ...slip, booking_amount: 200 }, night('50370000029')));

      // A's second stay with A's own leftover: the validator says 250 is available; the model sends the full
      // 400 paid, and the booking takes (and tells the booking API) the 250 left, which covers the deposit.
      expect(await call('validate_bank_transfer', { ...slip, booking_amount: 200 }, a)).toMatchObject({ success: true, transfer_id: first, available_amount: 250, bookings_paid: [codeA] });
      const two = await call('make_booking', { ...guest, ...weekend, payment_method: 'Depósito BAC', payment_amount: 400, transfer_id: first }, a);
      expect(two).toMatchObject({ success: true });
      expect(await loadAmount(two.reserva)).toBe('250.00');
      expect(await hotel.query('SELECT used, codreser FROM bac WHERE id = ?', [first])).toEqual([{ used: '400.00', codreser: `${codeA},HR${String(two.reserva)}` }]);
      expect(await call('validate_bank_transfer', { ...slip, booking_amount: 60 }, a)).toMatchObject({ success: false, error: 'already_used_for_booking', bookings_paid: [codeA, `HR${String(two.reserva)}`] });
    });

    it('a transfer the Python service partly used is nobody’s leftover: refused alike by validation and booking, to staff', async () => {
      const [inserted] = await hotel.query<{ insertId: number }>(
        "INSERT INTO bac (date, reference, code, description, debit, credit, balance, used, codreser, dateused) VALUES ('19/02/2027', '3410000001', 'TF', 'TRANSFERENCIA 365 FAMILIA LOPEZ', '0.00', '400.00', '', 150.00, 'HR28609', '2027-02-19 12:00:00')",
      );
      const id = String(inserted!.insertId);
      const who = night('50370000023');
      tellsNothingOfIt(await call('validate_bank_transfer', { slip_date: '02/19/2027', slip_amount: 400, booking_amount: 200 }, who));
      const before = bookingsMade();
      tellsNothingOfIt(await call('make_booking', { ...guest, ...weekend, payment_method: 'Depósito BAC', payment_amount: 200, transfer_id: id }, who));
      expect(bookingsMade()).toBe(before);
      expect(await hotel.query('SELECT used, codreser FROM bac WHERE id = ?', [id])).toEqual([{ used: '150.00', codreser: 'HR28609' }]);
      // Money taken with no booking named (the fixture's sale 603118): to a person, no amounts told.
      const orphan = await call('make_booking', { ...guest, ...weekend, payment_method: 'CompraClick', payment_amount: 200, authorization_number: '603118' }, who);
      expect(orphan).toMatchObject({ success: false, error: 'payment_reserved_without_booking', assistant_instruction: expect.stringContaining('transfer_to_human_agent') });
      expect(JSON.stringify(orphan)).not.toMatch(/available|\d+\.\d\d/);
      expect(bookingsMade()).toBe(before);
    });

    it('a card sale: its leftover pays the same conversation, at most what is left; a code known elsewhere books nothing of it', async () => {
      await hotel.query(
        "INSERT INTO compraclick (date, estado, cliente, tarjeta, importe, autorizacion, descripcion, used, codreser, dateused) VALUES ('2027-02-19 09:00:00', 'APROBADA', 'JOSE R LOPEZ', '466666XXXXXX6666', 300.00, '765432', 'Jose Lopez', 0.00, NULL, NULL)",
      );
      const a = night('50370000024');
      const other = night('50370000025');
      expect(await call('validate_compraclick_payment', { authorization_number: '765432', booking_total: 400 }, a)).toMatchObject({ success: true, available_amount: 300, data: { remaining_amount: 300 } });
      const one = await call('make_booking', { ...guest, check_in_date: '2027-03-19', check_out_date: '2027-03-21', payment_method: 'CompraClick', payment_amount: 200, authorization_number: '765432' }, a);
      expect(one).toMatchObject({ success: true });
      const code = `HR${String(one.reserva)}`;

      // Another conversation that knows the code: refused by both validators and by the booking, told nothing.
      tellsNothingOfIt(await call('validate_compraclick_payment', { authorization_number: '765432', booking_total: 118 }, other));
      const fallback = await call('validate_compraclick_payment_fallback', { card_last_four: '6666', charged_amount: 300, payment_date: '19/02/2027', booking_total: 118 }, other);
      expect(fallback).toMatchObject({ success: false, error: 'payment_already_used' });
      expect(JSON.stringify(fallback)).not.toMatch(/HR\d|remaining|bookings_paid/);
      const before = bookingsMade();
      tellsNothingOfIt(await call('make_booking', { ...guest, ...monday, payment_method: 'CompraClick', payment_amount: 100, authorization_number: '765432' }, other));
      expect(bookingsMade()).toBe(before);

      // The same conversation's second stay: 100 available; asked for the whole 300, the booking takes 100.
      expect(await call('validate_compraclick_payment', { authorization_number: '765432', booking_total: 118 }, a)).toMatchObject({ success: true, available_amount: 100, data: { bookings_paid: [code] } });
      const two = await call('make_booking', { ...guest, check_in_date: '2027-03-22', check_out_date: '2027-03-23', payment_method: 'CompraClick', payment_amount: 300, authorization_number: '765432' }, a);
      expect(two).toMatchObject({ success: true });
      expect(await loadAmount(two.reserva)).toBe('100.00');
      const codes = `${code},HR${String(two.reserva)}`;
      expect(await hotel.query("SELECT used, codreser FROM compraclick WHERE autorizacion = '765432'")).toEqual([{ used: '300.00', codreser: codes }]);
      expect(await call('validate_compraclick_payment', { authorization_number: '765432', booking_total: 100 }, a)).toMatchObject({ success: false, error: 'already_used_for_booking', booking_code: codes });
      // The same booking asked again is that booking; nothing is posted or taken twice.
      expect(await call('make_booking', { ...guest, check_in_date: '2027-03-22', check_out_date: '2027-03-23', payment_method: 'CompraClick', payment_amount: 300, authorization_number: '765432' }, a)).toMatchObject({
        success: true, reserva: two.reserva, already_booked: true,
      });
      expect(bookingsMade()).toBe(before + 1);
    });

    it('a leftover that does not cover the deposit: validation and booking refuse it alike, naming what is left', async () => {
      await hotel.query(
        "INSERT INTO compraclick (date, estado, cliente, tarjeta, importe, autorizacion, descripcion, used, codreser, dateused) VALUES ('2027-02-20 09:00:00', 'APROBADA', 'JOSE R LOPEZ', '466666XXXXXX7777', 230.00, '765433', 'Jose Lopez', 0.00, NULL, NULL)",
      );
      const a = night('50370000026');
      expect(await call('make_booking', { ...guest, check_in_date: '2027-03-19', check_out_date: '2027-03-21', payment_method: 'CompraClick', payment_amount: 200, authorization_number: '765433' }, a)).toMatchObject({ success: true });
      // 30 left; the Monday night's deposit is 59.
      expect(await call('validate_compraclick_payment', { authorization_number: '765433', booking_total: 118 }, a)).toMatchObject({ success: false, error: 'insufficient_amount', data: { remaining_amount: 30 } });
      expect(await call('make_booking', { ...guest, ...monday, payment_method: 'CompraClick', payment_amount: 230, authorization_number: '765433' }, a)).toMatchObject({
        success: false, error: 'insufficient_payment', available_balance: 30,
      });
    });
  });

  describe('make_booking before any money moves', () => {
    const args = {
      customer_name: 'Carlos Perez', email: 'c@example.com', phone_number: 'AUTO', city: 'Santa Ana', dui_passport: '0001', nationality: 'SV',
      check_in_date: '2027-02-22', check_out_date: '2027-02-23', adults: 2, bungalow_type: 'Junior', package_type: 'Las Hojas',
      payment_method: 'CompraClick', payment_amount: 235, payment_maker_name: 'Carlos Perez', authorization_number: '517364',
    };
    it('while the reservations office is open it tells the model to hand the guest to a person', async () => {
      expect(await call('make_booking', args)).toMatchObject({ success: false, error: 'booking_not_automated' });
    });
    it('at night it asks for placeholder data and refuses a group the room cannot take', async () => {
      const night = context(sv(2027, 2, 22, 22));
      expect(await call('make_booking', { ...args, customer_name: 'pendiente', email: 'n/a' }, night)).toMatchObject({
        error: 'missing_customer_data', missing_fields: ['customer_name', 'email'], assistant_action: 'ASK_CUSTOMER_FOR_MISSING_DATA_NATURALLY',
      });
      expect(await call('make_booking', { ...args, bungalow_type: 'Matrimonial', adults: 3 }, night)).toMatchObject({ error: 'occupancy_exceeded', requested_type: 'Matrimonial' });
      expect(await call('make_booking', { ...args, package_type: 'Pasadía', check_out_date: '2027-02-23' }, night)).toMatchObject({ success: false, field: 'check_out_date' });
      expect(await call('make_booking', { ...args, authorization_number: undefined }, night)).toMatchObject({ error: 'missing_authorization_number' });
      expect(await hotel.query("SELECT used FROM compraclick WHERE autorizacion = '517364'")).toEqual([{ used: '0.00' }]);
    });
  });
});
