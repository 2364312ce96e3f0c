// The replica HOTEL database the hotel tests run on: the project's copy of the schema and seed loads into
// the private MariaDB server, in a database of the suite's own.
import { expect, it } from 'vitest';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';

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
      "SELECT b.reserverooms, t.lh_adulto FROM user_books b JOIN tarifarios t ON t.date = b.checkIn WHERE b.reserva = ?",
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
