import * as fsp from 'node:fs/promises';
import { copyFile, mkdir, mkdtemp, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_MENU_TEXT_CHARS, MenuDocuments, normaliseMenuText } from '../../src/media/menu-documents.js';
import { MissingResourceError } from '../../src/media/picture-sets.js';
import { DEFAULT_RESOURCES_DIR } from '../../src/core/resources.js';

// Counts the reads MenuDocuments makes (it must read a file once per version, not once per call).
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof fsp>();
  return { ...actual, readFile: vi.fn(actual.readFile) };
});

const readsOf = (file: string): number => vi.mocked(fsp.readFile).mock.calls.filter(([path]) => path === file).length;

describe('MenuDocuments', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'menus-'));
    await mkdir(join(dir, 'pictures', 'menu'), { recursive: true });
    vi.mocked(fsp.readFile).mockClear();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const copyShipped = async (name: string) => copyFile(join(DEFAULT_RESOURCES_DIR, 'pictures', 'menu', name), join(dir, 'pictures', 'menu', name));

  it('extracts the shipped menu.pdf: dish names and headings, one per line, pages marked', async () => {
    const menus = new MenuDocuments({ resourcesDir: DEFAULT_RESOURCES_DIR });
    const doc = await menus.document('menu');
    expect(doc).toMatchObject({ path: 'pictures/menu/menu.pdf', fileName: 'menu.pdf', textSource: 'pdf' });
    expect(Buffer.from(doc.base64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const lines = doc.text.split('\n');
    for (const line of ['Desayunos (7:00 a 10:30)', 'Opciones vegetarianas', 'Postres', 'Pupusas de queso con loroco (V)', 'Pasta primavera (V)', 'Pescado entero frito', 'Flan de coco (V)']) {
      expect(lines, line).toContain(line);
    }
    expect(doc.text).toMatch(/\n--- Página 2 ---\n/);
    expect(doc.text).not.toMatch(/[ \t]{2,}|\n{3,}/);
  });

  it('extracts the shipped menu-prices.pdf with each price on its dish line', async () => {
    const doc = await new MenuDocuments({ resourcesDir: DEFAULT_RESOURCES_DIR }).document('prices');
    expect(doc.path).toBe('pictures/menu/menu-prices.pdf');
    expect(doc.text.split('\n')).toContain('Ceviche de camarón US$ 9.50');
    expect(doc.text).toMatch(/^Mariscada US\$ 18\.00$/m);
  });

  it('prefers the hotel menu.txt next to the PDF, and follows edits to it, reading each version once', async () => {
    await copyShipped('menu.pdf');
    const pdf = join(dir, 'pictures', 'menu', 'menu.pdf');
    const txt = join(dir, 'pictures', 'menu', 'menu.txt');
    await writeFile(txt, '\uFEFFMENÚ DEL DÍA\r\n\r\n\r\nSopa   de gallina\r\n');
    const menus = new MenuDocuments({ resourcesDir: dir });
    const first = await menus.document('menu');
    expect(first).toMatchObject({ textSource: 'txt', text: 'MENÚ DEL DÍA\n\nSopa de gallina', path: 'pictures/menu/menu.pdf' });
    // Unchanged files: the same document, no new read.
    expect(await menus.document('menu')).toBe(first);
    await Promise.all([menus.document('menu'), menus.document('menu')]);
    expect(readsOf(pdf)).toBe(1);
    expect(readsOf(txt)).toBe(1);

    await writeFile(txt, 'Menú nuevo: ceviche');
    await utimes(txt, new Date(), new Date(Date.now() + 5_000));
    const edited = await menus.document('menu');
    expect(edited.text).toBe('Menú nuevo: ceviche');
    expect(await menus.document('menu')).toBe(edited);
    expect(readsOf(txt)).toBe(2);

    // Without the txt the PDF's own text is used again.
    await unlink(txt);
    const fromPdf = await menus.document('menu');
    expect(fromPdf.textSource).toBe('pdf');
    expect(fromPdf.text).toContain('Camarones al ajillo');
  });

  it('an empty txt counts as absent; menu-prices.txt belongs to the prices PDF', async () => {
    await copyShipped('menu.pdf');
    await copyShipped('menu-prices.pdf');
    await writeFile(join(dir, 'pictures', 'menu', 'menu.txt'), ' \n\n');
    await writeFile(join(dir, 'pictures', 'menu', 'menu-prices.txt'), 'Coco helado US$ 2.00');
    const menus = new MenuDocuments({ resourcesDir: dir });
    expect((await menus.document('menu')).textSource).toBe('pdf');
    expect(await menus.document('prices')).toMatchObject({ textSource: 'txt', text: 'Coco helado US$ 2.00', fileName: 'menu-prices.pdf' });
  });

  it('a missing PDF is a MissingResourceError naming its path, also when only the txt is there', async () => {
    await writeFile(join(dir, 'pictures', 'menu', 'menu-prices.txt'), 'precios');
    const menus = new MenuDocuments({ resourcesDir: dir });
    const err = await menus.document('prices').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingResourceError);
    expect((err as Error).message).toBe('resources/pictures/menu/menu-prices.pdf: the file does not exist');
    await expect(menus.document('menu')).rejects.toThrow('resources/pictures/menu/menu.pdf');
    // Once the file is there it is found (the failure was not cached).
    await copyShipped('menu-prices.pdf');
    expect((await menus.document('prices')).textSource).toBe('txt');
  });

  it('preload checks both menus and only warns about a missing or non-PDF one; a PDF-only menu is extracted on first use', async () => {
    await copyShipped('menu.pdf');
    const lines: { level: number; msg: string; menu?: string; err?: string; textSource?: string }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const menus = new MenuDocuments({ resourcesDir: dir, log });
    await expect(menus.preload()).resolves.toBeUndefined();
    expect(lines.find((l) => l.menu === 'prices')).toMatchObject({ level: 40, msg: 'menu not available', err: expect.stringContaining('menu-prices.pdf') });
    expect(lines.find((l) => l.menu === 'menu')).toMatchObject({ level: 30, msg: 'menu available (its text is extracted on first use)', textSource: 'pdf' });
    // Only checked at start: the first request reads and extracts it, the next one reads nothing.
    const pdf = join(dir, 'pictures', 'menu', 'menu.pdf');
    expect(readsOf(pdf)).toBe(0);
    expect(await menus.document('menu')).toMatchObject({ textSource: 'pdf', text: expect.stringMatching(/\S/) });
    await menus.document('menu');
    expect(readsOf(pdf)).toBe(1);

    // The hotel's own text is read at start; a file that is not a PDF is a warning.
    await copyShipped('menu-prices.pdf');
    await writeFile(join(dir, 'pictures', 'menu', 'menu-prices.txt'), 'Pasadía US$ 25');
    await writeFile(pdf, 'not a pdf at all');
    lines.length = 0;
    vi.mocked(fsp.readFile).mockClear();
    await new MenuDocuments({ resourcesDir: dir, log }).preload();
    expect(lines.find((l) => l.menu === 'prices')).toMatchObject({ level: 30, msg: 'menu loaded', textSource: 'txt' });
    expect(lines.find((l) => l.menu === 'menu')).toMatchObject({ level: 40, msg: 'menu not available', err: expect.stringContaining('is not a PDF') });
    expect(readsOf(join(dir, 'pictures', 'menu', 'menu-prices.pdf'))).toBe(1);
    await expect(new MenuDocuments({ resourcesDir: join(dir, 'nowhere') }).preload()).resolves.toBeUndefined();
  });

  it('a PDF that is not a PDF fails the call (and is read again next time), without printing anything', async () => {
    await writeFile(join(dir, 'pictures', 'menu', 'menu.pdf'), 'not a pdf at all');
    const write = vi.spyOn(process.stdout, 'write');
    const log = vi.spyOn(console, 'log');
    try {
      const menus = new MenuDocuments({ resourcesDir: dir });
      await expect(menus.document('menu')).rejects.toThrow();
      await expect(menus.document('menu')).rejects.toThrow();
      expect(readsOf(join(dir, 'pictures', 'menu', 'menu.pdf'))).toBe(2);
      expect(write).not.toHaveBeenCalled();
      expect(log).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
      log.mockRestore();
    }
  });
});

describe('normaliseMenuText', () => {
  it('collapses spaces and blank runs and bounds the text', () => {
    expect(normaliseMenuText('  a\t\u00a0 b  \n\n\n\nc\n\n')).toBe('a b\n\nc');
    const long = normaliseMenuText('palabra '.repeat(10_000));
    expect(long.length).toBeLessThanOrEqual(MAX_MENU_TEXT_CHARS + 40);
    expect(long).toMatch(/palabra\n\[… texto recortado …\]$/);
  });
});
