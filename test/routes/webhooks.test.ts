// End to end through the real HTTP routes: webhook → durable buffer → debounce → (test) agent → channel.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, startHarness, type Harness } from '../support/app-harness.js';
import { createTestAgent, type TestAgent } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function countRows(dbPath: string, table: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function harness(agent: TestAgent = createTestAgent(), env: Record<string, string | undefined> = {}) {
  h = await startHarness({ agent, env });
  return { h, agent };
}

describe('POST /webhook (WATI)', () => {
  it('answers the chatbot-flow body through WATI sendSessionMessage with the bearer key', async () => {
    const { h, agent } = await harness();
    const res = await h.post('/webhook', fixture('wati_text.json'));
    expect(res).toEqual({ status: 200, body: { ai_response: 'Gathering questions for the assistant' } });

    const [text] = await h.wati.waitForTexts(1, 5_000, '50355550101');
    expect(text).toBe('Recibido: Buenas tardes, quisiera cotizar una noche para 2 adultos y 1 niño el 14 de junio');
    const send = h.wati.requests.find((r) => r.path.endsWith('/sendSessionMessage/50355550101'));
    expect(send?.path).toBe(`/${h.wati.tenantId}/api/v1/sendSessionMessage/50355550101`);
    expect(send?.headers.authorization).toBe(`Bearer ${h.wati.apiKey}`);
    expect(send?.query.get('messageText')).toBe(text);
    expect(agent.turns[0]).toMatchObject({ conversationId: '50355550101', channel: 'whatsapp', guest: { waId: '50355550101' } });
  });

  it('accepts the standard "message received" event with the passkey in the query', async () => {
    const { h, agent } = await harness();
    const { passkey: _drop, ...event } = fixture('wati_event_text.json');
    const res = await h.post(`/webhook?passkey=${TEST_PASSKEY}`, event);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ai_response: 'Gathering questions for the assistant' });
    await h.wati.waitForTexts(1, 5_000, '50355550104');
    expect(agent.turns[0]?.guest).toEqual({ waId: '50355550104', name: 'Carlos Prueba' });
  });

  it('keeps the caption with the media and reduces showFile URLs to the data/ path', async () => {
    const { h, agent } = await harness();
    await h.post('/webhook', fixture('wati_image.json'));
    await h.post('/webhook', fixture('wati_audio.json'));
    await agent.waitForTurns(2);
    const image = agent.turns.find((t) => t.conversationId === '50355550102');
    const audio = agent.turns.find((t) => t.conversationId === '50355550103');
    expect(image).toMatchObject({
      kinds: ['image'],
      texts: ['Le envío el comprobante de la transferencia'],
      mediaRefs: ['data/images/3f2b9c1e-0a7d-4c55-9e21-7b6f1d2a8c90.jpg'],
    });
    expect(audio).toMatchObject({ kinds: ['audio'], mediaRefs: ['data/audios/9c41d2aa-5e60-4b7f-8f13-2d0e6c7b1a44.opus'] });
  });

  it('ignores our own and operators\' outgoing messages and status events, storing nothing', async () => {
    const { h } = await harness();
    const outgoing = { ...fixture('wati_outgoing_owner.json'), passkey: TEST_PASSKEY };
    expect(await h.post('/webhook', outgoing)).toEqual({ status: 200, body: { status: 'ignored', reason: 'outgoing_message' } });
    const operator = fixture('wati_event_operator_reply.json');
    expect((await h.post('/webhook', operator)).body).toMatchObject({ status: 'ignored' });
    const delivered = { ...fixture('wati_event_text.json'), eventType: 'sentMessageDELIVERED', owner: false };
    expect((await h.post('/webhook', delivered)).body).toEqual({ status: 'ignored', reason: 'event_type_sentMessageDELIVERED' });
    expect(countRows(h.config.dbPath, 'inbound_messages')).toBe(0);
  });

  it('processes the same whatsappMessageId once, however often WATI re-delivers it', async () => {
    const { h, agent } = await harness();
    const event = fixture('wati_event_text.json');
    for (let i = 0; i < 3; i++) expect((await h.post('/webhook', event)).status).toBe(200);
    await h.wati.waitForTexts(1);
    await sleep(400);
    expect(await h.post('/webhook', event)).toMatchObject({ status: 200 });
    await sleep(400);
    expect(agent.turns).toHaveLength(1);
    expect(agent.turns[0]?.texts).toEqual(['Hola, ¿tienen disponibilidad para este sábado?']);
    expect(h.wati.sentTexts('50355550104')).toHaveLength(1);
  });

  it('treats the same message arriving through the flow body and the standard event as one', async () => {
    const { h, agent } = await harness();
    const event = fixture('wati_event_text.json');
    await h.post('/webhook', { waId: event.waId, userMessage: event.text, passkey: TEST_PASSKEY });
    await h.post('/webhook', event);
    await h.wati.waitForTexts(1);
    await sleep(300);
    expect(agent.turns).toHaveLength(1);
    expect(agent.turns[0]?.texts).toHaveLength(1);
  });
});

describe('POST /manychat/webhook', () => {
  it('answers Messenger through sendContent with the Facebook key and no content type', async () => {
    const { h, agent } = await harness();
    const res = await h.post('/manychat/webhook', fixture('manychat_fb_text.json'));
    expect(res).toEqual({ status: 200, body: { status: 'ok', detail: 'Message buffered' } });
    const [sent] = await h.manychat.waitForSends(1, 5_000, '7100000000000001');
    expect(sent).toMatchObject({ channel: 'facebook', keyUsed: 'facebook', subscriberIdType: 'string' });
    expect(sent?.messages).toEqual([{ type: 'text', text: 'Recibido: Hola, ¿aceptan mascotas en los bungalows?' }]);
    expect(agent.turns[0]).toMatchObject({ conversationId: 'facebook:7100000000000001', guest: { subscriberId: '7100000000000001', name: 'Ana Prueba' } });
    const request = h.manychat.requests.find((r) => r.path === '/fb/sending/sendContent');
    expect(request?.json).toMatchObject({ subscriber_id: '7100000000000001', data: { version: 'v2', content: { messages: [{ type: 'text' }] } } });
    expect((request?.json as { data: { content: Record<string, unknown> } }).data.content.type).toBeUndefined();
  });

  it('answers Instagram with the Instagram key and content.type instagram, keeping the caption with the image', async () => {
    const { h, agent } = await harness();
    await h.post('/manychat/webhook', fixture('manychat_ig_image.json'));
    const [sent] = await h.manychat.waitForSends(1, 5_000, '1900000002');
    expect(sent).toMatchObject({ channel: 'instagram', keyUsed: 'instagram' });
    expect(agent.turns[0]).toMatchObject({
      conversationId: 'instagram:1900000002',
      kinds: ['image'],
      texts: ['¿Esta habitación tiene vista al mar?'],
    });
    expect(agent.turns[0]?.mediaRefs[0]).toContain('ig_messaging_cdn');
  });

  it('buffers every attachment of a message', async () => {
    const { h, agent } = await harness();
    const body = fixture('manychat_ig_image.json');
    const message = body.message as { attachments: unknown[] };
    message.attachments.push({ type: 'file', payload: { url: 'https://cdn.example.test/recibo.pdf' } });
    await h.post('/manychat/webhook', body);
    await agent.waitForTurns(1);
    expect(agent.turns[0]?.kinds).toEqual(['image', 'document']);
  });
});

describe('debounce and single flight', () => {
  it('makes one turn of three messages sent within the quiet period, in order', async () => {
    const { h, agent } = await harness();
    for (const text of ['Hola', 'quisiera reservar', 'para el sábado']) {
      await h.post('/webhook', { waId: '50370000001', userMessage: text, passkey: TEST_PASSKEY });
      await sleep(50);
    }
    const [text] = await h.wati.waitForTexts(1, 5_000, '50370000001');
    await sleep(400);
    expect(agent.turns).toHaveLength(1);
    expect(agent.turns[0]?.texts).toEqual(['Hola', 'quisiera reservar', 'para el sábado']);
    expect(text).toBe('Recibido: Hola | quisiera reservar | para el sábado');
  });

  it('answers a message that arrives during a turn in a second turn', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const agent = createTestAgent(async (turn, index) => {
      if (index === 0) await gate;
      return `Turno ${index + 1}: ${turn.messages.map((m) => m.text).join(' | ')}`;
    });
    const { h } = await harness(agent);
    await h.post('/webhook', { waId: '50370000002', userMessage: 'primero', passkey: TEST_PASSKEY });
    await agent.waitForTurns(1);
    await h.post('/webhook', { waId: '50370000002', userMessage: 'segundo', passkey: TEST_PASSKEY });
    await sleep(400); // well past the quiet period: the conversation is busy, no second turn yet
    expect(agent.turns).toHaveLength(1);
    release();
    const texts = await h.wati.waitForTexts(2, 5_000, '50370000002');
    expect(texts).toEqual(['Turno 1: primero', 'Turno 2: segundo']);
  });

  it('does not wait longer than BUFFER_MAX_WAIT_SECONDS for a guest who keeps typing', async () => {
    const { h, agent } = await harness(createTestAgent(), { BUFFER_QUIET_SECONDS: '0.3', BUFFER_MAX_WAIT_SECONDS: '0.6' });
    const started = Date.now();
    for (let i = 0; i < 8; i++) {
      await h.post('/webhook', { waId: '50370000003', userMessage: `parte ${i}`, passkey: TEST_PASSKEY });
      await sleep(150);
      if (agent.turns.length > 0) break;
    }
    await agent.waitForTurns(1);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(agent.turns[0]!.texts.length).toBeLessThan(8);
  });

  it('runs different conversations concurrently', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const agent = createTestAgent(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(200);
      inFlight--;
      return 'ok';
    });
    const { h } = await harness(agent);
    await Promise.all(
      ['50370000010', '50370000011', '50370000012'].map((waId) =>
        h.post('/webhook', { waId, userMessage: 'hola', passkey: TEST_PASSKEY }),
      ),
    );
    await h.wati.waitForTexts(3);
    expect(maxInFlight).toBe(3);
  });
});

describe('authentication and validation', () => {
  it('rejects a wrong or missing passkey with 401 and stores nothing', async () => {
    const { h, agent } = await harness();
    const wrong = await h.post('/webhook', { ...fixture('wati_text.json'), passkey: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'UNAUTHORIZED' });
    const missing = await h.post('/manychat/webhook', { ...fixture('manychat_fb_text.json'), passkey: undefined });
    expect(missing.status).toBe(401);
    expect(countRows(h.config.dbPath, 'inbound_messages')).toBe(0);
    await sleep(300);
    expect(agent.turns).toHaveLength(0);
  });

  it('accepts the passkey in the x-webhook-passkey header', async () => {
    const { h } = await harness();
    const { passkey: _drop, ...body } = fixture('manychat_fb_text.json');
    const res = await h.post('/manychat/webhook', body, { headers: { 'x-webhook-passkey': TEST_PASSKEY } });
    expect(res.status).toBe(200);
  });

  it('answers 503 when WEBHOOK_PASSKEY is not configured instead of running open', async () => {
    const { h } = await harness(createTestAgent(), { WEBHOOK_PASSKEY: '' });
    const res = await h.post('/webhook', fixture('wati_text.json'));
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).toContain('WEBHOOK_PASSKEY');
  });

  it('answers malformed bodies with 400 naming the problem, storing nothing', async () => {
    const { h } = await harness();
    const cases: [string, unknown, string][] = [
      ['/webhook', { userMessage: 'hola', passkey: TEST_PASSKEY }, 'waId'],
      ['/webhook', { waId: '50355550101', passkey: TEST_PASSKEY }, 'message'],
      ['/webhook', { waId: '50355550101', userMessage: 42, passkey: TEST_PASSKEY }, 'userMessage'],
      ['/webhook', { waId: 'not-a-number', userMessage: 'hola', passkey: TEST_PASSKEY }, 'waId'],
      ['/manychat/webhook', { platform: 'manychat', passkey: TEST_PASSKEY, message: { text: 'hola' } }, 'subscriber'],
      // An empty text is acknowledged, not rejected (webhook-contracts.test.ts); a message that is not an object is invalid.
      ['/manychat/webhook', { platform: 'manychat', passkey: TEST_PASSKEY, subscriber: { id: '1' }, message: 'hola' }, 'message'],
      ['/manychat/webhook', { platform: 'wati', passkey: TEST_PASSKEY, subscriber: { id: '1' }, message: { text: 'x' } }, 'platform'],
    ];
    for (const [path, body, field] of cases) {
      const res = await h.post(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as { message: string }).message).toContain(field);
    }
    const invalidJson = await h.post('/webhook', undefined, { raw: '{"waId": "503", ' });
    expect(invalidJson).toMatchObject({ status: 400, body: { error: 'BAD_REQUEST', message: 'Body is not valid JSON' } });
    const tooLarge = await h.post('/webhook', { waId: '50355550101', userMessage: 'x'.repeat(1_100_000), passkey: TEST_PASSKEY });
    expect(tooLarge.status).toBe(413);
    expect(countRows(h.config.dbPath, 'inbound_messages')).toBe(0);
  });

  it('accepts a form-encoded flow body', async () => {
    const { h } = await harness();
    const res = await h.post('/webhook', undefined, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      raw: new URLSearchParams({ waId: '50370000020', userMessage: 'hola', passkey: TEST_PASSKEY }).toString(),
    });
    expect(res.status).toBe(200);
    await h.wati.waitForTexts(1, 5_000, '50370000020');
  });
});
