// The menu read tools and the instruction modules end to end: the real app and the real OpenAI agent (openai
// SDK) against the fake model server, over the shipped menus in resources/pictures/menu/, on both LLM APIs.
// What the model is given (the PDF itself, or its text), what later turns replay, and that the cached prefix
// (instructions, tool list) never changes when modules are loaded.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { DEFAULT_RESOURCES_DIR } from '../../src/core/resources.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI, type RecordedRequest } from '../support/fake-openai.js';
import { TEST_PASSKEY } from '../support/test-config.js';

type Api = 'responses' | 'chat_completions';
type Item = Record<string, unknown>;
const MENU_DIR = join(DEFAULT_RESOURCES_DIR, 'pictures', 'menu');
const pdfBase64 = (name: string): string => readFileSync(join(MENU_DIR, name)).toString('base64');
const INSTRUCTIONS = 'Eres la asistente de un hotel de playa ficticio. Responde en español.';

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  cleanup = [];
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(api: Api, opts: { env?: Record<string, string>; resourcesDir?: string } = {}): Promise<{ h: Harness; openai: FakeOpenAI }> {
  const openai = await startFakeOpenAI();
  cleanup.push(() => openai.close());
  const dir = tempDir('wb3-menu-e2e-');
  writeFileSync(join(dir, 'system_instructions.txt'), INSTRUCTIONS);
  const h = await startHarness({
    env: {
      OPENAI_BASE_URL: openai.url,
      OPENAI_MODEL: 'gpt-5-mini',
      LLM_API: api,
      LLM_OPENAI_DIALECT: 'on',
      SYSTEM_INSTRUCTIONS_PATH: join(dir, 'system_instructions.txt'),
      HISTORY_IMPORT_MESSAGES: '0',
      ...opts.env,
    },
    ...(opts.resourcesDir ? { resourcesDir: opts.resourcesDir } : {}),
    agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
  });
  cleanup.push(() => h.close());
  return { h, openai };
}

/** Sends the guest's message and waits for the n-th text the bot sends this guest. */
async function turn(h: Harness, waId: string, text: string, nthReply: number): Promise<void> {
  const res = await h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });
  expect(res.status).toBe(200);
  await h.wati.waitForTexts(nthReply, 8_000, waId);
}

/** The output of a tool call as the request carries it: Responses function_call_output / Chat tool message. */
function toolOutput(req: RecordedRequest | undefined, callId: string): unknown {
  if (req?.api === 'responses') {
    return ((req.body.input ?? []) as Item[]).find((i) => i.type === 'function_call_output' && i.call_id === callId)?.output;
  }
  return ((req?.body.messages ?? []) as Item[]).find((m) => m.role === 'tool' && m.tool_call_id === callId)?.content;
}

/** The system prompt of a request: Responses `instructions`, Chat the first (system) message. */
/** The instructions' text (Responses `instructions`, Chat Completions' system message). */
function instructionText(req: RecordedRequest | undefined): string {
  return String(req?.api === 'responses' ? req.body.instructions : ((req?.body.messages ?? []) as Item[])[0]?.content);
}

/** The tools offered, as { name, parameters } whatever the API's shape. */
function toolsOf(req: RecordedRequest | undefined): { name: string; description: string; parameters: Item }[] {
  return ((req?.body.tools ?? []) as Item[]).map((t) => {
    const fn = (t.function ?? t) as Item;
    return { name: String(fn.name), description: String(fn.description), parameters: fn.parameters as Item };
  });
}

const READ_TOOLS = [
  { tool: 'read_menu_content', file: 'menu.pdf', dish: 'Pupusas de queso con loroco', question: '¿Tienen opciones vegetarianas?' },
  { tool: 'read_menu_prices_content', file: 'menu-prices.pdf', dish: 'Ceviche de camarón US$ 9.50', question: '¿Cuánto cuesta el ceviche?' },
] as const;

describe.each(['responses', 'chat_completions'] as const)('the menu read tools (%s)', (api) => {
  it.each(READ_TOOLS)('$tool gives the model the shipped $file (Responses) or its text (Chat); later turns replay only the text', async ({ tool, file, dish, question }) => {
    const { h, openai } = await start(api);
    const waId = api === 'responses' ? '50376200001' : '50376200002';
    openai.queue(toolCallReply([{ name: tool, callId: 'call_menu' }]), textReply('Con gusto le cuento lo que tiene el menú.'));
    await turn(h, waId, question, 1);

    const output = toolOutput(openai.requests[1], 'call_menu');
    if (api === 'responses') {
      expect(Array.isArray(output)).toBe(true);
      expect(output).toContainEqual({ type: 'input_file', filename: file, file_data: `data:application/pdf;base64,${pdfBase64(file)}` });
    } else {
      expect(typeof output).toBe('string');
      expect(output).toContain(dish);
    }

    // The next turn replays what the transcript kept: the menu's text, never the PDF's bytes.
    openai.queue(textReply('¡Con gusto!'));
    await turn(h, waId, 'Gracias', 2);
    expect(openai.requests).toHaveLength(3);
    const replayed = toolOutput(openai.requests[2], 'call_menu');
    expect(typeof replayed).toBe('string');
    expect(replayed).toContain(dish);
    const next = JSON.stringify(openai.requests[2]!.body);
    expect(next).not.toContain(pdfBase64(file));
    expect(next).not.toContain('input_file');
  });

  it('the hotel\'s menu.txt next to the PDF wins over the text extracted from it', async () => {
    const resources = tempDir('wb3-menu-res-');
    mkdirSync(join(resources, 'pictures', 'menu'), { recursive: true });
    copyFileSync(join(MENU_DIR, 'menu.pdf'), join(resources, 'pictures', 'menu', 'menu.pdf'));
    writeFileSync(join(resources, 'pictures', 'menu', 'menu.txt'), 'Menú de temporada\nSopa de mariscos del día\nTamales de elote (V)\n');
    const { h, openai } = await start(api, { resourcesDir: resources });
    const waId = api === 'responses' ? '50376200003' : '50376200004';
    openai.queue(toolCallReply([{ name: 'read_menu_content', callId: 'call_txt' }]), textReply('Hoy tenemos sopa de mariscos.'));
    await turn(h, waId, '¿Qué hay de comer hoy?', 1);

    if (api === 'responses') {
      // The model still gets the PDF itself; the text is what later turns replay.
      expect(toolOutput(openai.requests[1], 'call_txt')).toContainEqual(
        expect.objectContaining({ type: 'input_file', filename: 'menu.pdf', file_data: `data:application/pdf;base64,${pdfBase64('menu.pdf')}` }),
      );
      openai.queue(textReply('¡A la orden!'));
      await turn(h, waId, 'Perfecto', 2);
    }
    const text = toolOutput(openai.requests[api === 'responses' ? 2 : 1], 'call_txt');
    expect(text).toContain('Sopa de mariscos del día');
    expect(text).toContain('Tamales de elote (V)');
    expect(text).toContain('texto provisto por el hotel');
    expect(text).not.toContain('Pupusas de queso con loroco');
  });
});

describe.each(['responses', 'chat_completions'] as const)('instruction modules (%s)', (api) => {
  const PRECIOS = 'MÓDULO DE PRECIOS: el Pasadía cuesta US$ 25 por adulto.';
  const PAQUETES = 'MÓDULO DE PAQUETES: el paquete Las Hojas incluye tres tiempos de comida.';

  it('offers load_additional_modules with the folder\'s modules and puts each loaded one once after the file\'s instructions', async () => {
    const modules = tempDir('wb3-modules-e2e-');
    writeFileSync(join(modules, 'precios.md'), PRECIOS);
    writeFileSync(join(modules, 'paquetes.txt'), PAQUETES);
    const { h, openai } = await start(api, { env: { SYSTEM_INSTRUCTIONS_MODULES_DIR: modules } });
    const waId = api === 'responses' ? '50376200011' : '50376200012';

    openai.queue(
      toolCallReply([{ name: 'load_additional_modules', arguments: { modules: ['precios'], reasoning: 'pregunta por precios' }, callId: 'call_m1' }]),
      textReply('El Pasadía cuesta US$ 25 por adulto.'),
    );
    await turn(h, waId, '¿Cuánto cuesta el pasadía?', 1);
    const tool = toolsOf(openai.requests[0]).find((t) => t.name === 'load_additional_modules');
    expect(tool).toBeDefined();
    // The names are in the description; the schema (part of the cached prefix) does not list them.
    expect(tool!.description).toContain('Módulos: paquetes, precios.');
    expect(JSON.stringify(tool!.parameters)).not.toContain('precios');
    const first = toolOutput(openai.requests[1], 'call_m1');
    expect(first).toContain('[Módulos cargados: precios]');
    expect(first).not.toContain(PRECIOS);
    const afterFirst = instructionText(openai.requests[1]);
    expect(afterFirst.startsWith(instructionText(openai.requests[0]))).toBe(true);
    expect(afterFirst).toContain(PRECIOS);
    expect(afterFirst).not.toContain(PAQUETES);

    openai.queue(
      toolCallReply([{ name: 'load_additional_modules', arguments: { modules: ['precios', 'paquetes'] }, callId: 'call_m2' }]),
      textReply('El paquete Las Hojas incluye tres tiempos de comida.'),
    );
    await turn(h, waId, '¿Y qué incluye el paquete?', 2);
    expect(openai.requests).toHaveLength(4);
    const second = toolOutput(openai.requests[3], 'call_m2');
    expect(second).toContain('[Módulos cargados: paquetes]');
    expect(second).toMatch(/Ya están en tus instrucciones \(LOADED MODULES\): precios\]/);
    // Both texts once, in the instructions, in the folder's (sorted) order; none in the transcript.
    const last = instructionText(openai.requests[3]);
    expect(last.split(PRECIOS)).toHaveLength(2);
    expect(last.split(PAQUETES)).toHaveLength(2);
    expect(last.indexOf('=== MÓDULO paquetes ===')).toBeLessThan(last.indexOf('=== MÓDULO precios ==='));
    expect(JSON.stringify(openai.requests[3]!.body).split(PRECIOS.slice(0, 40))).toHaveLength(2);

    // The cached prefix: every request's instructions start with the file's; the tool list is the same in every request.
    const prefixes = openai.requests.map((r) => instructionText(r));
    expect(prefixes[0]).toContain(INSTRUCTIONS);
    expect(prefixes[0]).not.toContain('MÓDULO');
    expect(prefixes.every((p) => p.startsWith(prefixes[0]!))).toBe(true);
    expect(new Set(openai.requests.map((r) => JSON.stringify(r.body.tools))).size).toBe(1);
  });

  it('does not offer load_additional_modules without SYSTEM_INSTRUCTIONS_MODULES_DIR', async () => {
    const { h, openai } = await start(api);
    const waId = api === 'responses' ? '50376200013' : '50376200014';
    openai.queue(textReply('¡Hola! ¿En qué le ayudo?'));
    await turn(h, waId, 'Hola', 1);
    const names = toolsOf(openai.requests[0]).map((t) => t.name);
    expect(names).toContain('read_menu_content');
    expect(names).not.toContain('load_additional_modules');
  });
});
