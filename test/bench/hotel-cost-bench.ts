// Cost benchmark on the hotel's shape (issue 20 §1): a generated instructions JSON with the original's 11
// top-level modules at the hotel's o200k sizes (base modules ~17,800 tokens, the whole file ~61,000,
// MODULE_2B_PRICE_INQUIRY ~12,400, MODULE_2C_AVAILABILITY ~2,500), the production tool set (every backend
// configured, test/support/production-tools.ts), and a recorded 12-turn conversation whose price and
// availability turns load MODULE_2B_PRICE_INQUIRY and MODULE_2C_AVAILABILITY with load_additional_modules as the
// file's DECISION_TREE asks (and one turn loads a dotted path). Run: npx tsx test/bench/hotel-cost-bench.ts
//
// The real OpenAiAgent (Responses API) talks to the fake model on 127.0.0.1 with its prompt-cache simulation
// (test/support/fake-openai.ts): input tokens are each request's o200k count, cached tokens the byte-identical
// prefix shared with an earlier request of the same prompt_cache_key. Output tokens are scripted. The same
// measured usage is priced at the gpt-5 and gpt-5-mini rows, default and Flex tier (costOfUsage with the tier).
// The baseline, measured in the same run: the same conversation with the whole file sent as plain text on every
// call (what a hotel gets by dropping its JSON in unsplit), so no module is loaded. Nothing is timed; the tools
// are built against closed ports on 127.0.0.1 and only load_additional_modules is called.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';
import pino from 'pino';
import { instructionsCheck, openInstructionSources } from '../../src/agent/instruction-sources.js';
import { BASE_MODULES, renderSection } from '../../src/agent/instruction-tree.js';
import { LOADED_MODULES_HEADING } from '../../src/agent/loaded-modules.js';
import { costOfUsage, DEFAULT_MODEL_PRICES } from '../../src/core/model-prices.js';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { assembleCompareTools } from '../../src/compare/tools.js';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_RESOURCES_DIR } from '../../src/core/resources.js';
import { countTextTokens } from '../../src/store/conversation-store.js';
import type { JsonValue } from '../../src/core/json.js';
import type { ModelUsage } from '../../src/core/usage.js';
import { measureToolSchemas } from '../../src/tools/schema-tokens.js';
import { ToolRegistry } from '../../src/tools/registry.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI, type FakeStep, type RecordedRequest } from '../support/fake-openai.js';
import { MODULAR_INSTRUCTIONS, spanish } from '../support/modular-instructions.js';
import { EVERY_BACKEND_ENV } from '../support/production-tools.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { playScriptedTurn } from './scripted-turn.js';

const MODEL = 'gpt-5';
/** OPENAI_LIGHT_MODEL of the L4 rows. */
const LIGHT = 'gpt-5-mini';
/** Issue 20 §1's targets. */
const TARGET_RATIO = 0.5;
const TARGET_GPT5_FLEX_PER_1000 = 45;
const log = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'wb3-hotel-cost-bench-'));
/** Tuesday 2026-03-03 10:00 in El Salvador. */
const T0 = Date.UTC(2026, 2, 3, 16, 0);

/**
 * o200k tokens of each module as the agent sends it (renderSection: what load_additional_modules outputs, and
 * about what the core gives a base module), as measured on the hotel's file: the core (four base modules) 17,800,
 * MODULE_2B 12,400, MODULE_2C 2,500, the whole file 61,000.
 */
const MODULE_TOKENS: Record<keyof typeof MODULAR_INSTRUCTIONS, number> = {
  // The core renders the base modules ~10 % smaller than each one alone: these give a core of ~17,800.
  MODULE_SYSTEM: 2_000,
  DECISION_TREE: 7_700,
  MODULE_DEPENDENCIES: 3_300,
  CORE_CONFIG: 6_600,
  MODULE_1_CRITICAL_WORKFLOWS: 6_700,
  MODULE_2A_PACKAGE_CONTENT: 5_700,
  MODULE_2B_PRICE_INQUIRY: 12_400,
  MODULE_2C_AVAILABILITY: 2_500,
  MODULE_2D_SPECIAL_SCENARIOS: 4_200,
  MODULE_3_SERVICE_FLOWS: 4_000,
  MODULE_4_INFORMATION: 5_000,
};

const TOPICS = ['reglas', 'tarifas', 'excepciones', 'ejemplos', 'validaciones', 'mensajes', 'horarios'];

/**
 * The hotel-shaped file: test/support/modular-instructions.ts's modules (the decision tree's MUST_LOAD lists, the
 * dotted path, emoji keys), each grown with generated Spanish sections three levels deep
 * (module → sección → tema → texto), some under emoji keys, until it reaches its size in MODULE_TOKENS.
 */
function hotelShapedInstructions(): Record<string, JsonValue> {
  const file: Record<string, JsonValue> = {};
  for (const [name, target] of Object.entries(MODULE_TOKENS)) {
    const module = structuredClone(MODULAR_INSTRUCTIONS[name as keyof typeof MODULAR_INSTRUCTIONS]) as Record<string, JsonValue>;
    const short = name.replace(/^MODULE_/, 'M');
    const asSent = () => countTextTokens(renderSection({ segments: [name], value: module }));
    for (let s = 1; asSent() < target; s++) {
      const section: Record<string, JsonValue> = {};
      for (let t = 0; t < 2; t++) {
        const topic = `${TOPICS[(s + t) % TOPICS.length]}_${t + 1}`;
        const rules: Record<string, string> = {};
        for (let r = 1; r <= 2; r++) rules[r === 1 && s % 5 === 0 ? `🚨 regla_${r}` : `regla_${r}`] = spanish(`${short}.s${s}.${topic}.${r}`, 12);
        section[s % 7 === 0 && t === 0 ? `⚠️ ${topic}` : topic] = rules;
      }
      const key = s % 9 === 0 ? `🔒 seccion_${s}` : `seccion_${s}`;
      module[key] = section;
    }
    file[name] = module;
  }
  return file;
}

/** The recorded conversation: the guest's message, what (if anything) the model loads first, and its answer. */
interface ScriptedTurn {
  text: string;
  load?: { modules: string[]; reasoning: string };
  answer: string;
}

const PRICE = { modules: ['MODULE_2B_PRICE_INQUIRY', 'MODULE_2C_AVAILABILITY'], reasoning: 'DECISION_TREE PRIORITY_2_SALES.price_inquiry: MUST_LOAD' };
const AVAILABILITY = { modules: ['MODULE_2C_AVAILABILITY'], reasoning: 'consulta de disponibilidad: MODULE_2C_AVAILABILITY' };

const CONVERSATION: ScriptedTurn[] = [
  { text: 'Hola, buenas tardes. Quisiera información del hotel.', answer: '¡Hola! Con gusto le ayudo. ¿Para qué fechas y cuántas personas sería su visita?' },
  {
    text: '¿Cuánto cuesta el paquete Escapadita para 2 adultos y 2 niños de 4 y 8 años el 14 de marzo?',
    load: PRICE,
    answer: 'Para 2 adultos y 2 niños el 14 de marzo el paquete Escapadita tiene un total de $246.00; el niño de 4 años no paga.',
  },
  { text: '¿Qué incluye el paquete? ¿Las bebidas también?', answer: 'Incluye desayuno, almuerzo y cena tipo buffet y bebidas nacionales; las importadas tienen costo adicional.' },
  {
    text: '¿Tienen disponibilidad de bungalow familiar para esa fecha?',
    load: AVAILABILITY,
    answer: 'Sí, para el 14 de marzo hay bungalows familiares disponibles para 4 personas.',
  },
  {
    text: '¿Dónde están ubicados y a qué número puedo llamar?',
    load: { modules: ['MODULE_4_INFORMATION.hotel_location_access.contact'], reasoning: 'INTENT_TO_MODULE_MAP.location_request' },
    answer: 'Estamos en la playa, a 45 minutos del aeropuerto; puede llamarnos al 2505-2800 o escribirnos por este chat.',
  },
  {
    text: '¿Y si fuéramos 3 adultos en lugar de 2, cuánto sería?',
    load: PRICE,
    answer: 'Con 3 adultos y 2 niños el total sería de $339.00 por la noche del 14 de marzo.',
  },
  { text: '¿A qué hora es el check-in y el check-out?', answer: 'El check-in es a partir de las 3:00 p. m. y el check-out hasta las 12:00 m.' },
  {
    text: '¿Y para el fin de semana siguiente, el 21 de marzo, hay espacio?',
    load: AVAILABILITY,
    answer: 'Para el 21 de marzo también hay disponibilidad de bungalow familiar.',
  },
  {
    text: '¿Cuánto es el depósito para apartar y a qué cuenta lo transfiero?',
    load: PRICE,
    answer: 'Se aparta con el 50 % del total por transferencia o depósito bancario; le comparto los datos de la cuenta del hotel.',
  },
  { text: '¿Aceptan mascotas pequeñas? Tenemos un perrito de 5 kg.', answer: 'Lo sentimos, por el momento no admitimos mascotas en el hotel.' },
  { text: 'Ok, vamos sin el perrito. Queremos el 14 de marzo entonces.', answer: 'Perfecto. Un asesor le escribirá en este chat para completar la reserva y el pago.' },
  { text: 'Muchas gracias, quedo pendiente. ¡Saludos!', answer: '¡Gracias a usted! Que tenga un excelente día.' },
];

/** Output tokens as a short GPT-5 answer at low reasoning effort reports them (reasoning included). */
const ANSWER_USAGE = { outputTokens: 190, reasoningTokens: 128 };
const TOOL_CALL_USAGE = { outputTokens: 70, reasoningTokens: 48 };

interface CallFigure {
  turn: number;
  conversationId: string;
  /** The model the call went to (the request's), at whose price it is counted. */
  model: string;
  /** load: a call that asked for load_additional_modules; light→main: the light model's, handed over unrun. */
  kind: 'answer' | 'load' | 'light→main';
  usage: ModelUsage;
}

interface Variant {
  label: string;
  instructionsPath: string;
  /** Whether the turns that load modules call load_additional_modules (the baseline has no modules). */
  loads: boolean;
  /** OPENAI_LIGHT_MODEL (L4, tiered models): it answers a turn that needs no tool; a turn that loads goes to MODEL. */
  light?: string;
  /** INSTRUCTION_MODULES_PLACEMENT (modular runs). */
  placement?: 'instructions' | 'transcript';
  /**
   * The model reads LOADED MODULES in its instructions, as the heading and the core tell it to: a scripted load
   * asks only for what they do not hold (none ⇒ no load call). Unset: it loads on every price/availability turn.
   */
  loadsMissingOnly?: boolean;
}

/**
 * How the simulated prompt cache ages (L2). `warm`: every earlier prompt stays cached (the bench before L2).
 * `expiry`: a conversation's own prefix is dropped after IDLE_TTL_MS without a request, the guest's turns come
 * GAPS_MIN apart, and the static prefixes (tools + instructions, for each loaded set) that the other guest's
 * conversation used stay warm, as the hotel's traffic keeps them.
 */
type CacheModel = 'warm' | 'expiry';
/** OpenAI: in-memory cached prefixes are "typically cleared within 5 to 10 minutes of inactivity", always within 1 h. */
const IDLE_TTL_MS = 5 * 60_000;
/** Minutes before each turn of the recorded conversation (a guest answering on WhatsApp). */
const GAPS_MIN = [0, 2, 1, 6, 3, 12, 2, 20, 4, 9, 1, 15];

interface VariantRun {
  calls: CallFigure[];
  toolNames: string[];
  toolTokens: number;
}

/** Runs the warm-up conversation and the recorded one through a real agent with the production tools. */
async function runVariant(variant: Variant, guest: string, cache: CacheModel): Promise<VariantRun> {
  let now = T0;
  const fake: FakeOpenAI = await startFakeOpenAI({ promptCache: cache === 'warm' ? true : { idleTtlMs: IDLE_TTL_MS, now: () => now } });
  const dbPath = join(dir, `${variant.label}-${cache}.db`);
  const db = openMigratedDatabase(dbPath);
  const config = loadConfig({
    ...EVERY_BACKEND_ENV,
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: fake.url,
    OPENAI_MODEL: MODEL,
    LLM_API: 'responses',
    LLM_OPENAI_DIALECT: 'on',
    SYSTEM_INSTRUCTIONS_PATH: variant.instructionsPath,
    CONVERSATION_DB_PATH: dbPath,
    ...(variant.placement ? { INSTRUCTION_MODULES_PLACEMENT: variant.placement } : {}),
    ...(variant.light ? { OPENAI_LIGHT_MODEL: variant.light } : {}),
  });
  const clock = { now: () => now };
  // The server's tools as `npm run compare` assembles them: every backend (closed ports, never contacted).
  const assembled = assembleCompareTools({ config, db, resourcesDir: resolve(DEFAULT_RESOURCES_DIR), clock, log });
  try {
    const specs = new ToolRegistry(assembled.tools).specs;
    const offersLoad = specs.some((s) => s.name === 'load_additional_modules');
    if (offersLoad !== variant.loads) throw new Error(`${variant.label}: load_additional_modules is ${offersLoad ? '' : 'not '}offered`);
    const client = new OpenAI({ apiKey: 'sk-bench', baseURL: fake.url, maxRetries: 0, timeout: 30_000 });
    const agent = createOpenAiAgent({ config, db, clock, log, openai: client, tools: assembled.tools });
    const calls: CallFigure[] = [];
    let seq = 0;
    // One other guest's first two turns (a greeting, a price question) warm the static prefixes, as in production.
    const conversations = [
      { id: '50370009999', turns: CONVERSATION.slice(0, 2) },
      { id: guest, turns: CONVERSATION },
    ];
    for (const conversation of conversations) {
      // The instructions of the conversation's last call: its next turn's first call has the same loaded set.
      let seen = '';
      for (const [t, script] of conversation.turns.entries()) {
        const steps: FakeStep[] = [];
        const expected: string[] = [];
        const held = loadedIn(seen);
        const modules = script.load && variant.loadsMissingOnly ? missingFrom(script.load.modules, held) : script.load?.modules;
        const load = variant.loads && script.load && modules && modules.length > 0 ? { ...script.load, modules } : undefined;
        if (load && variant.light) {
          // The light model sees the same instructions and asks for the same load: the turn goes to the main model.
          steps.push(toolCallReply([{ name: 'load_additional_modules', arguments: load }], { usage: TOOL_CALL_USAGE }));
          expected.push(variant.light);
        }
        if (load) {
          steps.push(toolCallReply([{ name: 'load_additional_modules', arguments: load }], { usage: TOOL_CALL_USAGE }));
          expected.push(MODEL);
        }
        steps.push(textReply(script.answer, { usage: ANSWER_USAGE }));
        expected.push(variant.light && !load ? variant.light : MODEL);
        now += conversation.id === guest ? (GAPS_MIN[t] ?? 1) * 60_000 + 30_000 : 90_000;
        const requests = await playScriptedTurn(
          { agent, fake, log },
          { label: `${variant.label}: turn ${t + 1} of ${conversation.id}`, conversationId: conversation.id, text: script.text, seq: ++seq, at: now, steps },
        );
        // The model decided on what this turn's first call showed it, not on a guess.
        const shown = loadedIn(String(requests[0]?.body.instructions ?? ''));
        if (shown.join('\n') !== held.join('\n')) throw new Error(`${variant.label}: turn ${t + 1} showed ${shown.join(', ')}, expected ${held.join(', ')}`);
        seen = String(requests.at(-1)?.body.instructions ?? '');
        const models = requests.map((r) => String(r.body.model));
        if (models.join() !== expected.join()) throw new Error(`${variant.label}: turn ${t + 1} went to ${models.join(', ')}, expected ${expected.join(', ')}`);
        requests.forEach((req, i) => {
          const kind = i === requests.length - 1 ? 'answer' : variant.light && i === 0 ? 'light→main' : 'load';
          calls.push(figure(req, t + 1, conversation.id, kind));
        });
      }
      fake.keepWarm();
    }
    return { calls: calls.filter((c) => c.conversationId === guest), toolNames: specs.map((s) => s.name), toolTokens: measureToolSchemas(specs).total };
  } finally {
    await assembled.close();
    db.close();
    await fake.close();
  }
}

/** The paths under LOADED MODULES in a call's instructions (their `=== PATH ===` headers), in order. */
function loadedIn(instructions: string): string[] {
  const at = instructions.indexOf(LOADED_MODULES_HEADING);
  if (at < 0) return [];
  return [...instructions.slice(at).matchAll(/^=== (.+?)(?: \(MICRO-LOAD\))? ===$/gmu)].map((m) => m[1] as string);
}

/** What a load asks for that `held` does not hold, itself or inside a held module. */
function missingFrom(modules: readonly string[], held: readonly string[]): string[] {
  return modules.filter((m) => !held.some((h) => m === h || m.startsWith(`${h}.`)));
}

function figure(req: RecordedRequest, turn: number, conversationId: string, kind: CallFigure['kind']): CallFigure {
  const hit = req.promptCache;
  if (!hit) throw new Error('the fake did not simulate the prompt cache');
  const out = kind === 'answer' ? ANSWER_USAGE : TOOL_CALL_USAGE;
  return { turn, conversationId, model: String(req.body.model), kind, usage: { inputTokens: hit.promptTokens, cachedTokens: hit.cachedTokens, ...out } };
}

/** US$ of the calls at a tier of the price table: each at its own model's row, or all at `at`'s. */
function cost(calls: CallFigure[], tier: 'default' | 'flex', at?: string): number {
  let total = 0;
  for (const c of calls) {
    const usd = costOfUsage(at ?? c.model, c.usage, DEFAULT_MODEL_PRICES, tier);
    if (usd === undefined) throw new Error(`the price table has no ${tier} price for ${at ?? c.model}`);
    total += usd;
  }
  return total;
}

/** US$ per 1,000 conversations of the calls' cached input, uncached input and output, each at its call's model. */
function split(calls: CallFigure[]): { cached: number; uncached: number; output: number } {
  const out = { cached: 0, uncached: 0, output: 0 };
  for (const c of calls) {
    const p = DEFAULT_MODEL_PRICES[c.model];
    if (!p) throw new Error(`the price table has no ${c.model} row`);
    out.cached += (c.usage.cachedTokens * p.cachedInput * 1000) / 1e6;
    out.uncached += ((c.usage.inputTokens - c.usage.cachedTokens) * p.input * 1000) / 1e6;
    out.output += (c.usage.outputTokens * p.output * 1000) / 1e6;
  }
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const usd = (x: number) => `$${x.toFixed(2)}`;

async function main(): Promise<void> {
  const tree = hotelShapedInstructions();
  const json = `${JSON.stringify(tree, null, 2)}\n`;
  const modularPath = join(dir, 'system_instructions_new.txt');
  writeFileSync(modularPath, json);
  // The whole JSON as one plain-text prompt: a title line first, so the file is not read as the JSON form.
  const unsplitPath = join(dir, 'system_instructions_unsplit.txt');
  writeFileSync(unsplitPath, `Instrucciones del asistente del hotel (archivo completo, sin dividir):\n${json}`);

  const sources = openInstructionSources({ systemInstructionsPath: modularPath, instructionModulesDir: undefined });
  const check = instructionsCheck(sources);
  if (check.format !== 'json' || check.coreTokens === undefined) throw new Error(`the generated file is not read as the JSON form: ${check.problem ?? check.format}`);
  const baseTokens = sum(BASE_MODULES.map((m) => countTextTokens(JSON.stringify({ [m]: tree[m] }, null, 2))));
  console.log(
    `hotel-shaped cost: the real agent (Responses API, ${MODEL}, production tool set) against the fake model with a simulated prompt cache\n` +
      `instructions (generated, JSON of the hotel's 11 modules): whole file ${int(countTextTokens(json))} tokens (${(Buffer.byteLength(json) / 1024).toFixed(0)} KB); ` +
      `base modules ${int(baseTokens)} (sent as the core: ${int(check.coreTokens)}); loadable as sent: ` +
      Object.entries(check.moduleTokens)
        .map(([name, tokens]) => `${name.replace(/^MODULE_/, '')} ${int(tokens)}`)
        .join(', '),
  );

  const guest = '50370001234';
  const variants: Variant[] = [
    { label: 'unsplit JSON (baseline)', instructionsPath: unsplitPath, loads: false },
    { label: 'modules in transcript (before L1)', instructionsPath: modularPath, loads: true, placement: 'transcript' },
    { label: 'L1, reloads every time (pessimistic)', instructionsPath: modularPath, loads: true, placement: 'instructions' },
    { label: 'L1 + loads only what is missing (*)', instructionsPath: modularPath, loads: true, placement: 'instructions', loadsMissingOnly: true },
    { label: `L4 light ${LIGHT}, reloads every time`, instructionsPath: modularPath, loads: true, placement: 'instructions', light: LIGHT },
    { label: `L4 light ${LIGHT} + loads only missing`, instructionsPath: modularPath, loads: true, placement: 'instructions', loadsMissingOnly: true, light: LIGHT },
  ];
  const runs: { variant: Variant; cache: CacheModel; run: VariantRun }[] = [];
  for (const cache of ['warm', 'expiry'] as const) {
    for (const variant of variants) runs.push({ variant, cache, run: await runVariant(variant, guest, cache) });
  }
  const modular = runs.find((r) => r.variant.placement === 'instructions' && !r.variant.light && r.cache === 'warm')!.run;
  const baselineRun = runs[0]!.run;
  console.log(
    `tools: ${modular.toolNames.length} production tools, ${int(modular.toolTokens)} schema tokens on every call ` +
      `(unsplit: ${baselineRun.toolNames.length} tools, ${int(baselineRun.toolTokens)}, no load_additional_modules)`,
  );
  const loadTurns = CONVERSATION.map((t, i) => (t.load ? `${i + 1} (${t.load.modules.map((m) => m.replace(/^MODULE_/, '')).join(' + ')})` : '')).filter(Boolean);
  console.log(`recorded ${CONVERSATION.length}-turn conversation, cache warmed by one other guest's first two turns (greeting, price question); turns that load modules: ${loadTurns.join(', ')}`);
  console.log(
    `cache models: "warm" = every earlier prompt stays cached; "expiry" = the guest's turns ${GAPS_MIN.join(', ')} min apart, a conversation's own ` +
      `prefix dropped after ${IDLE_TTL_MS / 60_000} min idle (OpenAI in-memory retention: typically 5–10 min), the static prefixes (tools + instructions, ` +
      'per loaded set) the other guest used kept warm by the hotel\'s traffic',
  );
  console.log(
    `L4 (OPENAI_LIGHT_MODEL=${LIGHT}, tiered models): ${LIGHT} answers each turn first; on a turn that loads it asks for the same load, its call is ` +
      `discarded unrun and ${MODEL} answers the turn from its start; each call is priced at its own model (the ${LIGHT} column is then not a row of its own: —). ` +
      `${LIGHT}'s output tokens are scripted as ${MODEL}'s; whether its answers are good enough is for npm run compare to judge`,
  );
  console.log(
    '(*) the scripted model reads LOADED MODULES in the instructions of its call (whose heading and the core say those need no load_additional_modules call) ' +
      'and loads only what they do not hold; "reloads every time" loads on every price/availability turn (the tool then answers "ya están en tus instrucciones")',
  );

  const price = DEFAULT_MODEL_PRICES[MODEL];
  if (!price) throw new Error(`the price table has no ${MODEL} row`);
  const per1000 = (tokens: number, perMillion: number) => (tokens * perMillion * 1000) / 1e6;
  const W = 40;
  console.log(
    `\n${'variant'.padEnd(W)} cache   calls  input/call  cached/call  ${MODEL} $/1000   ratio  flex $/1000  mini $/1000 | cached  uncached  output`,
  );
  const results: { label: string; cache: CacheModel; def: number; ratio: number; flex: number; miniRatio: number | undefined }[] = [];
  for (const { variant, cache, run } of runs) {
    const base = runs.find((r) => r.cache === cache && !r.variant.loads)!.run;
    const n = run.calls.length;
    const input = sum(run.calls.map((c) => c.usage.inputTokens));
    const cached = sum(run.calls.map((c) => c.usage.cachedTokens));
    const def = cost(run.calls, 'default') * 1000;
    const flex = cost(run.calls, 'flex') * 1000;
    const mini = variant.light ? undefined : cost(run.calls, 'default', 'gpt-5-mini') * 1000;
    const ratio = def / (cost(base.calls, 'default') * 1000);
    const parts = split(run.calls);
    results.push({ label: variant.label, cache, def, ratio, flex, miniRatio: mini === undefined ? undefined : mini / (cost(base.calls, 'default', 'gpt-5-mini') * 1000) });
    console.log(
      `${variant.label.padEnd(W)} ${cache.padEnd(6)} ${String(n).padStart(6)}  ${int(input / n).padStart(10)}  ${int(cached / n).padStart(11)}  ${usd(def).padStart(13)}  ` +
        `x${ratio.toFixed(2)}  ${usd(flex).padStart(11)}  ${(mini === undefined ? '—' : usd(mini)).padStart(11)} | ${usd(parts.cached).padStart(6)}  ` +
        `${usd(parts.uncached).padStart(8)}  ${usd(parts.output).padStart(6)}`,
    );
  }

  console.log('\nper call of the L1 run, reloading every time (warm | expiry): turn  call        input tok  cached tok | cached tok');
  const l1Expiry = runs.find((r) => r.variant.placement === 'instructions' && !r.variant.loadsMissingOnly && !r.variant.light && r.cache === 'expiry')!.run;
  modular.calls.forEach((c, i) => {
    console.log(
      `${' '.repeat(36)}${String(c.turn).padStart(5)}  ${c.kind.padEnd(10)} ${int(c.usage.inputTokens).padStart(9)}  ${int(c.usage.cachedTokens).padStart(10)} | ${int(l1Expiry.calls[i]?.usage.cachedTokens ?? 0).padStart(10)}`,
    );
  });
  const l4 = runs.find((r) => r.variant.light && r.variant.loadsMissingOnly && r.cache === 'warm')!.run;
  const byTurn = CONVERSATION.map((_, t) =>
    l4.calls
      .filter((c) => c.turn === t + 1)
      .map((c) => `${c.model === MODEL ? MODEL : 'light'}${c.kind === 'answer' ? '' : ` ${c.kind === 'load' ? 'load' : 'handed over'}`}`)
      .join(' → '),
  );
  console.log(`\ncalls of the L4 run that loads only what is missing (warm), by turn: ${byTurn.map((s, t) => `${t + 1}: ${s}`).join('; ')}`);

  // The floor: every answer call carrying only the core and the tools (cached) plus its output; no load, no module.
  const floorInput = check.coreTokens + modular.toolTokens;
  const floor = CONVERSATION.length * (per1000(floorInput, price.cachedInput) + per1000(ANSWER_USAGE.outputTokens, price.output));
  console.log(
    `\nfloor (${CONVERSATION.length} answer calls × (core + tools ${int(floorInput)} tokens cached + ${ANSWER_USAGE.outputTokens} output), no module, no load): ` +
      `${usd(floor)} at ${MODEL} default (x${(floor / (cost(baselineRun.calls, 'default') * 1000)).toFixed(2)} of the warm baseline)`,
  );

  console.log('\ntargets (issue 20 §1), modules in the instructions (L1) and tiered models (L4):');
  for (const r of results.filter((x) => x.label.startsWith('L1') || x.label.startsWith('L4'))) {
    const mini = r.miniRatio === undefined ? '' : `, gpt-5-mini x${r.miniRatio.toFixed(2)}`;
    console.log(
      `  ${r.label}, ${r.cache}: ≤ ${TARGET_RATIO}× at the default tier: gpt-5 x${r.ratio.toFixed(2)}${mini} — ${r.ratio <= TARGET_RATIO ? 'met' : 'NOT met'}; ` +
        `≤ ${usd(TARGET_GPT5_FLEX_PER_1000)} at gpt-5 Flex: ${usd(r.flex)} — ${r.flex <= TARGET_GPT5_FLEX_PER_1000 ? 'met' : 'NOT met'}`,
    );
  }
  console.log('  (the same measured usage is priced at each row and tier; output tokens are scripted, as for gpt-5)');
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
