// Office calendar configuration slice: OFFICE_HOURS and OFFICE_CLOSURES, checked with their parsers so a
// typo stops startup with the parser's message (the calendar itself is built in services.ts), and the phone
// system (FreePBX) whose time group holds the office's closure rules, when OFFICE_DB_HOST is set.
import { z } from 'zod';
import { emptyToUndefined, optionalString, trimmedText } from '../core/config-schema.js';
import { parseClosures, parseOfficeHours } from './schedule.js';

const scheduleText = (def: string, parse: (text: string) => unknown) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default(def)
      .superRefine((value, ctx) => {
        try {
          parse(value);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : 'invalid syntax' });
        }
      }),
  );

/** The PBX's MySQL database and the time group whose rows are the office's closure rules. */
export interface PbxConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  timegroupId: number;
}

export interface OfficeConfig {
  hours: string;
  closures: string;
  /** undefined (and absent) when OFFICE_DB_HOST is unset: the configured hours and closures alone decide. */
  pbx?: PbxConfig | undefined;
}

export const officeConfig = z
  .object({
    OFFICE_HOURS: scheduleText('mon-fri 08:00-17:00; sat 09:00-13:00', parseOfficeHours),
    OFFICE_CLOSURES: scheduleText('', parseClosures),
    // No default host: the original's hard-coded private address reached whatever answered there.
    OFFICE_DB_HOST: optionalString,
    OFFICE_DB_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65_535).default(3306)),
    OFFICE_DB_NAME: trimmedText('asterisk'),
    OFFICE_DB_USER: optionalString,
    // Kept as written (a password may start or end with a space); never logged.
    OFFICE_DB_PASSWORD: z.preprocess(emptyToUndefined, z.string().optional()),
    OFFICE_TIMEGROUP_ID: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).default(3)),
  })
  .superRefine((e, ctx) => {
    if (e.OFFICE_DB_HOST && !e.OFFICE_DB_USER) {
      ctx.addIssue({ code: 'custom', path: ['OFFICE_DB_USER'], message: 'is required when OFFICE_DB_HOST is set' });
    }
  })
  .transform((e): OfficeConfig => {
    const office: OfficeConfig = { hours: e.OFFICE_HOURS, closures: e.OFFICE_CLOSURES };
    // Absent rather than `pbx: undefined`, so a Config compared strictly without a PBX is unchanged.
    if (e.OFFICE_DB_HOST && e.OFFICE_DB_USER) {
      office.pbx = {
        host: e.OFFICE_DB_HOST,
        port: e.OFFICE_DB_PORT,
        user: e.OFFICE_DB_USER,
        password: e.OFFICE_DB_PASSWORD ?? '',
        database: e.OFFICE_DB_NAME,
        timegroupId: e.OFFICE_TIMEGROUP_ID,
      };
    }
    return office;
  });
