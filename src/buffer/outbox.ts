// Where a reply's media part is sent from: the local file and, for ManyChat, its public URL (the parts
// themselves are core/outbox-parts.ts).
import { join, sep } from 'node:path';
import type { OutboundMedia } from '../channels/types.js';
import type { OutboxMedia } from '../core/outbox-parts.js';

export interface MediaLocations {
  /** The project's resources/ folder. */
  resourcesDir: string;
  /** Where resources/pictures is served publicly (PUBLIC_MEDIA_BASE_URL + /pictures/…), for ManyChat. */
  publicMediaBaseUrl: string | undefined;
  /** The file of a media item a guest of this conversation sent (never another conversation's). */
  storedMediaPath?: ((conversationId: string, mediaId: string) => string | undefined) | undefined;
}

/**
 * What a channel client needs to send a media part: the local file (WATI uploads it) and its public URL
 * (ManyChat fetches it; guests' own files are never public, so they cannot go out through ManyChat).
 */
export function resolveOutboxMedia(part: OutboxMedia, where: MediaLocations, conversationId: string): OutboundMedia {
  const caption = part.caption ? { caption: part.caption } : {};
  if (part.source.type === 'url') {
    return { kind: part.kind, filePath: '', publicUrl: part.source.url, ...caption };
  }
  if (part.source.type === 'stored') {
    const filePath = where.storedMediaPath?.(conversationId, part.source.mediaId);
    if (!filePath) throw new Error('stored media not found in this conversation');
    return { kind: part.kind, filePath, ...caption };
  }
  const filePath = join(where.resourcesDir, part.source.path);
  if (!filePath.startsWith(where.resourcesDir + sep)) throw new Error('media part outside resources/');
  // Only pictures/ is served publicly (routes/pictures.ts).
  const underPictures = part.source.path.startsWith('pictures/');
  const publicUrl =
    underPictures && where.publicMediaBaseUrl
      ? `${where.publicMediaBaseUrl.replace(/\/+$/, '')}/${part.source.path.split('/').map(encodeURIComponent).join('/')}`
      : undefined;
  return { kind: part.kind, filePath, ...(publicUrl ? { publicUrl } : {}), ...caption };
}
