// Guest media configuration slice: download bounds and retention, where files are kept, which hosts
// ManyChat attachments may come from, transcription and the payment-proof check.
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { emptyToUndefined, optionalString, positiveInt, seconds, secondsToMs, trimmedText } from '../core/config-schema.js';
import { DEFAULT_MEDIA_ALLOWED_HOSTS, parseAllowedHosts } from './remote-policy.js';

export const mediaConfig = z
  .object({
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
    TRANSCRIPTION_MODEL: trimmedText('gpt-4o-mini-transcribe'),
    TRANSCRIPTION_LANGUAGE: trimmedText('es'),
    PAYMENT_DESTINATION_ACCOUNT: optionalString,
    PAYMENT_PROOF_MODEL: optionalString,
  })
  .transform((e) => ({
    maxBytes: e.MEDIA_MAX_BYTES,
    retentionMs: Math.round(e.MEDIA_RETENTION_DAYS * 86_400_000),
    downloadTimeoutMs: secondsToMs(e.MEDIA_DOWNLOAD_TIMEOUT_SECONDS),
    /** MEDIA_DIR; unset ⇒ resolved by withMediaDefaults. */
    dir: e.MEDIA_DIR,
    /** MEDIA_ALLOWED_HOSTS: where ManyChat attachment URLs may be fetched from (itself or a subdomain). */
    allowedHosts: e.MEDIA_ALLOWED_HOSTS,
    transcriptionModel: e.TRANSCRIPTION_MODEL,
    transcriptionLanguage: e.TRANSCRIPTION_LANGUAGE,
    /** The hotel's account that bank transfers must reach (analyze_payment_proof). */
    paymentDestinationAccount: e.PAYMENT_DESTINATION_ACCOUNT,
    /** PAYMENT_PROOF_MODEL; unset ⇒ resolved by withMediaDefaults. */
    paymentProofModel: e.PAYMENT_PROOF_MODEL,
  }));

/** The two defaults that come from other slices: the database's location and the agent's model. */
export function withMediaDefaults(
  media: z.output<typeof mediaConfig>,
  from: { dbPath: string; model: string },
) {
  return {
    ...media,
    /** Where downloaded media is kept (default: `media/` next to the database). */
    dir: media.dir ?? defaultMediaDir(from.dbPath),
    /** Model of the payment-proof vision call (default: OPENAI_MODEL). */
    paymentProofModel: media.paymentProofModel ?? from.model,
  };
}

export type MediaConfig = ReturnType<typeof withMediaDefaults>;

function defaultMediaDir(dbPath: string): string {
  return dbPath === ':memory:' ? join(tmpdir(), 'watibot3-media') : join(dirname(dbPath), 'media');
}
