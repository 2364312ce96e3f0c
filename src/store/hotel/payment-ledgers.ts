// Reads of the two payment ledgers the hotel imports: `compraclick` (card sales from the merchant portal)
// and `bac` (the bank statement). Amounts are DECIMAL text ('138.00') or, for bac.credit, whatever text the
// statement printed ('1,250.00'); both are parsed in code with parseAmount, never compared as floats in
// SQL (the original's `credit = ?` never matched a credit with a thousands separator).
import { z } from 'zod';
import { HotelDbError, type HotelQuery } from '../hotel-db.js';
import { bookingCodesOf, type LedgerRowState } from '../../hotel-rules/payment-rule.js';
import type { Cents, IsoDate } from '../../hotel-rules/types.js';
import { addDays, formatAmount, isIsoDate, parseAmount } from '../../hotel-rules/values.js';

export interface CardPayment {
  id: number;
  /** autorizacion (the fallback finds a sale by card and passes its code on) */
  authorization: string;
  /** 'YYYY-MM-DD HH:MM:SS' */
  date: string;
  amountCents: Cents;
  usedCents: Cents;
  /** codreser as written ('HR<reserva>', or several comma-separated); null when empty */
  bookingCode: string | null;
  /** every booking codreser names, oldest first */
  bookingCodes: string[];
  dateUsed: string | null;
  /** estado ('APROBADA', 'ANULADA', …) */
  status: string;
  /** tarjeta, masked ('411111XXXXXX1111') */
  cardMasked: string;
  /** cliente */
  customer: string;
}

export interface BankCredit {
  id: number;
  date: IsoDate;
  /** undefined when the statement's text is not an amount */
  creditCents: Cents | undefined;
  usedCents: Cents;
  bookingCode: string | null;
  bookingCodes: string[];
  dateUsed: string | null;
  description: string;
  reference: string;
}

const amountValue = z.union([z.string(), z.number()]);
const text = z.string().nullable();

/** The compraclick columns toCardPayment reads (also selected, FOR UPDATE, by payment-reservations.ts). */
export const CARD_PAYMENT_COLUMNS = 'id, autorizacion, date, importe, used, codreser, dateused, estado, tarjeta, cliente';

export const cardPaymentRow = z.object({
  id: z.number().int(),
  autorizacion: text,
  date: z.string(),
  importe: amountValue,
  used: amountValue,
  codreser: text,
  dateused: text,
  estado: text,
  tarjeta: text,
  cliente: text,
});

/** A ledger amount that must be one (importe, used): anything else is a row we cannot reason about. */
export function ledgerAmount(table: string, id: number, column: string, value: string | number | null): Cents {
  const cents = parseAmount(value);
  if (cents === undefined) throw new HotelDbError('bad_row', `${table} row ${id}: ${column} is not an amount (${JSON.stringify(value)})`);
  return cents;
}

/** Empty booking codes and dates are stored as '' or NULL alike. */
export function blankToNull(value: string | null): string | null {
  const v = value?.trim() ?? '';
  return v === '' ? null : v;
}

export function toCardPayment(row: z.output<typeof cardPaymentRow>): CardPayment {
  return {
    id: row.id,
    authorization: (row.autorizacion ?? '').trim(),
    date: row.date,
    amountCents: ledgerAmount('compraclick', row.id, 'importe', row.importe),
    usedCents: ledgerAmount('compraclick', row.id, 'used', row.used),
    bookingCode: blankToNull(row.codreser),
    bookingCodes: bookingCodesOf(row.codreser),
    dateUsed: blankToNull(row.dateused),
    status: (row.estado ?? '').trim(),
    cardMasked: row.tarjeta ?? '',
    customer: row.cliente ?? '',
  };
}

const bankRow = z.object({
  id: z.number().int(),
  credit: text,
  used: amountValue,
  codreser: text,
  dateused: text,
  description: text,
  reference: text,
});

const countValue = z.union([z.number(), z.string().regex(/^\d+$/), z.null()]).transform((v) => (v === null ? 0 : Number(v)));
const diagnosticsRow = z.object({
  total: countValue,
  card_matches: countValue,
  amount_matches: countValue,
  date_matches: countValue,
});

function checkDay(day: IsoDate): void {
  if (!isIsoDate(day)) throw new TypeError(`not an ISO date: ${JSON.stringify(day)}`);
}

/** The card's last four digits, checked so they can never act as LIKE wildcards. */
function cardPattern(last4: string): string {
  if (!/^\d{4}$/.test(last4)) throw new TypeError(`card last four must be 4 digits, got ${JSON.stringify(last4)}`);
  return `%${last4}`;
}

function amountParam(cents: Cents): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new TypeError(`amount must be whole non-negative cents, got ${cents}`);
  return formatAmount(cents);
}

/** [start, end) of a calendar day as DATETIME text. */
function dayBounds(from: IsoDate, toInclusive: IsoDate): [string, string] {
  return [`${from} 00:00:00`, `${addDays(toInclusive, 1)} 00:00:00`];
}

export class PaymentLedgers {
  constructor(private readonly db: HotelQuery) {}

  /** Every sale with this authorization code (codes are only 6 digits: several sales may share one). */
  async cardPaymentsByAuthorization(code: string, signal?: AbortSignal): Promise<CardPayment[]> {
    const rows = await this.db.rows(
      `SELECT ${CARD_PAYMENT_COLUMNS} FROM compraclick WHERE autorizacion = ? ORDER BY id`,
      [code],
      cardPaymentRow,
      signal,
    );
    return rows.map(toCardPayment);
  }

  /** Sales on `day` with a card ending in `last4` and this exact amount, newest first (the no-code fallback). */
  async cardPaymentsByCard(last4: string, amountCents: Cents, day: IsoDate, signal?: AbortSignal): Promise<CardPayment[]> {
    checkDay(day);
    const [start, end] = dayBounds(day, day);
    const rows = await this.db.rows(
      `SELECT ${CARD_PAYMENT_COLUMNS} FROM compraclick
        WHERE tarjeta LIKE ? AND ABS(importe - CAST(? AS DECIMAL(12,2))) < 0.01 AND date >= ? AND date < ?
        ORDER BY date DESC, id DESC`,
      [cardPattern(last4), amountParam(amountCents), start, end],
      cardPaymentRow,
      signal,
    );
    return rows.map(toCardPayment);
  }

  /** When the fallback finds nothing: over day±7, how many sales match the card, the amount and the day. */
  async cardDiagnostics(
    last4: string,
    amountCents: Cents,
    day: IsoDate,
    signal?: AbortSignal,
  ): Promise<{ total: number; cardMatches: number; amountMatches: number; dateMatches: number }> {
    checkDay(day);
    const [dayStart, dayEnd] = dayBounds(day, day);
    const [windowStart, windowEnd] = dayBounds(addDays(day, -7), addDays(day, 7));
    const rows = await this.db.rows(
      `SELECT COUNT(*) AS total,
              CAST(COALESCE(SUM(tarjeta LIKE ?), 0) AS SIGNED) AS card_matches,
              CAST(COALESCE(SUM(ABS(importe - CAST(? AS DECIMAL(12,2))) < 0.01), 0) AS SIGNED) AS amount_matches,
              CAST(COALESCE(SUM(date >= ? AND date < ?), 0) AS SIGNED) AS date_matches
         FROM compraclick
        WHERE date >= ? AND date < ?`,
      [cardPattern(last4), amountParam(amountCents), dayStart, dayEnd, windowStart, windowEnd],
      diagnosticsRow,
      signal,
    );
    const r = rows[0];
    if (!r) throw new HotelDbError('bad_row', 'compraclick diagnostics: no row from an aggregate query');
    return { total: r.total, cardMatches: r.card_matches, amountMatches: r.amount_matches, dateMatches: r.date_matches };
  }

  /** Every statement line dated `day` (debits included); the caller matches the amount in code. */
  async bankCreditsOn(day: IsoDate, signal?: AbortSignal): Promise<BankCredit[]> {
    checkDay(day);
    const rows = await this.db.rows(
      `SELECT id, credit, used, codreser, dateused, description, reference
         FROM bac
        WHERE STR_TO_DATE(date, '%d/%m/%Y') = ?
        ORDER BY id`,
      [day],
      bankRow,
      signal,
    );
    // The WHERE clause matched this day, whatever the text's padding.
    return rows.map((row) => toBankCredit(row, day));
  }

  /** One statement line by its id (the transfer_id make_booking was given), its date as the statement has it. */
  async bankCredit(id: number, signal?: AbortSignal): Promise<BankCredit | undefined> {
    if (!Number.isSafeInteger(id) || id <= 0) throw new TypeError(`not a bac id: ${id}`);
    const rows = await this.db.rows(
      `SELECT id, credit, used, codreser, dateused, description, reference, DATE_FORMAT(STR_TO_DATE(date, '%d/%m/%Y'), '%Y-%m-%d') AS day
         FROM bac WHERE id = ?`,
      [id],
      bankRow.extend({ day: text }),
      signal,
    );
    const row = rows[0];
    return row && toBankCredit(row, (row.day ?? '') as IsoDate);
  }
}

function toBankCredit(row: z.output<typeof bankRow>, day: IsoDate): BankCredit {
  return {
    id: row.id,
    date: day,
    creditCents: parseAmount(row.credit),
    usedCents: ledgerAmount('bac', row.id, 'used', row.used),
    bookingCode: blankToNull(row.codreser),
    bookingCodes: bookingCodesOf(row.codreser),
    dateUsed: blankToNull(row.dateused),
    description: row.description ?? '',
    reference: row.reference ?? '',
  };
}

/** A card sale as the payment rule sees it. */
export function cardRowState(p: CardPayment): LedgerRowState {
  return { id: p.id, amountCents: p.amountCents, usedCents: p.usedCents, bookingCodes: p.bookingCodes, voided: isVoidedStatus(p.status) };
}

/** A statement credit as the payment rule sees it (a credit whose text is no amount pays nothing). */
export function bankRowState(c: BankCredit): LedgerRowState {
  return { id: c.id, amountCents: c.creditCents ?? 0, usedCents: c.usedCents, bookingCodes: c.bookingCodes, voided: false };
}

/** A card sale the portal reports voided, reversed or declined pays for nothing (the original never looked). */
export function isVoidedStatus(status: string): boolean {
  return /anulad|revers|rechaz|declin|void|cancel/i.test(status);
}
