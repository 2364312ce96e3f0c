// What happened while the bot was not listening: WATI history after the bot's last reply (paged, 429 retried)
// and the first-contact import, as the model receives them — through the real routes against fake WATI.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/app-harness.js';
import { movableClock } from '../support/movable-clock.js';
import { createTestAgent, type Responder, type TestAgent } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';
import type { Clock } from '../../src/core/clock.js';
import type { FakeResponse, RecordedRequest } from '../support/fake-wati.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const TUESDAY_OPEN = Date.parse('2026-11-17T16:00:00Z'); // 10:00 in El Salvador
const MIN = 60_000;

async function start(respond: Responder, clock: Clock, env: Record<string, string> = {}): Promise<{ h: Harness; agent: TestAgent }> {
  const agent = createTestAgent(respond);
  h = await startHarness({ agent, clock, env });
  return { h, agent };
}

const say = (h: Harness, waId: string, text: string) => h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });

/** Waits until `count` replies were sent and recorded (the fake sees a text before our side records it). */
async function replies(h: Harness, count: number): Promise<void> {
  await h.wati.waitForTexts(count, 4_000);
  const db = new Database(h.config.dbPath, { readonly: true });
  try {
    const deadline = Date.now() + 4_000;
    while ((db.prepare('SELECT COUNT(*) AS n FROM outbound_messages').get() as { n: number }).n < count) {
      if (Date.now() > deadline) throw new Error(`reply ${count} not recorded`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    db.close();
  }
}

/** A WATI getMessages item as the v1 API returns it. */
function item(at: number, text: string, o: { id?: string; owner?: boolean; operatorName?: string | null } = {}) {
  const id = o.id ?? `wamid.H${Math.round(at)}${text.length}`;
  return {
    id: `mongo-${id}`,
    whatsappMessageId: id,
    created: new Date(at).toISOString().replace('Z', '').replace(/\.(\d{3})$/, '.$1123'),
    conversationId: 'c1',
    ticketId: 't1',
    text,
    type: 'text',
    data: null,
    timestamp: String(Math.floor(at / 1000)),
    owner: o.owner ?? false,
    eventType: o.owner ? 'sessionMessageSent' : 'message',
    statusString: o.owner ? 'SENT' : 'DELIVERED',
    operatorName: o.operatorName ?? null,
    operatorEmail: null,
  };
}

const page = (items: unknown[]): FakeResponse => ({ status: 200, body: { result: 'success', messages: { items, total: items.length } } });
const getMessagesCalls = (h: Harness): RecordedRequest[] => h.wati.requests.filter((r) => r.path.includes('/api/v1/getMessages/'));

describe('missed messages from WATI', () => {
  it('gives the model the operator and guest messages after the bot\'s last reply, labelled, without the bot\'s own or this batch', async () => {
    const clock = movableClock(TUESDAY_OPEN);
    const { h, agent } = await start((_t, i) => `Respuesta ${i + 1}`, clock);
    const waId = '50377000001';
    let history: unknown[][] = [[]]; // pages, newest first; first contact: nothing to import
    const page2Attempts: number[] = [];
    h.wati.setHandler('getMessages', (req) => {
      const n = Number(req.query.get('pageNumber'));
      if (n === 2 && page2Attempts.push(n) === 1) return { status: 429, headers: { 'retry-after': '0' }, body: { message: 'Too many requests' } };
      return page(history[n - 1] ?? []);
    });

    await say(h, waId, 'Hola');
    await replies(h, 1);
    expect(agent.turns[0]!.missedMessagesBlock).toBeUndefined();
    const cutoff = clock.now(); // ≈ the bot's reply
    const botId = h.wati.texts[0]!.whatsappMessageId;

    // Meanwhile, in WATI: the guest and a person from reservations talked; the bot's own sends are there too.
    const filler = Array.from({ length: 96 }, (_, k) => item(cutoff + 8 * MIN + k * 1000, `Mensaje automático ${k}`, { owner: true, operatorName: 'Bot' }));
    history = [
      [
        item(cutoff + 20 * MIN, '¿Y el desayuno?', { id: 'wamid.BATCH1' }), // this batch, arrives below
        ...filler.reverse(),
        item(cutoff + 7 * MIN, 'Gracias por su preferencia', { owner: true, operatorName: 'Bot ' }),
        item(cutoff + 6 * MIN, 'Sí, tenemos parqueo gratuito.', { owner: true, operatorName: 'Ana Reservas' }),
        item(cutoff + 5 * MIN, '¿Tienen parqueo?'),
      ],
      [
        item(cutoff + 1 * MIN, 'Hola otra vez'),
        item(cutoff + 0.5 * MIN, 'Respuesta 1', { id: botId, owner: true, operatorName: null }),
        item(cutoff - 1 * MIN, 'Hola'),
      ],
      [item(cutoff - 60 * MIN, 'muy viejo')],
    ];
    expect(history[0]).toHaveLength(100);

    clock.advance(20 * MIN);
    await h.post(`/webhook?passkey=${TEST_PASSKEY}`, {
      ...item(clock.now(), '¿Y el desayuno?', { id: 'wamid.BATCH1' }),
      waId,
      senderName: 'Carlos',
    });
    await replies(h, 2);

    expect(agent.turns[1]!.texts).toEqual(['¿Y el desayuno?']);
    expect(agent.turns[1]!.missedMessagesBlock).toBe(
      [
        '=== MENSAJES ENTRE EL CLIENTE Y AGENTES HUMANOS ENVIADOS DESDE EL ULTIMO MENSAJE RECIBIDO POR EL ASISTENTE ===',
        '[2026-11-17 10:01] Cliente: Hola otra vez',
        '[2026-11-17 10:05] Cliente: ¿Tienen parqueo?',
        '[2026-11-17 10:06] Agente (Ana Reservas): Sí, tenemos parqueo gratuito.',
        '=== FIN DE MENSAJES PERDIDOS ===',
      ].join('\n'),
    );
    // First contact (HISTORY_IMPORT_MESSAGES=30, empty) + pages 1, 2 (429, then retried); page 3 is never asked for.
    expect(getMessagesCalls(h).map((r) => [r.path.endsWith(`/getMessages/${waId}`), r.query.get('pageSize'), r.query.get('pageNumber'), r.bearer])).toEqual([
      [true, '30', '1', h.wati.apiKey],
      [true, '100', '1', h.wati.apiKey],
      [true, '100', '2', h.wati.apiKey],
      [true, '100', '2', h.wati.apiKey],
    ]);
  });

  it('does not call WATI when the turn starts within CONTEXT_GAP_MINUTES, and a WATI failure only leaves the block out', async () => {
    const clock = movableClock(TUESDAY_OPEN);
    const { h, agent } = await start(() => 'Ok', clock, { CONTEXT_GAP_MINUTES: '5', HISTORY_IMPORT_MESSAGES: '0' });
    h.wati.setHandler('getMessages', () => ({ status: 500, body: { message: 'boom' } }));
    await say(h, '50377000002', 'Hola');
    await replies(h, 1);
    clock.advance(4 * MIN);
    await say(h, '50377000002', 'Otra cosa');
    await replies(h, 2);
    expect(getMessagesCalls(h)).toHaveLength(0);
    clock.advance(6 * MIN);
    await say(h, '50377000002', 'Una más');
    await replies(h, 3);
    expect(getMessagesCalls(h).length).toBeGreaterThan(0);
    expect(agent.turns.map((t) => t.missedMessagesBlock)).toEqual([undefined, undefined, undefined]);
  });

  it('imports the WATI history once for a WhatsApp conversation new to the store', async () => {
    const clock = movableClock(TUESDAY_OPEN);
    const { h, agent } = await start(() => 'Bienvenido de nuevo', clock, { HISTORY_IMPORT_MESSAGES: '30' });
    const t0 = TUESDAY_OPEN - 3 * 24 * 60 * MIN; // three days earlier, 10:00
    h.wati.setHandler('getMessages', () =>
      page([
        item(t0 + 10 * MIN, 'Le envío los precios por correo.', { owner: true, operatorName: 'Ana Reservas' }),
        item(t0 + 2 * MIN, 'Claro, tenemos bungalows frente al mar.', { owner: true, operatorName: 'Bot' }),
        item(t0, 'Quería info de bungalows'),
      ]),
    );
    await say(h, '50377000003', 'Hola, ya regresé');
    await replies(h, 1);
    expect(agent.turns[0]!.missedMessagesBlock).toBe(
      [
        '=== HISTORIAL PREVIO DE LA CONVERSACION EN WHATSAPP (IMPORTADO DE WATI) ===',
        '[2026-11-14 10:00] Cliente: Quería info de bungalows',
        '[2026-11-14 10:02] Asistente: Claro, tenemos bungalows frente al mar.',
        '[2026-11-14 10:10] Agente (Ana Reservas): Le envío los precios por correo.',
        '=== FIN DEL HISTORIAL PREVIO ===',
      ].join('\n'),
    );
    expect(getMessagesCalls(h).map((r) => r.query.get('pageSize'))).toEqual(['30']);
    await say(h, '50377000003', 'Gracias');
    await replies(h, 2);
    expect(agent.turns[1]!.missedMessagesBlock).toBeUndefined();
    expect(getMessagesCalls(h)).toHaveLength(1);
  });

  it('ManyChat conversations never call WATI', async () => {
    const { h, agent } = await start(() => 'Hola', movableClock(TUESDAY_OPEN));
    await h.post('/manychat/webhook', { platform: 'manychat', passkey: TEST_PASSKEY, subscriber: { id: '555' }, message: { text: 'hola' } });
    await h.manychat.waitForTexts(1, 4_000);
    expect(agent.turns).toHaveLength(1);
    expect(h.wati.requests).toHaveLength(0);
  });
});

describe('WATI history paging limits', () => {
  it('gives up on a page after two 429 retries and answers without the block', async () => {
    const clock = movableClock(TUESDAY_OPEN);
    const { h, agent } = await start(() => 'Ok', clock, { HISTORY_IMPORT_MESSAGES: '0' });
    h.wati.setHandler('getMessages', () => ({ status: 429, headers: { 'retry-after': '0' }, body: { message: 'Too many requests' } }));
    await say(h, '50377000004', 'Hola');
    await replies(h, 1);
    clock.advance(10 * MIN);
    await say(h, '50377000004', 'Sigo aquí');
    await replies(h, 2);
    expect(getMessagesCalls(h)).toHaveLength(3);
    expect(agent.turns[1]!.missedMessagesBlock).toBeUndefined();
  });
});
