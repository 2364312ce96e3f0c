// Human handoff and bot pause through the real routes, against fake WATI and ManyChat on 127.0.0.1.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { createTransferToHumanAgentTool } from '../../src/tools/staff/transfer-to-human-agent.js';
import { ToolRegistry } from '../../src/tools/registry.js';
import type { AgentFactoryDeps } from '../../src/app.js';
import { startHarness, fixture, type Harness } from '../support/app-harness.js';
import { createTestAgent, type Responder, type TestAgent } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';
import { movableClock } from '../support/movable-clock.js';
import type { RecordedRequest } from '../support/fake-wati.js';
import { sleep, until } from '../support/wait.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

// Tuesday 10:00 in El Salvador (UTC-6): the office is open. Saturday 14:00: closed.
const TUESDAY_OPEN = Date.parse('2026-11-17T16:00:00Z');
const SATURDAY_CLOSED = Date.parse('2026-11-21T20:00:00Z');

const ENV = {
  HANDOVER_OPERATOR_EMAIL: 'reservas@example.com',
  HANDOVER_MESSAGE_OPEN: 'Le comunico con un ejecutivo de reservas.',
  HANDOVER_MESSAGE_CLOSED: 'Nuestra oficina está cerrada; un ejecutivo le escribirá al abrir.',
  GOODBYE_MESSAGE: '¡Hasta pronto!',
};

async function startWithDeps(make: (deps: AgentFactoryDeps) => Responder, opts: { clock?: Clock; env?: Record<string, string> } = {}) {
  let agent: TestAgent | undefined;
  h = await startHarness({
    ...(opts.clock ? { clock: opts.clock } : {}),
    env: { ...ENV, ...opts.env },
    agent: (deps) => (agent = createTestAgent(make(deps))),
  });
  h.wati.setHandler('assignOperator', () => ({ status: 200, body: { result: true } }));
  h.wati.setHandler('updateChatStatus', () => ({ status: 200, body: { result: true } }));
  return { h, agent: agent! };
}

const start = (respond: Responder, opts: { clock?: Clock; env?: Record<string, string> } = {}) => startWithDeps(() => respond, opts);

const say = (h: Harness, waId: string, text: string) => h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });
const mcSay = (h: Harness, id: string, text: string) =>
  h.post('/manychat/webhook', { platform: 'manychat', passkey: TEST_PASSKEY, subscriber: { id }, message: { text } });

const watiCalls = (h: Harness, endpoint: string): RecordedRequest[] => h.wati.requests.filter((r) => r.path.endsWith(`/api/v1/${endpoint}`) || r.path.includes(`/api/v1/${endpoint}/`));

function rows<T>(h: Harness, sql: string, ...params: unknown[]): T[] {
  const db = new Database(h.config.dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const heldCount = (h: Harness, conversationId: string) =>
  rows<{ n: number }>(h, `SELECT COUNT(*) AS n FROM batches WHERE conversation_id = ? AND status = 'held'`, conversationId)[0]!.n;

describe('handoff', () => {
  it('transfer_to_human_agent assigns the operator, marks the ticket pending, notifies the guest once and pauses the bot', async () => {
    const { h, agent } = await startWithDeps(
      (deps) =>
        async (turn) => {
          const registry = new ToolRegistry([createTransferToHumanAgentTool()]);
          const out = await registry.execute('transfer_to_human_agent', JSON.stringify({ reason: 'pide hablar con una persona' }), {
            conversationId: turn.conversationId,
            channel: turn.channel,
            waId: turn.guest.waId,
            subscriberId: undefined,
            guestName: undefined,
            logger: turn.log,
            clock: deps.clock,
          });
          expect(JSON.parse(out.output)).toMatchObject({ status: 'transfer_completed' });
          expect(out.effects).toEqual([{ type: 'handoff', reason: 'pide hablar con una persona' }]);
          return { outcome: 'answered', reply: 'Le transfiero con un ejecutivo.', effects: out.effects };
        },
      { clock: movableClock(TUESDAY_OPEN) },
    );
    await say(h, '50376000001', 'Quiero hablar con una persona');
    expect(await h.wati.waitForTexts(1, 4_000)).toEqual([ENV.HANDOVER_MESSAGE_OPEN]);
    await until(() => watiCalls(h, 'updateChatStatus').length > 0, 'updateChatStatus');

    const [assign] = watiCalls(h, 'assignOperator');
    expect(assign!.bearer).toBe(h.wati.apiKey);
    expect(assign!.query.get('email')).toBe('reservas@example.com');
    expect(assign!.query.get('whatsappNumber')).toBe('50376000001');
    expect(watiCalls(h, 'updateChatStatus').map((r) => r.json)).toEqual([{ whatsappNumber: '50376000001', ticketStatus: 'PENDING' }]);

    // The next guest message is stored but not answered.
    await say(h, '50376000001', '¿Hola? ¿Sigue ahí?');
    await until(() => heldCount(h, '50376000001') === 1, 'the held batch');
    await sleep(150);
    expect(agent.turns).toHaveLength(1);
    expect(h.wati.sentTexts()).toEqual([ENV.HANDOVER_MESSAGE_OPEN]);
    expect(rows(h, `SELECT text FROM inbound_messages WHERE conversation_id = '50376000001' ORDER BY seq`)).toEqual([
      { text: 'Quiero hablar con una persona' },
      { text: '¿Hola? ¿Sigue ahí?' },
    ]);
  });

  it('a bare "handover" reply triggers the handoff (closed-office wording) and is never sent; inside a sentence it is text', async () => {
    const { h } = await start(
      (turn) => (turn.messages[0]!.text === 'persona' ? ' Handover. ' : 'Puedo hacer el handover a reservas si lo desea.'),
      { clock: movableClock(SATURDAY_CLOSED) },
    );
    await say(h, '50376000002', 'persona');
    expect(await h.wati.waitForTexts(1, 4_000, '50376000002')).toEqual([ENV.HANDOVER_MESSAGE_CLOSED]);
    await until(() => watiCalls(h, 'updateChatStatus').length > 0, 'updateChatStatus');
    expect(watiCalls(h, 'assignOperator')).toHaveLength(1);

    await say(h, '50376000003', 'info');
    expect(await h.wati.waitForTexts(1, 4_000, '50376000003')).toEqual(['Puedo hacer el handover a reservas si lo desea.']);
    expect(h.wati.sentTexts().some((t) => /^\s*handover/i.test(t))).toBe(false);
  });

  it('friendly_goodbye sends the goodbye and marks the ticket solved', async () => {
    const { h } = await start(() => 'friendly_goodbye');
    await say(h, '50376000004', 'Gracias, eso es todo');
    expect(await h.wati.waitForTexts(1, 4_000)).toEqual([ENV.GOODBYE_MESSAGE]);
    await until(() => watiCalls(h, 'updateChatStatus').length > 0, 'updateChatStatus');
    expect(watiCalls(h, 'updateChatStatus').map((r) => r.json)).toEqual([{ whatsappNumber: '50376000004', ticketStatus: 'SOLVED' }]);
  });

  it('a failed turn sends the fallback and sets the ticket to pending', async () => {
    const { h } = await start(() => ({ outcome: 'failed', errorClass: 'server_error' }));
    await say(h, '50376000005', 'Hola');
    expect(await h.wati.waitForTexts(1, 4_000)).toEqual([h.config.fallbackReply]);
    await until(() => watiCalls(h, 'updateChatStatus').length > 0, 'updateChatStatus');
    expect(watiCalls(h, 'updateChatStatus').map((r) => r.json)).toEqual([{ whatsappNumber: '50376000005', ticketStatus: 'PENDING' }]);
  });

  it('ManyChat: a handoff marks the Live Chat conversation open with the channel key and never calls WATI', async () => {
    const { h } = await start(() => 'handover');
    h.manychat.setHandler('/fb/page/markConversationAsOpen', () => ({ status: 200, body: { status: 'success' } }));
    await mcSay(h, '9001', 'quiero un humano');
    expect(await h.manychat.waitForTexts(1, 4_000)).toHaveLength(1);
    await until(() => h.manychat.requests.some((r) => r.path === '/fb/page/markConversationAsOpen'), 'markConversationAsOpen');
    const open = h.manychat.requests.find((r) => r.path === '/fb/page/markConversationAsOpen')!;
    expect(open.json).toEqual({ subscriber_id: '9001' });
    expect(open.keyUsed).toBe('facebook');
    expect(h.wati.requests).toHaveLength(0);
  });
});

describe('bot pause from WATI operator events', () => {
  it("an operator's owner:true event pauses the bot; the pause ends after BOT_PAUSE_HOURS and the model sees what happened", async () => {
    const clock = movableClock(TUESDAY_OPEN);
    const { h, agent } = await start(() => 'Con gusto.', { clock, env: { BOT_PAUSE_HOURS: '2' } });
    const waId = '50355550104'; // the fixture's guest
    const event = fixture('wati_event_operator_reply.json');
    const res = await h.post(`/webhook?passkey=${TEST_PASSKEY}`, { ...event, passkey: undefined });
    expect(res).toEqual({ status: 200, body: { status: 'ignored', reason: 'outgoing_message' } });
    // The same event re-delivered changes nothing.
    await h.post(`/webhook?passkey=${TEST_PASSKEY}`, { ...event, passkey: undefined });

    await say(h, waId, 'Gracias María, espero');
    await until(() => heldCount(h, waId) === 1, 'the held batch');
    clock.advance(90 * 60_000); // still paused after 1.5 h
    await say(h, waId, '¿Ya tiene respuesta?');
    await until(() => heldCount(h, waId) === 2, 'the second held batch');
    expect(agent.turns).toHaveLength(0);
    expect(h.wati.sentTexts()).toEqual([]);

    clock.advance(31 * 60_000); // 2 h after the operator's message
    await say(h, waId, 'Hola de nuevo');
    expect(await h.wati.waitForTexts(1, 4_000)).toEqual(['Con gusto.']);
    const [turn] = agent.turns;
    expect(turn!.texts).toEqual(['Hola de nuevo']);
    const block = turn!.missedMessagesBlock!;
    expect(block).toContain('=== MENSAJES ENTRE EL CLIENTE Y AGENTES HUMANOS');
    expect(block).toMatch(/\[2026-11-17 10:0\d\] Agente \(María Operadora\): Buenas tardes Carlos, le atiende María de reservas\./);
    expect(block).toMatch(/\] Cliente: Gracias María, espero\n\[2026-11-17 11:3\d\] Cliente: ¿Ya tiene respuesta\?/);
    expect(block).not.toContain('Hola de nuevo');
    expect(block.match(/Agente/g)).toHaveLength(1);
  });

  it("the bot's own owner:true events (operator name Bot, or a message id we recorded) do not pause it", async () => {
    const { h, agent } = await start((_t, i) => `Respuesta ${i + 1}`);
    const waId = '50355550101';
    // Operator name "Bot" (the fixture).
    expect((await h.post(`/webhook?passkey=${TEST_PASSKEY}`, fixture('wati_outgoing_owner.json'))).body).toMatchObject({ status: 'ignored' });
    await say(h, waId, 'Hola');
    await h.wati.waitForTexts(1, 4_000);
    // The echo of what we just sent, with no operator name but our recorded message id.
    const sentId = h.wati.texts[0]!.whatsappMessageId;
    await h.post(`/webhook?passkey=${TEST_PASSKEY}`, {
      ...fixture('wati_outgoing_owner.json'),
      id: 'other-id',
      whatsappMessageId: sentId,
      operatorName: null,
      text: 'Respuesta 1',
    });
    await say(h, waId, 'Otra pregunta');
    expect(await h.wati.waitForTexts(2, 4_000)).toEqual(['Respuesta 1', 'Respuesta 2']);
    expect(agent.turns).toHaveLength(2);
    expect(rows(h, 'SELECT * FROM operator_messages')).toEqual([]);
  });

  it('a guest message WATI reports as assigned to a person pauses the bot', async () => {
    const { h, agent } = await start(() => 'No debería salir');
    await h.post(`/webhook?passkey=${TEST_PASSKEY}`, {
      ...fixture('wati_event_text.json'),
      waId: '50376000010',
      operatorName: 'María Operadora',
      assignedId: '5f0e0e0e0e0e0e0e0e0e0e01',
    });
    await until(() => heldCount(h, '50376000010') === 1, 'the held batch');
    expect(agent.turns).toHaveLength(0);
  });
});

describe('admin API', () => {
  it('does not exist without ADMIN_TOKEN', async () => {
    const { h } = await start(() => 'x');
    expect((await h.get('/admin/conversations/50376000020')).status).toBe(404);
    expect((await h.post('/admin/conversations/50376000020/pause', {})).status).toBe(404);
  });

  it('refuses requests without the right token; pauses and resumes a ManyChat conversation (id with a colon)', async () => {
    const { h, agent } = await start(() => 'Hola desde el bot', { env: { ADMIN_TOKEN: 'admin-secret-token-0123456789' } });
    const auth = { authorization: 'Bearer admin-secret-token-0123456789' };
    expect((await h.get('/admin/conversations/facebook:77')).status).toBe(401);
    expect((await h.post('/admin/conversations/facebook:77/pause', {}, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await h.post('/admin/conversations/facebook:77/pause', {})).status).toBe(401);

    const paused = await h.post('/admin/conversations/facebook%3A77/pause', {}, { headers: auth });
    expect(paused).toMatchObject({ status: 200, body: { conversationId: 'facebook:77', paused: true } });
    await mcSay(h, '77', 'hola');
    await until(() => heldCount(h, 'facebook:77') === 1, 'the held batch');
    expect(agent.turns).toHaveLength(0);

    const res = await fetch(`${h.url}/admin/conversations/facebook:77`, { headers: auth });
    expect(res.status).toBe(200);
    const state = (await res.json()) as Record<string, unknown>;
    expect(state).toMatchObject({ conversationId: 'facebook:77', paused: true, pause: { reason: 'admin' } });
    expect((state.lastTurns as unknown[])[0]).toMatchObject({ status: 'held', guest: [{ text: 'hola' }] });

    expect(await h.post('/admin/conversations/facebook:77/resume', {}, { headers: auth })).toMatchObject({
      status: 200,
      body: { paused: false, wasPaused: true },
    });
    await mcSay(h, '77', '¿me ayudan?');
    expect(await h.manychat.waitForTexts(1, 4_000)).toEqual(['Hola desde el bot']);
    expect(agent.turns[0]!.missedMessagesBlock).toMatch(/\] Cliente: hola\n/);
    expect((await h.post('/admin/conversations/not-an-id/pause', {}, { headers: auth })).status).toBe(400);
  });
});
