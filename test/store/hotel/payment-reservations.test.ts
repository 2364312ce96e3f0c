// Money counted once under a real lock: reserve takes the lock and the money in one transaction, two
// processes racing for one payment get one ok and one in_progress, release gives back once, finalize
// writes the booking code once.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createHotelDb, type HotelDb } from '../../../src/store/hotel-db.js';
import { lockKeyOf, PaymentReservations, type PaymentRef } from '../../../src/store/hotel/payment-reservations.js';
import { describeWithMariaDb, useHotelDatabase } from '../../support/mariadb.js';

const FRESH_CARD: PaymentRef = { kind: 'card', authorization: '517364' }; // 235.00, unused
const FRESH_BANK: PaymentRef = { kind: 'bank', bacId: 4 }; // 236.00, unused
/** Conversation c1, which booked these (our booking_attempts), reserving. */
const byC1 = (ledgerRowId: number, ...bookings: [reserva: string, amountCents: number][]) => ({
  conversationId: 'c1',
  booked: bookings.map(([reserva, amountCents]) => ({ conversationId: 'c1', ledgerRowId, reserva, amountCents })),
});

describeWithMariaDb('PaymentReservations', () => {
  const hotel = useHotelDatabase();
  // Two pools: two processes of the service.
  let dbA: HotelDb;
  let dbB: HotelDb;
  let a: PaymentReservations;
  let b: PaymentReservations;

  beforeAll(() => {
    const opts = { ...hotel.connection, connectTimeoutMs: 2_000, queryTimeoutMs: 5_000, retries: 2 };
    dbA = createHotelDb(opts);
    dbB = createHotelDb(opts);
    a = new PaymentReservations(dbA);
    b = new PaymentReservations(dbB);
  });
  afterAll(async () => {
    await dbA?.close();
    await dbB?.close();
  });
  beforeEach(async () => {
    await hotel.reset();
  });

  const cardUsed = async (auth: string) => (await hotel.query<{ used: string }>('SELECT used FROM compraclick WHERE autorizacion = ? ORDER BY id', [auth])).map((r) => r.used);
  const bankRow = async (id: number) => (await hotel.query<{ used: string; codreser: string | null; dateused: string | null }>('SELECT used, codreser, dateused FROM bac WHERE id = ?', [id]))[0];
  const locks = async () => (await hotel.query<{ payment_ref: string; wa_id: string }>('SELECT payment_ref, wa_id FROM booking_locks ORDER BY payment_ref')).map((r) => `${r.payment_ref}:${r.wa_id}`);

  it('lock keys are the original format', () => {
    expect(lockKeyOf(FRESH_CARD)).toBe('CC_517364');
    expect(lockKeyOf(FRESH_BANK)).toBe('BAC_4');
    expect(() => lockKeyOf({ kind: 'card', authorization: "1' OR '1" })).toThrow(TypeError);
    expect(() => lockKeyOf({ kind: 'bank', bacId: 0 })).toThrow(TypeError);
  });

  it('reserve takes the lock and raises used once; the stale 2020 lock is purged', async () => {
    const result = await a.reserve({ ref: FRESH_CARD, holder: '50370000004', amountCents: 13837, requiredRemainingCents: 11750 });
    expect(result).toEqual({ ok: true, ledgerRowId: 3, amountCents: 13837, remainingBeforeCents: 23500 });
    expect(await cardUsed('517364')).toEqual(['138.37']);
    expect(await locks()).toEqual(['CC_517364:50370000004']);
    expect(await a.isLocked(FRESH_CARD, '50370000004')).toBe(true);
    expect(await a.isLocked(FRESH_CARD, 'someone else')).toBe(false);
  });

  it('a lock held by someone (not stale) is in_progress and nothing is taken', async () => {
    await hotel.query("INSERT INTO booking_locks (payment_ref, wa_id) VALUES ('CC_517364', 'other')");
    expect(await a.reserve({ ref: FRESH_CARD, holder: 'me', amountCents: 10000, requiredRemainingCents: 10000 })).toEqual({ ok: false, reason: 'in_progress' });
    expect(await cardUsed('517364')).toEqual(['0.00']);
    // A refusal rolls back the whole transaction, the purge of the stale 2020 lock too (the next ok purges it).
    expect(await locks()).toEqual(['CC_517364:other', 'CC_999999:50300000000']);
  });

  it('a lock older than staleLockMinutes no longer blocks', async () => {
    await hotel.query("INSERT INTO booking_locks (payment_ref, wa_id, locked_at) VALUES ('CC_517364', 'crashed', NOW() - INTERVAL 11 MINUTE)");
    expect(await a.reserve({ ref: FRESH_CARD, holder: 'me', amountCents: 10000, requiredRemainingCents: 10000 })).toMatchObject({ ok: true });
    expect(await locks()).toEqual(['CC_517364:me']);
  });

  it('the same payment reserved by two processes at once: one ok, one in_progress, money taken once (20 runs)', async () => {
    for (let run = 0; run < 20; run++) {
      await hotel.query("DELETE FROM booking_locks WHERE payment_ref IN ('CC_517364', 'BAC_4')");
      await hotel.query("UPDATE compraclick SET used = 0 WHERE autorizacion = '517364'");
      await hotel.query('UPDATE bac SET used = 0 WHERE id = 4');
      // 100.00 of 235.00: without the lock both would fit, so only the lock can refuse the second.
      const card = { ref: FRESH_CARD, amountCents: 10000, requiredRemainingCents: 10000 };
      const bank = { ref: FRESH_BANK, amountCents: 11800, requiredRemainingCents: 11800 };
      const results = await Promise.all([a.reserve({ ...card, holder: 'A' }), b.reserve({ ...card, holder: 'B' }), a.reserve({ ...bank, holder: 'A' }), b.reserve({ ...bank, holder: 'B' })]);
      const outcome = (r: (typeof results)[number]) => (r.ok ? 'ok' : r.reason);
      expect([outcome(results[0]!), outcome(results[1]!)].sort(), `run ${run} card`).toEqual(['in_progress', 'ok']);
      expect([outcome(results[2]!), outcome(results[3]!)].sort(), `run ${run} bank`).toEqual(['in_progress', 'ok']);
      expect(await cardUsed('517364')).toEqual(['100.00']);
      expect((await bankRow(4))?.used).toBe('118.00');
    }
  });

  it('voided, already used, insufficient and unknown payments are refused, and leave no lock', async () => {
    const take = (ref: PaymentRef, required: number) => a.reserve({ ref, holder: 'me', amountCents: required, requiredRemainingCents: required });
    expect(await take({ kind: 'card', authorization: '239411' }, 10000)).toEqual({ ok: false, reason: 'voided' });
    // Used by bookings we have no record of (the Python service's): refused as another's, nothing told of them.
    expect(await take({ kind: 'card', authorization: '481920' }, 6900)).toEqual({ ok: false, reason: 'used_by_other' });
    expect(await take(FRESH_CARD, 30000)).toEqual({ ok: false, reason: 'insufficient', remainingCents: 23500 });
    expect(await take({ kind: 'card', authorization: '000000' }, 100)).toEqual({ ok: false, reason: 'not_found' });
    expect(await take({ kind: 'bank', bacId: 1 }, 12800)).toEqual({ ok: false, reason: 'used_by_other' });
    // The orphan (used, no code) is not "recovered": its money stays taken, for a person to look at.
    expect(await take({ kind: 'bank', bacId: 6 }, 100)).toEqual({ ok: false, reason: 'reserved_without_booking', remainingCents: 0 });
    expect(await take({ kind: 'bank', bacId: 999 }, 100)).toEqual({ ok: false, reason: 'not_found' });
    expect(await locks()).toEqual(['CC_999999:50300000000']);
    expect(await cardUsed('239411')).toEqual(['0.00']);
  });

  it('of several sales with one code, the first (by id) that is not voided and has enough left is taken', async () => {
    await hotel.query(
      "INSERT INTO compraclick (date, estado, tarjeta, importe, autorizacion, used) VALUES ('2027-02-08 09:00:00', 'REVERSADA', '4999', 500.00, '517364', 0), ('2027-02-09 09:00:00', 'APROBADA', '4888', 400.00, '517364', 0)",
    );
    expect(await a.reserve({ ref: FRESH_CARD, holder: 'me', amountCents: 30000, requiredRemainingCents: 30000 })).toMatchObject({ ok: true, ledgerRowId: 7, remainingBeforeCents: 40000 });
    expect(await cardUsed('517364')).toEqual(['0.00', '0.00', '300.00']);
    // The row the booking chose (and recorded) is the one checked and taken, never another.
    expect(await a.release({ ref: FRESH_CARD, holder: 'me', ledgerRowId: 7, amountCents: 30000 })).toBe(true);
    expect(await a.reserve({ ref: FRESH_CARD, holder: 'me2', amountCents: 20000, requiredRemainingCents: 20000, ledgerRowId: 3 })).toMatchObject({ ok: true, ledgerRowId: 3 });
    expect(await a.finalize({ ref: FRESH_CARD, ledgerRowId: 3, reserva: '28660', dateUsed: '2027-02-09 10:00:00' })).toBe('written');
    expect(await a.reserve({ ref: FRESH_CARD, holder: 'me3', amountCents: 5000, requiredRemainingCents: 5000, ledgerRowId: 3, by: byC1(3, ['28660', 20000]) })).toEqual({
      ok: false, reason: 'insufficient', bookingCode: 'HR28660', remainingCents: 3500,
    });
    expect(await cardUsed('517364')).toEqual(['200.00', '0.00', '0.00']);
  });

  it("a bank credit printed '1,250.00' is reserved; used stays exact decimal", async () => {
    await hotel.query("INSERT INTO bac (id, date, reference, code, description, debit, credit, balance, used) VALUES (20, '23/02/2027', '9', 'TF', 'GRANDE', '0.00', '1,250.00', '', 0)");
    const ref: PaymentRef = { kind: 'bank', bacId: 20 };
    const booked: [string, number][] = [];
    for (let i = 0; i < 3; i++) {
      const r = await a.reserve({ ref, holder: `h${i}`, amountCents: 33333, requiredRemainingCents: 33333, by: byC1(20, ...booked) });
      expect(r).toMatchObject({ ok: true, ledgerRowId: 20 });
      expect(await a.finalize({ ref, ledgerRowId: 20, reserva: `2870${i}`, dateUsed: '2027-02-23 10:00:00' })).toBe('written');
      booked.push([`2870${i}`, 33333]);
    }
    expect((await bankRow(20))?.used).toBe('999.99');
    expect(await a.reserve({ ref, holder: 'late', amountCents: 25002, requiredRemainingCents: 25002, by: byC1(20, ...booked) })).toMatchObject({ ok: false, reason: 'insufficient', remainingCents: 25001 });
    expect(await a.reserve({ ref, holder: 'late', amountCents: 25001, requiredRemainingCents: 25001, by: byC1(20, ...booked) })).toMatchObject({ ok: true, remainingBeforeCents: 25001 });
    expect((await bankRow(20))?.used).toBe('1250.00');
  });

  it('money taken without a booking named is not reserved again, for anyone', async () => {
    await hotel.query("INSERT INTO bac (id, date, reference, code, description, debit, credit, balance, used) VALUES (21, '23/02/2027', '10', 'TF', 'X', '0.00', '400.00', '', 0)");
    const ref: PaymentRef = { kind: 'bank', bacId: 21 };
    expect(await a.reserve({ ref, holder: 'h', amountCents: 10000, requiredRemainingCents: 10000 })).toMatchObject({ ok: true });
    expect(await a.release({ ref, holder: 'h', ledgerRowId: 21, amountCents: 1 })).toBe(true);
    expect(await a.reserve({ ref, holder: 'late', amountCents: 100, requiredRemainingCents: 100, by: byC1(21) })).toEqual({ ok: false, reason: 'reserved_without_booking', remainingCents: 30001 });
  });

  it('release gives the money back once, even when called twice; not for another holder', async () => {
    const r = await a.reserve({ ref: FRESH_CARD, holder: 'me', amountCents: 20000, requiredRemainingCents: 20000 });
    if (!r.ok) throw new Error('not reserved');
    const input = { ref: FRESH_CARD, holder: 'me', ledgerRowId: r.ledgerRowId, amountCents: 20000 };
    expect(await a.release({ ...input, holder: 'someone else' })).toBe(false);
    expect(await cardUsed('517364')).toEqual(['200.00']);
    const [first, second] = await Promise.all([a.release(input), b.release(input)]);
    expect([first, second].sort()).toEqual([false, true]);
    expect(await a.release(input)).toBe(false);
    expect(await cardUsed('517364')).toEqual(['0.00']);
    expect(await locks()).toEqual([]);
    expect(await a.isLocked(FRESH_CARD, 'me')).toBe(false);
  });

  it('release never takes used below zero, nor touches a row that is not the payment', async () => {
    const r = await a.reserve({ ref: FRESH_BANK, holder: 'me', amountCents: 5000, requiredRemainingCents: 5000 });
    expect(r.ok).toBe(true);
    await hotel.query('UPDATE bac SET used = 10 WHERE id = 4');
    expect(await a.release({ ref: FRESH_BANK, holder: 'me', ledgerRowId: 4, amountCents: 5000 })).toBe(true);
    expect((await bankRow(4))?.used).toBe('0.00');

    const c = await a.reserve({ ref: FRESH_CARD, holder: 'me', amountCents: 5000, requiredRemainingCents: 5000 });
    expect(c.ok).toBe(true);
    await expect(a.release({ ref: FRESH_CARD, holder: 'me', ledgerRowId: 1, amountCents: 5000 })).rejects.toThrow(/not payment/);
    // Rolled back: the lock is still ours and row 1 untouched.
    expect(await a.isLocked(FRESH_CARD, 'me')).toBe(true);
    expect(await cardUsed('481920')).toEqual(['138.00']);
    await expect(a.release({ ref: FRESH_BANK, holder: 'me', ledgerRowId: 5, amountCents: 1 })).rejects.toBeInstanceOf(TypeError);
  });

  it('finalize writes HR<reserva> and dateused and removes the lock, idempotently', async () => {
    const r = await a.reserve({ ref: FRESH_BANK, holder: 'me', amountCents: 23600, requiredRemainingCents: 23600 });
    if (!r.ok) throw new Error('not reserved');
    const input = { ref: FRESH_BANK, ledgerRowId: r.ledgerRowId, reserva: '28650', dateUsed: '2027-02-21 10:15:00' };
    expect(await a.finalize(input)).toBe('written');
    expect(await bankRow(4)).toEqual({ used: '236.00', codreser: 'HR28650', dateused: '2027-02-21 10:15:00' });
    expect(await locks()).toEqual([]);
    expect(await a.finalize({ ...input, dateUsed: '2027-02-21 11:00:00' })).toBe('already');
    expect(await bankRow(4)).toEqual({ used: '236.00', codreser: 'HR28650', dateused: '2027-02-21 10:15:00' });
    // Released after finalize: no lock, nothing given back.
    expect(await a.release({ ref: FRESH_BANK, holder: 'me', ledgerRowId: 4, amountCents: 23600 })).toBe(false);
    expect((await bankRow(4))?.used).toBe('236.00');
  });

  it('a row that pays a second booking names both in codreser, in booking order, each once', async () => {
    // 400 received, 150 used by booking 28610: 250 left.
    await hotel.query("INSERT INTO bac (id, date, reference, code, description, debit, credit, balance, used, codreser, dateused) VALUES (30, '23/02/2027', '77', 'TF', 'TRANSFERENCIA 365 FAMILIA', '0.00', '400.00', '', 150.00, 'HR28610', '2027-02-23 09:00:00')");
    const ref: PaymentRef = { kind: 'bank', bacId: 30 };
    // Booking 28610 was conversation c1's: its leftover is c1's, and no one else's.
    const first: [string, number] = ['28610', 15000];
    expect(await a.reserve({ ref, holder: 'other', amountCents: 100, requiredRemainingCents: 100, by: { conversationId: 'c2', booked: byC1(30, first).booked } })).toEqual({ ok: false, reason: 'used_by_other' });
    expect(await a.reserve({ ref, holder: 'me', amountCents: 25001, requiredRemainingCents: 25001, by: byC1(30, first) })).toEqual({ ok: false, reason: 'insufficient', bookingCode: 'HR28610', remainingCents: 25000 });
    const r = await a.reserve({ ref, holder: 'me', amountCents: 20000, requiredRemainingCents: 20000, by: byC1(30, first) });
    expect(r).toMatchObject({ ok: true, ledgerRowId: 30, remainingBeforeCents: 25000 });
    const input = { ref, ledgerRowId: 30, reserva: '28611', dateUsed: '2027-02-23 10:00:00' };
    expect(await a.finalize(input)).toBe('written');
    expect(await a.finalize(input)).toBe('already');
    expect(await bankRow(30)).toEqual({ used: '350.00', codreser: 'HR28610,HR28611', dateused: '2027-02-23 10:00:00' });
    // 50 left: a third booking of 50 fits, one more does not.
    const two = byC1(30, first, ['28611', 20000]);
    expect(await b.reserve({ ref, holder: 'me', amountCents: 5001, requiredRemainingCents: 5001, by: two })).toEqual({ ok: false, reason: 'insufficient', bookingCode: 'HR28610,HR28611', remainingCents: 5000 });
    expect(await b.reserve({ ref, holder: 'me', amountCents: 5000, requiredRemainingCents: 5000, by: two })).toMatchObject({ ok: true });
    expect(await b.finalize({ ref, ledgerRowId: 30, reserva: '28612', dateUsed: '2027-02-23 11:00:00' })).toBe('written');
    expect(await bankRow(30)).toEqual({ used: '400.00', codreser: 'HR28610,HR28611,HR28612', dateused: '2027-02-23 11:00:00' });
    expect(await b.reserve({ ref, holder: 'me', amountCents: 100, requiredRemainingCents: 100, by: byC1(30, first, ['28611', 20000], ['28612', 5000]) })).toEqual({
      ok: false, reason: 'already_used', bookingCode: 'HR28610,HR28611,HR28612', remainingCents: 0,
    });
  });

  it('a booking code that would not fit the column is not written (the booking stays in our record)', async () => {
    await hotel.query('ALTER TABLE bac MODIFY codreser VARCHAR(12) NULL');
    const narrow = new PaymentReservations(dbA);
    await hotel.query("INSERT INTO bac (id, date, reference, code, description, debit, credit, balance, used, codreser) VALUES (31, '23/02/2027', '78', 'TF', 'X', '0.00', '400.00', '', 150.00, 'HR28610')");
    const ref: PaymentRef = { kind: 'bank', bacId: 31 };
    expect(await narrow.reserve({ ref, holder: 'me', amountCents: 100, requiredRemainingCents: 100, by: byC1(31, ['28610', 15000]) })).toMatchObject({ ok: true });
    expect(await narrow.finalize({ ref, ledgerRowId: 31, reserva: '28611', dateUsed: '2027-02-23 10:00:00' })).toBe('full');
    expect(await bankRow(31)).toMatchObject({ codreser: 'HR28610', used: '151.00' });
    // The attempt is over: its lock is gone (the stale 2020 lock was purged by the reservation).
    expect(await locks()).toEqual([]);
  });

  it('finalize on a card row', async () => {
    const r = await a.reserve({ ref: FRESH_CARD, holder: 'me', amountCents: 23500, requiredRemainingCents: 11750 });
    if (!r.ok) throw new Error('not reserved');
    expect(await a.finalize({ ref: FRESH_CARD, ledgerRowId: r.ledgerRowId, reserva: '28651', dateUsed: '2027-02-05 20:00:00' })).toBe('written');
    expect(await hotel.query('SELECT used, codreser, dateused FROM compraclick WHERE id = ?', [r.ledgerRowId])).toEqual([{ used: '235.00', codreser: 'HR28651', dateused: '2027-02-05 20:00:00' }]);
    expect(await a.isLocked(FRESH_CARD, 'me')).toBe(false);
    // Now booked and empty: a second booking of its conversation is already_used; anyone else's is refused as another's.
    expect(await b.reserve({ ref: FRESH_CARD, holder: 'other', amountCents: 100, requiredRemainingCents: 100, by: byC1(r.ledgerRowId, ['28651', 23500]) })).toEqual({
      ok: false, reason: 'already_used', bookingCode: 'HR28651', remainingCents: 0,
    });
    expect(await b.reserve({ ref: FRESH_CARD, holder: 'other', amountCents: 100, requiredRemainingCents: 100 })).toEqual({ ok: false, reason: 'used_by_other' });
    expect(await a.finalize({ ref: { kind: 'card', authorization: '481920' }, ledgerRowId: r.ledgerRowId, reserva: '28652', dateUsed: '2027-02-05 20:00:00' })).toBe('not_found');
  });

  it('refuses malformed input before touching the database', async () => {
    await expect(a.reserve({ ref: FRESH_CARD, holder: '', amountCents: 1, requiredRemainingCents: 1 })).rejects.toBeInstanceOf(TypeError);
    await expect(a.reserve({ ref: FRESH_CARD, holder: 'x'.repeat(65), amountCents: 1, requiredRemainingCents: 1 })).rejects.toBeInstanceOf(TypeError);
    await expect(a.reserve({ ref: FRESH_CARD, holder: 'me', amountCents: 1.5, requiredRemainingCents: 1 })).rejects.toBeInstanceOf(TypeError);
    await expect(a.finalize({ ref: FRESH_CARD, ledgerRowId: 3, reserva: 'HR1', dateUsed: '2027-02-05 20:00:00' })).rejects.toBeInstanceOf(TypeError);
    await expect(a.finalize({ ref: FRESH_CARD, ledgerRowId: 3, reserva: '1', dateUsed: '2027-02-05' })).rejects.toBeInstanceOf(TypeError);
    expect(await locks()).toEqual(['CC_999999:50300000000']);
  });
});
