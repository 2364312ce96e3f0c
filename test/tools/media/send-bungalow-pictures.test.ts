import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOutboxMedia } from '../../../src/buffer/outbox.js';
import { listPictures } from '../../../src/media/picture-sets.js';
import { DEFAULT_RESOURCES_DIR } from '../../../src/core/resources.js';
import { ToolRegistry } from '../../../src/tools/registry.js';
import { createSendBungalowPicturesTool, normaliseBungalowType } from '../../../src/tools/media/send-bungalow-pictures.js';
import { context, existsUnder, resourcePath, shownMedia } from './context.js';

const registry = new ToolRegistry([createSendBungalowPicturesTool({ resourcesDir: DEFAULT_RESOURCES_DIR })]);
const call = (args: unknown) => registry.execute('send_bungalow_pictures', JSON.stringify(args), context);

describe('send_bungalow_pictures', () => {
  it('offers the four types in its schema', () => {
    expect(registry.specs[0]?.parameters).toEqual({
      type: 'object',
      properties: { bungalow_type: { type: 'string', enum: ['Familiar', 'Junior', 'Matrimonial', 'Habitación'] } },
      required: ['bungalow_type'],
    });
  });

  it('shows every picture of the set in file-name order, captioned from the file name', async () => {
    const r = await call({ bungalow_type: 'Familiar' });
    expect(r.ok).toBe(true);
    const parts = shownMedia(r.effects);
    const expected = await listPictures(DEFAULT_RESOURCES_DIR, 'pictures/bungalows/familiar');
    expect(parts).toEqual(
      expected.map((p) => ({ type: 'media', kind: 'image', source: { type: 'resource', path: p.path }, caption: `${p.caption} - Bungalow Familiar` })),
    );
    expect(parts[0]?.caption).toBe('Sala de estar - Bungalow Familiar');
    for (const part of parts) {
      expect(existsUnder(DEFAULT_RESOURCES_DIR, resourcePath(part))).toBe(true);
      // The part is deliverable on both platforms: a local file, and a public URL under /pictures/.
      const out = resolveOutboxMedia(part, { resourcesDir: DEFAULT_RESOURCES_DIR, publicMediaBaseUrl: 'https://bot.example.com' }, context.conversationId);
      expect(out.publicUrl).toMatch(/^https:\/\/bot\.example\.com\/pictures\/bungalows\/familiar\/\d{2}-[a-z-]+\.jpg$/);
    }
    const output = JSON.parse(r.output) as { sent: number; note: string };
    expect(output.sent).toBe(parts.length);
    expect(output.note).toContain(`Se enviarán ${parts.length} fotos de Bungalow Familiar al huésped antes de tu respuesta`);
    expect(output.note).toContain('No las describas una por una');
  });

  it('maps each type to its folder; Habitación is not called a bungalow', async () => {
    for (const [type, folder, suffix] of [
      ['Junior', 'junior', ' - Bungalow Junior'],
      ['Matrimonial', 'matrimonial', ' - Bungalow Matrimonial'],
      ['Habitación', 'habitacion', ' - Habitación'],
    ] as const) {
      const parts = shownMedia((await call({ bungalow_type: type })).effects);
      expect(parts.length, type).toBeGreaterThan(0);
      for (const part of parts) {
        expect(resourcePath(part).startsWith(`pictures/bungalows/${folder}/`)).toBe(true);
        expect(part.caption?.endsWith(suffix)).toBe(true);
      }
    }
  });

  it("accepts the original tool's values and case or accent variants", async () => {
    for (const [given, folder] of [
      ['Bungalow Familiar', 'familiar'],
      ['Bungalow Junior', 'junior'],
      ['Habitacion', 'habitacion'],
      ['habitación', 'habitacion'],
      ['  JUNIOR ', 'junior'],
      ['bungalow_matrimonial', 'matrimonial'],
    ] as const) {
      const r = await call({ bungalow_type: given });
      expect(r.ok, given).toBe(true);
      expect(resourcePath(shownMedia(r.effects)[0]!)).toContain(`/bungalows/${folder}/`);
    }
    expect(normaliseBungalowType(3)).toBe(3);
    const bad = await call({ bungalow_type: 'Suite' });
    expect(bad).toMatchObject({ ok: false, error: 'invalid_arguments', effects: [] });
  });

  describe('without the folder', () => {
    let empty: string;
    beforeAll(async () => {
      empty = await mkdtemp(join(tmpdir(), 'resources-'));
    });
    afterAll(async () => {
      await rm(empty, { recursive: true, force: true });
    });

    it('returns an error naming the missing folder and shows nothing', async () => {
      const r = await new ToolRegistry([createSendBungalowPicturesTool({ resourcesDir: empty })]).execute(
        'send_bungalow_pictures',
        '{"bungalow_type":"Familiar"}',
        context,
      );
      expect(r).toMatchObject({ ok: false, error: 'handler_error', effects: [] });
      expect(JSON.parse(r.output)).toEqual({ error: 'send_bungalow_pictures failed: resources/pictures/bungalows/familiar: the folder does not exist' });
    });
  });
});
