// A fake of the hotel's booking HTTP API (shared/reference/hotel-backends.md §2) on 127.0.0.1, backed by the
// suite's MariaDB hotel database: GET /api/getRooms answers the rooms free in user_books + member_books,
// POST /api/addBookingUserRest validates the form the bot must send and INSERTs the user_books row the real
// backend would. Switches script the failures the service must survive (5xx, hangs, HTML, array `info`).
import mysql from 'mysql2/promise';
import { delay, listenLocal, readRecordedRequest, writeFakeResponse, type FakeResponse } from './fake-wati.js';
import type { HotelDbConnection } from './hotel-fixtures.js';

export type FakeBookingEndpoint = 'getRooms' | 'addBooking';
/**
 * What the next call of an endpoint does instead of its normal answer:
 * - `http500`: 500 `{"message":"Internal error"}`, nothing written.
 * - `timeout`: never answers (until close), nothing written.
 * - `room_unavailable`: addBooking 409 for the first requested room; getRooms answers only `Pasadía` free.
 * - `not_json`: 200 with an HTML page. addBooking still makes the booking (a PHP page around a success).
 * - `array_info`: getRooms sends `info` as a JSON array. addBooking makes the booking and answers the guide's
 *   `{"status":"success"}` without a reserva.
 */
export type FakeBookingFailure = 'http500' | 'timeout' | 'room_unavailable' | 'not_json' | 'array_info';

export interface FakeBookingRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The parsed form body (urlencoded or multipart), if it had one. */
  form?: Record<string, string>;
  /** Epoch ms of arrival. */
  at: number;
}

export interface FakeBookingApi {
  /** http://127.0.0.1:<port> — what the booking API base URL is set to. */
  url: string;
  /** Every request, in arrival order, including rejected ones. */
  requests: FakeBookingRequest[];
  /** user_books rows this fake INSERTed (also those whose answer was then withheld or garbled). */
  bookings(): number;
  /** Switches for the next N calls (default 1) of one endpoint; queued in order. */
  failNext(endpoint: FakeBookingEndpoint, mode: FakeBookingFailure, times?: number): void;
  /** addBooking: hang after writing the user_books row (the booking exists, the answer never comes) or before writing it. */
  hangBookings(mode: 'after_insert' | 'before_insert' | false): void;
  /**
   * Resolves with the form of the next addBookingUserRest request once the fake has done all it will do for
   * it except answering (the row is written if it is going to be), so a test may kill the client right then.
   */
  nextBookingRequest(): Promise<Record<string, string>>;
  /** Added to every answer, in ms (a benchmark subtracts it). */
  latencyMs: number;
  /** Ends hanging requests, stops the server and its database pool. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Rooms

/** The hotel's inventory in the availability query's order: 1–59, 1A–14A, and the day-pass pseudo-room. */
export const INVENTORY: readonly string[] = [
  ...Array.from({ length: 59 }, (_, i) => String(i + 1)),
  ...Array.from({ length: 14 }, (_, i) => `${i + 1}A`),
  'Pasadía',
];
const INVENTORY_SET = new Set(INVENTORY);

/**
 * The rooms named by a reserverooms / room_number value, in every format of §1.3: `1-24`, `1-Pasadía`,
 * `24+25+26`, `1-24,25`, `1-24+25,26+27`, `1-3A`. Text after the first `-` if there is one, `+` and `,` both
 * separators, each piece trimmed; `3a` is `3A`, `pasadia` is `Pasadía`. The per-night meaning of `,` is not
 * modelled: every room listed is held for the whole stay, as the hotel's own availability query does.
 */
export function parseRoomList(value: string): string[] {
  const dash = value.indexOf('-');
  const list = dash >= 0 ? value.slice(dash + 1) : value;
  const rooms: string[] = [];
  for (const piece of list.split(/[+,]/)) {
    const room = canonicalRoom(piece);
    if (room !== '' && !rooms.includes(room)) rooms.push(room);
  }
  return rooms;
}

function canonicalRoom(piece: string): string {
  const t = piece.trim();
  if (/^pasad[ií]a$/i.test(t.normalize('NFC'))) return 'Pasadía';
  return t.toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Dates

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const US_DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;

/** A real calendar date as epoch ms (UTC midnight), or undefined. */
function calendarDay(year: number, month: number, day: number): number | undefined {
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? ms : undefined;
}

function parseIso(value: string | undefined): number | undefined {
  const m = value === undefined ? null : ISO_DATE.exec(value);
  return m ? calendarDay(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}

function parseUs(value: string | undefined): number | undefined {
  const m = value === undefined ? null : US_DATE.exec(value);
  return m ? calendarDay(Number(m[3]), Number(m[1]), Number(m[2])) : undefined;
}

const DAY_MS = 86_400_000;
const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// Form validation (addBookingUserRest)

const REQUIRED_NON_EMPTY = [
  'titulo',
  'firstname',
  'phone',
  'reserverooms',
  'checkIn',
  'checkOut',
  'acomodacion',
  'adultcount',
  'childcount',
  'childcount1',
  'payway',
  'loadamount',
  'reseramount',
  'service',
  'username',
] as const;
/** Sent by the bot but legitimately empty for some guests (a one-word name, no e-mail given). */
const REQUIRED_MAY_BE_EMPTY = ['lastname', 'email'] as const;
const AMOUNT = /^\d+(\.\d{1,2})?$/;
const COUNT = /^\d{1,2}$/;

type Validation = { ok: true; rooms: string[]; checkIn: number; checkOut: number } | { ok: false; message: string };

function validateForm(form: Record<string, string>): Validation {
  for (const field of REQUIRED_NON_EMPTY) {
    const v = form[field];
    if (v === undefined) return { ok: false, message: `${field} is required` };
    if (v.trim() === '') return { ok: false, message: `${field} must not be empty` };
  }
  for (const field of REQUIRED_MAY_BE_EMPTY) {
    if (form[field] === undefined) return { ok: false, message: `${field} is required` };
  }
  const email = form.email?.trim() ?? '';
  if (email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return { ok: false, message: 'email is not a valid address' };

  const checkIn = parseUs(form.checkIn);
  if (checkIn === undefined) return { ok: false, message: 'checkIn must be a date mm/dd/yyyy' };
  const checkOut = parseUs(form.checkOut);
  if (checkOut === undefined) return { ok: false, message: 'checkOut must be a date mm/dd/yyyy' };
  if (checkOut < checkIn) return { ok: false, message: 'checkOut must not be before checkIn' };

  const rooms = parseRoomList(form.reserverooms ?? '');
  if (rooms.length === 0) return { ok: false, message: 'reserverooms names no room' };
  const unknown = rooms.find((r) => !INVENTORY_SET.has(r));
  if (unknown !== undefined) return { ok: false, message: `reserverooms: no such room ${unknown}` };

  let adults = 0;
  for (const field of ['adultcount', 'childcount', 'childcount1'] as const) {
    const parts = (form[field] ?? '').split('+').map((p) => p.trim());
    if (!parts.every((p) => COUNT.test(p))) {
      return { ok: false, message: `${field} must be a number, or one number per room joined by '+'` };
    }
    if (parts.length !== 1 && parts.length !== rooms.length) {
      return { ok: false, message: `${field} has ${parts.length} '+'-joined values for ${rooms.length} rooms` };
    }
    if (field === 'adultcount') adults = parts.reduce((sum, p) => sum + Number(p), 0);
  }
  if (adults < 1) return { ok: false, message: 'adultcount must be at least 1' };

  for (const field of ['loadamount', 'reseramount'] as const) {
    if (!AMOUNT.test(form[field] ?? '')) return { ok: false, message: `${field} must be an amount like 138.00` };
  }
  return { ok: true, rooms, checkIn, checkOut };
}

// ---------------------------------------------------------------------------------------------

const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Las Hojas</title></head><body><h1>Gracias</h1><p>Su solicitud fue procesada.</p></body></html>\n';

export async function startFakeBookingApi(options: { connection: HotelDbConnection }): Promise<FakeBookingApi> {
  const pool = mysql.createPool({ ...options.connection, connectionLimit: 4, charset: 'utf8mb4', dateStrings: true });
  const requests: FakeBookingRequest[] = [];
  const failures: Record<FakeBookingEndpoint, FakeBookingFailure[]> = { getRooms: [], addBooking: [] };
  let hangMode: 'after_insert' | 'before_insert' | false = false;
  let inserted = 0;
  let bookingWaiters: ((form: Record<string, string>) => void)[] = [];
  let userBooksColumns: Set<string> | undefined;
  // Check-then-insert must not interleave, or two requests could both take the last free room.
  let bookingLock: Promise<void> = Promise.resolve();

  let closing = false;
  let endHangs!: () => void;
  const closed = new Promise<void>((resolve) => {
    endHangs = resolve;
  });
  /** A request that never gets an answer: waits until close() destroys its connection. */
  const hang = async (): Promise<undefined> => {
    await closed;
    return undefined;
  };

  const json = (status: number, body: unknown): FakeResponse => ({ status, body });
  const message = (status: number, text: string): FakeResponse => json(status, { message: text });

  /** Rooms held by non-cancelled bookings whose stay overlaps [from, to) (epoch ms, UTC days). */
  async function bookedRooms(from: number, to: number): Promise<Set<string>> {
    // A stored same-day stay (day use) holds its room for that date's night, like a same-day query.
    const overlap = (rooms: string, table: string) => `
      SELECT ${rooms} AS rooms FROM ${table}
       WHERE LOWER(TRIM(COALESCE(cancel_flag, 'no'))) <> 'yes'
         AND STR_TO_DATE(checkIn, '%m/%d/%Y') < ?
         AND GREATEST(STR_TO_DATE(checkOut, '%m/%d/%Y'), STR_TO_DATE(checkIn, '%m/%d/%Y') + INTERVAL 1 DAY) > ?`;
    const [rows] = await pool.query<mysql.RowDataPacket[]>(
      `${overlap('reserverooms', 'user_books')} UNION ALL ${overlap('room_number', 'member_books')}`,
      [isoOf(to), isoOf(from), isoOf(to), isoOf(from)],
    );
    const booked = new Set<string>();
    for (const row of rows) for (const room of parseRoomList(String(row.rooms ?? ''))) booked.add(room);
    return booked;
  }

  /** Free rooms for a stay; a same-day range (a day pass) is taken as the night of that date. */
  async function freeRooms(checkIn: number, checkOut: number): Promise<{ index: number; room: string }[]> {
    const booked = await bookedRooms(checkIn, Math.max(checkOut, checkIn + DAY_MS));
    return INVENTORY.map((room, i) => ({ index: i + 1, room })).filter(({ room }) => room === 'Pasadía' || !booked.has(room));
  }

  async function getRooms(query: Record<string, string>, failure: FakeBookingFailure | undefined): Promise<FakeResponse | undefined> {
    if (failure === 'http500') return message(500, 'Internal error');
    if (failure === 'timeout') return hang();
    if (failure === 'not_json') return { status: 200, body: HTML_PAGE, headers: { 'content-type': 'text/html; charset=UTF-8' } };
    const checkIn = parseIso(query.checkIn);
    const checkOut = parseIso(query.checkOut);
    if (checkIn === undefined) return message(400, 'checkIn is required as YYYY-MM-DD');
    if (checkOut === undefined) return message(400, 'checkOut is required as YYYY-MM-DD');
    if (checkOut < checkIn) return message(400, 'checkOut must not be before checkIn');
    const free = failure === 'room_unavailable' ? [{ index: INVENTORY.length, room: 'Pasadía' }] : await freeRooms(checkIn, checkOut);
    if (failure === 'array_info') return json(200, { info: free.map((f) => f.room) });
    // Keys are the rooms' 1-based places in the inventory, so they start at "1" and have gaps where rooms
    // are taken, as a PHP array after array_diff does: a client that assumes a list breaks here.
    return json(200, { info: Object.fromEntries(free.map((f) => [String(f.index), f.room])) });
  }

  async function columns(): Promise<Set<string>> {
    if (!userBooksColumns) {
      const [rows] = await pool.query<mysql.RowDataPacket[]>('SHOW COLUMNS FROM user_books');
      userBooksColumns = new Set(rows.map((r) => String(r.Field)));
    }
    return userBooksColumns;
  }

  async function insertBooking(form: Record<string, string>): Promise<{ reserva: number } | FakeResponse> {
    const known = await columns();
    const row: Record<string, string> = {};
    for (const [field, value] of Object.entries(form)) {
      // The bot's misspelt field lands in the real column; the backend assigns reserva and timestamp itself.
      const column = field === 'cardnumer' ? 'cardnumber' : field;
      if (column === 'reserva' || column === 'timestamp' || !known.has(column)) continue;
      row[column] = value;
    }
    row.cancel_flag = 'no';
    const names = Object.keys(row);
    try {
      const [result] = await pool.query<mysql.ResultSetHeader>(
        `INSERT INTO user_books (${names.map((n) => `\`${n}\``).join(', ')}) VALUES (?)`,
        [names.map((n) => row[n])],
      );
      inserted++;
      return { reserva: result.insertId };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'ER_DATA_TOO_LONG') {
        const column = /column '([^']+)'/i.exec(String((err as Error).message))?.[1] ?? 'a field';
        return message(400, `${column} is too long`);
      }
      throw err;
    }
  }

  async function addBooking(form: Record<string, string> | undefined, failure: FakeBookingFailure | undefined): Promise<FakeResponse | undefined> {
    const notifyArrival = () => {
      const waiting = bookingWaiters;
      bookingWaiters = [];
      for (const resolve of waiting) resolve({ ...(form ?? {}) });
    };
    if (failure === 'http500') {
      notifyArrival();
      return message(500, 'Internal error');
    }
    if (failure === 'timeout' || hangMode === 'before_insert') {
      notifyArrival();
      return hang();
    }
    if (!form) {
      notifyArrival();
      return message(400, 'body must be application/x-www-form-urlencoded (or multipart/form-data)');
    }
    const valid = validateForm(form);
    if (!valid.ok) {
      notifyArrival();
      return message(400, valid.message);
    }
    if (failure === 'room_unavailable') {
      notifyArrival();
      return message(409, `La habitación ${valid.rooms[0] ?? ''} no está disponible`);
    }

    const previous = bookingLock;
    let release!: () => void;
    bookingLock = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    let outcome: { reserva: number } | FakeResponse;
    try {
      const free = new Set((await freeRooms(valid.checkIn, valid.checkOut)).map((f) => f.room));
      const taken = valid.rooms.find((r) => !free.has(r));
      outcome = taken !== undefined ? message(409, `La habitación ${taken} no está disponible`) : await insertBooking(form);
    } finally {
      release();
    }
    notifyArrival();
    if (!('reserva' in outcome)) return outcome;
    if (hangMode === 'after_insert') return hang();
    if (failure === 'not_json') return { status: 200, body: HTML_PAGE, headers: { 'content-type': 'text/html; charset=UTF-8' } };
    if (failure === 'array_info') return json(200, { status: 'success' });
    return json(200, { status: 'success', reserva: outcome.reserva });
  }

  const api: FakeBookingApi = {
    url: '',
    requests,
    bookings: () => inserted,
    failNext(endpoint, mode, times = 1) {
      for (let i = 0; i < times; i++) failures[endpoint].push(mode);
    },
    hangBookings(mode) {
      hangMode = mode;
    },
    nextBookingRequest: () =>
      new Promise<Record<string, string>>((resolve) => {
        bookingWaiters.push(resolve);
      }),
    latencyMs: 0,
    close: async () => undefined,
  };

  const server = await listenLocal(async (req, res) => {
    const rec = await readRecordedRequest(req);
    const query = Object.fromEntries(rec.query.entries());
    const form = rec.form ? { ...rec.form.fields } : undefined;
    requests.push({ method: rec.method, path: rec.path, query, ...(form ? { form } : {}), at: Date.now() });

    let response: FakeResponse | undefined;
    try {
      if (rec.path === '/api/getRooms') {
        response = rec.method === 'GET' ? await getRooms(query, failures.getRooms.shift()) : message(405, 'Method not allowed');
      } else if (rec.path === '/api/addBookingUserRest') {
        response = rec.method === 'POST' ? await addBooking(form, failures.addBooking.shift()) : message(405, 'Method not allowed');
      } else {
        response = message(404, 'Not found');
      }
    } catch (err) {
      // A database error is the backend's 500, never a crash of the fake.
      response = message(500, `Internal error: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (response === undefined || closing) return; // hung: close() destroys the connection
    if (api.latencyMs > 0) await delay(api.latencyMs);
    writeFakeResponse(res, response);
  });

  api.url = server.origin;
  api.close = async () => {
    if (closing) return;
    closing = true;
    endHangs();
    // Waiters for a request that never came stay pending: resolving them with nothing would look like one.
    bookingWaiters = [];
    await server.close();
    await pool.end();
  };
  return api;
}
