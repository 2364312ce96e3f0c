// Loaded instruction modules in the instructions (the default placement), through the real agent and the fake
// model: what a guest's conversation sends after a load, after a restart, and what two guests with the same loaded
// modules share (the prompt cache's prefix).
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI, type RecordedRequest } from '../support/fake-openai.js';
import { writeModularInstructions } from '../support/modular-instructions.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { makeAgent, testConfig, textMessage, turnOf, type Harness } from './helpers.js';

type Item = Record<string, unknown>;

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const load = (modules: string[], callId = 'call_1') => toolCallReply([{ name: 'load_additional_modules', arguments: { modules, reasoning: 'consulta' }, callId }]);

async function say(h: Harness, text: string, conversationId: string): Promise<void> {
  const result = await h.agent.respond(turnOf([textMessage(text, conversationId)]));
  expect(result.outcome).toBe('answered');
  result.commit?.();
}

const instructionsOf = (req: RecordedRequest) => String(req.body.instructions);
const inputOf = (req: RecordedRequest) => JSON.stringify(req.body.input);
const count = (text: string, marker: string) => text.split(marker).length - 1;

describe('loaded modules in the instructions', () => {
  it('after a load the module is in the instructions once, not in the transcript, and stays after a restart', async () => {
    fake = await startFakeOpenAI();
    const config = testConfig('responses', fake.url, { SYSTEM_INSTRUCTIONS_PATH: writeModularInstructions() });
    const db = openMigratedDatabase(':memory:');
    const guest = '50370005555';

    fake.queue(load(['MODULE_2C_AVAILABILITY']), textReply('Sí hay disponibilidad.'));
    await say(makeAgent(config, { db }), '¿Hay habitaciones el sábado?', guest);
    const [before, after] = fake.requests;
    expect(count(instructionsOf(before!), '[M2C.occupancy]')).toBe(0);
    expect(count(instructionsOf(after!), '[M2C.occupancy]')).toBe(1);
    expect(inputOf(after!)).not.toContain('[M2C.occupancy]');
    expect(instructionsOf(after!).startsWith(instructionsOf(before!))).toBe(true);
    // The model is told plainly, by the core and by the heading over the module, that a loaded module needs no new load.
    expect(instructionsOf(before!)).toMatch(/under LOADED MODULES at the end of these instructions is already loaded: .*do not call load_additional_modules for it/);
    const heading = instructionsOf(after!).slice(instructionsOf(before!).length).trim().split('\n')[0];
    expect(heading).toMatch(/^LOADED MODULES \(already loaded in this conversation: do not call load_additional_modules for these modules/);

    // A new agent on the same database (a restart): the next turn's first call already carries the module.
    fake.queue(textReply('Con gusto.'));
    await say(makeAgent(config, { db }), '¿Y para 4 personas?', guest);
    const restarted = fake.requests[2]!;
    expect(instructionsOf(restarted)).toBe(instructionsOf(after!));
    expect(count(JSON.stringify(restarted.body), '[M2C.occupancy]')).toBe(1);
    // The transcript keeps the load's short acknowledgement, which says where the text is.
    const output = (restarted.body.input as Item[]).find((i) => i.type === 'function_call_output')?.output;
    expect(output).toMatch(/^\[Módulos cargados: MODULE_2C_AVAILABILITY\]/);
    expect(output).toContain('LOADED MODULES');
    db.close();
  });

  it('two conversations that load the same modules in another order send the same instructions bytes', async () => {
    fake = await startFakeOpenAI();
    const config = testConfig('responses', fake.url, { SYSTEM_INSTRUCTIONS_PATH: writeModularInstructions() });
    const h = makeAgent(config);
    fake.queue(load(['MODULE_2C_AVAILABILITY', 'MODULE_2B_PRICE_INQUIRY']), textReply('Precio y disponibilidad.'));
    await say(h, '¿Cuánto cuesta y hay espacio?', '50370006001');
    fake.queue(load(['MODULE_2B_PRICE_INQUIRY']), load(['MODULE_2C_AVAILABILITY'], 'call_2'), textReply('Precio y disponibilidad.'));
    await say(h, '¿Precio? ¿Y disponibilidad?', '50370006002');
    const first = instructionsOf(fake.requests[1]!);
    const second = instructionsOf(fake.requests[4]!);
    expect(second).toBe(first);
    // In the file's order: MODULE_2B before MODULE_2C.
    expect(first.indexOf('=== MODULE_2B_PRICE_INQUIRY ===')).toBeLessThan(first.indexOf('=== MODULE_2C_AVAILABILITY ==='));
    expect(fake.requests[1]!.body.prompt_cache_key).toBe(fake.requests[4]!.body.prompt_cache_key);
  });

  it('past HISTORY_MODULES_MAX_TOKENS the least recently used module is taken out, and the model is told', async () => {
    // MODULE_2C ~66 tokens, MODULE_4 ~139, MODULE_2B ~133: the three do not fit 300.
    fake = await startFakeOpenAI();
    const config = testConfig('responses', fake.url, { SYSTEM_INSTRUCTIONS_PATH: writeModularInstructions(), HISTORY_MODULES_MAX_TOKENS: '300' });
    const h = makeAgent(config);
    const guest = '50370007001';
    fake.queue(load(['MODULE_2C_AVAILABILITY']), textReply('Disponibilidad.'));
    await say(h, '¿Disponibilidad?', guest);
    fake.queue(load(['MODULE_4_INFORMATION']), textReply('Ubicación.'));
    await say(h, '¿Dónde están?', guest);
    fake.queue(load(['MODULE_2B_PRICE_INQUIRY']), textReply('Precios.'));
    await say(h, '¿Precios?', guest);
    const outputs = fake.requests
      .flatMap((r) => (r.body.input as Item[]).filter((i) => i.type === 'function_call_output').map((i) => String(i.output)))
      .filter((o, i, all) => all.indexOf(o) === i);
    const removing = outputs.find((o) => o.includes('[Retirados de tus instrucciones'));
    expect(removing).toBeDefined();
    expect(removing).toContain('MODULE_2C_AVAILABILITY');
    const last = instructionsOf(fake.requests[fake.requests.length - 1]!);
    expect(last).toContain('=== MODULE_2B_PRICE_INQUIRY ===');
    expect(last).not.toContain('=== MODULE_2C_AVAILABILITY ===');
    // The next turn (a fresh derivation from the stored outputs) sends the same set.
    fake.queue(textReply('Ok.'));
    await say(makeAgent(config, { db: h.db }), 'Gracias', guest);
    expect(instructionsOf(fake.requests[fake.requests.length - 1]!)).toBe(last);
  });
});
