// The hotel's one rule for what a payment can pay, used alike by the validators (validate_bank_transfer,
// validate_compraclick_payment and its fallback), the booking path (the reservation under lock) and the
// payment follow-ups — so a payment the validators accept is one the booking takes, and the reverse.
//
// A ledger row (a card sale in `compraclick`, a credit in `bac`) may pay several bookings, as long as its
// unused balance (amount − used) covers what each booking takes. A booking takes the amount paid for it,
// which must be at least the hotel's deposit (half its total, rounded up to the cent). A voided card sale
// pays nothing. Every booking a row paid for is named in its `codreser`, comma-separated in booking order
// ('HR28601,HR28612'): a row that paid one booking keeps exactly the original's 'HR<reserva>'.
import type { Cents } from './types.js';

/** The deposit the hotel requires: half of the booking total, rounded up to the cent. */
export function minimumDepositCents(totalCents: Cents): Cents {
  return Math.ceil(totalCents / 2);
}

/** A ledger row as the rule sees it. */
export interface LedgerRowState {
  id: number;
  amountCents: Cents;
  usedCents: Cents;
  /** The bookings it already paid for (from codreser), oldest first. */
  bookingCodes: readonly string[];
  /** A card sale voided, reversed or declined (bank credits never are). */
  voided: boolean;
}

export type PayVerdict =
  | { ok: true; unusedCents: Cents }
  | {
      ok: false;
      /**
       * voided: the sale pays nothing; used_up: its bookings took all of it;
       * reserved_without_booking: money taken with no booking named (a crashed booking of the Python
       * service, or one in flight): a person must look; insufficient: what is left (after the bookings
       * named in bookingCodes, if any) is less than needed.
       */
      reason: 'voided' | 'used_up' | 'reserved_without_booking' | 'insufficient';
      unusedCents: Cents;
      bookingCodes: readonly string[];
    };

/** What is left of a row: amount − used, never below zero. */
export function unusedCents(row: Pick<LedgerRowState, 'amountCents' | 'usedCents'>): Cents {
  return Math.max(0, row.amountCents - row.usedCents);
}

/** Whether this row can pay a booking that takes `amountCents`, and if not why. */
export function canPay(row: LedgerRowState, amountCents: Cents): PayVerdict {
  const unused = unusedCents(row);
  const refuse = (reason: Extract<PayVerdict, { ok: false }>['reason']): PayVerdict => ({ ok: false, reason, unusedCents: unused, bookingCodes: row.bookingCodes });
  if (row.voided) return refuse('voided');
  if (amountCents > 0 && unused >= amountCents) return { ok: true, unusedCents: unused };
  if (unused === 0 && row.bookingCodes.length > 0) return refuse('used_up');
  if (row.usedCents > 0 && row.bookingCodes.length === 0) return refuse('reserved_without_booking');
  return refuse('insufficient');
}

/**
 * Of several rows (card sales sharing one authorization code), the first by id that can pay; otherwise the
 * verdict of the most promising one (most left), so the refusal names the real reason.
 */
export function chooseRow<T extends LedgerRowState>(rows: readonly T[], amountCents: Cents): { row: T; verdict: PayVerdict } | undefined {
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  for (const row of sorted) {
    const verdict = canPay(row, amountCents);
    if (verdict.ok) return { row, verdict };
  }
  const live = sorted.filter((r) => !r.voided);
  const best = [...(live.length > 0 ? live : sorted)].sort((a, b) => unusedCents(b) - unusedCents(a))[0];
  return best ? { row: best, verdict: canPay(best, amountCents) } : undefined;
}

/** The booking codes a codreser value names ('HR1', 'HR1,HR2', '', NULL), in order, blanks dropped. */
export function bookingCodesOf(codreser: string | null | undefined): string[] {
  return (codreser ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/** codreser with one more booking; unchanged when it already names it (finalizing twice writes once). */
export function withBookingCode(codreser: string | null | undefined, code: string): string {
  const codes = bookingCodesOf(codreser);
  return codes.includes(code) ? codes.join(',') : [...codes, code].join(',');
}

/**
 * A row with the bookings our own record says it paid for added (booking_attempts: booked on this row),
 * for the moment between a booking and its codreser write (the settle job may still be retrying).
 */
export function withRecordedBookings(row: LedgerRowState, booked: readonly { ledgerRowId: number | null; reserva: string | null }[]): LedgerRowState {
  let codes = row.bookingCodes.join(',');
  for (const attempt of booked) {
    if (attempt.ledgerRowId === row.id && attempt.reserva) codes = withBookingCode(codes, `HR${attempt.reserva}`);
  }
  return { ...row, bookingCodes: bookingCodesOf(codes) };
}
