// File extension → MIME type for the media we serve and upload. The extension is only trusted for our
// own files (resources/, uploads); media received from guests is typed by its real content.
import { extname } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
};

/** The MIME type of a file by its extension, or undefined when the extension is unknown. */
export function contentTypeByExtension(filePath: string): string | undefined {
  return CONTENT_TYPES[extname(filePath).toLowerCase()];
}
