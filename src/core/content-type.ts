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

/** Types the model can look at directly. */
export const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);
export const PDF_TYPE = 'application/pdf';

const startsWith = (bytes: Uint8Array, sig: readonly number[], at = 0): boolean =>
  bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/**
 * The MIME type of a file by its first bytes (magic numbers), or undefined when unrecognised. An ISO
 * media file (`ftyp`) is audio/mp4 for audio brands (M4A, M4B) and video/mp4 otherwise.
 */
export function sniffContentType(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, ascii('GIF8'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WAVE'), 8)) return 'audio/wav';
  if (startsWith(bytes, ascii('%PDF-'))) return PDF_TYPE;
  if (startsWith(bytes, ascii('OggS'))) return 'audio/ogg';
  if (startsWith(bytes, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    return /^M4[AB]/.test(brand) ? 'audio/mp4' : 'video/mp4';
  }
  if (startsWith(bytes, ascii('ID3')) || startsWith(bytes, [0xff, 0xfb]) || startsWith(bytes, [0xff, 0xf3])) return 'audio/mpeg';
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm';
  if (startsWith(bytes, ascii('#!AMR'))) return 'audio/amr';
  return undefined;
}

/** A body that is JSON, HTML or plain text: an error page, never the file itself. */
export function looksLikeErrorBody(bytes: Uint8Array, headerType: string | undefined): boolean {
  const type = (headerType ?? '').toLowerCase();
  if (/json|text\/html|text\/plain|xml/.test(type)) return true;
  const head = Buffer.from(bytes.subarray(0, 64)).toString('utf8').trimStart();
  return /^[{[<]/.test(head);
}

/**
 * The real type of a received file: its magic bytes first; a specific Content-Type header only when the
 * bytes are not recognised and do not look like an error body. Undefined when it cannot be told.
 */
export function receivedContentType(bytes: Uint8Array, headerType: string | undefined): string | undefined {
  const sniffed = sniffContentType(bytes);
  if (sniffed) return sniffed;
  if (looksLikeErrorBody(bytes, headerType)) return undefined;
  const header = (headerType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (header === '' || header === 'application/octet-stream' || header === 'binary/octet-stream') return undefined;
  return header;
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/webp': '.webp',
  'image/gif': '.gif',
  'application/pdf': '.pdf',
  'audio/ogg': '.ogg',
  'audio/mp4': '.m4a',
  'audio/mpeg': '.mp3',
  'audio/wav': '.wav',
  'video/mp4': '.mp4',
  'video/webm': '.webm',
};

/** The file extension for a MIME type (`.bin` when unknown). */
export function extensionFor(contentType: string): string {
  return EXTENSIONS[contentType] ?? '.bin';
}
