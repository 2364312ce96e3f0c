// The webhook contracts as WATI and ManyChat really use them (their documented payloads), through the real
// routes and fakes on 127.0.0.1: events we must not drop, events we must acknowledge, identifiers that must
// keep every digit, and the content dedupe that must not swallow a guest's genuine repeat.
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { fixture, startHarness, type Harness, type HarnessOptions } from '../support/app-harness.js';
import { createTestAgent, type TestAgent } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(agent: TestAgent = createTestAgent(), opts: HarnessOptions = {}) {
  h = await startHarness({ agent, ...opts });
  return { h, agent };
}

function rows<T>(dbPath: string, sql: string): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const storedTexts = (h: Harness) => rows<{ text: string }>(h.config.dbPath, 'SELECT text FROM inbound_messages ORDER BY seq').map((r) => r.text);
const storedCount = (h: Harness) => rows<{ n: number }>(h.config.dbPath, 'SELECT COUNT(*) AS n FROM inbound_messages')[0]!.n;

/** A WATI standard "message received" event, as documented, for the fixture's guest. */
function watiEvent(over: Record<string, unknown> = {}): Record<string, unknown> {
  const { passkey: _drop, ...event } = fixture('wati_event_text.json');
  return { ...event, ...over };
}
const postEvent = (h: Harness, event: Record<string, unknown>) => h.post(`/webhook?passkey=${TEST_PASSKEY}`, event);

describe('WATI events', () => {
  it('an operator reply sent as sessionMessageSent_v2 pauses the bot like sessionMessageSent', async () => {
    const { h, agent } = await start();
    const { passkey: _drop, ...operatorReply } = fixture('wati_event_operator_reply.json');
    const res = await postEvent(h, { ...operatorReply, eventType: 'sessionMessageSent_v2' });
    expect(res).toEqual({ status: 200, body: { status: 'ignored', reason: 'outgoing_message' } });

    await h.post('/webhook', { waId: '50355550104', userMessage: 'Gracias María', passkey: TEST_PASSKEY });
    await sleep(600);
    expect(agent.turns).toHaveLength(0);
    expect(h.wati.sentTexts()).toEqual([]);
    expect(rows<{ status: string }>(h.config.dbPath, 'SELECT status FROM batches')).toEqual([{ status: 'held' }]);
  });

  it('answers the first message of a new contact once, when it also arrives as a message event', async () => {
    const { h, agent } = await start();
    const first = watiEvent({ eventType: 'newContactMessageReceived', text: 'Hola, soy nuevo' });
    expect(await postEvent(h, first)).toEqual({ status: 200, body: { ai_response: 'Gathering questions for the assistant' } });
    expect(await postEvent(h, { ...first, eventType: 'message' })).toMatchObject({ status: 200 });
    await h.wati.waitForTexts(1, 5_000);
    await sleep(400);
    expect(agent.turns).toHaveLength(1);
    expect(agent.turns[0]!.texts).toEqual(['Hola, soy nuevo']);
    expect(h.wati.sentTexts()).toEqual(['Recibido: Hola, soy nuevo']);
  });

  it('dedupes the new-contact event and the message event on WATI\'s own id when only one carries the wamid', async () => {
    const { h, agent } = await start();
    const message = watiEvent({ text: 'Primera vez que escribo' });
    const { whatsappMessageId: _wamid, ...newContact }: Record<string, unknown> = { ...message, eventType: 'newContactMessageReceived' };
    await postEvent(h, newContact);
    await postEvent(h, message);
    await h.wati.waitForTexts(1, 5_000);
    await sleep(300);
    expect(agent.turns).toHaveLength(1);
    expect(storedCount(h)).toBe(1);
  });

  it('acknowledges the documented new-contact notice (no message in it) without storing anything', async () => {
    const { h } = await start();
    const notice = {
      eventType: 'newContactMessageReceived',
      id: '634930ab82538bf0845a116a',
      created: '2026-11-20T15:40:01.2419621Z',
      waId: '50355550199',
      senderName: 'New User',
      sourceId: null,
      sourceUrl: null,
      sourceType: 0,
    };
    expect(await postEvent(h, notice)).toEqual({ status: 200, body: { status: 'ignored', reason: 'empty_message' } });
    expect(storedCount(h)).toBe(0);
  });

  it('does not take a staff number answering an alert for a guest: acknowledged, stored nowhere, not answered', async () => {
    const { h, agent } = await start(createTestAgent(), { env: { STAFF_WHATSAPP_NUMBERS: '+503 5555 0199' } });
    const fromStaff = { waId: '50355550199', userMessage: 'Ya lo atiendo yo', passkey: TEST_PASSKEY };
    expect(await h.post('/webhook', fromStaff)).toEqual({ status: 200, body: { status: 'ignored', reason: 'staff_number' } });
    expect(storedCount(h)).toBe(0);
    // A guest still is.
    await h.post('/webhook', { ...fromStaff, waId: '50355550100', userMessage: 'Hola' });
    expect(storedTexts(h)).toEqual(['Hola']);
    // The staff message came first; the only turn is the guest's.
    expect((await agent.waitForTurns(1, 5_000)).map((t) => t.conversationId)).toEqual(['50355550100']);
  });

  it('answers 200 "ignored" to well-formed events it does not handle, stores nothing and logs one line', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      }),
    );
    const { h, agent } = await start(createTestAgent(), { logger });
    const cases: [Record<string, unknown>, string][] = [
      [watiEvent({ type: 'reaction', text: '👍', data: null }), 'unsupported_message_type_reaction'],
      [watiEvent({ type: 'sticker', text: null, data: 'data/stickers/abc.webp' }), 'unsupported_message_type_sticker'],
      [watiEvent({ type: 'location', text: null, data: { latitude: 13.5, longitude: -89.3 } }), 'unsupported_message_type_location'],
      [watiEvent({ eventType: 'conversationTagged_v3', text: 'x' }), 'event_type_conversationTagged_v3'],
      [watiEvent({ eventType: 'sentMessageDELIVERED_v2', owner: false }), 'event_type_sentMessageDELIVERED'],
      [watiEvent({ eventType: 'templateMessageSent_v2', owner: false }), 'event_type_templateMessageSent'],
    ];
    for (const [event, reason] of cases) {
      expect(await postEvent(h, event), reason).toEqual({ status: 200, body: { status: 'ignored', reason } });
    }
    await sleep(400);
    expect(storedCount(h)).toBe(0);
    expect(agent.turns).toHaveLength(0);
    const ignoredLines = lines.filter((l) => l.msg === 'webhook event acknowledged and ignored');
    expect(ignoredLines.map((l) => l.reason)).toEqual(cases.map(([, reason]) => reason));
    expect(ignoredLines.every((l) => l.level === 30)).toBe(true);
    // The guest's number never appears whole in the log.
    expect(JSON.stringify(lines)).not.toContain('50355550104');
  });

  it('logs one line per webhook message, without Fastify\'s two request lines, which other routes keep', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      }),
    );
    const { h } = await start(createTestAgent(), { logger });
    // Lines logged while serving a request carry its reqId (start-up lines may arrive in between).
    const requestLines = () => lines.filter((l) => l.reqId !== undefined);
    expect((await postEvent(h, watiEvent())).status).toBe(200);
    expect((await postEvent(h, watiEvent({ whatsappMessageId: 'wamid.SECOND', id: 'SECOND', text: 'otra' }))).status).toBe(200);
    expect(requestLines().map((l) => l.msg)).toEqual(['message buffered', 'message buffered']);
    // A refused webhook is still logged (by the error handler), once.
    expect((await h.post('/webhook?passkey=wrong', watiEvent())).status).toBe(401);
    expect(requestLines().slice(2).map((l) => [l.level, l.msg])).toEqual([[40, 'Authentication failed: wrong passkey']]);
    // Any other route keeps Fastify's request lines.
    expect((await h.get('/health')).status).toBe(200);
    expect(requestLines().slice(3).map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
    expect(JSON.stringify(lines)).not.toContain('50355550104');
  });

  it('keeps 400 for bodies that are not a flow body nor an event, and 401 for a wrong passkey', async () => {
    const { h } = await start();
    expect((await h.post('/webhook', undefined, { raw: '{"waId": "5035555', headers: {} })).status).toBe(400);
    const noWaId = await h.post('/webhook', { userMessage: 'hola', passkey: TEST_PASSKEY });
    expect(noWaId.status).toBe(400);
    expect(JSON.stringify(noWaId.body)).toContain('waId');
    expect((await h.post('/webhook?passkey=wrong', watiEvent())).status).toBe(401);
    expect(storedCount(h)).toBe(0);
  });

  it('rejects a message id longer than 128 characters, naming the field', async () => {
    const { h } = await start();
    const res = await postEvent(h, watiEvent({ whatsappMessageId: `wamid.${'A'.repeat(130)}` }));
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toContain('whatsappMessageId');
    expect(storedCount(h)).toBe(0);
  });
});

describe('ManyChat identifiers', () => {
  it('keeps every digit of a subscriber id sent as an unquoted number above 2^53, and answers that subscriber', async () => {
    const { h, agent } = await start();
    const raw = `{"platform":"manychat","passkey":"${TEST_PASSKEY}","subscriber":{"id":10209876543210987654,"first_name":"Ana"},"message":{"text":"Hola"}}`;
    expect(await h.post('/manychat/webhook', undefined, { raw })).toMatchObject({ status: 200 });
    await h.manychat.waitForSends(1, 5_000);
    expect(agent.turns[0]!.conversationId).toBe('facebook:10209876543210987654');
    const send = h.manychat.sends[0]!;
    expect(send.subscriberId).toBe('10209876543210987654');
    expect(rows<{ external_user_id: string }>(h.config.dbPath, 'SELECT external_user_id FROM inbound_messages')).toEqual([
      { external_user_id: '10209876543210987654' },
    ]);
  });

  it('accepts ManyChat\'s Full Contact Data as the subscriber, with last_input_text as the message', async () => {
    const { h, agent } = await start();
    const fullContactData =
      '{"id":17841400000000123456,"key":"user:17841400000000123456","page_id":1234567890123456,"status":"active",' +
      '"first_name":"Lucía","last_name":"Prueba","name":"Lucía Prueba","gender":"female","profile_pic":"https://example.invalid/p.jpg",' +
      '"locale":"es_LA","language":"Spanish","timezone":"UTC-06","live_chat_url":"https://app.manychat.com/fb1/chat/1",' +
      '"last_input_text":"¿Tienen bungalows para 4?","last_growth_tool":null,"subscribed":"2026-11-01T10:00:00-06:00",' +
      '"last_interaction":"2026-11-20T10:00:00-06:00","last_seen":"2026-11-20T10:00:00-06:00","ig_id":17841400000000999,' +
      '"custom_fields":{"reserva":null,"adultos":4}}';
    const raw = `{"platform":"manychat","passkey":"${TEST_PASSKEY}","subscriber":${fullContactData}}`;
    expect(await h.post('/manychat/webhook', undefined, { raw })).toMatchObject({ status: 200 });
    await h.manychat.waitForSends(1, 5_000);
    expect(agent.turns[0]).toMatchObject({
      conversationId: 'instagram:17841400000000123456',
      texts: ['¿Tienen bungalows para 4?'],
      guest: { subscriberId: '17841400000000123456', name: 'Lucía Prueba' },
    });
    expect(h.manychat.sends[0]!.subscriberId).toBe('17841400000000123456');
  });

  it('rejects a subscriber id that is not 1 to 32 digits, naming the field, and stores nothing', async () => {
    const { h } = await start();
    for (const id of ['abc', '12-34', '1'.repeat(33), -5, 1.5, '']) {
      const res = await h.post('/manychat/webhook', { platform: 'manychat', passkey: TEST_PASSKEY, subscriber: { id }, message: { text: 'hola' } });
      expect(res.status, String(id)).toBe(400);
      expect((res.body as { message: string }).message, String(id)).toContain('subscriber.id');
    }
    expect(storedCount(h)).toBe(0);
  });

  it('keeps at most 10 attachments of one message', async () => {
    const { h } = await start();
    const attachments = Array.from({ length: 14 }, (_, i) => ({ type: 'image', payload: { url: `https://scontent.fbcdn.net/p/${i}.jpg` } }));
    const res = await h.post('/manychat/webhook', { platform: 'manychat', passkey: TEST_PASSKEY, subscriber: { id: '55' }, message: { text: 'fotos', attachments } });
    expect(res.status).toBe(200);
    const refs = rows<{ media_ref: string }>(h.config.dbPath, 'SELECT media_ref FROM inbound_messages ORDER BY seq').map((r) => r.media_ref);
    expect(refs).toEqual(attachments.slice(0, 10).map((a) => a.payload.url));
  });
});

describe('content dedupe and empty text', () => {
  it('stores a genuine repeat sent through the same route ("sí" then "sí", "hola" then "HOLA")', async () => {
    const { h } = await start(createTestAgent(), { env: { BUFFER_QUIET_SECONDS: '30', BUFFER_MAX_WAIT_SECONDS: '60' } });
    const flow = (text: string) => h.post('/webhook', { waId: '50370001111', userMessage: text, passkey: TEST_PASSKEY });
    const mc = (text: string) => h.post('/manychat/webhook', { platform: 'manychat', passkey: TEST_PASSKEY, subscriber: { id: '88' }, message: { text } });
    for (const send of [() => flow('sí'), () => flow('sí'), () => flow('hola'), () => flow('HOLA'), () => mc('ok'), () => mc('ok')]) {
      expect((await send()).status).toBe(200);
    }
    await postEvent(h, watiEvent({ waId: '50370002222', whatsappMessageId: 'wamid.A', id: 'a1', text: 'sí' }));
    await postEvent(h, watiEvent({ waId: '50370002222', whatsappMessageId: 'wamid.B', id: 'b1', text: 'sí' }));
    expect(storedTexts(h)).toEqual(['sí', 'sí', 'hola', 'HOLA', 'ok', 'ok', 'sí', 'sí']);
  });

  it('stores a message once when it arrives through both the flow and the standard webhook, pairing copy for copy', async () => {
    const { h } = await start(createTestAgent(), { env: { BUFFER_QUIET_SECONDS: '30', BUFFER_MAX_WAIT_SECONDS: '60' } });
    const waId = '50355550104';
    const flow = (text: string) => h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });
    // The guest writes "sí" twice; each reaches us by both routes, in any order.
    await postEvent(h, watiEvent({ whatsappMessageId: 'wamid.1', id: 'i1', text: 'sí' }));
    await flow('sí');
    await flow('Sí ');
    await postEvent(h, watiEvent({ whatsappMessageId: 'wamid.2', id: 'i2', text: 'sí' }));
    // WATI re-delivers the first event: still a repeat.
    await postEvent(h, watiEvent({ whatsappMessageId: 'wamid.1', id: 'i1', text: 'sí' }));
    expect(storedTexts(h)).toEqual(['sí', 'Sí']);
  });

  it('ignores text made only of whitespace and zero-width characters, and stores lone surrogates as U+FFFD', async () => {
    const { h } = await start(createTestAgent(), { env: { BUFFER_QUIET_SECONDS: '30', BUFFER_MAX_WAIT_SECONDS: '60' } });
    const blank = ' \u200B\u200C\u200D\u2060\uFEFF\n\t\u00A0';
    expect(await h.post('/webhook', { waId: '50370003333', userMessage: blank, passkey: TEST_PASSKEY })).toEqual({
      status: 200,
      body: { status: 'ignored', reason: 'empty_message' },
    });
    expect(await postEvent(h, watiEvent({ text: blank }))).toEqual({ status: 200, body: { status: 'ignored', reason: 'empty_message' } });
    expect(
      await h.post('/manychat/webhook', { platform: 'manychat', passkey: TEST_PASSKEY, subscriber: { id: '9' }, message: { text: blank } }),
    ).toEqual({ status: 200, body: { status: 'ignored', reason: 'empty_message' } });
    expect(storedCount(h)).toBe(0);

    // JSON may carry lone surrogates as escapes; they are not valid text and must not reach SQLite or the model.
    const raw = `{"waId":"50370003333","userMessage":"hola \\ud83d y \\ude00 fin","passkey":"${TEST_PASSKEY}"}`;
    expect((await h.post('/webhook', undefined, { raw })).status).toBe(200);
    expect(storedTexts(h)).toEqual(['hola \uFFFD y \uFFFD fin']);
  });
});

describe('GET /ready and channels', () => {
  it('is 503 while no channel can send, and lists a missing channel while another can', async () => {
    h = await startHarness({
      agent: createTestAgent(),
      env: { WATI_API_KEY: '', MANYCHAT_API_KEY: '', MANYCHAT_INSTAGRAM_API_KEY: '' },
    });
    const none = await h.get('/ready');
    expect(none.status).toBe(503);
    expect(none.body).toMatchObject({ status: 'not_ready', reasons: expect.arrayContaining([expect.stringContaining('no channel can send')]) });
    await h.close();

    h = await startHarness({ agent: createTestAgent(), env: { MANYCHAT_INSTAGRAM_API_KEY: '' } });
    const partial = await h.get('/ready');
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({
      status: 'ready',
      reasons: [expect.stringContaining('MANYCHAT_INSTAGRAM_API_KEY')],
      checks: { channels: { whatsapp: 'enabled', facebook: 'enabled', instagram: expect.stringContaining('MANYCHAT_INSTAGRAM_API_KEY') } },
    });
    await h.close();

    h = await startHarness({ agent: createTestAgent(), env: { WATI_API_KEY: '', MANYCHAT_INSTAGRAM_API_KEY: '' } });
    expect((await h.get('/ready')).status).toBe(200); // Messenger alone can answer
  });
});
