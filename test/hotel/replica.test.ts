// The replica HOTEL database the hotel tests run on, and the fake booking API over it: the project's copy of
// the schema and seed loads into the private MariaDB server, and the availability facts of
// shared/reference/hotel-backends.md §1.9 hold through GET /api/getRooms.
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { INVENTORY, parseRoomList, startFakeBookingApi, type FakeBookingApi } from '../support/fake-booking-api.js';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';
import { sleep } from '../support/wait.js';

describeWithMariaDb('hotel replica database', () => {
  const db = useHotelDatabase();

  it('loads the seed: 120 rate days, 9 guest bookings, 3 member bookings', async () => {
    const [rates] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM tarifarios');
    const [books] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM user_books');
    const [members] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM member_books');
    expect([rates?.n, books?.n, members?.n]).toEqual([120, 9, 3]);
  });

  it('keeps accents and the seeded text formats (utf8mb4, prices as text)', async () => {
    const rows = await db.query<{ reserverooms: string; lh_adulto: string }>(
      'SELECT b.reserverooms, t.lh_adulto FROM user_books b JOIN tarifarios t ON t.date = b.checkIn WHERE b.reserva = ?',
      [28602],
    );
    expect(rows).toEqual([{ reserverooms: '1-Pasadía', lh_adulto: expect.stringMatching(/^\d+\.\d\d$/) }]);
  });

  it('reset() brings a changed table back to the seed', async () => {
    await db.query("UPDATE user_books SET cancel_flag = 'yes'");
    await db.reset();
    const rows = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM user_books WHERE cancel_flag = 'no'");
    expect(rows[0]?.n).toBe(8);
  });

  it('gives each suite its own database named hotel_<worker>_<n>', () => {
    expect(db.connection.database).toMatch(/^hotel_\w+_\d+$/);
    expect(db.connection.host).toBe('127.0.0.1');
  });
});

it('parses every reserverooms format of §1.3', () => {
  expect(parseRoomList('1-24')).toEqual(['24']);
  expect(parseRoomList('1-Pasadía')).toEqual(['Pasadía']);
  expect(parseRoomList('24+25+26')).toEqual(['24', '25', '26']);
  expect(parseRoomList('1-24,25')).toEqual(['24', '25']);
  expect(parseRoomList('1-24+25,26+27')).toEqual(['24', '25', '26', '27']);
  expect(parseRoomList('1-3A')).toEqual(['3A']);
  expect(parseRoomList(' 1- 3a , 4A ')).toEqual(['3A', '4A']);
});

describeWithMariaDb('fake booking API over the replica', () => {
  const db = useHotelDatabase();
  let api: FakeBookingApi;

  beforeAll(async () => {
    api = await startFakeBookingApi({ connection: db.connection });
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(async () => {
    await db.reset();
  });

  async function getRooms(checkIn: string, checkOut: string): Promise<{ status: number; body: unknown }> {
    const res = await request(`${api.url}/api/getRooms?checkIn=${checkIn}&checkOut=${checkOut}`);
    return { status: res.statusCode, body: await res.body.json() };
  }

  async function free(checkIn: string, checkOut: string): Promise<string[]> {
    const { status, body } = await getRooms(checkIn, checkOut);
    expect(status).toBe(200);
    return Object.values((body as { info: Record<string, string> }).info);
  }

  const familiar = Array.from({ length: 17 }, (_, i) => String(i + 1));
  const habitaciones = Array.from({ length: 14 }, (_, i) => `${i + 1}A`);

  it('2027-02-12→02-14: the cancelled booking does not hold room 10; 24, 22 and member room 40 are taken', async () => {
    const rooms = await free('2027-02-12', '2027-02-14');
    expect(rooms).toContain('10');
    for (const taken of ['24', '22', '40']) expect(rooms).not.toContain(taken);
    expect(rooms).toHaveLength(INVENTORY.length - 3);
  });

  it("2027-03-26→03-28: the '+'-joined event block leaves no Familiar room; '1-24,25' and '1-41+43' hold all theirs", async () => {
    const rooms = await free('2027-03-26', '2027-03-28');
    expect(rooms.filter((r) => familiar.includes(r))).toEqual([]);
    for (const taken of ['24', '25', '30', '31', '32', '41', '43']) expect(rooms).not.toContain(taken);
    expect(rooms).toContain('18');
    expect(rooms).toContain('1A');
  });

  it('2027-04-02→04-04: every Habitación is blocked, Juniors are free', async () => {
    const rooms = await free('2027-04-02', '2027-04-04');
    expect(rooms.filter((r) => habitaciones.includes(r))).toEqual([]);
    expect(rooms).toContain('24');
  });

  it('the check-out day is free; a cancelled member booking holds nothing; Pasadía is always free', async () => {
    expect(await free('2027-02-14', '2027-02-16')).toContain('24');
    expect(await free('2027-02-14', '2027-02-16')).not.toContain('40');
    const jan15 = await free('2027-01-15', '2027-01-16');
    expect(jan15).toContain('12');
    expect(jan15).not.toContain('3A');
    expect(await free('2027-03-26', '2027-03-28')).toContain('Pasadía');
  });

  it('a same-day range is the night of that date', async () => {
    const feb13 = await free('2027-02-13', '2027-02-13');
    expect(feb13).not.toContain('24');
    expect(feb13).not.toContain('22');
    const feb14 = await free('2027-02-14', '2027-02-14');
    expect(feb14).toContain('24');
    expect(feb14).not.toContain('40');
  });

  it('answers info as an object with opaque, gapped keys, or as an array when told', async () => {
    const { body } = await getRooms('2027-02-12', '2027-02-14');
    const keys = Object.keys((body as { info: Record<string, string> }).info);
    expect(keys[0]).toBe('1');
    expect(keys).not.toEqual(keys.map((_, i) => String(i + 1)));
    api.failNext('getRooms', 'array_info');
    const again = await getRooms('2027-02-12', '2027-02-14');
    expect(Array.isArray((again.body as { info: unknown }).info)).toBe(true);
  });

  it('rejects missing or invalid dates with 400 and a message', async () => {
    for (const [a, b] of [['', '2027-02-14'], ['2027-02-30', '2027-03-01'], ['2027-02-14', '02/15/2027'], ['2027-02-14', '2027-02-12']]) {
      const res = await getRooms(a ?? '', b ?? '');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: expect.any(String) });
    }
  });

  const form = (overrides: Record<string, string> = {}) =>
    new URLSearchParams({
      titulo: 'Sra.',
      firstname: 'Ana',
      lastname: 'Prueba',
      phone: '70000099',
      reserverooms: '1-24',
      ciudad: 'Santa Tecla',
      checkIn: '02/19/2027',
      checkOut: '02/21/2027',
      acomodacion: 'Bungalow Junior',
      adultcount: '2',
      childcount: '0',
      childcount1: '0',
      payway: 'Tarjeta de crédito',
      loadamount: '138.00',
      reseramount: '276.00',
      adultrate: '69.00',
      childrate: '34.50',
      email: 'ana@example.com',
      cardnumer: '0',
      duedate: '0',
      compraclick: '517364',
      username: 'VM',
      cancel_flag: 'no',
      service: 'Paquete Las Hojas',
      commenthotel: 'Reserva realizada por el bot',
      comment: 'Reserva realizada por el bot',
      ...overrides,
    }).toString();

  const post = async (body: string) => {
    const res = await request(`${api.url}/api/addBookingUserRest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    return { status: res.statusCode, body: await res.body.json() };
  };

  it('a booking writes the user_books row the backend would and then holds its room', async () => {
    const before = api.bookings();
    const res = await post(form({ reserverooms: '24+25', adultcount: '2+2', childcount: '0', childcount1: '0+1' }));
    expect(res).toEqual({ status: 200, body: { status: 'success', reserva: expect.any(Number) } });
    const reserva = (res.body as { reserva: number }).reserva;
    const [row] = await db.query<Record<string, string>>('SELECT * FROM user_books WHERE reserva = ?', [reserva]);
    expect(row).toMatchObject({ reserverooms: '24+25', checkIn: '02/19/2027', cardnumber: '0', childcount1: '0+1', cancel_flag: 'no' });
    const rooms = await free('2027-02-20', '2027-02-21');
    expect(rooms).not.toContain('24');
    expect(rooms).not.toContain('25');
    expect(api.bookings()).toBe(before + 1);
    const again = await post(form({ reserverooms: '1-25' }));
    expect(again).toEqual({ status: 409, body: { message: 'La habitación 25 no está disponible' } });
  });

  it('two bookings racing for the same room: one wins, one gets 409', async () => {
    const before = api.bookings();
    const results = await Promise.all([post(form()), post(form())]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(api.bookings()).toBe(before + 1);
  });

  it('names the wrong field in a 400 and writes nothing', async () => {
    const before = api.bookings();
    const cases: [Record<string, string>, RegExp][] = [
      [{ checkIn: '2027-02-19' }, /^checkIn /],
      [{ acomodacion: '' }, /^acomodacion /],
      [{ adultcount: '2+2' }, /^adultcount /],
      [{ reserverooms: '1-99' }, /^reserverooms/],
      [{ loadamount: 'ciento' }, /^loadamount /],
    ];
    for (const [overrides, expected] of cases) {
      const res = await post(form(overrides));
      expect(res.status).toBe(400);
      expect((res.body as { message: string }).message).toMatch(expected);
    }
    const missing = new URLSearchParams(form());
    missing.delete('username');
    expect((await post(missing.toString())).body).toEqual({ message: 'username is required' });
    expect(api.bookings()).toBe(before);
  });

  it('hangs after writing the row: the booking exists, the answer never comes', async () => {
    const before = api.bookings();
    api.hangBookings('after_insert');
    const arrived = api.nextBookingRequest();
    const giveUp = new AbortController();
    const res = request(`${api.url}/api/addBookingUserRest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form(),
      signal: giveUp.signal,
    });
    await arrived;
    await sleep(100); // nothing comes, even a while after the row was written
    giveUp.abort();
    await expect(res).rejects.toThrow(/abort/i);
    api.hangBookings(false);
    expect((await arrived).reserverooms).toBe('1-24');
    expect(api.bookings()).toBe(before + 1);
    expect(await db.query("SELECT reserva FROM user_books WHERE checkIn = '02/19/2027'")).toHaveLength(1);
  });
});
