// The hotel's one rule for what a payment can pay, used alike by the validators (validate_bank_transfer,
// validate_compraclick_payment and its fallback), the booking path (the reservation under lock) and the
// payment follow-ups — so a payment the validators accept is one the booking takes, and the reverse.
//
// A ledger row (a card sale in `compraclick`, a credit in `bac`) may pay several bookings, as long as its
// unused balance (amount − used) covers what each booking takes — but a row's leftover belongs to the
// conversation that used it. Bank credits are matched by amount and date only, card sales by a 6-digit
// code: another guest's identical transfer, or a code someone else knows, must not take what is left of
// a guest's payment. So, as one conversation sees a row (seenBy):
//   untouched — used 0 and no booking named: pays;
//   ours      — every booking it paid is one this conversation made (our booking_attempts), and they
//               account for what is used: its leftover pays this conversation's next stay;
//   others    — it paid a booking of another conversation, or one we have no record of (the Python
//               service's codreser): it pays nothing more, and is refused as already used, to staff,
//               never naming that booking or its amounts;
//   unrecorded— money taken beyond the bookings named (a crashed booking): a person must look.
// Among several candidate rows, untouched ones come first, then this conversation's own, then by id.
// A booking takes the amount paid for it, up to what is unused, which must be at least the hotel's
// deposit (half its total, rounded up to the cent). A voided card sale pays nothing. Every booking a row
// paid for is named in its `codreser`, comma-separated in booking order ('HR28601,HR28612'): a row that
// paid one booking keeps exactly the original's 'HR<reserva>'.
import type { Cents } from './types.js';

/** The deposit the hotel requires: half of the booking total, rounded up to the cent. */
export function minimumDepositCents(totalCents: Cents): Cents {
  return Math.ceil(totalCents / 2);
}

/** A ledger row as the hotel database has it. */
export interface LedgerRowState {
  id: number;
  amountCents: Cents;
  usedCents: Cents;
  /** The bookings it already paid for (from codreser), oldest first. */
  bookingCodes: readonly string[];
  /** A card sale voided, reversed or declined (bank credits never are). */
  voided: boolean;
}

/** Whose use a row carries, as one conversation sees it (the header comment). */
export type Ownership = 'untouched' | 'ours' | 'others' | 'unrecorded';

/** A row as one conversation sees it: bookingCodes include our recorded bookings not yet in codreser. */
export interface SeenRow extends LedgerRowState {
  ownership: Ownership;
}

/** A booking our own record says a payment paid (a booked booking_attempts row). */
export interface RecordedBooking {
  conversationId: string;
  ledgerRowId: number | null;
  reserva: string | null;
  amountCents: Cents;
}

export type PayVerdict =
  | { ok: true; unusedCents: Cents }
  | {
      ok: false;
      /**
       * voided: the sale pays nothing; used_up: this conversation's bookings took all of it;
       * used_by_other: it paid a booking of another conversation, or one we have no record of (nothing
       * about it is told: bookingCodes is empty, unusedCents 0); reserved_without_booking: money taken
       * with no booking named (a crashed booking of the Python service, or one in flight): a person must
       * look; insufficient: what is left (after this conversation's bookings, if any) is less than needed.
       */
      reason: 'voided' | 'used_up' | 'used_by_other' | 'reserved_without_booking' | 'insufficient';
      unusedCents: Cents;
      bookingCodes: readonly string[];
    };

/** What is left of a row: amount − used, never below zero. */
export function unusedCents(row: Pick<LedgerRowState, 'amountCents' | 'usedCents'>): Cents {
  return Math.max(0, row.amountCents - row.usedCents);
}

/**
 * The row as `conversationId` sees it, given our booked attempts on this payment (any conversation):
 * their codes are added (the moment between a booking and its codreser write, which the settle job may
 * still be retrying), and whose use the row carries is decided.
 */
export function seenBy(row: LedgerRowState, booked: readonly RecordedBooking[], conversationId: string): SeenRow {
  const onRow = booked.filter((a) => a.ledgerRowId === row.id && a.reserva);
  let codes = row.bookingCodes.join(',');
  for (const attempt of onRow) codes = withBookingCode(codes, `HR${attempt.reserva}`);
  const bookingCodes = bookingCodesOf(codes);
  const mine = onRow.filter((a) => a.conversationId === conversationId);
  const myCodes = new Set(mine.map((a) => `HR${a.reserva}`));
  const myCents = mine.reduce((sum, a) => sum + a.amountCents, 0);
  let ownership: Ownership;
  if (bookingCodes.length === 0) ownership = row.usedCents === 0 ? 'untouched' : 'unrecorded';
  else if (bookingCodes.some((c) => !myCodes.has(c))) ownership = 'others';
  else ownership = row.usedCents <= myCents ? 'ours' : 'unrecorded';
  return { ...row, bookingCodes, ownership };
}

/** Whether this row can pay a booking that takes `amountCents`, and if not why. */
export function canPay(row: SeenRow, amountCents: Cents): PayVerdict {
  const unused = unusedCents(row);
  const refuse = (reason: Extract<PayVerdict, { ok: false }>['reason']): PayVerdict => ({ ok: false, reason, unusedCents: unused, bookingCodes: row.bookingCodes });
  if (row.voided) return refuse('voided');
  // Another guest's leftover: refused without a word of whose booking or how much.
  if (row.ownership === 'others') return { ok: false, reason: 'used_by_other', unusedCents: 0, bookingCodes: [] };
  if (row.ownership === 'unrecorded') return refuse('reserved_without_booking');
  if (amountCents > 0 && unused >= amountCents) return { ok: true, unusedCents: unused };
  if (unused === 0 && row.bookingCodes.length > 0) return refuse('used_up');
  return refuse('insufficient');
}

/** Which rows are tried first: a fresh payment before this conversation's leftover, then the rest. */
const PREFERENCE: Record<Ownership, number> = { untouched: 0, ours: 1, unrecorded: 2, others: 3 };
/** Which refusal is told: the guest's own payments (most left first) before what they cannot use. */
const REFUSAL: Record<Ownership, number> = { untouched: 0, ours: 0, unrecorded: 1, others: 2 };

/**
 * Of several rows (card sales sharing one authorization code, credits of one amount on one day), the
 * first that can pay — untouched ones first, then this conversation's own, then by id; otherwise the
 * verdict of the most promising one, so the refusal names the real reason.
 */
export function chooseRow<T extends SeenRow>(rows: readonly T[], amountCents: Cents): { row: T; verdict: PayVerdict } | undefined {
  const sorted = [...rows].sort((a, b) => PREFERENCE[a.ownership] - PREFERENCE[b.ownership] || a.id - b.id);
  for (const row of sorted) {
    const verdict = canPay(row, amountCents);
    if (verdict.ok) return { row, verdict };
  }
  const live = sorted.filter((r) => !r.voided);
  const best = [...(live.length > 0 ? live : sorted)].sort((a, b) => REFUSAL[a.ownership] - REFUSAL[b.ownership] || unusedCents(b) - unusedCents(a) || a.id - b.id)[0];
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
