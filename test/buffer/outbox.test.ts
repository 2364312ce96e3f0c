// A reply is an outbox of parts: media a tool added go out before the turn's text, once, in the order the
// tools ran — through WATI sendSessionFile and ManyChat sendContent — on the real app and fakes on 127.0.0.1.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentTurn } from '../../src/agent/types.js';
import { defineTool, ToolRegistry } from '../../src/tools/index.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { createTestAgent, type Responder } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PNG = (marker: number) => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, marker]);

function resources(): string {
  const dir = mkdtempSync(join(tmpdir(), 'watibot3-res-'));
  mkdirSync(join(dir, 'pictures', 'bungalows', 'familiar'), { recursive: true });
  writeFileSync(join(dir, 'pictures', 'bungalows', 'familiar', 'sala.png'), PNG(1));
  writeFileSync(join(dir, 'pictures', 'bungalows', 'familiar', 'cuarto.png'), PNG(2));
  return dir;
}

/** A tool like send_bungalow_pictures: it adds pictures to the outbox and tells the model they are on the way. */
const showPictures = defineTool({
  name: 'show_pictures',
  does: 'shows',
  description: 'test tool',
  parameters: z.object({ files: z.array(z.string()) }),
  handler: (ctx, args) => {
    for (const file of args.files) {
      ctx.effects.show({ type: 'media', kind: 'image', source: { type: 'resource', path: `pictures/bungalows/familiar/${file}` }, caption: file });
    }
    return { status: 'sent', count: args.files.length };
  },
});

/** The model calls the tool once per call given, then answers `reply`. */
function agentCalling(calls: string[][], reply: string, outcome: 'answered' | 'failed' = 'answered'): Responder {
  return async (turn: AgentTurn) => {
    const registry = new ToolRegistry([showPictures]);
    const effects = [];
    for (const files of calls) {
      const exec = await registry.execute('show_pictures', JSON.stringify({ files }), {
        conversationId: turn.conversationId,
        channel: turn.channel,
        waId: turn.guest.waId,
        subscriberId: turn.guest.subscriberId,
        guestName: undefined,
        logger: turn.log,
        clock: { now: () => Date.now() },
      });
      effects.push(...exec.effects);
    }
    return outcome === 'answered' ? { outcome, reply, effects } : { outcome, errorClass: 'server_error', effects };
  };
}

const sendOrder = (h: Harness) =>
  h.wati.requests.filter((r) => /sendSession(File|Message)/.test(r.path)).map((r) => /sendSession(File|Message)/.exec(r.path)![0]);

describe('the outbox of parts', () => {
  it('WhatsApp: sends the pictures through sendSessionFile before the text, in the order the tools ran, once', async () => {
    const agent = createTestAgent(agentCalling([['sala.png'], ['cuarto.png']], 'Aquí tiene las fotos del bungalow Familiar.'));
    h = await startHarness({ agent, resourcesDir: resources() });
    await h.post('/webhook', { waId: '50377000001', userMessage: 'Fotos del familiar', passkey: TEST_PASSKEY });
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['Aquí tiene las fotos del bungalow Familiar.']);
    await sleep(200);
    expect(h.wati.files.map((f) => [f.filename, f.caption, f.bytes.at(-1), f.contentType])).toEqual([
      ['sala.png', 'sala.png', 1, 'image/png'],
      ['cuarto.png', 'cuarto.png', 2, 'image/png'],
    ]);
    expect(sendOrder(h)).toEqual(['sendSessionFile', 'sendSessionFile', 'sendSessionMessage']);
    expect(agent.turns).toHaveLength(1);
  });

  it('Messenger: sends each picture by its public URL through sendContent before the text', async () => {
    const agent = createTestAgent(agentCalling([['sala.png', 'cuarto.png']], 'Estas son las fotos.'));
    h = await startHarness({ agent, resourcesDir: resources(), env: { PUBLIC_MEDIA_BASE_URL: 'https://bot.example.test' } });
    await h.post('/manychat/webhook', { platform: 'manychat', passkey: TEST_PASSKEY, subscriber: { id: '4242' }, message: { text: 'fotos' } });
    await h.manychat.waitForSends(3, 5_000);
    const sent = h.manychat.sends.map((s) => s.messages.map((m) => (m.type === 'image' ? `image ${m.url}` : `${m.type} ${m.text}`)));
    expect(sent).toEqual([
      ['text sala.png', 'image https://bot.example.test/pictures/bungalows/familiar/sala.png'],
      ['text cuarto.png', 'image https://bot.example.test/pictures/bungalows/familiar/cuarto.png'],
      ['text Estas son las fotos.'],
    ]);
    // The public URL really serves the picture.
    expect((await h.get('/pictures/bungalows/familiar/sala.png')).body).toEqual(PNG(1));
  });

  it("sends back a file the guest sent (by media id), and never another conversation's", async () => {
    let saved: string | undefined;
    h = await startHarness({
      resourcesDir: resources(),
      agent: (deps) =>
        createTestAgent(async (turn) => {
          if (!saved) {
            const media = await deps.mediaStore.save({ conversationId: turn.conversationId, sourceRef: 'data/images/x.png', contentType: 'image/png', bytes: PNG(7), now: Date.now() });
            saved = media.id;
          }
          const show = { type: 'media' as const, kind: 'image' as const, source: { type: 'stored' as const, mediaId: saved }, caption: 'Su comprobante' };
          return { outcome: 'answered', reply: 'Este es el comprobante que recibimos.', effects: [{ type: 'outbox', part: show }] };
        }),
    });
    await h.post('/webhook', { waId: '50377000005', userMessage: 'Mi comprobante', passkey: TEST_PASSKEY });
    expect(await h.wati.waitForTexts(1, 5_000, '50377000005')).toEqual(['Este es el comprobante que recibimos.']);
    expect(h.wati.files.map((f) => [f.waId, f.caption, f.bytes.at(-1)])).toEqual([['50377000005', 'Su comprobante', 7]]);

    // Another guest's turn that names the same media id gets the text only.
    await h.post('/webhook', { waId: '50377000006', userMessage: 'Hola', passkey: TEST_PASSKEY });
    expect(await h.wati.waitForTexts(1, 5_000, '50377000006')).toEqual(['Este es el comprobante que recibimos.']);
    expect(h.wati.files).toHaveLength(1);
  });

  it('skips a picture whose file is gone, and still delivers the text', async () => {
    const agent = createTestAgent(agentCalling([['borrada.png', 'sala.png']], 'Listo.'));
    h = await startHarness({ agent, resourcesDir: resources() });
    await h.post('/webhook', { waId: '50377000002', userMessage: 'fotos', passkey: TEST_PASSKEY });
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['Listo.']);
    expect(h.wati.files.map((f) => f.filename)).toEqual(['sala.png']);
  });

  it('sends no pictures with the fallback of a failed turn', async () => {
    const agent = createTestAgent(agentCalling([['sala.png']], '', 'failed'));
    h = await startHarness({ agent, resourcesDir: resources() });
    await h.post('/webhook', { waId: '50377000003', userMessage: 'fotos', passkey: TEST_PASSKEY });
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual([h.config.fallbackReply]);
    await sleep(200);
    expect(h.wati.files).toEqual([]);
  });

  it('refuses a media part that points outside resources/ when the tool adds it', async () => {
    const registry = new ToolRegistry([
      defineTool({
        name: 'escape',
        does: 'shows',
        description: 'test tool',
        parameters: z.object({}),
        handler: (ctx) => ctx.effects.show({ type: 'media', kind: 'document', source: { type: 'resource', path: '../system_instructions.txt' } }),
      }),
    ]);
    const exec = await registry.execute('escape', '{}', {
      conversationId: '50377000004',
      channel: 'whatsapp',
      waId: '50377000004',
      subscriberId: undefined,
      guestName: undefined,
      logger: (await import('pino')).pino({ level: 'silent' }),
      clock: { now: () => 0 },
    });
    expect(exec).toMatchObject({ ok: false, effects: [] });
  });
});
