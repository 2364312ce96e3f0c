// user_books: lookup by reserva, the cancelled flag, and finding a booking whose API answer was lost.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHotelDb, type HotelDb } from '../../../src/store/hotel-db.js';
import { GuestBookings } from '../../../src/store/hotel/guest-bookings.js';
import { describeWithMariaDb, useHotelDatabase } from '../../support/mariadb.js';

describeWithMariaDb('GuestBookings', () => {
  const hotel = useHotelDatabase();
  let db: HotelDb;
  let bookings: GuestBookings;

  beforeAll(() => {
    db = createHotelDb({ ...hotel.connection, connectTimeoutMs: 2_000, queryTimeoutMs: 3_000, retries: 1 });
    bookings = new GuestBookings(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('finds 28601 with every field, dates as ISO', async () => {
    expect(await bookings.byReserva('28601')).toEqual({
      reserva: '28601',
      createdAt: '2027-01-28 10:31:10',
      titulo: 'Sra.',
      firstname: 'Ana',
      lastname: 'Lucia Martinez',
      phone: '70000001',
      email: 'ana.demo@example.com',
      checkIn: '2027-02-12',
      checkOut: '2027-02-14',
      accommodation: 'Bungalow Junior: 1 ambiente, 2 camas, 1 baño, terraza para hamacas.',
      adults: '2',
      children0to5: '0',
      children6to10: '0',
      payway: 'Tarjeta de crédito',
      paidAmount: '138.00',
      totalAmount: '276.00',
      adultRate: '69.00',
      childRate: '34.50',
      comment: 'Reserva realizada por Valeria Mendoza',
      service: 'Paquete Las Hojas',
      cancelled: false,
      rooms: '1-24',
      compraclick: '481920',
    });
  });

  it('28606 is cancelled; multi-room counts stay as written', async () => {
    expect(await bookings.byReserva('28606')).toMatchObject({ reserva: '28606', cancelled: true, rooms: '1-10' });
    expect(await bookings.byReserva('28608')).toMatchObject({ adults: '2+3+2', children0to5: '0+0+1', rooms: '30+31+32', compraclick: null });
  });

  it('cancel_flag is trimmed and lower-cased', async () => {
    await hotel.query("UPDATE user_books SET cancel_flag = ' No' WHERE reserva = 28602");
    await hotel.query("UPDATE user_books SET cancel_flag = 'YES' WHERE reserva = 28605");
    try {
      expect((await bookings.byReserva('28602'))?.cancelled).toBe(false);
      expect((await bookings.byReserva('28605'))?.cancelled).toBe(true);
    } finally {
      await hotel.reset();
    }
  });

  it('anything but digits is not looked up; an unknown number is undefined', async () => {
    for (const code of ['HR28601', '', '28601 OR 1=1', '-1', '123456789012']) expect(await bookings.byReserva(code)).toBeUndefined();
    expect(await bookings.byReserva('99999')).toBeUndefined();
  });

  it('findRecent: by dates, phone and creation time, optionally the card code; newest first', async () => {
    const base = { checkIn: '2027-02-12', checkOut: '2027-02-14', phone: '70000001', since: '2027-01-28 00:00:00' };
    expect((await bookings.findRecent(base)).map((b) => b.reserva)).toEqual(['28601']);
    expect((await bookings.findRecent({ ...base, compraclick: '481920' })).map((b) => b.reserva)).toEqual(['28601']);
    expect(await bookings.findRecent({ ...base, compraclick: '000000' })).toEqual([]);
    expect(await bookings.findRecent({ ...base, since: '2027-01-28 10:31:11' })).toEqual([]);
    expect(await bookings.findRecent({ ...base, phone: '70000002' })).toEqual([]);

    await hotel.query(
      `INSERT INTO user_books (reserva, timestamp, firstname, lastname, phone, reserverooms, checkIn, checkOut, acomodacion, compraclick)
       VALUES (28650, '2027-01-29 08:00:00', 'Ana', 'Lucia Martinez', '70000001', '1-25', '02/12/2027', '02/14/2027', 'Bungalow Junior', NULL)`,
    );
    try {
      expect((await bookings.findRecent(base)).map((b) => b.reserva)).toEqual(['28650', '28601']);
      expect((await bookings.findRecent({ ...base, compraclick: '481920' })).map((b) => b.reserva)).toEqual(['28601']);
    } finally {
      await hotel.reset();
    }
  });
});
