// The hotel's instructions as they are, end to end: the real app and the real OpenAI agent against the fake model
// server, with a generated file of the shape of the original's system_instructions_new.txt (JSON named .txt).
// The base modules are the instructions of every call (the same bytes: the prompt cache keeps matching); any other
// module or dotted path is loaded with load_additional_modules and sent once; /ready names the instructions in use;
// the shipped example prompt does not answer real guests.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { SHIPPED_EXAMPLE_PATH } from '../../src/agent/instruction-sources.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI, type RecordedRequest } from '../support/fake-openai.js';
import { writeModularInstructions } from '../support/modular-instructions.js';
import { TEST_PASSKEY } from '../support/test-config.js';

type Api = 'responses' | 'chat_completions';
type Item = Record<string, unknown>;

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  cleanup = [];
});

async function start(api: Api, instructionsPath: string, opts: { env?: Record<string, string>; lines?: string[] } = {}): Promise<{ h: Harness; openai: FakeOpenAI }> {
  const openai = await startFakeOpenAI();
  cleanup.push(() => openai.close());
  const h = await startHarness({
    env: {
      OPENAI_BASE_URL: openai.url,
      OPENAI_MODEL: 'gpt-5-mini',
      LLM_API: api,
      LLM_OPENAI_DIALECT: 'on',
      SYSTEM_INSTRUCTIONS_PATH: instructionsPath,
      HISTORY_IMPORT_MESSAGES: '0',
      ...opts.env,
    },
    schedulerSweepMs: 100,
    ...(opts.lines ? { logger: pino({ level: 'info' }, { write: (line: string) => void opts.lines!.push(line) }) } : {}),
    agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
  });
  cleanup.push(() => h.close());
  return { h, openai };
}

async function turn(h: Harness, waId: string, text: string, nthReply: number): Promise<void> {
  const res = await h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });
  expect(res.status).toBe(200);
  await h.wati.waitForTexts(nthReply, 8_000, waId);
}

function toolOutput(req: RecordedRequest | undefined, callId: string): string {
  const found =
    req?.api === 'responses'
      ? ((req.body.input ?? []) as Item[]).find((i) => i.type === 'function_call_output' && i.call_id === callId)?.output
      : ((req?.body.messages ?? []) as Item[]).find((m) => m.role === 'tool' && m.tool_call_id === callId)?.content;
  expect(typeof found).toBe('string');
  return found as string;
}

function instructionsOf(req: RecordedRequest): string {
  const value = req.api === 'responses' ? req.body.instructions : (((req.body.messages ?? []) as Item[])[0]?.content);
  return String(value);
}

function loadTool(req: RecordedRequest): Item | undefined {
  const tools = ((req.body.tools ?? []) as Item[]).map((t) => (t.function ?? t) as Item);
  return tools.find((t) => t.name === 'load_additional_modules');
}

const call = (callId: string, modules: string[]) => ({ name: 'load_additional_modules', arguments: { modules, reasoning: 'consulta del huésped' }, callId });

describe.each([
  ['responses', 'instructions'],
  ['chat_completions', 'instructions'],
  ['responses', 'transcript'],
] as const)('the JSON instructions file (%s, loaded modules in the %s)', (api, placement) => {
  const waId = api === 'responses' ? (placement === 'instructions' ? '50376300001' : '50376300003') : '50376300002';

  it('sends the four base modules as the instructions and loads whole modules and dotted paths, each once', async () => {
    const path = writeModularInstructions();
    const { h, openai } = await start(api, path, { env: { INSTRUCTION_MODULES_PLACEMENT: placement } });
    /** Where a load's text is: the instructions of the calls after it, or the load's output in the transcript. */
    const loadedText = (req: RecordedRequest | undefined, callId: string) => (placement === 'instructions' ? instructionsOf(req!) : toolOutput(req, callId));

    // Turn 1: a whole module, a path three levels deep and an emoji key; then a wrong path the model corrects.
    openai.queue(
      toolCallReply([call('call_1', ['MODULE_2C_AVAILABILITY', 'MODULE_4_INFORMATION.hotel_location_access.contact', 'MODULE_2B_PRICE_INQUIRY.pricing_logic.🚨🚨🚨 5X4_FORMULA'])]),
      toolCallReply([call('call_2', ['MODULE_4_INFORMATION.location'])]),
      textReply('Con gusto le ayudo con su reserva.'),
    );
    await turn(h, waId, '¿Tienen habitaciones para el sábado y cómo llego?', 1);
    const firstOutput = toolOutput(openai.requests[1], 'call_1');
    expect(firstOutput).toMatch(/^\[Módulos cargados: MODULE_2C_AVAILABILITY, MODULE_4_INFORMATION\.hotel_location_access\.contact, MODULE_2B_PRICE_INQUIRY\.pricing_logic\.🚨🚨🚨 5X4_FORMULA\]/);
    const first = loadedText(openai.requests[1], 'call_1');
    for (const marker of ['[M2C.occupancy]', '[M2C.dates]', '[M4.contact]', '[M4.routing]', '[M2B.5x4]']) expect(first).toContain(marker);
    for (const marker of ['[M4.location]', '[M2B.romantico]', '[M1.']) expect(first).not.toContain(marker);
    const wrong = JSON.parse(toolOutput(openai.requests[2], 'call_2')) as { error: string };
    expect(wrong.error).toContain('"MODULE_4_INFORMATION.location" no existe en las instrucciones');
    expect(wrong.error).toContain('MODULE_4_INFORMATION.hotel_location_access.location');
    if (placement === 'instructions') {
      // The text is in the instructions once, in the file's order with the original's headers; the output only says so.
      for (const marker of ['[M2C.occupancy]', '[M4.contact]', '[M2B.5x4]']) {
        expect(firstOutput).not.toContain(marker);
        expect(JSON.stringify(openai.requests[2]!.body).split(marker)).toHaveLength(2);
      }
      expect(firstOutput).toContain('en tus instrucciones, en LOADED MODULES');
      const at = (header: string) => first.indexOf(header);
      expect(at('=== MODULE_2B_PRICE_INQUIRY.pricing_logic.🚨🚨🚨 5X4_FORMULA (MICRO-LOAD) ===')).toBeGreaterThan(at('LOADED MODULES'));
      expect(at('=== MODULE_2C_AVAILABILITY ===')).toBeGreaterThan(at('=== MODULE_2B_PRICE_INQUIRY.pricing_logic.🚨🚨🚨 5X4_FORMULA (MICRO-LOAD) ==='));
      expect(at('=== MODULE_4_INFORMATION.hotel_location_access.contact (MICRO-LOAD) ===')).toBeGreaterThan(at('=== MODULE_2C_AVAILABILITY ==='));
    }

    // Turn 2: what is still in front of the model (itself or inside a loaded module) is not sent again; the new part is.
    openai.queue(
      toolCallReply([call('call_3', ['MODULE_2C_AVAILABILITY.occupancy_rules', 'MODULE_4_INFORMATION.hotel_location_access.contact', 'MODULE_2D_SPECIAL_SCENARIOS.membership_sales_protocol'])]),
      textReply('Le explico la membresía.'),
    );
    await turn(h, waId, '¿Y cómo funciona la membresía?', 2);
    expect(openai.requests).toHaveLength(5);
    const secondOutput = toolOutput(openai.requests[4], 'call_3');
    expect(secondOutput).toMatch(/^\[Módulos cargados: MODULE_2D_SPECIAL_SCENARIOS\.membership_sales_protocol\]/);
    expect(secondOutput).toContain(
      `${placement === 'instructions' ? 'Ya están en tus instrucciones (LOADED MODULES)' : 'Ya cargados antes en esta conversación, su texto está más arriba'}: ` +
        'MODULE_2C_AVAILABILITY.occupancy_rules (dentro de MODULE_2C_AVAILABILITY), MODULE_4_INFORMATION.hotel_location_access.contact',
    );
    const second = loadedText(openai.requests[4], 'call_3');
    expect(second).toContain('[M2D.membership]');
    if (placement === 'transcript') {
      expect(second).not.toContain('[M2C.');
      expect(second).not.toContain('[M4.');
      // Turn 1's text is still in front of the model.
      expect(toolOutput(openai.requests[4], 'call_1')).toContain('[M4.contact]');
    } else {
      // Turn 1's loads are still in the instructions, once each; the next turn starts from the same set.
      for (const marker of ['[M2C.occupancy]', '[M4.contact]', '[M2B.5x4]', '[M2D.membership]']) expect(JSON.stringify(openai.requests[4]!.body).split(marker)).toHaveLength(2);
      expect(toolOutput(openai.requests[4], 'call_1')).not.toContain('[M4.contact]');
    }

    // The cached prefix: the same tool list on every request, and every request's instructions start with the
    // core (the base modules and no other); with the modules in the instructions, the loaded set follows it.
    const core = instructionsOf(openai.requests[0]!);
    expect(new Set(openai.requests.map((r) => JSON.stringify(r.body.tools))).size).toBe(1);
    if (placement === 'transcript') expect(new Set(openai.requests.map(instructionsOf)).size).toBe(1);
    else {
      expect(openai.requests.every((r) => instructionsOf(r).startsWith(core))).toBe(true);
      expect(new Set(openai.requests.map(instructionsOf)).size).toBe(3);
    }
    for (const marker of ['[SYS.arch]', '[SYS.v23]', '[DT.description]', '[DT.member]', '[DEP.principle]', '[CORE.language]', '[CORE.anti]']) expect(core).toContain(marker);
    for (const marker of ['[M1.', '[M2A.', '[M2B.', '[M2C.', '[M2D.', '[M3.', '[M4.']) expect(core).not.toContain(marker);
    expect(core).toContain('MODULE_1_CRITICAL_WORKFLOWS, MODULE_2A_PACKAGE_CONTENT, MODULE_2B_PRICE_INQUIRY');
    const tool = loadTool(openai.requests[0]!);
    expect(String(tool?.description)).toContain('MODULE_4_INFORMATION');
    expect(JSON.stringify(tool?.parameters)).not.toContain('enum');

    // /ready names the instructions in use.
    const ready = await h.get('/ready');
    expect(ready.status).toBe(200);
    const check = (ready.body as { checks: { instructions: Record<string, unknown> } }).checks.instructions;
    expect(check).toMatchObject({
      path,
      format: 'json',
      sha256: createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12),
      shippedExample: false,
    });
    expect(check.coreTokens).toBeGreaterThan(100);
    const moduleTokens = check.moduleTokens as Record<string, number>;
    expect(Object.keys(moduleTokens)).toEqual([
      'MODULE_1_CRITICAL_WORKFLOWS',
      'MODULE_2A_PACKAGE_CONTENT',
      'MODULE_2B_PRICE_INQUIRY',
      'MODULE_2C_AVAILABILITY',
      'MODULE_2D_SPECIAL_SCENARIOS',
      'MODULE_3_SERVICE_FLOWS',
      'MODULE_4_INFORMATION',
    ]);
    expect(Object.values(moduleTokens).every((n) => n > 10)).toBe(true);
  });
});

describe('the shipped example prompt', () => {
  it('with channels configured: /ready is 503 saying so, the start log warns, and guests wait for the hotel’s instructions', async () => {
    // A copy elsewhere, saved with CRLF line endings: recognised by content, not by path.
    const dir = mkdtempSync(join(tmpdir(), 'wb3-example-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const copy = join(dir, 'prompt.txt');
    writeFileSync(copy, readFileSync(SHIPPED_EXAMPLE_PATH, 'utf8').replace(/\n/g, '\r\n'));
    const lines: string[] = [];
    const { h, openai } = await start('responses', copy, { lines });

    const ready = await h.get('/ready');
    expect(ready.status).toBe(503);
    const body = ready.body as { reasons: string[]; checks: { agent: boolean; instructions: Record<string, unknown> } };
    expect(body.reasons).toContainEqual(expect.stringContaining(`the system instructions in use (${copy}) are the shipped example of a fictional resort`));
    expect(body.checks.agent).toBe(false);
    expect(body.checks.instructions).toMatchObject({ path: copy, format: 'text', shippedExample: true });
    const warning = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.msg.includes('shipped example'));
    expect(warning?.level).toBe(40);

    // The guest's message is kept; once the hotel's own instructions are in place it is answered.
    expect((await h.post('/webhook', { waId: '50376300009', userMessage: 'Hola', passkey: TEST_PASSKEY })).status).toBe(200);
    openai.queue(textReply('¡Hola! Bienvenido a nuestro hotel.'));
    writeFileSync(copy, 'Eres la asistente del hotel de la playa. Responde en español.');
    await h.wati.waitForTexts(1, 8_000, '50376300009');
    expect(instructionsOf(openai.requests[0]!)).toBe('Eres la asistente del hotel de la playa. Responde en español.');
    expect((await h.get('/ready')).status).toBe(200);
  });

  it('without any channel (a test bench) it is only named, not refused', async () => {
    const { h } = await start('responses', SHIPPED_EXAMPLE_PATH, { env: { WATI_API_KEY: '', MANYCHAT_API_KEY: '', MANYCHAT_INSTAGRAM_API_KEY: '' } });
    const body = (await h.get('/ready')).body as { reasons: string[]; checks: { agent: boolean; instructions: Record<string, unknown> } };
    expect(body.checks.agent).toBe(true);
    expect(body.checks.instructions).toMatchObject({ format: 'text', shippedExample: true, moduleTokens: {} });
    expect(body.reasons.join(' ')).not.toContain('shipped example');
  });
});
