// tarifarios: one statement for all the nights, text prices into cents, a bad price named.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHotelDb, HotelDbError, type HotelDb } from '../../../src/store/hotel-db.js';
import { RatesRepository } from '../../../src/store/hotel/rates-repository.js';
import { describeWithMariaDb, useHotelDatabase } from '../../support/mariadb.js';

describeWithMariaDb('RatesRepository', () => {
  const hotel = useHotelDatabase();
  let db: HotelDb;
  let rates: RatesRepository;

  beforeAll(() => {
    db = createHotelDb({ ...hotel.connection, connectTimeoutMs: 2_000, queryTimeoutMs: 3_000, retries: 1 });
    rates = new RatesRepository(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('reads the seeded dates in cents; a date without a row is missing', async () => {
    const map = await rates.ratesFor(['2027-01-01', '2027-01-02', '2026-12-31', '2027-01-01']);
    expect([...map.keys()].sort()).toEqual(['2027-01-01', '2027-01-02']);
    expect(map.get('2027-01-01')).toEqual({ date: '2027-01-01', lhAdult: 7900, lhChild: 3950, paAdult: 2900, paChild: 1450, esAdult: 7400, esChild: 3700 });
    expect(map.get('2027-01-02')).toMatchObject({ lhAdult: 6900, lhChild: 3450, paChild: 1700 });
  });

  it('reads a whole stay (Semana Santa nights) at once', async () => {
    const map = await rates.ratesFor(['2027-03-24', '2027-03-25', '2027-03-26', '2027-03-27', '2027-03-28', '2027-03-29']);
    expect([...map.values()].map((r) => r.lhAdult)).toEqual([7900, 7900, 7900, 7900, 7900, 5900]);
  });

  it('asks nothing for no dates, and refuses a date that is not ISO', async () => {
    expect((await rates.ratesFor([])).size).toBe(0);
    await expect(rates.ratesFor(['04/30/2027'])).rejects.toBeInstanceOf(TypeError);
  });

  it('a price that does not parse is bad_row naming the column and the date', async () => {
    await hotel.query("UPDATE tarifarios SET lh_nino = 'n/a' WHERE date = '04/30/2027'");
    try {
      const err = await rates.ratesFor(['2027-04-29', '2027-04-30']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HotelDbError);
      expect((err as HotelDbError).code).toBe('bad_row');
      expect((err as Error).message).toContain('lh_nino');
      expect((err as Error).message).toContain('04/30/2027');
      // Other dates are unaffected.
      expect((await rates.ratesFor(['2027-04-29'])).get('2027-04-29')?.lhChild).toBe(2950);
    } finally {
      await hotel.reset();
    }
  });

  it('a date written without padding is found too', async () => {
    await hotel.query("UPDATE tarifarios SET date = '5/1/2027' WHERE date = '04/30/2027'");
    try {
      expect((await rates.ratesFor(['2027-05-01'])).get('2027-05-01')?.lhAdult).toBe(6900);
    } finally {
      await hotel.reset();
    }
  });
});
