// The handoff and the missed-messages block with the real agent and the openai SDK against a fake OpenAI server.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI } from '../support/fake-openai.js';
import { TEST_PASSKEY } from '../support/test-config.js';
import { movableClock } from '../support/movable-clock.js';

type Item = Record<string, unknown>;
const TUESDAY_OPEN = Date.parse('2026-11-17T16:00:00Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('handoff with the real agent', () => {
  let openai: FakeOpenAI;
  let h: Harness;

  beforeEach(async () => {
    openai = await startFakeOpenAI();
    const dir = mkdtempSync(join(tmpdir(), 'watibot3-handoff-'));
    writeFileSync(join(dir, 'system_instructions.txt'), 'Eres la asistente de un hotel ficticio.');
    h = await startHarness({
      clock: movableClock(TUESDAY_OPEN),
      env: {
        OPENAI_BASE_URL: openai.url,
        OPENAI_MODEL: 'gpt-5-mini',
        LLM_OPENAI_DIALECT: 'on',
        SYSTEM_INSTRUCTIONS_PATH: join(dir, 'system_instructions.txt'),
        HANDOVER_OPERATOR_EMAIL: 'reservas@example.com',
        HANDOVER_MESSAGE_OPEN: 'Le comunico con un ejecutivo de reservas.',
        ADMIN_TOKEN: 'tok-0123456789abcdefghijk',
        HISTORY_IMPORT_MESSAGES: '0',
      },
      agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
    });
    h.wati.setHandler('assignOperator', () => ({ status: 200, body: { result: true } }));
    h.wati.setHandler('updateChatStatus', () => ({ status: 200, body: { result: true } }));
  });
  afterEach(async () => {
    await h.close();
    await openai.close();
  });

  const say = (waId: string, text: string) => h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });

  it('offers transfer_to_human_agent; calling it sends only the handover notice and pauses the bot', async () => {
    openai.queue(
      toolCallReply([{ name: 'transfer_to_human_agent', arguments: { reason: 'quiere cotización de grupo' }, callId: 'call_t1' }]),
      textReply('Le paso con reservas, un momento.'),
    );
    await say('50378000001', 'Somos 40 personas, ¿me pasan con alguien?');
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['Le comunico con un ejecutivo de reservas.']);
    const tools = (openai.requests[0]!.body.tools as Item[]).map((t) => t.name);
    expect(tools).toContain('transfer_to_human_agent');
    const output = (openai.requests[1]!.body.input as Item[]).find((i) => i.type === 'function_call_output')!;
    expect(JSON.parse(output.output as string)).toMatchObject({ status: 'transfer_completed' });

    await say('50378000001', 'Gracias');
    await sleep(400);
    expect(openai.requests).toHaveLength(2);
    expect(h.wati.sentTexts()).toEqual(['Le comunico con un ejecutivo de reservas.']);
    expect(h.wati.requests.filter((r) => r.path.endsWith('/assignOperator'))).toHaveLength(1);
  });

  it('gives the held messages to the model after the history and before the batch once resumed', async () => {
    openai.queue(textReply('¡Hola! ¿En qué le ayudo?'));
    await say('50378000002', 'Hola');
    await h.wati.waitForTexts(1, 5_000);
    await sleep(50);
    const auth = { authorization: 'Bearer tok-0123456789abcdefghijk' };
    await h.post('/admin/conversations/50378000002/pause', {}, { headers: auth });
    await say('50378000002', 'Necesito factura');
    await sleep(400);
    expect(openai.requests).toHaveLength(1);
    await h.post('/admin/conversations/50378000002/resume', {}, { headers: auth });
    openai.queue(textReply('Claro, con gusto le envío la factura.'));
    await say('50378000002', '¿Me ayudan?');
    await h.wati.waitForTexts(2, 5_000);

    const input = openai.requests[1]!.body.input as Item[];
    const texts = input.map((i) => `${String(i.role ?? i.type)}: ${typeof i.content === 'string' ? i.content : JSON.stringify(i.content)}`);
    const history = texts.findIndex((t) => t.includes('¡Hola! ¿En qué le ayudo?'));
    const block = texts.findIndex((t) => t.startsWith('developer: === MENSAJES ENTRE EL CLIENTE'));
    const batch = texts.findIndex((t) => t.startsWith('user:') && t.includes('¿Me ayudan?'));
    expect(history).toBeGreaterThanOrEqual(0);
    expect(block).toBeGreaterThan(history);
    expect(batch).toBeGreaterThan(block);
    expect(texts[block]).toMatch(/\] Cliente: Necesito factura\n=== FIN DE MENSAJES PERDIDOS ===$/);
  });
});
