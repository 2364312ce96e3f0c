// Money counted once, under a real lock. A booking reserves its payment in the hotel database before the
// booking API is called: a `booking_locks` row for the payment (its primary key is the lock, so it holds
// across processes and hosts), the ledger row read FOR UPDATE, its balance checked and `used` raised, all
// in one transaction. A failed booking gives the money back exactly once (release); a made one writes the
// booking code on the row (finalize). The original never gave money back and, at HEAD, "recovered"
// orphans by resetting `used = 0` from its validators, which raced with bookings in flight.
import { z } from 'zod';
import type { HotelDb, HotelQuery } from '../hotel-db.js';
import type { Cents } from '../../hotel-rules/types.js';
import { formatAmount } from '../../hotel-rules/values.js';
import { bookingCodesOf, canPay, chooseRow, seenBy, withBookingCode, type LedgerRowState, type RecordedBooking } from '../../hotel-rules/payment-rule.js';
import { CARD_PAYMENT_COLUMNS, cardPaymentRow, cardRowState, ledgerAmount, toCardPayment } from './payment-ledgers.js';

export type PaymentRef = { kind: 'card'; authorization: string } | { kind: 'bank'; bacId: number };

/** booking_locks.payment_ref, the original's key format: 'CC_<authorization>' | 'BAC_<bac.id>'. */
export function lockKeyOf(ref: PaymentRef): string {
  if (ref.kind === 'card') {
    // Bounded by the key's column (VARCHAR(100)) and free of anything that is not part of a code.
    if (!/^[A-Za-z0-9-]{1,60}$/.test(ref.authorization)) throw new TypeError(`not an authorization code: ${JSON.stringify(ref.authorization)}`);
    return `CC_${ref.authorization}`;
  }
  if (!Number.isSafeInteger(ref.bacId) || ref.bacId <= 0) throw new TypeError(`not a bac id: ${ref.bacId}`);
  return `BAC_${ref.bacId}`;
}

export type ReserveResult =
  | { ok: true; ledgerRowId: number; amountCents: Cents; remainingBeforeCents: Cents }
  | {
      ok: false;
      /**
       * in_progress: the lock is held by someone; the others are the payment rule's refusals
       * (hotel-rules/payment-rule.ts), already_used being its used_up: its bookings took all of it.
       */
      reason: 'in_progress' | 'not_found' | 'already_used' | 'used_by_other' | 'insufficient' | 'reserved_without_booking' | 'voided';
      bookingCode?: string;
      remainingCents?: Cents;
    };

type Rejection = Extract<ReserveResult, { ok: false }>;

/** Thrown inside the transaction so that a failed check also rolls back the lock row. */
class Rejected extends Error {
  constructor(readonly result: Rejection) {
    super(`payment not reserved: ${result.reason}`);
  }
}


const HOLDER_MAX = 64; // booking_locks.wa_id
const DATETIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

const bankRow = z.object({
  id: z.number().int(),
  credit: z.string().nullable(),
  used: z.union([z.string(), z.number()]),
  codreser: z.string().nullable(),
});
const heldRow = z.object({ held: z.union([z.number(), z.string()]) });

function checkHolder(holder: string): void {
  if (holder === '' || holder.length > HOLDER_MAX) throw new TypeError(`lock holder must be 1-${HOLDER_MAX} characters, got ${holder.length}`);
}

function checkCents(name: string, cents: Cents): void {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new TypeError(`${name} must be whole non-negative cents, got ${cents}`);
}

/** Who asks, for the payment rule's "a row's leftover belongs to the conversation that used it". */
export interface ReservingConversation {
  conversationId: string;
  /** Our booked attempts on this payment (booking_attempts), any conversation's. */
  booked: readonly RecordedBooking[];
}

/**
 * The row the payment rule chose — `ledgerRowId` when the caller already chose it (the booking records it
 * before any money moves), checked again here under the lock — or its refusal (a refusal rolls the whole
 * reservation back).
 */
function choose(
  rows: readonly LedgerRowState[],
  required: Cents,
  who: ReservingConversation,
  ledgerRowId: number | undefined,
): { id: number; remaining: Cents } {
  const seen = rows.map((r) => seenBy(r, who.booked, who.conversationId));
  let chosen;
  if (ledgerRowId === undefined) chosen = chooseRow(seen, required);
  else {
    const row = seen.find((r) => r.id === ledgerRowId);
    chosen = row && { row, verdict: canPay(row, required) };
  }
  if (!chosen) throw new Rejected({ ok: false, reason: 'not_found' });
  const { row, verdict } = chosen;
  if (verdict.ok) return { id: row.id, remaining: verdict.unusedCents };
  if (verdict.reason === 'voided' || verdict.reason === 'used_by_other') throw new Rejected({ ok: false, reason: verdict.reason });
  const reason = verdict.reason === 'used_up' ? 'already_used' : verdict.reason;
  throw new Rejected({
    ok: false,
    reason,
    ...(verdict.bookingCodes.length > 0 ? { bookingCode: verdict.bookingCodes.join(',') } : {}),
    remainingCents: verdict.unusedCents,
  });
}

export type FinalizeResult = 'written' | 'already' | 'full' | 'not_found';

const codreserRow = z.object({ codreser: z.string().nullable() });
const widthRow = z.object({ width: z.union([z.number(), z.string(), z.null()]) });

export class PaymentReservations {
  private readonly staleLockMinutes: number;
  private readonly widths = new Map<string, number>();

  constructor(
    private readonly db: HotelDb,
    options: { staleLockMinutes?: number } = {},
  ) {
    const minutes = options.staleLockMinutes ?? 10;
    if (!Number.isInteger(minutes) || minutes < 1) throw new TypeError(`staleLockMinutes must be a whole number ≥ 1, got ${minutes}`);
    this.staleLockMinutes = minutes;
  }

  /**
   * Takes the lock and the money in one transaction: lock row inserted (already there ⇒ in_progress), the
   * ledger row(s) read FOR UPDATE, the payment rule checked for `by` (remaining = amount − used against
   * requiredRemainingCents, a card sale not voided, no leftover of another conversation's; without `by`,
   * only an untouched row pays), used += amountCents. Any failed check rolls back, the lock insert too.
   */
  async reserve(
    input: { ref: PaymentRef; holder: string; amountCents: Cents; requiredRemainingCents: Cents; by?: ReservingConversation; ledgerRowId?: number },
    signal?: AbortSignal,
  ): Promise<ReserveResult> {
    const key = lockKeyOf(input.ref);
    checkHolder(input.holder);
    checkCents('amountCents', input.amountCents);
    checkCents('requiredRemainingCents', input.requiredRemainingCents);
    try {
      return await this.db.transaction(async (tx) => {
        // A lock left by a process that died mid-booking frees its payment after staleLockMinutes. (Should
        // this range DELETE ever deadlock with a concurrent reserve, the transaction is run again.)
        await tx.change('DELETE FROM booking_locks WHERE locked_at < NOW() - INTERVAL ? MINUTE', [String(this.staleLockMinutes)]);
        // IGNORE turns only the duplicate key into "0 rows" here (the values are checked above). A lock
        // taken by a transaction still open makes this wait for its outcome, then see it.
        const inserted = await tx.change('INSERT IGNORE INTO booking_locks (payment_ref, wa_id) VALUES (?, ?)', [key, input.holder]);
        if (inserted === 0) throw new Rejected({ ok: false, reason: 'in_progress' });
        const who = input.by ?? { conversationId: '', booked: [] };
        const row =
          input.ref.kind === 'card'
            ? await this.lockCardRow(tx, input.ref.authorization, input.requiredRemainingCents, who, input.ledgerRowId)
            : await this.lockBankRow(tx, input.ref.bacId, input.requiredRemainingCents, who);
        await this.addUsed(tx, input.ref, row.id, input.amountCents);
        return { ok: true as const, ledgerRowId: row.id, amountCents: input.amountCents, remainingBeforeCents: row.remaining };
      }, signal);
    } catch (err) {
      if (err instanceof Rejected) return err.result;
      throw err;
    }
  }

  private async lockCardRow(tx: HotelQuery, authorization: string, required: Cents, who: ReservingConversation, ledgerRowId: number | undefined): Promise<{ id: number; remaining: Cents }> {
    const rows = (await tx.rows(`SELECT ${CARD_PAYMENT_COLUMNS} FROM compraclick WHERE autorizacion = ? ORDER BY id FOR UPDATE`, [authorization], cardPaymentRow)).map(toCardPayment);
    return choose(rows.map(cardRowState), required, who, ledgerRowId);
  }

  private async lockBankRow(tx: HotelQuery, bacId: number, required: Cents, who: ReservingConversation): Promise<{ id: number; remaining: Cents }> {
    const [row] = await tx.rows('SELECT id, credit, used, codreser FROM bac WHERE id = ? FOR UPDATE', [bacId], bankRow);
    if (!row) throw new Rejected({ ok: false, reason: 'not_found' });
    // A credit whose text is not an amount has nothing we could count on.
    const credit = ledgerAmount('bac', row.id, 'credit', row.credit);
    const used = ledgerAmount('bac', row.id, 'used', row.used);
    return choose([{ id: row.id, amountCents: credit, usedCents: used, bookingCodes: bookingCodesOf(row.codreser), voided: false }], required, who, undefined);
  }

  /** used ± amount in exact DECIMAL arithmetic ('138.00' bound as text, cast in SQL): no float drift. */
  private async addUsed(tx: HotelQuery, ref: PaymentRef, rowId: number, amountCents: Cents): Promise<void> {
    const changed =
      ref.kind === 'card'
        ? await tx.change('UPDATE compraclick SET used = used + CAST(? AS DECIMAL(12,2)) WHERE id = ? AND autorizacion = ?', [formatAmount(amountCents), rowId, ref.authorization])
        : await tx.change('UPDATE bac SET used = used + CAST(? AS DECIMAL(12,2)) WHERE id = ?', [formatAmount(amountCents), rowId]);
    if (changed !== 1) throw new Error(`ledger row ${rowId} vanished while locked`);
  }

  /**
   * Gives the money of a failed booking back, exactly once: our lock row is deleted (payment_ref and
   * holder) and, only if that deleted a row, used = GREATEST(used − amount, 0) — in one transaction, so a
   * second call finds no lock and changes nothing. Returns whether money was given back.
   */
  async release(input: { ref: PaymentRef; holder: string; ledgerRowId: number; amountCents: Cents }, signal?: AbortSignal): Promise<boolean> {
    const key = lockKeyOf(input.ref);
    checkHolder(input.holder);
    checkCents('amountCents', input.amountCents);
    this.checkRow(input.ref, input.ledgerRowId);
    return this.db.transaction(async (tx) => {
      const deleted = await tx.change('DELETE FROM booking_locks WHERE payment_ref = ? AND wa_id = ?', [key, input.holder]);
      if (deleted === 0) return false;
      const amount = formatAmount(input.amountCents);
      const changed =
        input.ref.kind === 'card'
          ? await tx.change('UPDATE compraclick SET used = GREATEST(used - CAST(? AS DECIMAL(12,2)), 0) WHERE id = ? AND autorizacion = ?', [amount, input.ledgerRowId, input.ref.authorization])
          : await tx.change('UPDATE bac SET used = GREATEST(used - CAST(? AS DECIMAL(12,2)), 0) WHERE id = ?', [amount, input.ledgerRowId]);
      // The lock stays (rolled back) when the row is not this payment's: nothing is given back to the wrong sale.
      if (changed !== 1) throw new Error(`release: ledger row ${input.ledgerRowId} is not payment ${key}`);
      return true;
    }, signal);
  }

  /**
   * After a booking: 'HR<reserva>' added to the row's codreser (every booking the row paid for, comma-
   * separated in booking order: the payment rule, hotel-rules/payment-rule.ts), dateused set to now, and the
   * payment's lock deleted — one transaction, idempotent (a code already named is not added again).
   * 'full' when the list would not fit the column (the booking stays recorded in booking_attempts);
   * 'not_found' when the row is not this payment's. The lock is deleted either way: the attempt is over.
   */
  async finalize(input: { ref: PaymentRef; ledgerRowId: number; reserva: string; dateUsed: string }, signal?: AbortSignal): Promise<FinalizeResult> {
    const key = lockKeyOf(input.ref);
    this.checkRow(input.ref, input.ledgerRowId);
    if (!/^\d{1,12}$/.test(input.reserva)) throw new TypeError(`reserva must be digits, got ${JSON.stringify(input.reserva)}`);
    if (!DATETIME_RE.test(input.dateUsed)) throw new TypeError(`dateUsed must be 'YYYY-MM-DD HH:MM:SS', got ${JSON.stringify(input.dateUsed)}`);
    const code = `HR${input.reserva}`;
    const table = input.ref.kind === 'card' ? 'compraclick' : 'bac';
    return this.db.transaction(async (tx): Promise<FinalizeResult> => {
      const [row] =
        input.ref.kind === 'card'
          ? await tx.rows('SELECT codreser FROM compraclick WHERE id = ? AND autorizacion = ? FOR UPDATE', [input.ledgerRowId, input.ref.authorization], codreserRow)
          : await tx.rows('SELECT codreser FROM bac WHERE id = ? FOR UPDATE', [input.ledgerRowId], codreserRow);
      let result: FinalizeResult;
      if (!row) result = 'not_found';
      else if (bookingCodesOf(row.codreser).includes(code)) result = 'already';
      else {
        const next = withBookingCode(row.codreser, code);
        if (next.length > (await this.codreserWidth(tx, table))) result = 'full';
        else {
          await tx.change(`UPDATE ${table} SET codreser = ?, dateused = ? WHERE id = ?`, [next, input.dateUsed, input.ledgerRowId]);
          result = 'written';
        }
      }
      await tx.change('DELETE FROM booking_locks WHERE payment_ref = ?', [key]);
      return result;
    }, signal);
  }

  /** The hotel's codreser width (the replica says VARCHAR(255); the real table was altered by hand). */
  private async codreserWidth(tx: HotelQuery, table: 'compraclick' | 'bac'): Promise<number> {
    const cached = this.widths.get(table);
    if (cached !== undefined) return cached;
    const [row] = await tx.rows(
      `SELECT CHARACTER_MAXIMUM_LENGTH AS width FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = 'codreser'`,
      [table],
      widthRow,
    );
    // Unknown (no such column?): the original's own value, one code, always fits.
    const width = row?.width === null || row?.width === undefined ? 255 : Number(row.width);
    this.widths.set(table, width);
    return width;
  }

  /** Whether our lock is still held (recovery after a crash): the payment's lock row with this holder. */
  async isLocked(ref: PaymentRef, holder: string, signal?: AbortSignal): Promise<boolean> {
    const key = lockKeyOf(ref);
    checkHolder(holder);
    const rows = await this.db.rows('SELECT 1 AS held FROM booking_locks WHERE payment_ref = ? AND wa_id = ?', [key, holder], heldRow, signal);
    return rows.length > 0;
  }

  private checkRow(ref: PaymentRef, ledgerRowId: number): void {
    if (!Number.isSafeInteger(ledgerRowId) || ledgerRowId <= 0) throw new TypeError(`not a ledger row id: ${ledgerRowId}`);
    if (ref.kind === 'bank' && ledgerRowId !== ref.bacId) throw new TypeError(`bac payment ${ref.bacId} has no ledger row ${ledgerRowId}`);
  }
}
