// The one payment rule, pure: what a ledger row can pay, which of several rows pays, and codreser's list.
import { describe, expect, it } from 'vitest';
import { bookingCodesOf, canPay, chooseRow, minimumDepositCents, withBookingCode, withRecordedBookings, type LedgerRowState } from '../../src/hotel/payment-rule.js';

const row = (over: Partial<LedgerRowState> = {}): LedgerRowState => ({ id: 1, amountCents: 40000, usedCents: 0, bookingCodes: [], voided: false, ...over });

describe('the payment rule', () => {
  it('the deposit is half the total, rounded up to the cent', () => {
    expect([minimumDepositCents(27600), minimumDepositCents(44251), minimumDepositCents(1)]).toEqual([13800, 22126, 1]);
  });

  it('a row partly used by an earlier booking pays another while its unused balance covers it', () => {
    const partly = row({ usedCents: 15000, bookingCodes: ['HR28609'] });
    expect(canPay(partly, 25000)).toEqual({ ok: true, unusedCents: 25000 });
    expect(canPay(partly, 25001)).toEqual({ ok: false, reason: 'insufficient', unusedCents: 25000, bookingCodes: ['HR28609'] });
  });

  it('says why not: used up by its bookings, taken without a booking, voided, short', () => {
    expect(canPay(row({ usedCents: 40000, bookingCodes: ['HR1', 'HR2'] }), 1)).toMatchObject({ ok: false, reason: 'used_up', unusedCents: 0, bookingCodes: ['HR1', 'HR2'] });
    expect(canPay(row({ usedCents: 50000, bookingCodes: ['HR1'] }), 1)).toMatchObject({ ok: false, reason: 'used_up', unusedCents: 0 });
    expect(canPay(row({ usedCents: 40000 }), 1)).toMatchObject({ ok: false, reason: 'reserved_without_booking' });
    expect(canPay(row({ voided: true }), 1)).toMatchObject({ ok: false, reason: 'voided' });
    expect(canPay(row(), 40001)).toMatchObject({ ok: false, reason: 'insufficient', unusedCents: 40000 });
    expect(canPay(row(), 0)).toMatchObject({ ok: false });
  });

  it('of several rows the first by id that can pay; otherwise the refusal of the one with most left, voided last', () => {
    const rows = [row({ id: 3, amountCents: 50000 }), row({ id: 2, amountCents: 10000 }), row({ id: 1, voided: true, amountCents: 90000 })];
    expect(chooseRow(rows, 10000)?.row.id).toBe(2);
    expect(chooseRow(rows, 30000)?.row.id).toBe(3);
    expect(chooseRow(rows, 60000)).toMatchObject({ row: { id: 3 }, verdict: { ok: false, reason: 'insufficient', unusedCents: 50000 } });
    expect(chooseRow([row({ voided: true })], 1)).toMatchObject({ verdict: { ok: false, reason: 'voided' } });
    expect(chooseRow([], 1)).toBeUndefined();
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
    const booked = [{ ledgerRowId: 1, reserva: '28612' }, { ledgerRowId: 2, reserva: '28613' }, { ledgerRowId: 1, reserva: null }];
    expect(withRecordedBookings(row({ bookingCodes: ['HR28601'] }), booked).bookingCodes).toEqual(['HR28601', 'HR28612']);
    expect(withRecordedBookings(row({ bookingCodes: ['HR28612'] }), booked).bookingCodes).toEqual(['HR28612']);
  });
});
