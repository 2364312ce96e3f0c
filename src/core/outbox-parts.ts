// A turn's reply as an ordered list of parts: texts and media (a file from resources/, or a public URL),
// recorded with the turn and delivered in order, each at most once (buffer/turn-runner.ts). Here at the bottom:
// the tools build parts, the store keeps them, the buffer delivers them.
import { isAbsolute, normalize } from 'node:path';
import { z } from 'zod';

export const OUTBOX_MEDIA_KINDS = ['image', 'document'] as const;
export type OutboxMediaKind = (typeof OUTBOX_MEDIA_KINDS)[number];

/**
 * A file the hotel ships under resources/ (e.g. `pictures/bungalows/familiar/1.jpg`), a file this
 * conversation's guest sent (its media id, e.g. to show a payment proof back), or a public URL.
 */
export type OutboxMediaSource = { type: 'resource'; path: string } | { type: 'stored'; mediaId: string } | { type: 'url'; url: string };

export interface OutboxText {
  type: 'text';
  text: string;
}

export interface OutboxMedia {
  type: 'media';
  kind: OutboxMediaKind;
  source: OutboxMediaSource;
  caption?: string | undefined;
}

export type OutboxPart = OutboxText | OutboxMedia;

/** A path under resources/ that cannot leave it. */
const resourcePath = z
  .string()
  .min(1)
  .max(300)
  .refine((p) => !isAbsolute(p) && !normalize(p).split(/[\\/]/).includes('..'), { error: 'must be a path inside resources/' });

const mediaSchema = z.object({
  type: z.literal('media'),
  kind: z.enum(OUTBOX_MEDIA_KINDS),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('resource'), path: resourcePath }),
    z.object({ type: z.literal('stored'), mediaId: z.string().regex(/^m_[0-9a-f]{12}$/) }),
    z.object({ type: z.literal('url'), url: z.string().url().refine((u) => u.startsWith('https://'), { error: 'must be https' }) }),
  ]),
  caption: z.string().max(1024).optional(),
});

// Rows written before media parts existed hold plain strings: they are text parts.
const storedPart = z.union([
  z.string().transform((text): OutboxPart => ({ type: 'text', text })),
  z.object({ type: z.literal('text'), text: z.string() }),
  mediaSchema,
]);
const storedParts = z.array(storedPart);

export function parseStoredParts(json: string): OutboxPart[] {
  return storedParts.parse(JSON.parse(json) as unknown) as OutboxPart[];
}

/** Checks a media part a tool built (path inside resources/, https URL). */
export function validMediaPart(part: OutboxMedia): OutboxMedia {
  return mediaSchema.parse(part) as OutboxMedia;
}

/** The text recorded for a delivered part (outbound_messages.text): the text, or the caption and file. */
export function partSummary(part: OutboxPart): string {
  if (part.type === 'text') return part.text;
  const where =
    part.source.type === 'resource' ? part.source.path : part.source.type === 'stored' ? part.source.mediaId : part.source.url;
  return part.caption ? `${part.caption} [${where}]` : `[${where}]`;
}
