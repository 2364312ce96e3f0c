import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MenuDocuments } from '../../../src/media/menu-documents.js';
import { DEFAULT_RESOURCES_DIR } from '../../../src/core/resources.js';
import { ToolRegistry } from '../../../src/tools/registry.js';
import { createMediaTools } from '../../../src/tools/media/index.js';
import { createSendMenuPdfTool } from '../../../src/tools/media/send-menu-pdf.js';
import { createSendMenuPricesTool } from '../../../src/tools/media/send-menu-prices.js';
import { context, existsUnder, shownMedia } from './context.js';

const CASES = [
  { name: 'send_menu_pdf', path: 'pictures/menu/menu.pdf', create: createSendMenuPdfTool },
  { name: 'send_menu_prices', path: 'pictures/menu/menu-prices.pdf', create: createSendMenuPricesTool },
] as const;

describe.each(CASES)('$name', ({ name, path, create }) => {
  let empty: string;
  beforeAll(async () => {
    empty = await mkdtemp(join(tmpdir(), 'resources-'));
  });
  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
  });

  it('requires a caption', async () => {
    const registry = new ToolRegistry([create({ resourcesDir: DEFAULT_RESOURCES_DIR })]);
    expect(registry.specs[0]?.parameters).toMatchObject({ type: 'object', required: ['caption'], properties: { caption: { type: 'string' } } });
    // The 1,024-character bound is not in the model's schema but still refused.
    for (const args of ['{}', '{"caption":"   "}', JSON.stringify({ caption: 'x'.repeat(1025) })]) {
      expect(await registry.execute(name, args, context)).toMatchObject({ ok: false, error: 'invalid_arguments', effects: [] });
    }
  });

  it('shows the PDF as a document with the caption and tells the model to add nothing when nothing else was asked', async () => {
    const menus = new MenuDocuments({ resourcesDir: DEFAULT_RESOURCES_DIR });
    const registry = new ToolRegistry([create({ resourcesDir: DEFAULT_RESOURCES_DIR, menus })]);
    const r = await registry.execute(name, JSON.stringify({ caption: ' Aquí tiene nuestro menú 🍽️ ' }), context);
    expect(r.ok).toBe(true);
    expect(shownMedia(r.effects)).toEqual([{ type: 'media', kind: 'document', source: { type: 'resource', path }, caption: 'Aquí tiene nuestro menú 🍽️' }]);
    expect(existsUnder(DEFAULT_RESOURCES_DIR, path)).toBe(true);
    const output = JSON.parse(r.output) as { sent: number; note: string };
    expect(output.sent).toBe(1);
    expect(output.note).toContain('antes de tu respuesta');
    expect(output.note).toContain('responde con un texto vacío');
  });

  it('returns an error naming the missing PDF and shows nothing', async () => {
    for (const deps of [{ resourcesDir: empty }, { resourcesDir: empty, menus: new MenuDocuments({ resourcesDir: empty }) }]) {
      const r = await new ToolRegistry([create(deps)]).execute(name, '{"caption":"El menú"}', context);
      expect(r).toMatchObject({ ok: false, error: 'handler_error', effects: [] });
      expect(JSON.parse(r.output)).toEqual({ error: `${name} failed: resources/${path}: the file does not exist` });
    }
  });
});

describe('createMediaTools', () => {
  it('offers the four media tools', () => {
    const registry = new ToolRegistry(createMediaTools({ resourcesDir: DEFAULT_RESOURCES_DIR }));
    expect(registry.specs.map((s) => s.name)).toEqual(['send_bungalow_pictures', 'send_menu_pdf', 'send_menu_prices', 'send_public_areas_pictures']);
  });
});
