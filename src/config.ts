// Typed configuration read from the environment (and `.env` via dotenv in server.ts).
// Names are the original service's so an existing `.env` keeps working.
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_MEDIA_ALLOWED_HOSTS, parseAllowedHosts } from './media/remote-policy.js';
import { parseClosures, parseOfficeHours } from './office/schedule.js';

/** Thrown when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  - ${issues.join('\n  - ')}`);
  }
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const optionalString = z.preprocess(emptyToUndefined, z.string().trim().min(1).optional());

const seconds = (def: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .positive({ error: 'must be greater than 0' })
      .max(86_400, { error: 'must be at most 86400 seconds' })
      .default(def),
  );

const positiveInt = (def: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be an integer' })
      .int({ error: 'must be an integer' })
      .min(1, { error: 'must be at least 1' })
      .max(max, { error: `must be at most ${max}` })
      .default(def),
  );

const httpUrl = z
  .string()
  .trim()
  .url({ error: 'must be an http(s) URL' })
  .refine((u) => /^https?:\/\//i.test(u), { error: 'must be an http(s) URL' });

/** `https://live-mt-server.wati.io/123456/api/v1/` → `https://live-mt-server.wati.io/123456` */
export function normalizeWatiBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/api\/v1$/i, '');
}

/** A schedule string checked with its parser, so a typo stops startup with the parser's message. */
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

const DEFAULT_FALLBACK_REPLY =
  'Disculpe, en este momento no pude procesar su mensaje. Un miembro de nuestro equipo le atenderá a la brevedad. ¡Gracias por su paciencia!';

// The original's canned texts (wati_client.py): in hours an executive answers shortly; out of hours the
// office hours are given and the query is passed on.
const DEFAULT_HANDOVER_OPEN =
  'Gracias por su paciencia. Le estoy transfiriendo con uno de nuestros ejecutivos de reservas, quien le atenderá en breve.';
const DEFAULT_HANDOVER_CLOSED =
  'Gracias por su paciencia. En este momento nuestra oficina de reservas está cerrada; nuestro horario de atención es de ' +
  'lunes a viernes de 8:00 a. m. a 5:00 p. m. y sábados de 9:00 a. m. a 1:00 p. m. Hemos trasladado su consulta a un ' +
  'ejecutivo, quien le atenderá en cuanto la oficina abra.';
const DEFAULT_GOODBYE = '¡Gracias por escribirnos! Fue un gusto atenderle. Que tenga un excelente día.';

const envSchema = z.object({
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65_535).default(8003)),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  CONVERSATION_DB_PATH: z.preprocess(emptyToUndefined, z.string().default('./data/watibot3.db')),

  WEBHOOK_PASSKEY: optionalString,
  WATIBOT4_PASSKEY: optionalString,

  WATI_API_URL: z.preprocess(emptyToUndefined, httpUrl.transform(normalizeWatiBaseUrl).optional()),
  WATI_API_KEY: optionalString,
  MANYCHAT_API_URL: z.preprocess(
    emptyToUndefined,
    httpUrl.transform((u) => u.replace(/\/+$/, '')).default('https://api.manychat.com'),
  ),
  MANYCHAT_API_KEY: optionalString,
  MANYCHAT_INSTAGRAM_API_KEY: optionalString,
  PUBLIC_MEDIA_BASE_URL: z.preprocess(
    emptyToUndefined,
    httpUrl.transform((u) => u.replace(/\/+$/, '')).optional(),
  ),

  BUFFER_QUIET_SECONDS: seconds(10),
  BUFFER_MEDIA_QUIET_SECONDS: seconds(30),
  BUFFER_MAX_WAIT_SECONDS: seconds(45),
  MAX_CONCURRENT_TURNS: positiveInt(8, 256),

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.preprocess(emptyToUndefined, httpUrl.transform((u) => u.replace(/\/+$/, '')).optional()),
  OPENAI_MODEL: z.preprocess(emptyToUndefined, z.string().trim().default('gpt-5')),
  LLM_API: z.preprocess(emptyToUndefined, z.enum(['responses', 'chat_completions']).default('responses')),
  OPENAI_REASONING_EFFORT: z.preprocess(
    emptyToUndefined,
    z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).default('low'),
  ),
  OPENAI_MAX_OUTPUT_TOKENS: positiveInt(4000, 200_000),
  OPENAI_TIMEOUT_SECONDS: seconds(90),
  SYSTEM_INSTRUCTIONS_PATH: z.preprocess(
    emptyToUndefined,
    z.string().default('resources/system_instructions.txt'),
  ),
  HISTORY_MAX_TOKENS: positiveInt(30_000, 2_000_000),
  MAX_TOOL_ROUNDS: positiveInt(8, 50),
  // Wall-clock bound of one agent turn: all model calls, retries, backoff and tools.
  AGENT_TURN_BUDGET_SECONDS: seconds(300),
  TOOL_TIMEOUT_SECONDS: seconds(30),
  // Chat Completions mode: whether to send OpenAI-only fields (store, prompt_cache_key,
  // max_completion_tokens). auto = only when OPENAI_BASE_URL is unset or points at api.openai.com,
  // because strict compatible servers (Gemini) reject unknown fields.
  LLM_OPENAI_DIALECT: z.preprocess(emptyToUndefined, z.enum(['auto', 'on', 'off']).default('auto')),
  TIMEZONE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default('America/El_Salvador')
      .refine(isValidTimeZone, { error: 'must be an IANA time zone such as America/El_Salvador' }),
  ),
  FALLBACK_REPLY: z.preprocess(emptyToUndefined, z.string().default(DEFAULT_FALLBACK_REPLY)),

  OFFICE_HOURS: scheduleText('mon-fri 08:00-17:00; sat 09:00-13:00', parseOfficeHours),
  OFFICE_CLOSURES: scheduleText('', parseClosures),

  // Human handoff and bot pause.
  HANDOVER_OPERATOR_EMAIL: optionalString,
  BOT_OPERATOR_NAMES: z.preprocess(emptyToUndefined, z.string().default('Bot')),
  BOT_PAUSE_HOURS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number of hours' })
      .positive({ error: 'must be greater than 0' })
      .max(24 * 30, { error: 'must be at most 720 hours' })
      .default(12),
  ),
  HANDOVER_MESSAGE_OPEN: z.preprocess(emptyToUndefined, z.string().default(DEFAULT_HANDOVER_OPEN)),
  HANDOVER_MESSAGE_CLOSED: z.preprocess(emptyToUndefined, z.string().default(DEFAULT_HANDOVER_CLOSED)),
  GOODBYE_MESSAGE: z.preprocess(emptyToUndefined, z.string().default(DEFAULT_GOODBYE)),
  ADMIN_TOKEN: optionalString,

  // Media received from guests.
  MEDIA_MAX_BYTES: positiveInt(20 * 1024 * 1024, 100 * 1024 * 1024),
  MEDIA_RETENTION_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: 'must be a number of days' }).positive({ error: 'must be greater than 0' }).max(3650).default(30),
  ),
  MEDIA_DOWNLOAD_TIMEOUT_SECONDS: seconds(60),
  MEDIA_DIR: optionalString,
  // Hosts (suffixes) ManyChat attachment URLs may be downloaded from; https and public addresses only.
  MEDIA_ALLOWED_HOSTS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default(DEFAULT_MEDIA_ALLOWED_HOSTS.join(','))
      .transform((value, ctx) => {
        try {
          return parseAllowedHosts(value);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : 'invalid host list' });
          return z.NEVER;
        }
      }),
  ),
  TRANSCRIPTION_MODEL: z.preprocess(emptyToUndefined, z.string().trim().default('gpt-4o-mini-transcribe')),
  TRANSCRIPTION_LANGUAGE: z.preprocess(emptyToUndefined, z.string().trim().default('es')),
  PAYMENT_DESTINATION_ACCOUNT: optionalString,
  PAYMENT_PROOF_MODEL: optionalString,
  CONTEXT_GAP_MINUTES: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: 'must be a number of minutes' }).min(0, { error: 'must be at least 0' }).max(10_080).default(5),
  ),
  HISTORY_IMPORT_MESSAGES: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).min(0).max(500).default(30),
  ),
});

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export interface Config {
  port: number;
  host: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  dbPath: string;
  webhookPasskey: string | undefined;
  wati: { baseUrl: string | undefined; apiKey: string | undefined };
  manychat: {
    baseUrl: string;
    facebookApiKey: string | undefined;
    instagramApiKey: string | undefined;
  };
  publicMediaBaseUrl: string | undefined;
  buffer: {
    quietMs: number;
    mediaQuietMs: number;
    maxWaitMs: number;
    maxConcurrentTurns: number;
  };
  llm: {
    apiKey: string | undefined;
    baseUrl: string | undefined;
    model: string;
    api: 'responses' | 'chat_completions';
    reasoningEffort: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
    maxOutputTokens: number;
    timeoutMs: number;
    systemInstructionsPath: string;
    historyMaxTokens: number;
    maxToolRounds: number;
    /** Wall-clock bound of one turn: all model calls, retries, backoff and tools. */
    turnBudgetMs: number;
    /** Default tool handler timeout. */
    toolTimeoutMs: number;
    /** Chat Completions mode: whether OpenAI-only request fields are sent. */
    openaiDialect: 'auto' | 'on' | 'off';
  };
  timezone: string;
  fallbackReply: string;
  office: { hours: string; closures: string };
  handoff: {
    /** WATI operator the guest is assigned to on a handoff. */
    operatorEmail: string | undefined;
    /** WATI operator names that are the bot itself (lower-cased, trimmed). */
    botOperatorNames: string[];
    pauseMs: number;
    messageOpen: string;
    messageClosed: string;
    goodbyeMessage: string;
    /** Missed messages are fetched from WATI when a turn starts this long after the bot's last reply. */
    contextGapMs: number;
    /** Messages imported from WATI for a WhatsApp conversation new to the store (0 = off). */
    historyImportMessages: number;
  };
  /** Bearer token of the admin API; unset ⇒ the admin routes do not exist. */
  adminToken: string | undefined;
  media: {
    maxBytes: number;
    retentionMs: number;
    downloadTimeoutMs: number;
    /** Where downloaded media is kept (default: `media/` next to the database). */
    dir: string;
    /** MEDIA_ALLOWED_HOSTS: where ManyChat attachment URLs may be fetched from (itself or a subdomain). */
    allowedHosts: string[];
    transcriptionModel: string;
    transcriptionLanguage: string;
    /** The hotel's account that bank transfers must reach (analyze_payment_proof). */
    paymentDestinationAccount: string | undefined;
    /** Model of the payment-proof vision call (default: OPENAI_MODEL). */
    paymentProofModel: string;
  };
}

function defaultMediaDir(dbPath: string): string {
  return dbPath === ':memory:' ? join(tmpdir(), 'watibot3-media') : join(dirname(dbPath), 'media');
}

/** Parses an environment map into a Config; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const issues: string[] = [];
  if (e.BUFFER_MAX_WAIT_SECONDS < e.BUFFER_QUIET_SECONDS) {
    issues.push('BUFFER_MAX_WAIT_SECONDS: must be at least BUFFER_QUIET_SECONDS');
  }
  if (issues.length > 0) throw new ConfigError(issues);

  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    dbPath: e.CONVERSATION_DB_PATH,
    webhookPasskey: e.WEBHOOK_PASSKEY ?? e.WATIBOT4_PASSKEY,
    wati: { baseUrl: e.WATI_API_URL, apiKey: e.WATI_API_KEY },
    manychat: {
      baseUrl: e.MANYCHAT_API_URL,
      facebookApiKey: e.MANYCHAT_API_KEY,
      instagramApiKey: e.MANYCHAT_INSTAGRAM_API_KEY,
    },
    publicMediaBaseUrl: e.PUBLIC_MEDIA_BASE_URL,
    buffer: {
      quietMs: Math.round(e.BUFFER_QUIET_SECONDS * 1000),
      mediaQuietMs: Math.round(e.BUFFER_MEDIA_QUIET_SECONDS * 1000),
      maxWaitMs: Math.round(e.BUFFER_MAX_WAIT_SECONDS * 1000),
      maxConcurrentTurns: e.MAX_CONCURRENT_TURNS,
    },
    llm: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
      api: e.LLM_API,
      reasoningEffort: e.OPENAI_REASONING_EFFORT,
      maxOutputTokens: e.OPENAI_MAX_OUTPUT_TOKENS,
      timeoutMs: Math.round(e.OPENAI_TIMEOUT_SECONDS * 1000),
      systemInstructionsPath: e.SYSTEM_INSTRUCTIONS_PATH,
      historyMaxTokens: e.HISTORY_MAX_TOKENS,
      maxToolRounds: e.MAX_TOOL_ROUNDS,
      turnBudgetMs: Math.round(e.AGENT_TURN_BUDGET_SECONDS * 1000),
      toolTimeoutMs: Math.round(e.TOOL_TIMEOUT_SECONDS * 1000),
      openaiDialect: e.LLM_OPENAI_DIALECT,
    },
    timezone: e.TIMEZONE,
    fallbackReply: e.FALLBACK_REPLY,
    office: { hours: e.OFFICE_HOURS, closures: e.OFFICE_CLOSURES },
    handoff: {
      operatorEmail: e.HANDOVER_OPERATOR_EMAIL,
      botOperatorNames: e.BOT_OPERATOR_NAMES.split(',')
        .map((n) => n.trim().toLowerCase())
        .filter((n) => n !== ''),
      pauseMs: Math.round(e.BOT_PAUSE_HOURS * 3600_000),
      messageOpen: e.HANDOVER_MESSAGE_OPEN,
      messageClosed: e.HANDOVER_MESSAGE_CLOSED,
      goodbyeMessage: e.GOODBYE_MESSAGE,
      contextGapMs: Math.round(e.CONTEXT_GAP_MINUTES * 60_000),
      historyImportMessages: e.HISTORY_IMPORT_MESSAGES,
    },
    adminToken: e.ADMIN_TOKEN,
    media: {
      maxBytes: e.MEDIA_MAX_BYTES,
      retentionMs: Math.round(e.MEDIA_RETENTION_DAYS * 86_400_000),
      downloadTimeoutMs: Math.round(e.MEDIA_DOWNLOAD_TIMEOUT_SECONDS * 1000),
      dir: e.MEDIA_DIR ?? defaultMediaDir(e.CONVERSATION_DB_PATH),
      allowedHosts: e.MEDIA_ALLOWED_HOSTS,
      transcriptionModel: e.TRANSCRIPTION_MODEL,
      transcriptionLanguage: e.TRANSCRIPTION_LANGUAGE,
      paymentDestinationAccount: e.PAYMENT_DESTINATION_ACCOUNT,
      paymentProofModel: e.PAYMENT_PROOF_MODEL ?? e.OPENAI_MODEL,
    },
  };
}
