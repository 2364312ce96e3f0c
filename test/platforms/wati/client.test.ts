import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withRetry, type RetryPolicy } from '../../../src/channels/retry.js';
import { splitText, WHATSAPP_TEXT_LIMIT } from '../../../src/channels/split-text.js';
import { createManychatClient } from '../../../src/platforms/manychat/client.js';
import type { SentMessageQuery } from '../../../src/channels/types.js';
import { contentTypeForFile, createWatiClient, findSentInHistory, SENT_CHECK_CLOCK_SKEW_MS } from '../../../src/platforms/wati/client.js';
import { toHistoryItem, type WatiHistoryItem } from '../../../src/platforms/wati/tickets.js';
import { startFakeWati, type FakeWati } from '../../support/fake-wati.js';
import { failure } from '../../channels/helpers.js';

const WA_ID = '50370000001';
const FAST: RetryPolicy = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

let wati: FakeWati;
let dir: string;

beforeAll(async () => {
  wati = await startFakeWati({ apiKey: 'wati-secret' });
  dir = await mkdtemp(join(tmpdir(), 'watibot3-wati-'));
});
afterEach(() => wati.reset());
afterAll(async () => {
  await wati.close();
  await rm(dir, { recursive: true, force: true });
});

const client = () => createWatiClient({ baseUrl: wati.url, apiKey: wati.apiKey });


describe('createWatiClient', () => {
  it('is disabled, naming the variable, without URL or key', async () => {
    expect(createWatiClient({ apiKey: 'k' }).disabledReason).toMatch(/WATI_API_URL/);
    expect(createWatiClient({ baseUrl: wati.url }).disabledReason).toMatch(/WATI_API_KEY/);
    const both = createWatiClient({}).disabledReason ?? '';
    expect(both).toMatch(/WATI_API_URL/);
    expect(both).toMatch(/WATI_API_KEY/);
    expect(client().disabledReason).toBeUndefined();
    const err = await failure(createWatiClient({}).sendText('whatsapp', WA_ID, 'hola'));
    expect(err.code).toBe('CHANNEL_DISABLED');
    expect(wati.requests).toHaveLength(0);
  });

  it('sends a session message with messageText in the query and a bearer token', async () => {
    const text = 'Hola 👋 ¿Cómo está? Precio: $120 & 10% off\nLínea 2';
    const sent = await client().sendText('whatsapp', WA_ID, text);
    expect(wati.requests).toHaveLength(1);
    const req = wati.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/${wati.tenantId}/api/v1/sendSessionMessage/${WA_ID}`);
    expect(req.query.get('messageText')).toBe(text);
    expect(req.headers.authorization).toBe('Bearer wati-secret');
    expect(req.rawBody.length).toBe(0);
    expect(wati.sentTexts(WA_ID)).toEqual([text]);
    expect(sent.platformMessageId).toBe(wati.texts[0]!.whatsappMessageId);
    expect(sent.platformMessageId).toMatch(/^wamid\./);
  });

  it('accepts a base URL with a trailing /api/v1/', async () => {
    await createWatiClient({ baseUrl: `${wati.url}/api/v1/`, apiKey: wati.apiKey }).sendText('whatsapp', WA_ID, 'x');
    expect(wati.requests[0]!.path).toBe(`/${wati.tenantId}/api/v1/sendSessionMessage/${WA_ID}`);
  });

  it('sends a full 4096-character chunk (long query string)', async () => {
    const [chunk] = splitText('ñ😀 '.repeat(3000), WHATSAPP_TEXT_LIMIT);
    await client().sendText('whatsapp', WA_ID, chunk!);
    expect(wati.sentTexts()).toEqual([chunk]);
  });

  it('treats a wrong bearer (401) as REJECTED', async () => {
    const wrongKey = createWatiClient({ baseUrl: wati.url, apiKey: 'wrong' });
    const err = await failure(wrongKey.sendText('whatsapp', WA_ID, 'x'));
    expect(err.code).toBe('REJECTED');
    expect(err.options.status).toBe(401);
    expect(err.message).not.toContain('wrong');
  });

  it('treats a 200 with result:false or ok:false as a non-retryable failure', async () => {
    wati.queueResponses(
      { status: 200, body: { result: false, info: 'Ticket has been expired' } },
      { status: 200, body: { ok: false, result: 'error' } },
      { status: 200, body: '<html>login</html>' },
    );
    const e1 = await failure(client().sendText('whatsapp', WA_ID, 'one'));
    expect(e1.code).toBe('REJECTED');
    expect(e1.retryable).toBe(false);
    expect(e1.message).toContain('Ticket has been expired');
    expect((await failure(client().sendText('whatsapp', WA_ID, 'two'))).code).toBe('REJECTED');
    expect((await failure(client().sendText('whatsapp', WA_ID, 'three'))).message).toMatch(/unexpected response/);
    expect(wati.sentTexts()).toEqual([]);
  });

  it('reads the id from message.id or id when whatsappMessageId is absent', async () => {
    wati.queueResponses(
      { status: 200, body: { result: true, message: { id: 'abc-1' } } },
      { status: 200, body: { ok: true, id: 42 } },
    );
    expect((await client().sendText('whatsapp', WA_ID, 'a')).platformMessageId).toBe('abc-1');
    expect((await client().sendText('whatsapp', WA_ID, 'b')).platformMessageId).toBe('42');
  });

  it('retries 500, 500 then succeeds: exactly one delivered text', async () => {
    wati.queueResponses({ status: 500 }, { status: 503, body: { message: 'busy' } });
    const retries: string[] = [];
    const sent = await withRetry((_attempt) => client().sendText('whatsapp', WA_ID, 'una vez'), FAST, {
      onRetry: (e) => retries.push(e.code),
    });
    expect(retries).toEqual(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE']);
    expect(wati.requests).toHaveLength(3);
    expect(wati.sentTexts()).toEqual(['una vez']);
    expect(sent.platformMessageId).toBe(wati.texts[0]!.whatsappMessageId);
  });

  it('honours Retry-After on 429 then succeeds', async () => {
    wati.queueResponses({ status: 429, headers: { 'retry-after': '0.05' }, body: { message: 'rate limit exceeded' } });
    const delays: number[] = [];
    const started = Date.now();
    await withRetry(() => client().sendText('whatsapp', WA_ID, 'tras esperar'), FAST, {
      onRetry: (e, _attempt, ms) => {
        expect(e.code).toBe('RATE_LIMITED');
        delays.push(ms);
      },
    });
    expect(delays).toEqual([50]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(wati.sentTexts()).toEqual(['tras esperar']);
  });

  it('does not retry a 400', async () => {
    wati.queueResponses({ status: 400, body: { result: false, info: 'Invalid WhatsApp number' } });
    const err = await failure(withRetry(() => client().sendText('whatsapp', WA_ID, 'x'), FAST));
    expect(err.code).toBe('REJECTED');
    expect(wati.requests).toHaveLength(1);
  });

  it('reports a slow 200 as a retryable timeout (the message may still have gone out)', async () => {
    wati.queueResponses({ status: 200, delayMs: 150 });
    const impatient = createWatiClient({ baseUrl: wati.url, apiKey: wati.apiKey }, { timeoutMs: 30 });
    const err = await failure(impatient.sendText('whatsapp', WA_ID, 'lento'));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    await wati.waitForTexts(1, 1000);
    expect(wati.sentTexts()).toEqual(['lento']);
  });

  it('refuses over-long or empty texts and other channels without calling WATI', async () => {
    expect((await failure(client().sendText('whatsapp', WA_ID, 'x'.repeat(4097)))).code).toBe('REJECTED');
    expect((await failure(client().sendText('whatsapp', WA_ID, '  '))).code).toBe('REJECTED');
    expect((await failure(client().sendText('facebook', WA_ID, 'x'))).code).toBe('UNSUPPORTED');
    expect(wati.requests).toHaveLength(0);
  });

  it('uploads a file as multipart `file` with the caption in the query', async () => {
    const path = join(dir, 'menu.pdf');
    const bytes = Buffer.from('%PDF-1.4 fake menu \u0000\u00ff', 'latin1');
    await writeFile(path, bytes);
    const sent = await client().sendMedia('whatsapp', WA_ID, {
      kind: 'document',
      filePath: path,
      caption: 'Nuestro menú 🍽️ & bebidas',
    });
    const req = wati.requests[0]!;
    expect(req.path).toBe(`/${wati.tenantId}/api/v1/sendSessionFile/${WA_ID}`);
    expect(req.query.get('caption')).toBe('Nuestro menú 🍽️ & bebidas');
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(req.headers.authorization).toBe('Bearer wati-secret');
    const [file] = wati.sentFiles(WA_ID);
    expect(file).toMatchObject({
      filename: 'menu.pdf',
      contentType: 'application/pdf',
      caption: 'Nuestro menú 🍽️ & bebidas',
    });
    expect(file!.bytes.equals(bytes)).toBe(true);
    expect(sent.platformMessageId).toBe(file!.whatsappMessageId);
  });

  it('uploads an image without caption and guesses content types', async () => {
    const path = join(dir, 'Pool.JPG');
    await writeFile(path, Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    await client().sendMedia('whatsapp', WA_ID, { kind: 'image', filePath: path });
    expect(wati.sentFiles()[0]).toMatchObject({ filename: 'Pool.JPG', contentType: 'image/jpeg', caption: '' });
    expect(contentTypeForFile('a.webp')).toBe('image/webp');
    expect(contentTypeForFile('a.ogg')).toBe('audio/ogg');
    expect(contentTypeForFile('a.mp3')).toBe('audio/mpeg');
    expect(contentTypeForFile('a.mp4')).toBe('video/mp4');
    expect(contentTypeForFile('a.bin')).toBe('application/octet-stream');
  });

  it('rejects a missing local file without calling WATI', async () => {
    const missing = { kind: 'image', filePath: join(dir, 'nope.png') } as const;
    const err = await failure(client().sendMedia('whatsapp', WA_ID, missing));
    expect(err.code).toBe('REJECTED');
    expect(err.message).toContain('ENOENT');
    expect(wati.requests).toHaveLength(0);
  });
});

describe('findSentMessage: the trace of a send in flight, in the WATI history', () => {
  const TEXT = 'Su reserva quedó confirmada ✅';
  const find = (q: Partial<Pick<SentMessageQuery, 'isRecorded' | 'signal'>> & { since: number; text?: string }) =>
    client().findSentMessage!('whatsapp', WA_ID, { isRecorded: () => false, signal: AbortSignal.timeout(2_000), ...q, text: q.text ?? TEXT });
  const historyGets = () => wati.requests.filter((r) => r.path.includes('/api/v1/getMessages/'));

  it('finds a text WATI accepted although its answer never came, with one GET of the first page', async () => {
    const since = Date.now() - 1;
    wati.queueResponses({ status: 200, acceptFirst: true, hang: true });
    const impatient = createWatiClient({ baseUrl: wati.url, apiKey: wati.apiKey }, { timeoutMs: 50 });
    expect((await failure(impatient.sendText('whatsapp', WA_ID, TEXT))).code).toBe('UPSTREAM_UNAVAILABLE');

    expect(await find({ since })).toEqual({ platformMessageId: wati.texts[0]!.whatsappMessageId });
    expect(historyGets().map((r) => [r.method, r.path, r.query.get('pageSize'), r.query.get('pageNumber'), r.bearer])).toEqual([
      ['GET', `/${wati.tenantId}/api/v1/getMessages/${WA_ID}`, '100', '1', 'wati-secret'],
    ]);
  });

  it('ignores the guest\'s words, other texts, messages from before the reply and ids already recorded', async () => {
    const since = Date.now() - 60_000;
    wati.addHistory({ waId: WA_ID, text: TEXT, at: since + 1_000, owner: false }); // the guest quoting it
    wati.addHistory({ waId: WA_ID, text: `${TEXT} Gracias`, at: since + 2_000 });
    wati.addHistory({ waId: WA_ID, text: TEXT, at: since - SENT_CHECK_CLOCK_SKEW_MS - 1_000 }); // an earlier identical reply
    wati.addHistory({ waId: '50370009999', text: TEXT, at: since + 3_000 }); // another guest
    const recorded = wati.addHistory({ waId: WA_ID, text: TEXT, at: since + 4_000, whatsappMessageId: 'wamid.RECORDED' });
    expect(await find({ since, isRecorded: (id) => id === recorded.whatsappMessageId })).toBeUndefined();

    // WATI's clock a few seconds behind ours: still the message in flight.
    const behind = wati.addHistory({ waId: WA_ID, text: ` ${TEXT}\n`, at: since - 3_000 });
    expect(await find({ since, isRecorded: (id) => id === recorded.whatsappMessageId })).toEqual({ platformMessageId: behind.whatsappMessageId });
  });

  it('takes the oldest copy when there are several (a retry that also got through)', async () => {
    const since = Date.now() - 60_000;
    const first = wati.addHistory({ waId: WA_ID, text: TEXT, at: since + 1_000 });
    wati.addHistory({ waId: WA_ID, text: TEXT, at: since + 2_000 });
    expect(await find({ since })).toEqual({ platformMessageId: first.whatsappMessageId });
  });

  it('reads one page only: a message pushed off it by newer traffic is not found', async () => {
    const since = Date.now() - 60_000;
    wati.addHistory({ waId: WA_ID, text: TEXT, at: since + 1_000 });
    for (let k = 0; k < 100; k++) wati.addHistory({ waId: WA_ID, text: `mensaje ${k}`, at: since + 2_000 + k, owner: false });
    expect(await find({ since })).toBeUndefined();
    expect(historyGets()).toHaveLength(1);
  });

  it('throws at once on an error, a 429 (not waited out) or the caller\'s signal, so the caller sends', async () => {
    wati.setHandler('getMessages', () => ({ status: 500, body: { message: 'boom' } }));
    expect((await failure(find({ since: 0 }))).code).toBe('UPSTREAM_UNAVAILABLE');
    wati.setHandler('getMessages', () => ({ status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too many requests' } }));
    expect((await failure(find({ since: 0 }))).code).toBe('RATE_LIMITED');
    expect(historyGets()).toHaveLength(2);

    wati.setHandler('getMessages', () => new Promise<never>(() => undefined));
    const started = Date.now();
    await expect(find({ since: 0, signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses other channels and is absent from ManyChat, which has no history API', async () => {
    expect((await failure(client().findSentMessage!('facebook', WA_ID, { text: TEXT, since: 0, isRecorded: () => false, signal: AbortSignal.timeout(100) }))).code).toBe('UNSUPPORTED');
    expect(createManychatClient({ baseUrl: 'https://api.manychat.com', facebookApiKey: 'k' }).findSentMessage).toBeUndefined();
  });

  it('matches on the parsed WATI item: business side, text type, time, text, ids', () => {
    const item = (o: Partial<WatiHistoryItem>): WatiHistoryItem => ({
      platformMessageId: 'wamid.A',
      ids: ['wamid.A', 'mongo-a'],
      text: TEXT,
      at: 10_000,
      fromBusiness: true,
      operatorName: undefined,
      eventType: 'sessionMessageSent',
      type: 'text',
      ...o,
    });
    const q = { text: TEXT, since: 10_000, isRecorded: () => false };
    expect(findSentInHistory([item({})], q)).toBeDefined();
    expect(findSentInHistory([item({ at: undefined })], q)).toBeUndefined();
    expect(findSentInHistory([item({ type: 'image' })], q)).toBeUndefined();
    expect(findSentInHistory([item({ at: 10_000 - SENT_CHECK_CLOCK_SKEW_MS })], q)).toBeDefined();
    expect(findSentInHistory([item({ at: 10_000 - SENT_CHECK_CLOCK_SKEW_MS - 1 })], q)).toBeUndefined();
    expect(findSentInHistory([item({})], { ...q, isRecorded: (id) => id === 'mongo-a' })).toBeUndefined();
  });
});

describe('findSentMessage: media parts (issue 22 §2)', () => {
  const find = (media: { kind: 'image' | 'document'; caption: string | undefined }, since: number, isRecorded = (_id: string) => false) =>
    client().findSentMessage!('whatsapp', WA_ID, { media, since, isRecorded, signal: AbortSignal.timeout(2_000) });

  it('finds a picture WATI took (hanging answer) by kind and caption, not an earlier recorded one or a text', async () => {
    const path = join(dir, 'terraza.jpeg');
    await writeFile(path, Buffer.from([0xff, 0xd8, 0xff, 0xe1]));
    const since = Date.now();
    const earlier = await client().sendMedia('whatsapp', WA_ID, { kind: 'image', filePath: path, caption: 'Terraza' }); // delivered, recorded
    await client().sendText('whatsapp', WA_ID, 'Terraza'); // same words, as a text
    wati.queueResponses({ status: 200, acceptFirst: true, hang: true });
    await expect(
      createWatiClient({ baseUrl: wati.url, apiKey: 'wati-secret' }, { mediaTimeoutMs: 200 }).sendMedia('whatsapp', WA_ID, {
        kind: 'image',
        filePath: path,
        caption: 'Terraza',
      }),
    ).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', inDoubt: true });
    const inFlight = wati.files[1]!;
    // WATI lists it under its own name, with the caption in media.caption, as it answered the original service.
    expect(wati.history.at(-1)).toMatchObject({ type: 'image', text: inFlight.storedPath, media: { caption: 'Terraza', mimeType: 'image/jpeg' } });
    expect(inFlight.storedPath).toMatch(/^data\/images\/[0-9a-f-]{36}\.jpg$/);

    const isRecorded = (id: string) => id === earlier.platformMessageId;
    expect(await find({ kind: 'image', caption: 'Terraza' }, since, isRecorded)).toEqual({ platformMessageId: inFlight.whatsappMessageId });
    expect(await find({ kind: 'image', caption: 'Piscina' }, since, isRecorded)).toBeUndefined();
    expect(await find({ kind: 'image', caption: undefined }, since, isRecorded)).toBeUndefined();
    expect(await find({ kind: 'document', caption: 'Terraza' }, since, isRecorded)).toBeUndefined();
  });

  it('matches a file without caption, and never takes WATI\'s file path for a caption', () => {
    const item = (o: Partial<WatiHistoryItem>): WatiHistoryItem => ({
      platformMessageId: 'wamid.F',
      ids: ['wamid.F', 'mongo-f'],
      text: 'data/documents/3e788338-d930-4e8e-a20c-71a867ffc125.pdf',
      at: 10_000,
      fromBusiness: true,
      operatorName: 'Hotel Admin',
      eventType: undefined,
      type: 'document',
      ...o,
    });
    const q = (caption: string | undefined, kind: 'image' | 'document' = 'document') => ({ media: { kind, caption }, since: 10_000, isRecorded: () => false });
    expect(findSentInHistory([item({})], q(undefined))).toBeDefined();
    expect(findSentInHistory([item({})], q('Menú'))).toBeUndefined();
    expect(findSentInHistory([item({ caption: 'Menú' })], q('Menú'))).toBeDefined();
    expect(findSentInHistory([item({ text: 'Menú' })], q('Menú'))).toBeDefined(); // a caption listed in `text`
    expect(findSentInHistory([item({ type: 'file' })], q(undefined))).toBeDefined();
    expect(findSentInHistory([item({})], q(undefined, 'image'))).toBeUndefined();
    expect(findSentInHistory([item({ fromBusiness: false })], q(undefined))).toBeUndefined(); // the guest's file
    expect(findSentInHistory([item({ at: 10_000 - SENT_CHECK_CLOCK_SKEW_MS - 1 })], q(undefined))).toBeUndefined();
    expect(findSentInHistory([item({})], { ...q(undefined), isRecorded: (id) => id === 'wamid.F' })).toBeUndefined();
    expect(findSentInHistory([item({ type: 'text', text: 'Menú' })], q('Menú'))).toBeUndefined();
  });

  it('reads media.caption from a WATI item', () => {
    const parsed = toHistoryItem({
      id: '69208d752c3c01bd6bd78447',
      whatsappMessageId: 'wamid.X',
      text: 'data/images/cae3e7ff-5c81-4d92-a982-604126fb56d4.jpg',
      media: { id: '727606607024503', mimeType: 'image/jpeg', caption: 'Sala de Estar 2 - Bungalow Familiar' },
      type: 'image',
      isOwner: true,
      created: '2025-11-21T16:04:05.8145246Z',
    });
    expect(parsed).toMatchObject({ type: 'image', caption: 'Sala de Estar 2 - Bungalow Familiar', fromBusiness: true });
    expect(toHistoryItem({ text: 'hola', type: 'text', media: null })?.caption).toBeUndefined();
  });
});

describe('fake WATI extras', () => {
  it('serves what it accepted in getMessages, in WATI v1\'s shape, newest first and paged', async () => {
    await client().sendText('whatsapp', WA_ID, 'primero');
    await client().sendText('whatsapp', WA_ID, 'segundo');
    await client().sendText('whatsapp', '50370000002', 'de otro');
    const res = await fetch(`${wati.url}/api/v1/getMessages/${WA_ID}?pageSize=1&pageNumber=1`, {
      headers: { authorization: `Bearer ${wati.apiKey}` },
    });
    const body = (await res.json()) as { result: string; messages: { items: Record<string, unknown>[]; total: number } };
    expect(body).toMatchObject({ result: 'success', messages: { total: 2 } });
    const [raw] = body.messages.items;
    expect(raw).toMatchObject({ text: 'segundo', owner: true, eventType: 'sessionMessageSent', type: 'text' });
    expect(raw!.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$/); // no zone, 7 digits, as WATI v1
    expect(raw!.timestamp).toMatch(/^\d{10}$/);
    const parsed = toHistoryItem(raw);
    expect(parsed).toMatchObject({ platformMessageId: wati.texts[1]!.whatsappMessageId, text: 'segundo', fromBusiness: true, at: wati.history[1]!.at });
  });

  it('answers other endpoints through setHandler and 404s the rest', async () => {
    wati.setHandler('getMessages', (req) => ({
      status: 200,
      body: { messages: { items: [] }, page: req.query.get('pageNumber') },
    }));
    const res = await fetch(`${wati.url}/api/v1/getMessages/${WA_ID}?pageSize=100&pageNumber=1`, {
      headers: { authorization: `Bearer ${wati.apiKey}` },
    });
    expect(await res.json()).toEqual({ messages: { items: [] }, page: '1' });
    const other = await fetch(`${wati.url}/api/v1/unknown`, { headers: { authorization: `Bearer ${wati.apiKey}` } });
    expect(other.status).toBe(404);
    await other.text();
  });
});
