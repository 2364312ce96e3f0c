// Delivery of the agent's reply: only failed sends are retried, never the agent turn.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/app-harness.js';
import { createTestAgent, type Responder } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function batches(dbPath: string): { status: string; outcome: string | null; error_class: string | null; delivered_parts: number }[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT status, outcome, error_class, delivered_parts FROM batches ORDER BY id').all() as never;
  } finally {
    db.close();
  }
}

async function start(respond?: Responder, env: Record<string, string | undefined> = {}) {
  const agent = createTestAgent(respond);
  h = await startHarness({ agent, env });
  return { h, agent };
}

const say = (h: Harness, waId: string, text: string) => h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });

describe('delivery', () => {
  it('delivers once, with the agent called once, when WATI fails twice and then succeeds', async () => {
    const { h, agent } = await start(() => 'Con gusto le ayudo.');
    h.wati.queueResponses({ status: 500, body: { message: 'Internal error' } }, { status: 503, body: 'Service Unavailable' });
    await say(h, '50372000001', 'Hola');
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['Con gusto le ayudo.']);
    await sleep(300);
    const sends = h.wati.requests.filter((r) => r.path.includes('sendSessionMessage'));
    expect(sends).toHaveLength(3);
    expect(h.wati.sentTexts()).toEqual(['Con gusto le ayudo.']);
    expect(agent.turns).toHaveLength(1);
    expect(batches(h.config.dbPath)).toEqual([{ status: 'delivered', outcome: 'answered', error_class: null, delivered_parts: 1 }]);
  });

  it('honours Retry-After on 429', async () => {
    const { h } = await start(() => 'Listo.');
    h.wati.queueResponses({ status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too many requests' } });
    const started = Date.now();
    await say(h, '50372000002', 'Hola');
    await h.wati.waitForTexts(1, 5_000);
    const sends = h.wati.requests.filter((r) => r.path.includes('sendSessionMessage'));
    expect(sends).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('splits a long WhatsApp reply and resumes from the part that failed', async () => {
    const paragraph = (n: number) => `Párrafo ${n}: ${'la playa es hermosa y el agua está tibia. '.repeat(60)}`.trim();
    const reply = [paragraph(1), paragraph(2), paragraph(3)].join('\n\n');
    expect(reply.length).toBeGreaterThan(4096);
    const { h, agent } = await start(() => reply);
    // First part accepted, the second fails twice before it goes through.
    h.wati.queueResponses({ status: 200 }, { status: 502, body: 'Bad Gateway' }, { status: 500, body: { message: 'x' } });
    await say(h, '50372000003', 'Cuénteme todo');
    const texts = await h.wati.waitForTexts(3, 5_000);
    await sleep(300);
    expect(texts).toEqual([paragraph(1), paragraph(2), paragraph(3)]);
    expect(h.wati.sentTexts()).toEqual(texts);
    // part 1, part 2 (fails), part 2 (fails), part 2, part 3: part 1 is never sent again
    const attempts = h.wati.requests.filter((r) => r.path.includes('sendSessionMessage')).map((r) => r.query.get('messageText'));
    expect(attempts).toEqual([paragraph(1), paragraph(2), paragraph(2), paragraph(2), paragraph(3)]);
    expect(agent.turns).toHaveLength(1);
    expect(batches(h.config.dbPath)[0]).toMatchObject({ status: 'delivered', delivered_parts: 3 });
  });

  it('splits ManyChat replies at 2000 characters', async () => {
    const reply = 'Tenemos bungalows frente al mar. '.repeat(100).trim();
    const { h } = await start(() => reply);
    await h.post('/manychat/webhook', { platform: 'manychat', passkey: TEST_PASSKEY, subscriber: { id: '42' }, message: { text: 'info' } });
    const texts = await h.manychat.waitForTexts(2, 5_000, '42');
    expect(texts.every((t) => t.length <= 2000)).toBe(true);
    expect(texts.join(' ')).toBe(reply);
  });

  it('sends nothing for an empty reply and closes the batch', async () => {
    const { h, agent } = await start(() => '   ');
    await say(h, '50372000004', 'Gracias');
    await agent.waitForTurns(1);
    await sleep(300);
    expect(h.wati.sentTexts()).toEqual([]);
    expect(batches(h.config.dbPath)).toEqual([{ status: 'delivered', outcome: 'answered', error_class: null, delivered_parts: 0 }]);
  });

  it('sends the fallback reply once when the agent fails, and records the error class', async () => {
    const { h, agent } = await start(() => ({ outcome: 'failed', errorClass: 'server_error' }), {
      FALLBACK_REPLY: 'Disculpe, un asesor le responderá pronto.',
    });
    await say(h, '50372000005', 'Hola');
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['Disculpe, un asesor le responderá pronto.']);
    await sleep(400);
    expect(h.wati.sentTexts()).toHaveLength(1);
    expect(agent.turns).toHaveLength(1);
    expect(batches(h.config.dbPath)).toEqual([{ status: 'failed', outcome: 'failed', error_class: 'server_error', delivered_parts: 1 }]);
  });

  it('never shows a guest the text of an agent exception', async () => {
    const { h } = await start(() => {
      throw new Error('TypeError: cannot read properties of undefined (reading "output")');
    });
    await say(h, '50372000006', 'Hola');
    const [text] = await h.wati.waitForTexts(1, 5_000);
    expect(text).toBe(h.config.fallbackReply);
    await sleep(200);
    expect(batches(h.config.dbPath)[0]).toMatchObject({ status: 'failed', error_class: 'agent_exception' });
  });

  it('does not retry a send WATI rejects (result:false) and does not re-run the agent', async () => {
    const { h, agent } = await start(() => 'Hola de nuevo');
    h.wati.queueResponses({ status: 200, body: { result: false, info: 'Ticket has expired' } });
    await say(h, '50372000007', 'Hola');
    await agent.waitForTurns(1);
    await sleep(400);
    expect(h.wati.requests.filter((r) => r.path.includes('sendSessionMessage'))).toHaveLength(1);
    expect(agent.turns).toHaveLength(1);
    expect(batches(h.config.dbPath)[0]).toMatchObject({ status: 'undelivered', error_class: 'delivery_rejected' });
  });

  it('gives up after the bounded number of attempts when WATI stays down', async () => {
    const { h, agent } = await start(() => 'Hola');
    h.wati.queueResponses(...Array.from({ length: 10 }, () => ({ status: 503, body: 'down' })));
    await say(h, '50372000008', 'Hola');
    await agent.waitForTurns(1);
    await sleep(600);
    expect(h.wati.requests.filter((r) => r.path.includes('sendSessionMessage'))).toHaveLength(4);
    expect(batches(h.config.dbPath)[0]).toMatchObject({ status: 'undelivered', error_class: 'delivery_upstream_unavailable' });
  });

  it('keeps messages for a channel without credentials instead of answering them', async () => {
    const { h, agent } = await start(undefined, { MANYCHAT_INSTAGRAM_API_KEY: '' });
    await h.post('/manychat/webhook', {
      platform: 'manychat',
      passkey: TEST_PASSKEY,
      subscriber: { id: '77', ig_id: '1784' },
      message: { text: 'hola' },
    });
    await sleep(400);
    expect(agent.turns).toHaveLength(0);
    const ready = await h.get('/ready');
    expect(ready.body).toMatchObject({ checks: { channels: { instagram: expect.stringContaining('MANYCHAT_INSTAGRAM_API_KEY') } } });
    const db = new Database(h.config.dbPath, { readonly: true });
    expect(db.prepare(`SELECT status FROM inbound_messages`).all()).toEqual([{ status: 'pending' }]);
    db.close();
  });
});

describe('a reply that cannot be recorded', () => {
  it('retries the batch a bounded number of times, then sends the fallback once', async () => {
    const { h, agent } = await start(() => ({
      outcome: 'answered',
      reply: 'Nunca se registra',
      commit: () => {
        throw new Error('disk full');
      },
    }));
    await say(h, '50372000009', 'Hola');
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual([h.config.fallbackReply]);
    await sleep(400);
    expect(agent.turns).toHaveLength(3);
    expect(h.wati.sentTexts()).toHaveLength(1);
    expect(batches(h.config.dbPath).map((b) => b.status)).toEqual(['abandoned', 'abandoned', 'abandoned', 'failed']);
  });
});
