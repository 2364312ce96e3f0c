// Statement lines into the real `bac` table: new lines inserted with used = 0 and the date as dd/mm/yyyy,
// a repeated import inserts nothing, the seeded rows count as already there, '1,250.00' is found by amount.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createHotelDb, type HotelDb } from '../../../src/store/hotel-db.js';
import type { StatementLine } from '../../../src/hotel-rules/ledger-rows.js';
import { insertStatementLines } from '../../../src/store/hotel/bac-import.js';
import { PaymentLedgers } from '../../../src/store/hotel/payment-ledgers.js';
import { describeWithMariaDb, useHotelDatabase } from '../../support/mariadb.js';

function line(partial: Partial<StatementLine> & Pick<StatementLine, 'reference'>): StatementLine {
  return {
    date: '2027-03-05',
    dateText: '05/03/2027',
    code: 'TF',
    description: 'TRANSFERENCIA 365 CLIENTE',
    debit: '0.00',
    credit: '100.00',
    balance: '10100.00',
    creditCents: 10000,
    debitCents: 0,
    ...partial,
  };
}

describeWithMariaDb('insertStatementLines', () => {
  const hotel = useHotelDatabase();
  let db: HotelDb;

  beforeAll(() => {
    db = createHotelDb({ ...hotel.connection, connectTimeoutMs: 2_000, queryTimeoutMs: 3_000, retries: 1 });
  });
  afterAll(async () => {
    await db?.close();
  });
  afterEach(async () => {
    await hotel.reset();
  });

  it('inserts new lines once; a second import and the seeded rows are skipped', async () => {
    const lines = [
      line({ reference: '3500000001', credit: '1,250.00', creditCents: 125000, balance: '11,350.00', description: 'TRANSFERENCIA UNI JOSÉ' }),
      line({ reference: '3500000002' }),
      // seeded: 21/02/2027 3412990345 TF 0.00 236.00
      line({ reference: '3412990345', dateText: '21/02/2027', date: '2027-02-21', credit: '236.00', creditCents: 23600 }),
    ];
    expect(await insertStatementLines(db, lines)).toEqual({ inserted: 2, skipped: 1, rejected: 0 });
    expect(await insertStatementLines(db, lines)).toEqual({ inserted: 0, skipped: 3, rejected: 0 });

    const rows = await hotel.query<Record<string, unknown>>(
      "SELECT date, reference, code, description, debit, credit, balance, used, codreser FROM bac WHERE reference LIKE '35%' ORDER BY id",
    );
    expect(rows).toEqual([
      { date: '05/03/2027', reference: '3500000001', code: 'TF', description: 'TRANSFERENCIA UNI JOSÉ', debit: '0.00', credit: '1,250.00', balance: '11,350.00', used: '0.00', codreser: null },
      { date: '05/03/2027', reference: '3500000002', code: 'TF', description: 'TRANSFERENCIA 365 CLIENTE', debit: '0.00', credit: '100.00', balance: '10100.00', used: '0.00', codreser: null },
    ]);

    const credits = await new PaymentLedgers(db).bankCreditsOn('2027-03-05');
    expect(credits.map((c) => c.creditCents)).toEqual([125000, 10000]);
  });

  it('the same key twice in one statement is one row; a different amount is another line', async () => {
    const result = await insertStatementLines(db, [
      line({ reference: '3500000003' }),
      line({ reference: '3500000003', balance: '10200.00' }),
      line({ reference: '3500000003', credit: '50.00', creditCents: 5000 }),
    ]);
    expect(result).toEqual({ inserted: 2, skipped: 1, rejected: 0 });
  });

  it('runs inside a caller transaction, which can roll it back', async () => {
    await expect(
      db.transaction(async (tx) => {
        expect(await insertStatementLines(tx, [line({ reference: '3500000004' })])).toEqual({ inserted: 1, skipped: 0, rejected: 0 });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await hotel.query("SELECT id FROM bac WHERE reference = '3500000004'")).toEqual([]);
  });

  it('a key field too long for its column is rejected, a long description is cut', async () => {
    const result = await insertStatementLines(db, [line({ reference: 'R'.repeat(65) }), line({ reference: '3500000005', description: 'D'.repeat(300) })]);
    expect(result).toEqual({ inserted: 1, skipped: 0, rejected: 1 });
    const [row] = await hotel.query<{ n: number }>("SELECT CHAR_LENGTH(description) AS n FROM bac WHERE reference = '3500000005'");
    expect(row?.n).toBe(255);
  });
});
