// The service's booking API client against the fake booking API on the real replica database: what it
// reads from getRooms, and how every answer of addBookingUserRest is classified (above all, which failures
// leave the booking possibly made).
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BookingApiError, createBookingApi, isRoomUnavailableMessage, type BookingForm } from '../../src/hotel/booking-api.js';
import { startFakeBookingApi, type FakeBookingApi } from '../support/fake-booking-api.js';
import { listenLocal } from '../support/fake-wati.js';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';

const familiar = Array.from({ length: 17 }, (_, i) => String(i + 1));

function bookingForm(overrides: Partial<BookingForm> = {}): BookingForm {
  return {
    titulo: 'Sra.',
    firstname: 'Ana',
    lastname: 'Prueba',
    phone: '70000099',
    reserverooms: '1-24',
    ciudad: 'Santa Tecla',
    checkIn: '02/19/2027',
    checkOut: '02/21/2027',
    acomodacion: 'Bungalow Junior: 1 ambiente, 2 camas, 1 baño, terraza para hamacas.',
    adultcount: '2',
    childcount: '0',
    childcount1: '0',
    payway: 'Tarjeta de crédito',
    loadamount: '138.00',
    reseramount: '276.00',
    adultrate: '69.00',
    childrate: '34.50',
    email: 'ana@example.com',
    dui: '00000099-9',
    national: 'Salvadoreña',
    cardusername: 'Ana Prueba',
    cardnumer: '0',
    duedate: '0',
    compraclick: '517364',
    username: 'VM',
    cancel_flag: 'no',
    service: 'Paquete Las Hojas',
    commenthotel: 'Reserva realizada por Valeria Mendoza',
    comment: 'Reserva realizada por Valeria Mendoza',
    ...overrides,
  };
}

async function caught(promise: Promise<unknown>): Promise<BookingApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof BookingApiError)) throw new Error(`expected a BookingApiError, got ${String(err)}`);
  return err;
}

describeWithMariaDb('booking API client against the fake backend', () => {
  const db = useHotelDatabase();
  let fake: FakeBookingApi;
  let api: ReturnType<typeof createBookingApi>;

  beforeAll(async () => {
    fake = await startFakeBookingApi({ connection: db.connection });
    api = createBookingApi({ baseUrl: `${fake.url}/`, timeoutMs: 2_000 });
  });
  afterAll(async () => {
    await api?.close();
    await fake?.close();
  });
  afterEach(async () => {
    fake.hangBookings(false);
    await db.reset();
  });

  describe('freeRooms', () => {
    it('2027-03-26→03-28: no Familiar room is free (the event block)', async () => {
      const rooms = await api.freeRooms('2027-03-26', '2027-03-28');
      expect(rooms.filter((r) => familiar.includes(r))).toEqual([]);
      expect(rooms).toContain('18');
    });

    it('2027-02-12→02-14: room 10 is free (its booking was cancelled), 24 is not', async () => {
      const rooms = await api.freeRooms('2027-02-12', '2027-02-14');
      expect(rooms).toContain('10');
      expect(rooms).not.toContain('24');
      expect(new Set(rooms).size).toBe(rooms.length);
      expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/getRooms', query: { checkIn: '2027-02-12', checkOut: '2027-02-14' } });
    });

    it('accepts info as an array too', async () => {
      fake.failNext('getRooms', 'array_info');
      const rooms = await api.freeRooms('2027-04-02', '2027-04-04');
      expect(rooms).toContain('24');
      expect(rooms).not.toContain('1A');
    });

    it('a 500 is http_error, an HTML page bad_response, a 400 rejected', async () => {
      fake.failNext('getRooms', 'http500');
      expect(await caught(api.freeRooms('2027-02-12', '2027-02-14'))).toMatchObject({ code: 'http_error', status: 500 });
      fake.failNext('getRooms', 'not_json');
      expect(await caught(api.freeRooms('2027-02-12', '2027-02-14'))).toMatchObject({ code: 'bad_response', message: expect.stringMatching(/not JSON/) });
      expect(await caught(api.freeRooms('2027-02-14', '2027-02-12'))).toMatchObject({ code: 'rejected', status: 400 });
    });
  });

  describe('createBooking', () => {
    it('a success writes the user_books row and returns its reserva', async () => {
      const before = fake.bookings();
      const { reserva } = await api.createBooking(bookingForm());
      expect(reserva).toMatch(/^\d+$/);
      const rows = await db.query<Record<string, string>>('SELECT * FROM user_books WHERE reserva = ?', [reserva]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ reserverooms: '1-24', checkIn: '02/19/2027', acomodacion: expect.stringContaining('baño'), cardnumber: '0' });
      expect(fake.bookings()).toBe(before + 1);
      expect(fake.requests.at(-1)?.form).toEqual({ ...bookingForm() });
    });

    it('a validation 400 is rejected, not ambiguous, and names the field', async () => {
      const err = await caught(api.createBooking(bookingForm({ acomodacion: '' })));
      expect(err).toMatchObject({ code: 'rejected', status: 400, ambiguous: false });
      expect(err.message).toMatch(/acomodacion/);
    });

    it('a 409 for a taken room is room_unavailable, not ambiguous', async () => {
      const err = await caught(api.createBooking(bookingForm({ reserverooms: '1-24', checkIn: '02/12/2027', checkOut: '02/14/2027' })));
      expect(err).toMatchObject({ code: 'room_unavailable', status: 409, ambiguous: false });
      expect(err.message).toMatch(/no está disponible/);
      fake.failNext('addBooking', 'room_unavailable');
      expect(await caught(api.createBooking(bookingForm()))).toMatchObject({ code: 'room_unavailable', ambiguous: false });
    });

    it('a 500 is http_error and ambiguous', async () => {
      fake.failNext('addBooking', 'http500');
      expect(await caught(api.createBooking(bookingForm()))).toMatchObject({ code: 'http_error', status: 500, ambiguous: true });
    });

    it('no answer within timeoutMs is timeout and ambiguous, within the bound', async () => {
      const quick = createBookingApi({ baseUrl: fake.url, timeoutMs: 300 });
      try {
        fake.hangBookings('after_insert');
        const started = Date.now();
        const err = await caught(quick.createBooking(bookingForm()));
        const took = Date.now() - started;
        expect(err).toMatchObject({ code: 'timeout', ambiguous: true });
        expect(took).toBeGreaterThanOrEqual(280);
        expect(took).toBeLessThan(1_500);
        // It was right to call it ambiguous: the booking exists.
        expect(await db.query("SELECT reserva FROM user_books WHERE checkIn = '02/19/2027'")).toHaveLength(1);
        fake.failNext('getRooms', 'timeout');
        expect(await caught(quick.freeRooms('2027-02-12', '2027-02-14'))).toMatchObject({ code: 'timeout', ambiguous: false });
      } finally {
        await quick.close();
      }
    });

    it('a 200 HTML page, or a 200 without reserva, is bad_response and ambiguous', async () => {
      fake.failNext('addBooking', 'not_json');
      expect(await caught(api.createBooking(bookingForm()))).toMatchObject({ code: 'bad_response', status: 200, ambiguous: true });
      fake.failNext('addBooking', 'array_info');
      const err = await caught(api.createBooking(bookingForm({ reserverooms: '1-25' })));
      expect(err).toMatchObject({ code: 'bad_response', ambiguous: true });
      expect(err.message).toMatch(/no reserva/);
    });

    it('the caller aborting is passed through as its own reason', async () => {
      fake.hangBookings('before_insert');
      const controller = new AbortController();
      const pending = api.createBooking(bookingForm(), controller.signal);
      await fake.nextBookingRequest();
      controller.abort(new Error('shutting down'));
      await expect(pending).rejects.toThrow('shutting down');
    });
  });
});

describe('booking API client without a backend', () => {
  it('a refused connection is network, not ambiguous (the request never left)', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const address = srv.address();
        srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const api = createBookingApi({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2_000 });
    try {
      const err = await caught(api.createBooking(bookingForm()));
      expect(err).toMatchObject({ code: 'network', ambiguous: false });
    } finally {
      await api.close();
    }
  });

  it('keeps the base URL path, follows no redirect (a 3xx after the POST is ambiguous)', async () => {
    const elsewhere: string[] = [];
    const other = await listenLocal(async (req, res) => {
      elsewhere.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success","reserva":1}');
    });
    const seen: string[] = [];
    const backend = await listenLocal(async (req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(302, { location: `${other.origin}/api/addBookingUserRest` }).end();
    });
    const api = createBookingApi({ baseUrl: `${backend.origin}/hotel/`, timeoutMs: 2_000 });
    try {
      expect(await caught(api.createBooking(bookingForm()))).toMatchObject({ code: 'http_error', status: 302, ambiguous: true });
      expect(await caught(api.freeRooms('2027-02-12', '2027-02-14'))).toMatchObject({ code: 'http_error', ambiguous: false });
      expect(seen).toEqual(['POST /hotel/api/addBookingUserRest', 'GET /hotel/api/getRooms?checkIn=2027-02-12&checkOut=2027-02-14']);
      expect(elsewhere).toEqual([]);
    } finally {
      await api.close();
      await Promise.all([backend.close(), other.close()]);
    }
  });

  it('recognises room-unavailable messages in Spanish and English, accents or not', () => {
    for (const m of ['La habitación 24 no está disponible', 'HABITACION NO DISPONIBLE', 'Room already booked', 'room is occupied', 'Habitación ocupada', 'ya reservada', 'Not available']) {
      expect(isRoomUnavailableMessage(m), m).toBe(true);
    }
    expect(isRoomUnavailableMessage('firstname is required')).toBe(false);
  });
});
