// WATI (WhatsApp) configuration slice: the tenant's API base and bearer token.
import { z } from 'zod';
import { emptyToUndefined, httpUrl, optionalString } from '../../core/config-schema.js';

/** `https://live-mt-server.wati.io/123456/api/v1/` → `https://live-mt-server.wati.io/123456` */
export function normalizeWatiBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/api\/v1$/i, '');
}

export const watiConfig = z
  .object({
    WATI_API_URL: z.preprocess(emptyToUndefined, httpUrl.transform(normalizeWatiBaseUrl).optional()),
    WATI_API_KEY: optionalString,
  })
  .transform((e) => ({ baseUrl: e.WATI_API_URL, apiKey: e.WATI_API_KEY }));

export type WatiConfig = z.output<typeof watiConfig>;
