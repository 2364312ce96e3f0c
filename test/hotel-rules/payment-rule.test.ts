// The one payment rule, pure: what a ledger row can pay and for whom, which of several rows pays, and
// codreser's list.
import { describe, expect, it } from 'vitest';
import { bookingCodesOf, canPay, chooseRow, minimumDepositCents, seenBy, withBookingCode, type LedgerRowState, type RecordedBooking } from '../../src/hotel-rules/payment-rule.js';

const row = (over: Partial<LedgerRowState> = {}): LedgerRowState => ({ id: 1, amountCents: 40000, usedCents: 0, bookingCodes: [], voided: false, ...over });
const A = 'conversation-a';
const B = 'conversation-b';
const booking = (conversationId: string, reserva: string, amountCents: number, ledgerRowId = 1): RecordedBooking => ({ conversationId, ledgerRowId, reserva, amountCents });
/** The row as conversation A sees it, A having booked HR28609 with 150 of it. */
const ownRow = (over: Partial<LedgerRowState> = {}) => seenBy(row({ usedCents: 15000, bookingCodes: ['HR28609'], ...over }), [booking(A, '28609', 15000)], A);

describe('the payment rule', () => {
  it('the deposit is half the total, rounded up to the cent', () => {
    expect([minimumDepositCents(27600), minimumDepositCents(44251), minimumDepositCents(1)]).toEqual([13800, 22126, 1]);
  });

  it("a row partly used by this conversation's earlier booking pays its next one while the unused balance covers it", () => {
    expect(canPay(ownRow(), 25000)).toEqual({ ok: true, unusedCents: 25000 });
    expect(canPay(ownRow(), 25001)).toEqual({ ok: false, reason: 'insufficient', unusedCents: 25000, bookingCodes: ['HR28609'] });
  });

  it("a leftover belongs to the conversation that used it: another conversation is refused, told nothing of it", () => {
    const used = row({ usedCents: 20000, bookingCodes: ['HR28609'] });
    const recorded = [booking(A, '28609', 20000)];
    expect(seenBy(used, recorded, A).ownership).toBe('ours');
    expect(seenBy(used, recorded, B).ownership).toBe('others');
    expect(canPay(seenBy(used, recorded, B), 100)).toEqual({ ok: false, reason: 'used_by_other', unusedCents: 0, bookingCodes: [] });
    // Used by a booking we have no record of (the Python service's codreser): nobody's leftover to take.
    expect(canPay(seenBy(used, [], A), 100)).toMatchObject({ ok: false, reason: 'used_by_other', bookingCodes: [] });
    // One of ours and one of someone else's on the same row: not ours alone.
    expect(seenBy(row({ usedCents: 30000, bookingCodes: ['HR1', 'HR28609'] }), recorded, A).ownership).toBe('others');
    // Ours named, but more taken than our bookings account for (a crashed booking): a person must look.
    expect(canPay(seenBy(row({ usedCents: 30000, bookingCodes: ['HR28609'] }), recorded, A), 100)).toMatchObject({ ok: false, reason: 'reserved_without_booking' });
  });

  it('says why not: used up by its bookings, taken without a booking, voided, short', () => {
    const mine = [booking(A, '1', 20000), booking(A, '2', 20000)];
    expect(canPay(seenBy(row({ usedCents: 40000, bookingCodes: ['HR1', 'HR2'] }), mine, A), 1)).toMatchObject({ ok: false, reason: 'used_up', unusedCents: 0, bookingCodes: ['HR1', 'HR2'] });
    expect(canPay(seenBy(row({ usedCents: 40000 }), [], A), 1)).toMatchObject({ ok: false, reason: 'reserved_without_booking' });
    expect(canPay(seenBy(row({ voided: true }), [], A), 1)).toMatchObject({ ok: false, reason: 'voided' });
    expect(canPay(seenBy(row(), [], A), 40001)).toMatchObject({ ok: false, reason: 'insufficient', unusedCents: 40000 });
    expect(canPay(seenBy(row(), [], A), 0)).toMatchObject({ ok: false });
  });

  it('of several rows an untouched one first, then this conversation’s own, then by id; otherwise the refusal of the one with most left, voided last', () => {
    const fresh = (over: Partial<LedgerRowState>) => seenBy(row(over), [], A);
    const rows = [fresh({ id: 3, amountCents: 50000 }), fresh({ id: 2, amountCents: 10000 }), fresh({ id: 1, voided: true, amountCents: 90000 })];
    expect(chooseRow(rows, 10000)?.row.id).toBe(2);
    expect(chooseRow(rows, 30000)?.row.id).toBe(3);
    expect(chooseRow(rows, 60000)).toMatchObject({ row: { id: 3 }, verdict: { ok: false, reason: 'insufficient', unusedCents: 50000 } });
    expect(chooseRow([fresh({ voided: true })], 1)).toMatchObject({ verdict: { ok: false, reason: 'voided' } });
    expect(chooseRow([], 1)).toBeUndefined();

    // A's own partly used row (id 1) and a fresh one (id 2): the fresh one first; B never gets A's leftover.
    const recorded = [booking(A, '28609', 20000, 1)];
    const both = (who: string) => [seenBy(row({ id: 1, usedCents: 20000, bookingCodes: ['HR28609'] }), recorded, who), seenBy(row({ id: 2 }), recorded, who)];
    expect(chooseRow(both(A), 10000)?.row.id).toBe(2);
    expect(chooseRow(both(B), 10000)?.row.id).toBe(2);
    expect(chooseRow(both(A).slice(0, 1), 10000)).toMatchObject({ row: { id: 1 }, verdict: { ok: true, unusedCents: 20000 } });
    expect(chooseRow(both(B).slice(0, 1), 10000)).toMatchObject({ verdict: { ok: false, reason: 'used_by_other' } });
    // The refusal told is about the guest's own payment, not another's.
    expect(chooseRow([both(B)[0]!, seenBy(row({ id: 5, amountCents: 5000 }), [], B)], 10000)).toMatchObject({ row: { id: 5 }, verdict: { reason: 'insufficient' } });
  });

  it("codreser names every booking, in order, each once; one booking keeps the original's 'HR<reserva>'", () => {
    expect(bookingCodesOf(null)).toEqual([]);
    expect(bookingCodesOf('  ')).toEqual([]);
    expect(bookingCodesOf('HR28601')).toEqual(['HR28601']);
    expect(bookingCodesOf('HR28601, HR28612,')).toEqual(['HR28601', 'HR28612']);
    expect(withBookingCode(null, 'HR28601')).toBe('HR28601');
    expect(withBookingCode('HR28601', 'HR28612')).toBe('HR28601,HR28612');
    expect(withBookingCode('HR28601,HR28612', 'HR28601')).toBe('HR28601,HR28612');
  });

  it('adds the bookings our record made on the row before codreser says so', () => {
    const booked = [booking(A, '28612', 100), booking(A, '28613', 100, 2), { conversationId: A, ledgerRowId: 1, reserva: null, amountCents: 100 }];
    expect(seenBy(row({ bookingCodes: ['HR28601'] }), booked, A).bookingCodes).toEqual(['HR28601', 'HR28612']);
    expect(seenBy(row({ bookingCodes: ['HR28612'] }), booked, A).bookingCodes).toEqual(['HR28612']);
  });
});
