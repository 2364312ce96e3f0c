// Zod building blocks shared by the configuration slices (src/config.ts and each module's config.ts).
// Every value comes from the environment as a string; an empty or blank one counts as unset.
import { z } from 'zod';

export const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A trimmed string, or undefined when unset or blank. */
export const optionalString = z.preprocess(emptyToUndefined, z.string().trim().min(1).optional());

/**
 * A secret: unset when empty; refused when it is only spaces (a typo in the .env, never a secret anyone chose);
 * otherwise trimmed. The value never appears in a message.
 */
export const optionalSecret = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z.string().trim().min(1, { error: 'is only spaces: leave it empty to unset it, or give the secret' }).optional(),
);

/** A string with a default when unset or blank (kept as written: messages may start or end with spaces). */
export const text = (def: string) => z.preprocess(emptyToUndefined, z.string().default(def));

/** A trimmed string (a model name, a language code) with a default when unset or blank. */
export const trimmedText = (def: string) => z.preprocess(emptyToUndefined, z.string().trim().default(def));

/** One of a fixed list of words, with a default when unset or blank. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, def: T[number]) =>
  z.preprocess(emptyToUndefined, z.enum(values).default(def));

/** A positive number of seconds (decimals allowed), at most a day. */
export const seconds = (def: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .positive({ error: 'must be greater than 0' })
      .max(86_400, { error: 'must be at most 86400 seconds' })
      .default(def),
  );

export const secondsToMs = (s: number) => Math.round(s * 1000);

export const positiveInt = (def: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be an integer' })
      .int({ error: 'must be an integer' })
      .min(1, { error: 'must be at least 1' })
      .max(max, { error: `must be at most ${max}` })
      .default(def),
  );

export const httpUrl = z
  .string()
  .trim()
  .url({ error: 'must be an http(s) URL' })
  .refine((u) => /^https?:\/\//i.test(u), { error: 'must be an http(s) URL' });

/** An http(s) URL without its trailing slashes, so paths can be appended with `/`. */
export const baseUrl = httpUrl.transform((u) => u.replace(/\/+$/, ''));

/** How a missing configuration is named in /ready and the start log: "A is not set", "A and B are not set", "A, B and C are not set". */
export function notSet(names: readonly string[]): string {
  if (names.length === 0) return '';
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${list} ${names.length === 1 ? 'is' : 'are'} not set`;
}
