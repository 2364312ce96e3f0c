// Issue 22 §2: a platform that accepts a reply part but answers after our client timeout. The retry used to
// send it again (text, pictures and ManyChat all went out twice). WATI: the history is read before the retry,
// so each part reaches the guest once. ManyChat has no history and no idempotency key: the part is recorded
// as delivered in doubt (logged, counted) and not sent again. Timeouts are shortened for the test (0.4 s).
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentResult } from '../../src/agent/types.js';
import type { OutboxMedia } from '../../src/core/outbox-parts.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { createTestAgent, type Responder } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';
import { parseSamples, valueOf } from '../metrics/prometheus-text.js';

const TIMEOUT_MS = 400;
/** Longer than the client's timeout: the platform answers after we gave up. */
const LATE_MS = 1_500;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7]);

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(respond: Responder) {
  const resourcesDir = mkdtempSync(join(tmpdir(), 'watibot3-late-'));
  mkdirSync(join(resourcesDir, 'pictures', 'bungalows'), { recursive: true });
  writeFileSync(join(resourcesDir, 'pictures', 'bungalows', 'terraza.png'), PNG);
  const agent = createTestAgent(respond);
  h = await startHarness({
    agent,
    resourcesDir,
    channelTimeouts: { timeoutMs: TIMEOUT_MS, mediaTimeoutMs: TIMEOUT_MS },
    env: { PUBLIC_MEDIA_BASE_URL: 'https://hotel.example/media' },
  });
  return { h, agent };
}

function query<T>(dbPath: string, sql: string): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const outbound = (h: Harness) =>
  query<{ part_index: number; kind: string; platform_message_id: string | null; in_doubt: number }>(
    h.config.dbPath,
    'SELECT part_index, kind, platform_message_id, in_doubt FROM outbound_messages ORDER BY id',
  );
const batchStatuses = (h: Harness) => query<{ status: string }>(h.config.dbPath, 'SELECT status FROM batches ORDER BY id').map((b) => b.status);

async function waitUntil(what: string, check: () => boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const closed = (h: Harness) => () => {
  const s = batchStatuses(h);
  return s.length > 0 && s.every((x) => x !== 'delivering' && x !== 'running' && x !== 'pending');
};

const picture: OutboxMedia = { type: 'media', kind: 'image', source: { type: 'resource', path: 'pictures/bungalows/terraza.png' }, caption: 'Terraza' };
const withPicture = (reply: string): AgentResult => ({ outcome: 'answered', reply, effects: [{ type: 'outbox', part: picture }] });

const sendsTo = (h: Harness, endpoint: string) => h.wati.requests.filter((r) => r.path.includes(`/${endpoint}/`));
/** History reads after the first send (the turn's missed-messages block reads it once before). */
const historyReads = (h: Harness) => {
  const firstSend = h.wati.requests.findIndex((r) => /\/sendSession(Message|File)\//.test(r.path));
  return h.wati.requests.slice(firstSend).filter((r) => r.path.includes('/getMessages/'));
};

describe('WhatsApp: WATI accepts a part but answers after the client timeout', () => {
  it('delivers a text once: the history shows it was taken, so it is not sent again', async () => {
    const { h, agent } = await start(() => 'El check-in es a las 3:00 p. m.');
    h.wati.queueResponses({ status: 200, acceptFirst: true, delayMs: LATE_MS });
    await h.post('/webhook', { waId: '50373000001', userMessage: '¿A qué hora es el check-in?', passkey: TEST_PASSKEY });
    await waitUntil('the batch closed', closed(h));
    await sleep(LATE_MS); // the late answer arrives; nothing else is sent
    expect(h.wati.sentTexts('50373000001')).toEqual(['El check-in es a las 3:00 p. m.']);
    expect(sendsTo(h, 'sendSessionMessage')).toHaveLength(1);
    expect(historyReads(h)).toHaveLength(1);
    expect(outbound(h)).toEqual([{ part_index: 0, kind: 'text', platform_message_id: h.wati.texts[0]!.whatsappMessageId, in_doubt: 0 }]);
    expect(batchStatuses(h)).toEqual(['delivered']);
    expect(agent.turns).toHaveLength(1);
  });

  it('delivers a picture once, then the text', async () => {
    const { h } = await start(() => withPicture('Así es la terraza.'));
    h.wati.queueResponses({ status: 200, acceptFirst: true, delayMs: LATE_MS });
    await h.post('/webhook', { waId: '50373000002', userMessage: 'Fotos de la terraza', passkey: TEST_PASSKEY });
    await waitUntil('the batch closed', closed(h));
    await sleep(LATE_MS);
    expect(h.wati.sentFiles('50373000002').map((f) => [f.filename, f.caption])).toEqual([['terraza.png', 'Terraza']]);
    expect(sendsTo(h, 'sendSessionFile')).toHaveLength(1);
    expect(h.wati.sentTexts('50373000002')).toEqual(['Así es la terraza.']);
    expect(outbound(h).map((o) => [o.kind, o.platform_message_id])).toEqual([
      ['image', h.wati.files[0]!.whatsappMessageId],
      ['text', h.wati.texts[0]!.whatsappMessageId],
    ]);
  });

  it('sends again when the history shows WATI did not take it (slow and refused), once', async () => {
    const { h } = await start(() => 'Tenemos cupo el sábado.');
    h.wati.queueResponses({ status: 503, body: 'Service Unavailable', delayMs: LATE_MS });
    await h.post('/webhook', { waId: '50373000003', userMessage: '¿Hay cupo el sábado?', passkey: TEST_PASSKEY });
    await waitUntil('the batch closed', closed(h));
    expect(h.wati.sentTexts('50373000003')).toEqual(['Tenemos cupo el sábado.']);
    expect(sendsTo(h, 'sendSessionMessage')).toHaveLength(2);
    expect(historyReads(h)).toHaveLength(1);
    expect(batchStatuses(h)).toEqual(['delivered']);
  });

  it('sends again when the history cannot be read after the timeout (a duplicate rather than a lost reply)', async () => {
    const { h } = await start(() => 'El desayuno es de 7 a 10.');
    h.wati.queueResponses({ status: 200, acceptFirst: true, delayMs: LATE_MS });
    h.wati.setHandler('getMessages', () => ({ status: 500, body: { message: 'Internal error' } }));
    await h.post('/webhook', { waId: '50373000004', userMessage: '¿Desayuno?', passkey: TEST_PASSKEY });
    await waitUntil('the batch closed', closed(h));
    expect(h.wati.sentTexts('50373000004')).toEqual(['El desayuno es de 7 a 10.', 'El desayuno es de 7 a 10.']);
    expect(historyReads(h)).toHaveLength(1);
    expect(outbound(h).map((o) => o.in_doubt)).toEqual([0]);
  });
});

describe('Messenger: ManyChat accepts a part but answers after the client timeout', () => {
  const say = (h: Harness, text: string) =>
    h.post('/manychat/webhook', { platform: 'manychat', passkey: TEST_PASSKEY, subscriber: { id: '77' }, message: { text } });

  it('does not send it again: recorded as delivered in doubt, logged and counted', async () => {
    const { h } = await start((_turn, i) => (i === 0 ? withPicture('Así es la terraza.') : 'Con gusto.'));
    // The picture goes through; ManyChat takes the text but answers late.
    h.manychat.queueResponses({ status: 200 }, { status: 200, acceptFirst: true, delayMs: LATE_MS });
    await say(h, 'Fotos de la terraza');
    await waitUntil('the batch closed', closed(h));
    await sleep(LATE_MS);
    expect(h.manychat.sentTexts('77')).toEqual(['Terraza', 'Así es la terraza.']);
    expect(h.manychat.requests.filter((r) => r.path === '/fb/sending/sendContent')).toHaveLength(2);
    expect(outbound(h).map((o) => [o.kind, o.in_doubt])).toEqual([
      ['image', 0],
      ['text', 1],
    ]);
    expect(batchStatuses(h)).toEqual(['delivered']);
    const samples = parseSamples(((await h.get('/metrics')).body as Buffer).toString('utf8'));
    expect(valueOf(samples, 'watibot3_channel_sends_total', { channel: 'facebook', outcome: 'in_doubt' })).toBe(1);
    expect(valueOf(samples, 'watibot3_channel_sends_total', { channel: 'facebook', outcome: 'ok' })).toBe(1);

    // The conversation goes on as usual.
    await say(h, 'Gracias');
    await h.manychat.waitForTexts(3, 5_000, '77');
    expect(h.manychat.sentTexts('77').at(-1)).toBe('Con gusto.');
  });

  it('still retries a send ManyChat refused quickly (a 503 is not in doubt)', async () => {
    const { h } = await start(() => 'Hola.');
    h.manychat.queueResponses({ status: 503, body: { status: 'error', message: 'Service Unavailable' } });
    await say(h, 'Hola');
    await waitUntil('the batch closed', closed(h));
    expect(h.manychat.sentTexts('77')).toEqual(['Hola.']);
    expect(outbound(h).map((o) => o.in_doubt)).toEqual([0]);
  });
});
