// ManyChat (Messenger / Instagram) configuration slice: the API base and one key per connected account.
import { z } from 'zod';
import { baseUrl, emptyToUndefined, optionalString } from '../../core/config-schema.js';

export const manychatConfig = z
  .object({
    MANYCHAT_API_URL: z.preprocess(emptyToUndefined, baseUrl.default('https://api.manychat.com')),
    MANYCHAT_API_KEY: optionalString,
    MANYCHAT_INSTAGRAM_API_KEY: optionalString,
  })
  .transform((e) => ({
    baseUrl: e.MANYCHAT_API_URL,
    facebookApiKey: e.MANYCHAT_API_KEY,
    instagramApiKey: e.MANYCHAT_INSTAGRAM_API_KEY,
  }));

export type ManychatConfig = z.output<typeof manychatConfig>;
