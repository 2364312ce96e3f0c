// compraclick and bac reads: by code, by card/amount/day, the ±7-day diagnostic, bank lines of a day with
// amounts parsed in code ('1,250.00' is found).
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createHotelDb, type HotelDb } from '../../../src/store/hotel-db.js';
import { PaymentLedgers } from '../../../src/store/hotel/payment-ledgers.js';
import { describeWithMariaDb, useHotelDatabase } from '../../support/mariadb.js';

describeWithMariaDb('PaymentLedgers', () => {
  const hotel = useHotelDatabase();
  let db: HotelDb;
  let ledgers: PaymentLedgers;

  beforeAll(() => {
    db = createHotelDb({ ...hotel.connection, connectTimeoutMs: 2_000, queryTimeoutMs: 3_000, retries: 1 });
    ledgers = new PaymentLedgers(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  let changed = false;
  afterEach(async () => {
    if (changed) await hotel.reset();
    changed = false;
  });

  async function insertCard(values: { date: string; tarjeta: string; importe: string; autorizacion: string; estado?: string }): Promise<void> {
    changed = true;
    await hotel.query('INSERT INTO compraclick (date, estado, cliente, tarjeta, importe, autorizacion) VALUES (?, ?, ?, ?, ?, ?)', [
      values.date,
      values.estado ?? 'APROBADA',
      'CLIENTE DEMO',
      values.tarjeta,
      values.importe,
      values.autorizacion,
    ]);
  }

  it('card payments by authorization code', async () => {
    expect(await ledgers.cardPaymentsByAuthorization('481920')).toEqual([
      {
        id: 1,
        authorization: '481920',
        date: '2027-01-28 10:07:12',
        amountCents: 13800,
        usedCents: 13800,
        bookingCode: 'HR28601',
        bookingCodes: ['HR28601'],
        dateUsed: '2027-01-28 10:31:12',
        status: 'APROBADA',
        cardMasked: '411111XXXXXX1111',
        customer: 'ANA LUCIA MARTINEZ',
      },
    ]);
    expect(await ledgers.cardPaymentsByAuthorization('517364')).toMatchObject([{ amountCents: 23500, usedCents: 0, bookingCode: null, dateUsed: null }]);
    expect(await ledgers.cardPaymentsByAuthorization('239411')).toMatchObject([{ amountCents: 36990, status: 'ANULADA' }]);
    expect(await ledgers.cardPaymentsByAuthorization('000000')).toEqual([]);
  });

  it('several sales sharing one 6-digit code all come back, by id', async () => {
    await insertCard({ date: '2027-02-08 09:00:00', tarjeta: '499999XXXXXX9999', importe: '50.00', autorizacion: '517364' });
    expect((await ledgers.cardPaymentsByAuthorization('517364')).map((p) => p.amountCents)).toEqual([23500, 5000]);
  });

  it('card payments by last four, amount and calendar day; the card must end with the digits', async () => {
    expect((await ledgers.cardPaymentsByCard('2222', 23500, '2027-02-05')).map((p) => p.authorization)).toEqual(['517364']);
    expect(await ledgers.cardPaymentsByCard('2222', 23500, '2027-02-06')).toEqual([]);
    expect(await ledgers.cardPaymentsByCard('2222', 23501, '2027-02-05')).toEqual([]);
    expect(await ledgers.cardPaymentsByCard('2223', 23500, '2027-02-05')).toEqual([]);
    // '42222…' contains 2222 but does not end with it (HEAD's '%2222%' matched it).
    await insertCard({ date: '2027-02-05 08:00:00', tarjeta: '422222XXXXXX0001', importe: '235.00', autorizacion: '111111' });
    expect((await ledgers.cardPaymentsByCard('2222', 23500, '2027-02-05')).map((p) => p.authorization)).toEqual(['517364']);
  });

  it('by card: newest first, the whole day (00:00:00 to 23:59:59) and nothing of the next', async () => {
    await insertCard({ date: '2027-02-05 23:59:59', tarjeta: '422222XXXXXX2222', importe: '235.00', autorizacion: '222222' });
    await insertCard({ date: '2027-02-05 00:00:00', tarjeta: '422222XXXXXX2222', importe: '235.00', autorizacion: '333333' });
    await insertCard({ date: '2027-02-06 00:00:00', tarjeta: '422222XXXXXX2222', importe: '235.00', autorizacion: '444444' });
    expect((await ledgers.cardPaymentsByCard('2222', 23500, '2027-02-05')).map((p) => p.authorization)).toEqual(['222222', '517364', '333333']);
  });

  it('last four that are not 4 digits are refused (no LIKE wildcards)', async () => {
    for (const bad of ['%', '____', '11111', '12a4']) await expect(ledgers.cardPaymentsByCard(bad, 100, '2027-02-05')).rejects.toBeInstanceOf(TypeError);
  });

  it('diagnostics over day ± 7 say which of card, amount and day matched', async () => {
    // Window 2027-01-29 .. 2027-02-12: the sales of 02-01, 02-05, 02-06 and 02-07 (not 01-28).
    expect(await ledgers.cardDiagnostics('2222', 23500, '2027-02-05')).toEqual({ total: 4, cardMatches: 1, amountMatches: 1, dateMatches: 1 });
    // 2027-01-28 .. 2027-02-11 also holds the sale of 01-28.
    expect(await ledgers.cardDiagnostics('2222', 9900, '2027-02-04')).toEqual({ total: 5, cardMatches: 1, amountMatches: 0, dateMatches: 0 });
    expect(await ledgers.cardDiagnostics('0000', 100, '2026-01-01')).toEqual({ total: 0, cardMatches: 0, amountMatches: 0, dateMatches: 0 });
  });

  it('bank lines of a day, amounts parsed in code', async () => {
    const lines = await ledgers.bankCreditsOn('2027-02-21');
    expect(lines.map((l) => [l.id, l.creditCents, l.usedCents, l.bookingCode])).toEqual([
      [4, 23600, 0, null],
      [5, 23600, 0, null],
      [6, 30000, 30000, null],
    ]);
    expect(lines[0]).toEqual({
      id: 4,
      date: '2027-02-21',
      creditCents: 23600,
      usedCents: 0,
      bookingCode: null,
      bookingCodes: [],
      dateUsed: null,
      description: 'DEPOSITO EFECTIVO AGENCIA',
      reference: '3412987001',
    });
    expect(await ledgers.bankCreditsOn('2027-01-14')).toMatchObject([{ id: 1, creditCents: 12800, usedCents: 12800, bookingCode: 'HR28605', dateUsed: '2027-01-14 20:05:33' }]);
    expect(await ledgers.bankCreditsOn('2027-03-01')).toEqual([]);
  });

  it('one statement line by its id (what make_booking was given), its date as the statement has it', async () => {
    expect(await ledgers.bankCredit(1)).toMatchObject({ id: 1, date: '2027-01-14', creditCents: 12800, usedCents: 12800, bookingCodes: ['HR28605'] });
    expect(await ledgers.bankCredit(999)).toBeUndefined();
    await expect(ledgers.bankCredit(0)).rejects.toBeInstanceOf(TypeError);
  });

  it('a codreser naming several bookings is read as each of them, in order', async () => {
    changed = true;
    await hotel.query("UPDATE bac SET codreser = 'HR28605, HR28620,' WHERE id = 1");
    expect(await ledgers.bankCreditsOn('2027-01-14')).toMatchObject([{ id: 1, bookingCode: 'HR28605, HR28620,', bookingCodes: ['HR28605', 'HR28620'] }]);
  });

  it("a '1,250.00' credit is found (the original's credit = ? never matched it); unreadable text is undefined", async () => {
    changed = true;
    await hotel.query(
      "INSERT INTO bac (date, reference, code, description, debit, credit, balance, used) VALUES ('23/02/2027', '1', 'TF', 'TRANSFERENCIA GRANDE', '0.00', '1,250.00', '12906.00', 0), ('23/02/2027', '2', 'TF', 'ILEGIBLE', '0.00', 'n/d', '', 0), ('1/3/2027', '3', 'TF', 'SIN CEROS', '0.00', '99.50', '', 0)",
    );
    expect((await ledgers.bankCreditsOn('2027-02-23')).map((l) => [l.description, l.creditCents])).toEqual([
      ['TRANSFERENCIA GRANDE', 125000],
      ['ILEGIBLE', undefined],
    ]);
    expect((await ledgers.bankCreditsOn('2027-03-01')).map((l) => l.creditCents)).toEqual([9950]);
  });
});
