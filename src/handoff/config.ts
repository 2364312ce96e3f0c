// Human handoff configuration slice: who a guest is handed to, how long the bot stays paused, the notices,
// and the missed-messages / history-import window from WATI.
import { z } from 'zod';
import { emptyToUndefined, optionalString, text } from '../core/config-schema.js';

// The original's canned texts (wati_client.py): in hours an executive answers shortly; out of hours the
// office hours are given and the query is passed on.
const DEFAULT_HANDOVER_OPEN =
  'Gracias por su paciencia. Le estoy transfiriendo con uno de nuestros ejecutivos de reservas, quien le atenderá en breve.';
const DEFAULT_HANDOVER_CLOSED =
  'Gracias por su paciencia. En este momento nuestra oficina de reservas está cerrada; nuestro horario de atención es de ' +
  'lunes a viernes de 8:00 a. m. a 5:00 p. m. y sábados de 9:00 a. m. a 1:00 p. m. Hemos trasladado su consulta a un ' +
  'ejecutivo, quien le atenderá en cuanto la oficina abra.';
const DEFAULT_GOODBYE = '¡Gracias por escribirnos! Fue un gusto atenderle. Que tenga un excelente día.';

export const handoffConfig = z
  .object({
    HANDOVER_OPERATOR_EMAIL: optionalString,
    BOT_OPERATOR_NAMES: text('Bot'),
    BOT_PAUSE_HOURS: z.preprocess(
      emptyToUndefined,
      z.coerce
        .number({ error: 'must be a number of hours' })
        .positive({ error: 'must be greater than 0' })
        .max(24 * 30, { error: 'must be at most 720 hours' })
        .default(12),
    ),
    HANDOVER_MESSAGE_OPEN: text(DEFAULT_HANDOVER_OPEN),
    HANDOVER_MESSAGE_CLOSED: text(DEFAULT_HANDOVER_CLOSED),
    GOODBYE_MESSAGE: text(DEFAULT_GOODBYE),
    CONTEXT_GAP_MINUTES: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ error: 'must be a number of minutes' }).min(0, { error: 'must be at least 0' }).max(10_080).default(5),
    ),
    HISTORY_IMPORT_MESSAGES: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).min(0).max(500).default(30),
    ),
  })
  .transform((e) => ({
    /** WATI operator the guest is assigned to on a handoff. */
    operatorEmail: e.HANDOVER_OPERATOR_EMAIL,
    /** WATI operator names that are the bot itself (lower-cased, trimmed). */
    botOperatorNames: e.BOT_OPERATOR_NAMES.split(',')
      .map((n) => n.trim().toLowerCase())
      .filter((n) => n !== ''),
    pauseMs: Math.round(e.BOT_PAUSE_HOURS * 3600_000),
    messageOpen: e.HANDOVER_MESSAGE_OPEN,
    messageClosed: e.HANDOVER_MESSAGE_CLOSED,
    goodbyeMessage: e.GOODBYE_MESSAGE,
    /** Missed messages are fetched from WATI when a turn starts this long after the bot's last reply. */
    contextGapMs: Math.round(e.CONTEXT_GAP_MINUTES * 60_000),
    /** Messages imported from WATI for a WhatsApp conversation new to the store (0 = off). */
    historyImportMessages: e.HISTORY_IMPORT_MESSAGES,
  }));

export type HandoffConfig = z.output<typeof handoffConfig>;
