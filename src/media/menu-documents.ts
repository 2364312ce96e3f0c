// The restaurant menus the hotel ships as PDFs (resources/pictures/menu/): the file to send to the guest,
// and its text for the model (which cannot be given a PDF on every API). The text is the hotel's own
// menu.txt / menu-prices.txt next to the PDF when there is one (the staff's words win over an extraction),
// else what pdfjs extracts from the PDF. Both are cached per file version: a stat per call, a read only
// when a file changed, so staff replace a menu without a restart.
import { open, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../core/logger.js';
import { MissingResourceError } from './picture-sets.js';

export type MenuKind = 'menu' | 'prices';

export const MENU_PATHS: Readonly<Record<MenuKind, string>> = {
  menu: 'pictures/menu/menu.pdf',
  prices: 'pictures/menu/menu-prices.pdf',
};

/** More than any real menu; keeps a wrong file (a brochure, a scanned book) from flooding the model's context. */
export const MAX_MENU_TEXT_CHARS = 40_000;

export interface MenuDocument {
  /** Relative to the resources directory (an outbox `resource` path). */
  path: string;
  fileName: string;
  /** The PDF's bytes. */
  base64: string;
  text: string;
  textSource: 'pdf' | 'txt';
  /** The PDF's modification time. */
  mtimeMs: number;
}

export interface MenuDocumentsOptions {
  resourcesDir: string;
  log?: Logger | undefined;
}

interface CacheEntry {
  stamp: string;
  document: Promise<MenuDocument>;
}

type Stamp = { mtimeMs: number; size: number } | undefined;

async function stamp(file: string): Promise<Stamp> {
  try {
    const info = await stat(file);
    return info.isFile() ? { mtimeMs: info.mtimeMs, size: info.size } : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** A file's text, or undefined when it is gone (removed between the stat and the read). */
async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
/** Readers accept the header anywhere in the first KiB (some producers put bytes before it). */
const PDF_HEADER_WINDOW = 1024;

/** Whether a PDF header is where readers look for it (only the first KiB is read). */
async function startsLikePdf(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(PDF_HEADER_WINDOW);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).includes(PDF_MAGIC);
  } finally {
    await handle.close();
  }
}

const stampKey = (s: Stamp): string => (s ? `${s.mtimeMs}:${s.size}` : '-');

/** Spaces collapsed, blank runs reduced to one empty line, bounded. */
export function normaliseMenuText(text: string): string {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[\s\u00a0]+/g, ' ').trim());
  const kept: string[] = [];
  for (const line of lines) {
    if (line === '' && (kept.length === 0 || kept[kept.length - 1] === '')) continue;
    kept.push(line);
  }
  while (kept[kept.length - 1] === '') kept.pop();
  const joined = kept.join('\n');
  if (joined.length <= MAX_MENU_TEXT_CHARS) return joined;
  return `${joined.slice(0, MAX_MENU_TEXT_CHARS).replace(/\s+\S*$/, '')}\n[… texto recortado …]`;
}

interface PdfTextItem {
  str: string;
  width: number;
  height: number;
  transform: number[];
  hasEOL: boolean;
}

const isTextItem = (item: object): item is PdfTextItem => 'str' in item && 'transform' in item;

/** One page's text items as lines: a new line at hasEOL or when the baseline moves; a space across a gap. */
function pageLines(items: readonly object[]): string[] {
  const lines: string[] = [];
  let current = '';
  let lastY: number | undefined;
  let lastEndX: number | undefined;
  const flush = () => {
    if (current.trim() !== '') lines.push(current);
    current = '';
    lastEndX = undefined;
  };
  for (const item of items) {
    if (!isTextItem(item)) continue;
    const x = item.transform[4] ?? 0;
    const y = item.transform[5] ?? 0;
    if (item.str !== '') {
      if (current !== '' && lastY !== undefined && Math.abs(y - lastY) > Math.max(1, item.height * 0.5)) flush();
      // Columns (a dish and its price) are separate items on one baseline.
      else if (current !== '' && lastEndX !== undefined && x - lastEndX > Math.max(1, item.height * 0.15) && !/\s$/.test(current)) current += ' ';
      current += item.str;
      lastY = y;
      lastEndX = x + item.width;
    }
    if (item.hasEOL) flush();
  }
  flush();
  return lines;
}

/** The PDF's text, pages separated by a "--- Página N ---" line. Never loads anything from the network. */
export async function extractPdfText(bytes: Uint8Array): Promise<string> {
  const { getDocument, VerbosityLevel } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = getDocument({
    // pdfjs may take ownership of (detach) the buffer it is given.
    data: new Uint8Array(bytes),
    disableFontFace: true,
    isEvalSupported: false,
    useSystemFonts: false,
    useWorkerFetch: false,
    isOffscreenCanvasSupported: false,
    // Warnings (missing standard font data and the like) would go to stdout, where our JSON logs are.
    verbosity: VerbosityLevel.ERRORS,
  });
  try {
    const doc = await task.promise;
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      pages.push([...(n > 1 ? [`--- Página ${n} ---`] : []), ...pageLines(content.items)].join('\n'));
      page.cleanup();
    }
    return pages.join('\n\n');
  } finally {
    await task.destroy();
  }
}

export class MenuDocuments {
  private readonly resourcesDir: string;
  private readonly log: Logger | undefined;
  private readonly cache = new Map<MenuKind, CacheEntry>();

  constructor(options: MenuDocumentsOptions) {
    this.resourcesDir = options.resourcesDir;
    this.log = options.log;
  }

  /** The PDF, relative to the resources directory. */
  path(which: MenuKind): string {
    return MENU_PATHS[which];
  }

  /** The PDF and its text; a MissingResourceError when the PDF is not there. */
  async document(which: MenuKind): Promise<MenuDocument> {
    const path = this.path(which);
    const pdfFile = join(this.resourcesDir, path);
    const txtFile = pdfFile.replace(/\.pdf$/i, '.txt');
    const [pdf, txt] = await Promise.all([stamp(pdfFile), stamp(txtFile)]);
    if (!pdf) throw new MissingResourceError(path, 'the file does not exist');
    const key = `${stampKey(pdf)}|${stampKey(txt)}`;
    const cached = this.cache.get(which);
    if (cached?.stamp === key) return cached.document;
    const document = this.load(path, pdfFile, txt ? txtFile : undefined, pdf.mtimeMs);
    const entry = { stamp: key, document };
    this.cache.set(which, entry);
    // A failed read is not kept: the next call tries again.
    document.catch(() => {
      if (this.cache.get(which) === entry) this.cache.delete(which);
    });
    return document;
  }

  /**
   * At start: says which menus can be sent (a missing or unreadable one is a warning; never throws). A menu
   * with the hotel's own text is read now; a PDF-only menu is only checked to be a PDF, its text is extracted
   * by the first request for it (~0.2 s): pdfjs costs ~26 MB of RSS that an idle service need not hold.
   */
  async preload(): Promise<void> {
    await Promise.all(
      (Object.keys(MENU_PATHS) as MenuKind[]).map(async (which) => {
        try {
          const path = this.path(which);
          const pdfFile = join(this.resourcesDir, path);
          const txtFile = pdfFile.replace(/\.pdf$/i, '.txt');
          if (!(await stamp(pdfFile))) throw new MissingResourceError(path, 'the file does not exist');
          if (await stamp(txtFile)) {
            const doc = await this.document(which);
            if (doc.textSource === 'txt') {
              this.log?.info({ menu: which, path: doc.path, textSource: doc.textSource, textChars: doc.text.length }, 'menu loaded');
              return;
            }
          }
          if (!(await startsLikePdf(pdfFile))) throw new MissingResourceError(path, 'the file is not a PDF');
          this.log?.info({ menu: which, path, textSource: 'pdf' }, 'menu available (its text is extracted on first use)');
        } catch (err) {
          this.log?.warn({ menu: which, err: err instanceof Error ? err.message : String(err) }, 'menu not available');
        }
      }),
    );
  }

  private async load(path: string, pdfFile: string, txtFile: string | undefined, mtimeMs: number): Promise<MenuDocument> {
    const bytes = await readFile(pdfFile);
    const own = txtFile ? normaliseMenuText((await readOptional(txtFile)) ?? '') : '';
    // An empty menu.txt is treated as absent rather than as an empty menu.
    const text = own !== '' ? own : normaliseMenuText(await extractPdfText(bytes));
    return {
      path,
      fileName: basename(pdfFile),
      base64: bytes.toString('base64'),
      text,
      textSource: own !== '' ? 'txt' : 'pdf',
      mtimeMs,
    };
  }
}
