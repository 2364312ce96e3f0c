// Typed configuration read from the environment (and `.env` via dotenv in server.ts).
// Names are the original service's so an existing `.env` keeps working.
//
// Each module owns a slice: a zod schema over the variables it reads whose transform yields its part of
// Config (src/platforms/wati/config.ts → `config.wati`, …). The server's own variables are the slice
// below. loadConfig validates every slice against the same environment and reports all bad variables
// together; Config is inferred from the slices, so a variable is written once, in its slice.
import { isIP } from 'node:net';
import { z } from 'zod';
import { agentConfig } from './core/llm-config.js';
import { bufferConfig } from './buffer/config.js';
import { baseUrl, emptyToUndefined, oneOf, optionalSecret, text } from './core/config-schema.js';
import { handoffConfig } from './handoff/config.js';
import { emailConfig } from './email/config.js';
import { hotelConfig } from './hotel/config.js';
import { portalsConfig } from './portals/config.js';
import { mediaConfig, withMediaDefaults } from './media/config.js';
import { metricsConfig } from './metrics/config.js';
import { officeConfig } from './office/config.js';
import { manychatConfig } from './platforms/manychat/config.js';
import { watiConfig } from './platforms/wati/config.js';
import { monitoringConfig } from './monitoring/config.js';
import { staffConfig } from './staff/config.js';
import { originalVariablesNotRead, type OriginalVariableNotRead } from './original-variables.js';

export { normalizeWatiBaseUrl } from './platforms/wati/config.js';

/** Thrown when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  - ${issues.join('\n  - ')}`);
  }
}

const DEFAULT_FALLBACK_REPLY =
  'Disculpe, en este momento no pude procesar su mensaje. Un miembro de nuestro equipo le atenderá a la brevedad. ¡Gracias por su paciencia!';

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** An address to listen on: an IPv4/IPv6 address, or a host name (resolved when the server listens). */
function isListenHost(host: string): boolean {
  return isIP(host) !== 0 || HOST_NAME.test(host);
}

/**
 * ADMIN_TOKEN guards every guest's conversation and the payment syncs, and a person types it at the dashboard's
 * login, so it must resist guessing on its own: at least 24 characters (96 bits as hex, out of reach of online
 * guessing at any rate) of which at least 8 differ (refuses `aaaa…`, `abcabc…`, a word repeated). A random
 * token passes both with certainty in practice; the rule refuses what a person makes up in a hurry.
 */
export const ADMIN_TOKEN_MIN_LENGTH = 24;
const ADMIN_TOKEN_MIN_DISTINCT = 8;
const GENERATE_TOKEN = 'generate one with `openssl rand -hex 32`';

const characters = (n: number) => `${n} character${n === 1 ? '' : 's'}`;

/** Why the admin token is too weak, without quoting it; undefined when it is strong enough. */
export function adminTokenWeakness(token: string): string | undefined {
  const length = [...token].length;
  if (length < ADMIN_TOKEN_MIN_LENGTH) return `is ${characters(length)} long; it needs at least ${ADMIN_TOKEN_MIN_LENGTH}: ${GENERATE_TOKEN}`;
  const distinct = new Set(token).size;
  if (distinct < ADMIN_TOKEN_MIN_DISTINCT) return `repeats too few characters (${distinct} different; at least ${ADMIN_TOKEN_MIN_DISTINCT}): ${GENERATE_TOKEN}`;
  return undefined;
}

/**
 * The webhook passkey is the one WATI and ManyChat are set up with, so it is theirs to choose and is not refused
 * for its length; one shorter than this is said at start.
 */
export const WEBHOOK_PASSKEY_MIN_LENGTH = 16;

/** The start-time warning for a short webhook passkey (without quoting it), or undefined. */
export function webhookPasskeyWarning(config: { webhookPasskey: string | undefined }): string | undefined {
  const passkey = config.webhookPasskey;
  if (passkey === undefined || [...passkey].length >= WEBHOOK_PASSKEY_MIN_LENGTH) return undefined;
  return (
    `WEBHOOK_PASSKEY is ${characters([...passkey].length)} long: anyone who guesses it can post messages as any guest. ` +
    `Use at least ${WEBHOOK_PASSKEY_MIN_LENGTH} (e.g. \`openssl rand -hex 16\`) in the webhook URLs of WATI and ManyChat and here`
  );
}

/** The server's own slice: listening, logging, the database, webhook authentication, the admin API. */
export const serverConfig = z
  .object({
    PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65_535).default(8003)),
    HOST: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .default('0.0.0.0')
        .refine(isListenHost, { error: 'must be an IP address (0.0.0.0 for every interface, 127.0.0.1 for this machine only, ::) or a host name such as localhost' }),
    ),
    LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    CONVERSATION_DB_PATH: text('./data/watibot3.db'),
    WEBHOOK_PASSKEY: optionalSecret,
    /** Legacy name of WEBHOOK_PASSKEY, used only when that is unset. */
    WATIBOT4_PASSKEY: optionalSecret,
    PUBLIC_MEDIA_BASE_URL: z.preprocess(emptyToUndefined, baseUrl.optional()),
    TIMEZONE: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .default('America/El_Salvador')
        .refine(isValidTimeZone, { error: 'must be an IANA time zone such as America/El_Salvador' }),
    ),
    FALLBACK_REPLY: text(DEFAULT_FALLBACK_REPLY),
    ADMIN_TOKEN: optionalSecret.superRefine((token, ctx) => {
      const weakness = token === undefined ? undefined : adminTokenWeakness(token);
      if (weakness) ctx.addIssue({ code: 'custom', message: weakness });
    }),
  })
  .transform((e) => ({
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    dbPath: e.CONVERSATION_DB_PATH,
    webhookPasskey: e.WEBHOOK_PASSKEY ?? e.WATIBOT4_PASSKEY,
    /** Public URL where this server's /pictures/ is reachable. */
    publicMediaBaseUrl: e.PUBLIC_MEDIA_BASE_URL,
    timezone: e.TIMEZONE,
    fallbackReply: e.FALLBACK_REPLY,
    /** Bearer token of the admin API; unset ⇒ the admin routes do not exist. */
    adminToken: e.ADMIN_TOKEN,
  }));

/** Every slice, under the Config key its output goes to (`server`'s is spread at the top level). */
export const configSlices = {
  server: serverConfig,
  wati: watiConfig,
  manychat: manychatConfig,
  buffer: bufferConfig,
  llm: agentConfig,
  office: officeConfig,
  handoff: handoffConfig,
  media: mediaConfig,
  hotel: hotelConfig,
  portals: portalsConfig,
  email: emailConfig,
  staff: staffConfig,
  metrics: metricsConfig,
  monitoring: monitoringConfig,
};

const configSchema = z
  .object(configSlices)
  .transform(({ server, media, ...slices }) => ({
    ...server,
    ...slices,
    media: withMediaDefaults(media, { dbPath: server.dbPath, model: slices.llm.model }),
  }));

export type Config = z.output<typeof configSchema> & {
  /** The original service's variables set in the environment that this one does not read (original-variables.ts). */
  originalVariablesNotRead: OriginalVariableNotRead[];
};

/** Parses an environment map into a Config; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Every slice reads the same environment; an issue's path is [slice, VARIABLE].
  const input = Object.fromEntries(Object.keys(configSlices).map((slice) => [slice, env]));
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.slice(1).join('.') || '(env)'}: ${issue.message}`,
    );
    throw new ConfigError([...new Set(issues)]);
  }
  return { ...parsed.data, originalVariablesNotRead: originalVariablesNotRead(env) };
}
