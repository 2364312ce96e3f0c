// The hotel's booking HTTP API (getRooms, addBookingUserRest): one undici Pool bound to the configured
// origin, one attempt per call, every answer validated. A booking POST whose outcome we cannot know (no
// answer, a 5xx, a 200 without a reserva) is flagged ambiguous: the booking may exist, so the caller must
// check before booking again — the original reported such answers as success with reserva "unknown".
import { Pool } from 'undici';
import { z } from 'zod';
import { deadline } from '../core/abort.js';
import { describeIssues } from '../core/errors.js';
import type { IsoDate } from '../hotel-rules/types.js';

export type BookingApiErrorCode = 'timeout' | 'network' | 'http_error' | 'bad_response' | 'room_unavailable' | 'rejected';

export class BookingApiError extends Error {
  override readonly name = 'BookingApiError';
  readonly code: BookingApiErrorCode;
  readonly status?: number;
  /** true when the booking may have been made anyway (no clear answer after the request was sent): timeouts, connection errors, 5xx, a 200 without a reserva */
  readonly ambiguous: boolean;

  constructor(code: BookingApiErrorCode, message: string, opts: { status?: number; ambiguous?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    if (opts.status !== undefined) this.status = opts.status;
    this.ambiguous = opts.ambiguous ?? false;
  }
}

/** The addBookingUserRest form, field names exactly as the backend reads them (§2.2; `cardnumer` sic). */
export interface BookingForm {
  titulo: string;
  firstname: string;
  lastname: string;
  phone: string;
  reserverooms: string;
  ciudad: string;
  /** mm/dd/yyyy */
  checkIn: string;
  /** mm/dd/yyyy */
  checkOut: string;
  acomodacion: string;
  adultcount: string;
  childcount: string;
  childcount1: string;
  payway: string;
  loadamount: string;
  reseramount: string;
  adultrate: string;
  childrate: string;
  email: string;
  dui: string;
  national: string;
  cardusername: string;
  cardnumer: string;
  duedate: string;
  compraclick: string;
  username: string;
  cancel_flag: string;
  service: string;
  commenthotel: string;
  comment: string;
}

export interface BookingApi {
  /** Free rooms for [checkIn, checkOut) — `info` may be an object or an array; values as strings, trimmed, deduplicated. */
  freeRooms(checkIn: IsoDate, checkOut: IsoDate, signal?: AbortSignal): Promise<string[]>;
  /** One POST, never retried here. Success needs status 2xx and a JSON body with a numeric reserva. */
  createBooking(form: BookingForm, signal?: AbortSignal): Promise<{ reserva: string }>;
}

export interface BookingApiOptions {
  /** http(s) URL; requests go to `<baseUrl>/api/…` and nowhere else (no redirects are followed). */
  baseUrl: string;
  /** Whole-exchange bound per call (connect, headers, body). */
  timeoutMs: number;
  /** Connections to the backend at once; more calls wait for one. Default 4. */
  connections?: number;
}

const DEFAULT_CONNECTIONS = 4;
const MESSAGE_MAX = 200;

// Room numbers arrive as strings; a PHP backend may also send bare numbers.
const roomValue = z.union([z.string(), z.number()]).transform((v) => String(v).trim());
const getRoomsBody = z.object({
  info: z.union([z.array(roomValue), z.record(z.string(), roomValue)], {
    error: 'must be an object or an array of room numbers',
  }),
});

const reservaValue = z.union([z.number().int().positive(), z.string().trim().regex(/^\d+$/)]).transform(String);
const bookingBody = z.looseObject({
  reserva: z.unknown().optional(),
  status: z.unknown().optional(),
  message: z.unknown().optional(),
});

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

// Accents stripped and lower-cased before matching (e.g. "La habitación 24 no está disponible").
const UNAVAILABLE = /unavailable|not available|no esta disponible|no disponible|ocupad|occupied|already booked|reservad/;

export function isRoomUnavailableMessage(message: string): boolean {
  return UNAVAILABLE.test(foldText(message));
}

function foldText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

// Errors raised before the request left this process: the backend cannot have acted on it.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

interface RawResponse {
  status: number;
  text: string;
}

export function createBookingApi(options: BookingApiOptions): BookingApi & { close(): Promise<void> } {
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`booking API: not an http(s) URL: ${base.origin}`);
  const basePath = base.pathname.replace(/\/+$/, '');
  // Bound to the one origin: a path can never send a request elsewhere, and a Pool follows no redirects.
  const pool = new Pool(base.origin, { connections: options.connections ?? DEFAULT_CONNECTIONS });
  const timeoutMs = options.timeoutMs;

  async function send(
    label: string,
    req: { method: 'GET' | 'POST'; path: string; body?: string; headers: Record<string, string> },
    signal: AbortSignal | undefined,
  ): Promise<RawResponse> {
    const isPost = req.method === 'POST';
    // Not AbortSignal.timeout: it can be garbage-collected before it fires (see abort.ts).
    const bound = deadline(timeoutMs, signal);
    try {
      const res = await pool.request({ ...req, path: `${basePath}${req.path}`, signal: bound.signal });
      // Read to the end (also for errors) so the keep-alive connection is released.
      const text = await res.body.text();
      return { status: res.statusCode, text };
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      if (bound.timedOut) {
        throw new BookingApiError('timeout', `${label}: no answer within ${timeoutMs} ms`, { ambiguous: isPost, cause: err });
      }
      const code = (err as { code?: unknown }).code;
      const notSent = typeof code === 'string' && NOT_SENT_CODES.has(code);
      const what = err instanceof Error ? err.message : String(err);
      throw new BookingApiError('network', `${label}: ${typeof code === 'string' ? `${code} ` : ''}${what}`, {
        ambiguous: isPost && !notSent,
        cause: err,
      });
    } finally {
      bound.clear();
    }
  }

  /** Non-2xx answers; `isPost` decides whether the backend may have acted anyway. */
  function failure(label: string, res: RawResponse, isPost: boolean): BookingApiError {
    const message = errorMessage(res.text);
    const detail = message ? `: ${message}` : '';
    if (res.status === 409 || (res.status >= 400 && res.status < 500 && message && isRoomUnavailableMessage(message))) {
      return new BookingApiError('room_unavailable', `${label}: HTTP ${res.status}${detail}`, { status: res.status });
    }
    if (res.status >= 400 && res.status < 500) {
      return new BookingApiError('rejected', `${label}: HTTP ${res.status}${detail}`, { status: res.status });
    }
    // 5xx, and 3xx (not followed): the backend took the request and gave no clear outcome.
    return new BookingApiError('http_error', `${label}: HTTP ${res.status}${detail}`, { status: res.status, ambiguous: isPost });
  }

  return {
    async freeRooms(checkIn, checkOut, signal) {
      const label = 'booking API getRooms';
      if (!ISO_DATE.test(checkIn) || !ISO_DATE.test(checkOut)) {
        throw new BookingApiError('rejected', `${label}: dates must be YYYY-MM-DD (got ${clip(checkIn, 20)}, ${clip(checkOut, 20)})`);
      }
      const query = new URLSearchParams({ checkIn, checkOut }).toString();
      const res = await send(label, { method: 'GET', path: `/api/getRooms?${query}`, headers: { accept: 'application/json' } }, signal);
      if (res.status < 200 || res.status >= 300) throw failure(label, res, false);
      const json = parseJson(res.text);
      if (json === undefined) throw new BookingApiError('bad_response', `${label}: body is not JSON: ${snippet(res.text)}`, { status: res.status });
      const parsed = getRoomsBody.safeParse(json);
      if (!parsed.success) {
        throw new BookingApiError('bad_response', `${label}: unexpected body (${describeIssues(parsed.error.issues, 'body').join('; ')})`, {
          status: res.status,
        });
      }
      const values = Array.isArray(parsed.data.info) ? parsed.data.info : Object.values(parsed.data.info);
      return [...new Set(values.filter((room) => room !== ''))];
    },

    async createBooking(form, signal) {
      const label = 'booking API addBookingUserRest';
      const body = new URLSearchParams(Object.entries(form)).toString();
      const res = await send(
        label,
        {
          method: 'POST',
          path: '/api/addBookingUserRest',
          body,
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        },
        signal,
      );
      if (res.status < 200 || res.status >= 300) throw failure(label, res, true);

      const json = parseJson(res.text);
      const parsed = bookingBody.safeParse(json);
      if (!parsed.success) {
        throw new BookingApiError('bad_response', `${label}: HTTP ${res.status} without a JSON object: ${snippet(res.text)}`, {
          status: res.status,
          ambiguous: true,
        });
      }
      const reserva = reservaValue.safeParse(parsed.data.reserva);
      const status = typeof parsed.data.status === 'string' ? parsed.data.status.trim().toLowerCase() : undefined;
      if (reserva.success && (status === undefined || status === 'success')) return { reserva: reserva.data };

      const message = typeof parsed.data.message === 'string' ? parsed.data.message.trim() : '';
      // A 2xx that plainly says the room is taken is a clear refusal, whatever its status code.
      if (!reserva.success && message && isRoomUnavailableMessage(message)) {
        throw new BookingApiError('room_unavailable', `${label}: ${clip(message, MESSAGE_MAX)}`, { status: res.status });
      }
      const why = reserva.success ? `status ${clip(String(parsed.data.status), 40)}` : parsed.data.reserva === undefined ? 'no reserva' : 'reserva is not a number';
      throw new BookingApiError('bad_response', `${label}: HTTP ${res.status} with ${why}: ${snippet(res.text)}`, {
        status: res.status,
        ambiguous: true,
      });
    },

    close: () => pool.close(),
  };
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The backend's `{"message": …}` (or a similar field), else the body text; clipped. */
function errorMessage(text: string): string {
  const json = parseJson(text);
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const o = json as Record<string, unknown>;
    for (const key of ['message', 'error', 'info', 'detail']) {
      const v = o[key];
      if (typeof v === 'string' && v.trim() !== '') return clip(v.trim(), MESSAGE_MAX);
    }
  }
  return snippet(text);
}

function snippet(text: string): string {
  return clip(text.replace(/\s+/g, ' ').trim(), MESSAGE_MAX);
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
