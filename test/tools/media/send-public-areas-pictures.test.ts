import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCES_DIR } from '../../../src/core/resources.js';
import { ToolRegistry } from '../../../src/tools/registry.js';
import { createSendPublicAreasPicturesTool } from '../../../src/tools/media/send-public-areas-pictures.js';
import { JPEG } from '../../media/files.js';
import { context, existsUnder, resourcePath, shownMedia } from './context.js';

describe('send_public_areas_pictures', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'resources-'));
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('takes no parameters and shows the public areas in order, captioned " - Áreas públicas"', async () => {
    const registry = new ToolRegistry([createSendPublicAreasPicturesTool({ resourcesDir: DEFAULT_RESOURCES_DIR })]);
    expect(registry.specs[0]?.parameters).toEqual({ type: 'object', properties: {} });
    const r = await registry.execute('send_public_areas_pictures', '', context);
    expect(r.ok).toBe(true);
    const parts = shownMedia(r.effects);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(parts.map((p) => p.kind)).toEqual(parts.map(() => 'image'));
    const paths = parts.map(resourcePath);
    expect(paths).toEqual([...paths].sort());
    expect(parts[0]).toEqual({
      type: 'media',
      kind: 'image',
      source: { type: 'resource', path: 'pictures/public-areas/01-piscina.jpg' },
      caption: 'Piscina - Áreas públicas',
    });
    for (const p of paths) expect(existsUnder(DEFAULT_RESOURCES_DIR, p)).toBe(true);
    expect(JSON.parse(r.output)).toMatchObject({ sent: parts.length, note: expect.stringContaining(`${parts.length} fotos de áreas públicas`) });
  });

  it("follows the hotel's folder: a replaced set is what is shown, one picture is '1 foto'", async () => {
    await mkdir(join(temp, 'pictures', 'public-areas'), { recursive: true });
    await writeFile(join(temp, 'pictures', 'public-areas', '01-bar_de_playa.png'), JPEG);
    const r = await new ToolRegistry([createSendPublicAreasPicturesTool({ resourcesDir: temp })]).execute('send_public_areas_pictures', '{}', context);
    expect(shownMedia(r.effects)).toEqual([
      { type: 'media', kind: 'image', source: { type: 'resource', path: 'pictures/public-areas/01-bar_de_playa.png' }, caption: 'Bar de playa - Áreas públicas' },
    ]);
    expect(JSON.parse(r.output)).toMatchObject({ sent: 1, note: expect.stringContaining('Se enviarán 1 foto de') });
  });

  it('on Messenger/Instagram without PUBLIC_MEDIA_BASE_URL refuses (the files could not be fetched) and shows nothing', async () => {
    const manychat = { ...context, conversationId: 'facebook:4242', channel: 'facebook' as const, waId: undefined, subscriberId: '4242' };
    const without = await new ToolRegistry([createSendPublicAreasPicturesTool({ resourcesDir: DEFAULT_RESOURCES_DIR })]).execute('send_public_areas_pictures', '{}', manychat);
    expect(without.ok).toBe(false);
    expect(without.output).toContain('PUBLIC_MEDIA_BASE_URL');
    expect(without.effects).toEqual([]);
    const withUrl = await new ToolRegistry([
      createSendPublicAreasPicturesTool({ resourcesDir: DEFAULT_RESOURCES_DIR, publicMediaBaseUrl: 'https://bot.example.test' }),
    ]).execute('send_public_areas_pictures', '{}', manychat);
    expect(withUrl.ok).toBe(true);
    expect(withUrl.effects.length).toBeGreaterThan(0);
  });

  it('returns an error naming the missing folder and shows nothing', async () => {
    const missing = join(temp, 'none');
    const r = await new ToolRegistry([createSendPublicAreasPicturesTool({ resourcesDir: missing })]).execute('send_public_areas_pictures', '{}', context);
    expect(r).toMatchObject({ ok: false, effects: [] });
    expect(JSON.parse(r.output)).toEqual({ error: 'send_public_areas_pictures failed: resources/pictures/public-areas: the folder does not exist' });
  });
});
