// Hotel backends configuration slice: the hotel's MySQL database (the original's DB_* names, so the hotel's
// `.env` keeps working) and its booking API, and when the assistant may book by itself. Either backend may
// be missing: the tools that need it are then not offered and /ready says so.
import { z } from 'zod';
import { baseUrl, emptyToUndefined, oneOf, optionalString, positiveInt, seconds, secondsToMs } from '../core/config-schema.js';

export const BOOKING_AUTOMATION_MODES = ['outside_office_hours', 'always', 'never'] as const;
export type BookingAutomation = (typeof BOOKING_AUTOMATION_MODES)[number];

export const hotelConfig = z
  .object({
    DB_HOST: optionalString,
    DB_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65_535).default(3306)),
    DB_USER: optionalString,
    // Kept as written (a password may start or end with a space); never logged.
    DB_PASSWORD: z.preprocess(emptyToUndefined, z.string().optional()),
    DB_NAME: optionalString,
    DB_CONNECT_TIMEOUT_SECONDS: seconds(5),
    DB_QUERY_TIMEOUT_SECONDS: seconds(8),
    DB_RETRIES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(5).default(2)),
    BOOKING_API_URL: z.preprocess(emptyToUndefined, baseUrl.optional()),
    BOOKING_API_TIMEOUT_SECONDS: seconds(30),
    BOOKING_AUTOMATION: oneOf(BOOKING_AUTOMATION_MODES, 'outside_office_hours'),
    /** Concurrent getRooms calls of one smart-availability check. */
    AVAILABILITY_CONCURRENCY: positiveInt(4, 16),
  })
  .superRefine((e, ctx) => {
    if (e.DB_HOST && (!e.DB_USER || !e.DB_NAME)) {
      for (const name of ['DB_USER', 'DB_NAME'] as const) {
        if (!e[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when DB_HOST is set' });
      }
    }
  })
  .transform((e) => ({
    /** The hotel database; undefined when DB_HOST is unset. */
    database:
      e.DB_HOST && e.DB_USER && e.DB_NAME
        ? {
            host: e.DB_HOST,
            port: e.DB_PORT,
            user: e.DB_USER,
            password: e.DB_PASSWORD ?? '',
            database: e.DB_NAME,
            connectTimeoutMs: secondsToMs(e.DB_CONNECT_TIMEOUT_SECONDS),
            queryTimeoutMs: secondsToMs(e.DB_QUERY_TIMEOUT_SECONDS),
            retries: e.DB_RETRIES,
          }
        : undefined,
    /** The booking backend; undefined when BOOKING_API_URL is unset. */
    bookingApi: e.BOOKING_API_URL ? { baseUrl: e.BOOKING_API_URL, timeoutMs: secondsToMs(e.BOOKING_API_TIMEOUT_SECONDS) } : undefined,
    bookingAutomation: e.BOOKING_AUTOMATION as BookingAutomation,
    availabilityConcurrency: e.AVAILABILITY_CONCURRENCY,
  }));

export type HotelConfig = z.output<typeof hotelConfig>;
