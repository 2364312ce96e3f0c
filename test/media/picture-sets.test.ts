import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captionFromFileName, listPictures, MissingResourceError } from '../../src/media/picture-sets.js';
import { DEFAULT_RESOURCES_DIR } from '../../src/core/resources.js';
import { JPEG, PNG } from './files.js';

const SHIPPED_SETS = [
  'pictures/bungalows/familiar',
  'pictures/bungalows/junior',
  'pictures/bungalows/matrimonial',
  'pictures/bungalows/habitacion',
  'pictures/public-areas',
];

/** Width and height from a baseline or progressive JPEG's SOF marker. */
function jpegSize(bytes: Buffer): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] ?? 0;
    const length = bytes.readUInt16BE(at + 2);
    if (marker === 0xc0 || marker === 0xc2) return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    at += 2 + length;
  }
  return undefined;
}

describe('captionFromFileName', () => {
  it('drops the order prefix and extension, turns separators into spaces and capitalises', () => {
    expect(captionFromFileName('01-sala-de-estar.jpg')).toBe('Sala de estar');
    expect(captionFromFileName('2_terraza_con_vista.PNG')).toBe('Terraza con vista');
    expect(captionFromFileName('10 - piscina infantil.webp')).toBe('Piscina infantil');
    expect(captionFromFileName('ducha.jpeg')).toBe('Ducha');
    expect(captionFromFileName('03-área-de-juegos.jpg')).toBe('Área de juegos');
    // A name typed on a Mac arrives decomposed; the caption is composed (NFC).
    expect(captionFromFileName('04-baño.jpg'.normalize('NFD'))).toBe('Baño');
    expect(captionFromFileName('05.jpg')).toBe('');
  });
});

describe('listPictures', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pictures-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists images only, sorted by name, with paths relative to the resources directory', async () => {
    const folder = join(dir, 'pictures', 'set');
    await mkdir(join(folder, 'sub'), { recursive: true });
    for (const name of ['02-terraza.png', '01-sala-de-estar.jpg', '10-jardin.webp', '03-cocina.JPEG']) await writeFile(join(folder, name), name.endsWith('png') ? PNG : JPEG);
    for (const name of ['README.md', '.gitkeep', 'menu.pdf', 'notas.txt', '.04-oculta.jpg']) await writeFile(join(folder, name), 'x');
    expect(await listPictures(dir, 'pictures/set/')).toEqual([
      { path: 'pictures/set/01-sala-de-estar.jpg', caption: 'Sala de estar' },
      { path: 'pictures/set/02-terraza.png', caption: 'Terraza' },
      { path: 'pictures/set/03-cocina.JPEG', caption: 'Cocina' },
      { path: 'pictures/set/10-jardin.webp', caption: 'Jardin' },
    ]);
  });

  it('a missing folder is a MissingResourceError naming it relative to resources/', async () => {
    const err = await listPictures(dir, 'pictures/bungalows/familiar').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingResourceError);
    expect((err as MissingResourceError).resourcePath).toBe('pictures/bungalows/familiar');
    expect((err as Error).message).toBe('resources/pictures/bungalows/familiar: the folder does not exist');
  });

  it('a folder without pictures is a MissingResourceError too', async () => {
    await mkdir(join(dir, 'pictures', 'empty'), { recursive: true });
    await writeFile(join(dir, 'pictures', 'empty', 'README.md'), 'x');
    await expect(listPictures(dir, 'pictures/empty')).rejects.toThrow(/^resources\/pictures\/empty: the folder has no pictures/);
    await writeFile(join(dir, 'pictures', 'file.jpg'), JPEG);
    await expect(listPictures(dir, 'pictures/file.jpg')).rejects.toBeInstanceOf(MissingResourceError);
  });
});

describe('the shipped sample resources', () => {
  it('every picture set is non-empty, of 800×600 JPEGs with a caption each', async () => {
    for (const set of SHIPPED_SETS) {
      const pictures = await listPictures(DEFAULT_RESOURCES_DIR, set);
      expect(pictures.length, set).toBeGreaterThanOrEqual(2);
      for (const picture of pictures) {
        expect(picture.path).toMatch(/^pictures\/.+\/\d{2}-[a-z0-9-]+\.jpg$/);
        expect(picture.caption).not.toBe('');
        const bytes = await readFile(join(DEFAULT_RESOURCES_DIR, picture.path));
        expect(jpegSize(bytes), picture.path).toEqual({ width: 800, height: 600 });
      }
    }
    expect((await listPictures(DEFAULT_RESOURCES_DIR, 'pictures/bungalows/familiar'))[0]).toEqual({
      path: 'pictures/bungalows/familiar/01-sala-de-estar.jpg',
      caption: 'Sala de estar',
    });
  });

  it('every file under resources/pictures is under 100 KB, and both menus are PDFs', async () => {
    const root = join(DEFAULT_RESOURCES_DIR, 'pictures');
    const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const path = join(file.parentPath, file.name);
      expect((await stat(path)).size, path).toBeLessThan(100 * 1024);
    }
    for (const menu of ['menu/menu.pdf', 'menu/menu-prices.pdf']) {
      expect((await readFile(join(root, menu))).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    }
  });
});
