// The picture sets the hotel ships under resources/pictures/: a folder per set, one file per picture, the
// order and the caption given by the file name (`01-sala-de-estar.jpg` → "Sala de estar"), so the staff
// change a picture or its caption by replacing or renaming a file, without touching code.
import { readdir } from 'node:fs/promises';
import { extname, join, posix } from 'node:path';

/** The picture formats both platforms send as images. */
export const PICTURE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** A file or folder the hotel should ship under resources/ is not there; the message names it. */
export class MissingResourceError extends Error {
  override readonly name = 'MissingResourceError';
  /** The missing path, relative to resources/. */
  readonly resourcePath: string;

  constructor(resourcePath: string, detail: string) {
    super(`resources/${resourcePath}: ${detail}`);
    this.resourcePath = resourcePath;
  }
}

export interface Picture {
  /** Relative to the resources directory, with forward slashes (an outbox `resource` path). */
  path: string;
  caption: string;
}

/**
 * "01-sala-de-estar.jpg" → "Sala de estar": no order prefix or extension, separators as spaces (NFC, so a
 * name typed on a Mac keeps its accents as one character). "" when the name is only a number.
 */
export function captionFromFileName(fileName: string): string {
  const name = fileName.normalize('NFC');
  const words = name
    .slice(0, name.length - extname(name).length)
    .replace(/^\d+(?:[\s._-]+|$)/, '')
    .replace(/[-_]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return words.charAt(0).toLocaleUpperCase('es') + words.slice(1);
}

/**
 * The pictures of a folder (relative to resourcesDir, e.g. `pictures/bungalows/familiar`), sorted by file
 * name; other files (a README, .gitkeep, a stray PDF) are ignored. A missing folder, or one without
 * pictures, is a MissingResourceError.
 */
export async function listPictures(resourcesDir: string, folder: string): Promise<Picture[]> {
  const relative = posix.normalize(folder.split('\\').join('/')).replace(/\/+$/, '');
  let entries;
  try {
    entries = await readdir(join(resourcesDir, relative), { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new MissingResourceError(relative, 'the folder does not exist');
    throw err;
  }
  const pictures = entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && PICTURE_EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => e.name)
    // Code-point order, so "02-…" follows "01-…" whatever the locale; the prefix gives the order.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ path: `${relative}/${name}`, caption: captionFromFileName(name) }));
  if (pictures.length === 0) {
    throw new MissingResourceError(relative, `the folder has no pictures (${[...PICTURE_EXTENSIONS].join(' ')})`);
  }
  return pictures;
}
