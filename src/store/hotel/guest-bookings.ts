// Guest reservations (`user_books`), read only: the booking backend writes them. Dates are 'mm/dd/yyyy'
// text, counts and amounts text (a multi-room booking stores '2+3+2'), so they are passed on as written.
import { z } from 'zod';
import { HotelDbError, type HotelQuery } from '../hotel-db.js';
import type { IsoDate } from '../../hotel-rules/types.js';
import { isIsoDate, parseUsDate } from '../../hotel-rules/values.js';

export interface GuestBooking {
  reserva: string;
  /** user_books.timestamp, 'YYYY-MM-DD HH:MM:SS' */
  createdAt: string;
  titulo: string;
  firstname: string;
  lastname: string;
  phone: string;
  email: string | null;
  checkIn: IsoDate;
  checkOut: IsoDate;
  /** acomodacion */
  accommodation: string;
  adults: string;
  children0to5: string;
  children6to10: string;
  payway: string;
  /** loadamount */
  paidAmount: string;
  /** reseramount */
  totalAmount: string;
  adultRate: string;
  childRate: string;
  comment: string | null;
  service: string;
  /** cancel_flag trimmed and lower-cased (NULL → 'no') is not 'no' */
  cancelled: boolean;
  /** reserverooms */
  rooms: string;
  compraclick: string | null;
}

const COLUMNS = `reserva, \`timestamp\`, titulo, firstname, lastname, phone, email, checkIn, checkOut, acomodacion,
  adultcount, childcount, childcount1, payway, loadamount, reseramount, adultrate, childrate, comment, service,
  cancel_flag, reserverooms, compraclick`;

// Columns declared NOT NULL in the replica may still be NULL in production: read as ''.
const text = z.union([z.string(), z.number()]).nullable().transform((v) => (v === null ? '' : String(v)));
const optionalText = z.string().nullable();

const bookingRow = z.object({
  reserva: z.union([z.number().int(), z.string()]),
  timestamp: z.string(),
  titulo: text,
  firstname: text,
  lastname: text,
  phone: text,
  email: optionalText,
  checkIn: z.string(),
  checkOut: z.string(),
  acomodacion: text,
  adultcount: text,
  childcount: text,
  childcount1: text,
  payway: text,
  loadamount: text,
  reseramount: text,
  adultrate: text,
  childrate: text,
  comment: optionalText,
  service: text,
  cancel_flag: z.string().nullable(),
  reserverooms: text,
  compraclick: optionalText,
});
type BookingRow = z.output<typeof bookingRow>;

function dateOf(row: BookingRow, column: 'checkIn' | 'checkOut'): IsoDate {
  const iso = parseUsDate(row[column]);
  if (iso === undefined) throw new HotelDbError('bad_row', `user_books ${String(row.reserva)}: ${column} is not mm/dd/yyyy (${JSON.stringify(row[column])})`);
  return iso;
}

function toBooking(row: BookingRow): GuestBooking {
  return {
    reserva: String(row.reserva),
    createdAt: row.timestamp,
    titulo: row.titulo,
    firstname: row.firstname,
    lastname: row.lastname,
    phone: row.phone,
    email: row.email,
    checkIn: dateOf(row, 'checkIn'),
    checkOut: dateOf(row, 'checkOut'),
    accommodation: row.acomodacion,
    adults: row.adultcount,
    children0to5: row.childcount,
    children6to10: row.childcount1,
    payway: row.payway,
    paidAmount: row.loadamount,
    totalAmount: row.reseramount,
    adultRate: row.adultrate,
    childRate: row.childrate,
    comment: row.comment,
    service: row.service,
    // The same rule as the original's lookup_booking: anything but 'no' is a cancellation.
    cancelled: (row.cancel_flag ?? 'no').trim().toLowerCase() !== 'no',
    rooms: row.reserverooms,
    compraclick: row.compraclick,
  };
}

const DATETIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export class GuestBookings {
  constructor(private readonly db: HotelQuery) {}

  /** The booking with this number ('28601', without HR); anything but digits is not one, and is not looked up. */
  async byReserva(reserva: string, signal?: AbortSignal): Promise<GuestBooking | undefined> {
    // reserva is INT UNSIGNED: at most 10 digits.
    if (!/^\d{1,10}$/.test(reserva)) return undefined;
    const rows = await this.db.rows(`SELECT ${COLUMNS} FROM user_books WHERE reserva = ?`, [reserva], bookingRow, signal);
    const row = rows[0];
    return row ? toBooking(row) : undefined;
  }

  /**
   * For recovering a booking whose API answer was lost: rows with these dates and this phone created at
   * or after `since` ('YYYY-MM-DD HH:MM:SS'), optionally with this compraclick code; newest first.
   */
  async findRecent(
    input: { checkIn: IsoDate; checkOut: IsoDate; phone: string; compraclick?: string | undefined; since: string },
    signal?: AbortSignal,
  ): Promise<GuestBooking[]> {
    if (!isIsoDate(input.checkIn) || !isIsoDate(input.checkOut)) throw new TypeError(`findRecent: not ISO dates: ${input.checkIn}, ${input.checkOut}`);
    if (!DATETIME_RE.test(input.since)) throw new TypeError(`findRecent: since must be 'YYYY-MM-DD HH:MM:SS', got ${JSON.stringify(input.since)}`);
    const compraclick = input.compraclick ?? null;
    const rows = await this.db.rows(
      `SELECT ${COLUMNS} FROM user_books
        WHERE STR_TO_DATE(checkIn, '%m/%d/%Y') = ? AND STR_TO_DATE(checkOut, '%m/%d/%Y') = ?
          AND phone = ? AND \`timestamp\` >= ? AND (? IS NULL OR compraclick = ?)
        ORDER BY \`timestamp\` DESC, reserva DESC`,
      [input.checkIn, input.checkOut, input.phone, input.since, compraclick, compraclick],
      bookingRow,
      signal,
    );
    return rows.map(toBooking);
  }
}
