// Office calendar configuration slice: OFFICE_HOURS and OFFICE_CLOSURES, checked with their parsers so a
// typo stops startup with the parser's message (the calendar itself is built in services.ts).
import { z } from 'zod';
import { emptyToUndefined } from '../config-schema.js';
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

export const officeConfig = z
  .object({
    OFFICE_HOURS: scheduleText('mon-fri 08:00-17:00; sat 09:00-13:00', parseOfficeHours),
    OFFICE_CLOSURES: scheduleText('', parseClosures),
  })
  .transform((e) => ({ hours: e.OFFICE_HOURS, closures: e.OFFICE_CLOSURES }));

export type OfficeConfig = z.output<typeof officeConfig>;
