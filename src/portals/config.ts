// Payment portals configuration slice: the system Chromium that drives them, how long one portal session
// may take, how soon a sync may be repeated, and each portal's address and credentials (the original's
// COMPRACLICK_* / BAC_* names). A portal is configured only when its address and both credentials are set;
// otherwise the tools that need it are not offered.
import { z } from 'zod';
import { emptyToUndefined, httpUrl, optionalString, seconds, secondsToMs, trimmedText } from '../core/config-schema.js';

// Kept as written (a password may start or end with a space); never logged.
const secret = z.preprocess(emptyToUndefined, z.string().optional());
const portalUrl = z.preprocess(emptyToUndefined, httpUrl.optional());

/** The names whose value is unset, in order. */
const missingOf = (values: Record<string, string | undefined>): string[] =>
  Object.entries(values).flatMap(([name, value]) => (value === undefined ? [name] : []));

export const portalsConfig = z
  .object({
    CHROMIUM_PATH: trimmedText('/usr/bin/chromium'),
    PORTAL_TIMEOUT_SECONDS: seconds(120),
    PORTAL_SYNC_COOLDOWN_SECONDS: seconds(60),
    COMPRACLICK_PORTAL_URL: portalUrl,
    COMPRACLICK_EMAIL: optionalString,
    COMPRACLICK_PASSWORD: secret,
    BAC_PORTAL_URL: portalUrl,
    BAC_USERNAME: optionalString,
    BAC_PASSWORD: secret,
  })
  .transform((e) => ({
    /** The variables each portal lacks, by name (empty when it is configured): /ready names exactly these. */
    missing: {
      compraclick: missingOf({ COMPRACLICK_PORTAL_URL: e.COMPRACLICK_PORTAL_URL, COMPRACLICK_EMAIL: e.COMPRACLICK_EMAIL, COMPRACLICK_PASSWORD: e.COMPRACLICK_PASSWORD }),
      bac: missingOf({ BAC_PORTAL_URL: e.BAC_PORTAL_URL, BAC_USERNAME: e.BAC_USERNAME, BAC_PASSWORD: e.BAC_PASSWORD }),
    },
    chromiumPath: e.CHROMIUM_PATH,
    timeoutMs: secondsToMs(e.PORTAL_TIMEOUT_SECONDS),
    syncCooldownMs: secondsToMs(e.PORTAL_SYNC_COOLDOWN_SECONDS),
    /** The CompraClick merchant portal; undefined unless its URL, e-mail and password are all set. */
    compraclick:
      e.COMPRACLICK_PORTAL_URL && e.COMPRACLICK_EMAIL && e.COMPRACLICK_PASSWORD !== undefined
        ? { url: e.COMPRACLICK_PORTAL_URL, email: e.COMPRACLICK_EMAIL, password: e.COMPRACLICK_PASSWORD }
        : undefined,
    /** BAC online banking; undefined unless its URL, user name and password are all set. */
    bac:
      e.BAC_PORTAL_URL && e.BAC_USERNAME && e.BAC_PASSWORD !== undefined
        ? { url: e.BAC_PORTAL_URL, username: e.BAC_USERNAME, password: e.BAC_PASSWORD }
        : undefined,
  }));

export type PortalsConfig = z.output<typeof portalsConfig>;
export type CompraClickCredentials = NonNullable<PortalsConfig['compraclick']>;
export type BacCredentials = NonNullable<PortalsConfig['bac']>;
