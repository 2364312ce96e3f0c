// Cost benchmark: what a conversation costs with the production-sized instructions (~43,000 tokens), and
// what the prompt cache saves, measured through the real agent. Run: npx tsx test/bench/cost-bench.ts
//
// The real OpenAiAgent (openai SDK, Responses API, the default tools) talks to the fake model on 127.0.0.1,
// which simulates the provider's prompt cache (test/support/fake-openai.ts, `promptCache`): input tokens are
// the o200k count of each request's prompt, cached tokens the byte-identical prefix it shares with an earlier
// request of the same prompt_cache_key (from 1,024 tokens, in steps of 128, as OpenAI counts them). Output
// tokens are scripted (a short answer with low reasoning effort). Costs are computed from that usage at the
// GPT-5 row of the price table (list prices), and read back from model_calls.cost_usd as stored.
//
//   1. a recorded 10-turn conversation (3 turns with a tool call), prefix routing, after one other guest's
//      conversation warmed the cache: input tokens per call, the byte-identical prefix share between
//      consecutive calls, and $ per 1,000 such conversations with and without cache hits; the same
//      conversation with the old per-conversation key;
//   2. the first calls of 20 new conversations: the old per-conversation key (the baseline: each pays the
//      instructions in full) vs the key of the static prefix, with 1 and 4 buckets.
// Every ratio is against a baseline measured in the same run; nothing is timed.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pino from 'pino';
import { costOfUsage, DEFAULT_MODEL_PRICES } from '../../src/core/model-prices.js';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { loadConfig } from '../../src/config.js';
import { countTextTokens } from '../../src/store/conversation-store.js';
import type { ModelUsage } from '../../src/core/usage.js';
import { UsageRepository } from '../../src/store/usage-repository.js';
import {
  commonPrefixLength,
  promptText,
  startFakeOpenAI,
  textReply,
  toolCallReply,
  type FakeOpenAI,
  type FakeStep,
  type RecordedRequest,
} from '../support/fake-openai.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { playScriptedTurn } from './scripted-turn.js';

const INSTRUCTIONS_TOKENS = 43_000;
const MODEL = 'gpt-5';
const GPT5 = DEFAULT_MODEL_PRICES[MODEL];
const log = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'wb3-cost-bench-'));
/** Tuesday 2026-03-03 10:00 in El Salvador. */
const T0 = Date.UTC(2026, 2, 3, 16, 0);

/** Deterministic Spanish hotel rules, numbered, until the file reaches `tokens` o200k tokens. */
function instructionsFile(tokens: number): { path: string; tokens: number; bytes: number } {
  const rooms = ['bungalow familiar', 'habitación junior', 'suite frente al mar', 'habitación doble', 'cabaña del jardín'];
  const rules = [
    (i: number) => `Para la ${rooms[i % rooms.length]} la capacidad máxima es de ${2 + (i % 5)} personas; un niño de ${i % 11} años cuenta como ${i % 11 < 6 ? 'gratis' : 'niño'}.`,
    (i: number) => `Si el huésped pregunta por el paquete ${i}, explica que incluye desayuno, almuerzo y cena, y que el check-in es a las ${13 + (i % 3)}:00.`,
    (i: number) => `Regla ${i}: nunca confirmes una reserva sin verificar primero el estado de la oficina y la disponibilidad real de la fecha.`,
    (i: number) => `Cuando el huésped envíe un comprobante, revisa el monto (${(i * 7) % 400 + 50} dólares en el ejemplo ${i}) y la cuenta de destino antes de continuar.`,
    (i: number) => `Responde en mensajes breves y cordiales; si no tienes un dato (ejemplo ${i}), ofrece que un asesor lo confirme en este mismo chat.`,
  ];
  const lines: string[] = ['# Instrucciones del asistente del hotel de playa (archivo generado para el benchmark)'];
  let estimate = countTextTokens(lines[0] as string);
  for (let i = 1; estimate < tokens; i++) {
    const line = `${i}. ${(rules[i % rules.length] as (i: number) => string)(i)}`;
    lines.push(line);
    estimate += countTextTokens(`${line}\n`);
  }
  const text = `${lines.join('\n')}\n`;
  const path = join(dir, 'system_instructions.txt');
  writeFileSync(path, text);
  return { path, tokens: countTextTokens(text), bytes: Buffer.byteLength(text) };
}

/** The recorded conversation: the guest's messages, and whether the model first calls a tool. */
const CONVERSATION: { text: string; tool?: string }[] = [
  { text: 'Hola, buenas tardes. ¿Tienen habitaciones para el fin de semana del 14 de marzo?' },
  { text: 'Somos 2 adultos y 2 niños de 4 y 8 años. ¿La oficina de reservas está abierta ahora?', tool: 'check_office_status' },
  { text: '¿Qué incluye el paquete todo incluido? ¿Las bebidas también?' },
  { text: '¿A qué hora es el check-in y el check-out?' },
  { text: 'Perfecto. ¿Me pueden atender hoy mismo para reservar? Quiero pagar con tarjeta.', tool: 'check_office_status' },
  { text: '¿El bungalow familiar tiene vista al mar?' },
  { text: '¿Aceptan mascotas pequeñas? Tenemos un perrito de 5 kg.' },
  { text: 'Ok, entonces vamos sin el perrito. ¿Siguen abiertos para confirmar?', tool: 'check_office_status' },
  { text: '¿Cuánto es el depósito para apartar la fecha?' },
  { text: 'Muchas gracias, quedo pendiente del asesor. ¡Saludos!' },
];

const ANSWERS = [
  '¡Hola! Con gusto le ayudo. Para el fin de semana del 14 de marzo tenemos bungalows familiares y habitaciones junior; ¿cuántas personas serían?',
  'La oficina de reservas está abierta en este momento. Para 2 adultos y 2 niños le recomiendo el bungalow familiar; el niño de 4 años no paga.',
  'El paquete incluye desayuno, almuerzo y cena tipo buffet, y bebidas nacionales durante el día. Las bebidas importadas tienen un costo adicional.',
  'El check-in es a partir de las 3:00 p. m. y el check-out hasta las 12:00 m. Puede usar las instalaciones desde su llegada.',
  'Sí, la oficina está abierta. Un asesor de reservas le escribirá en este chat para completar la reserva y el pago con tarjeta.',
  'Sí, el bungalow familiar está frente a la playa y tiene terraza con vista al mar.',
  'Lo sentimos, por el momento no admitimos mascotas en el hotel.',
  'Sí, seguimos abiertos. Ya avisé a un asesor para que confirme su reserva en este chat.',
  'Para apartar la fecha se solicita un depósito del 50 % del total; el asesor le dará el monto exacto.',
  '¡Gracias a usted! Un asesor le escribirá en breve. ¡Que tenga un excelente día!',
];

/** Output tokens as a short GPT-5 answer at low reasoning effort reports them (reasoning included). */
const ANSWER_USAGE = { outputTokens: 190, reasoningTokens: 128 };
const TOOL_CALL_USAGE = { outputTokens: 70, reasoningTokens: 48 };

/** The old routing, before prompt_cache_key followed the static prefix: one key per conversation. */
function perConversationKey(conversationId: string): string {
  return `wb3-${createHash('sha256').update(conversationId).digest('hex').slice(0, 32)}`;
}

interface Routing {
  label: string;
  /** Rewrite prompt_cache_key on the wire to the old per-conversation key. */
  perConversation: boolean;
  buckets: number;
}

interface CallFigure {
  turn: number;
  conversationId: string;
  usage: ModelUsage;
  prompt: string;
  promptBytes: number;
}

interface Run {
  calls: CallFigure[];
  /** Sum of model_calls.cost_usd as stored, by conversation. */
  storedCostUsd: Map<string, number>;
}

/**
 * Runs `conversations` (each a list of turns) through one real agent against `fake`, one after another,
 * committing every turn as the buffer would.
 */
async function runConversations(fake: FakeOpenAI, routing: Routing, instructionsPath: string, conversations: { id: string; turns: number }[]): Promise<Run> {
  const dbPath = join(dir, `${routing.label.replace(/\W+/g, '-')}-${conversations.length}.db`);
  const db = openMigratedDatabase(dbPath);
  const config = loadConfig({
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: fake.url,
    OPENAI_MODEL: MODEL,
    LLM_API: 'responses',
    LLM_OPENAI_DIALECT: 'on',
    SYSTEM_INSTRUCTIONS_PATH: instructionsPath,
    PROMPT_CACHE_BUCKETS: String(routing.buckets),
    CONVERSATION_DB_PATH: dbPath,
  });
  let current = '';
  const client = new OpenAI({
    apiKey: 'sk-bench',
    baseURL: fake.url,
    maxRetries: 0,
    timeout: 30_000,
    fetch: async (url, init) => {
      if (routing.perConversation && typeof init?.body === 'string') {
        const body = JSON.parse(init.body) as Record<string, unknown>;
        body.prompt_cache_key = perConversationKey(current);
        return fetch(url, { ...init, body: JSON.stringify(body) });
      }
      return fetch(url, init);
    },
  });
  let now = T0;
  const agent = createOpenAiAgent({ config, db, clock: { now: () => now }, log, openai: client });
  const calls: CallFigure[] = [];
  let seq = 0;
  for (const conversation of conversations) {
    current = conversation.id;
    for (let t = 0; t < conversation.turns; t++) {
      const script = CONVERSATION[t % CONVERSATION.length] as (typeof CONVERSATION)[number];
      const steps: FakeStep[] = [];
      if (script.tool) steps.push(toolCallReply([{ name: script.tool }], { usage: TOOL_CALL_USAGE }));
      steps.push(textReply(ANSWERS[t % ANSWERS.length] as string, { usage: ANSWER_USAGE }));
      now += 90_000;
      const requests = await playScriptedTurn(
        { agent, fake, log },
        { label: `turn ${t + 1} of ${conversation.id}`, conversationId: conversation.id, text: script.text, seq: ++seq, at: now, steps },
      );
      for (const req of requests) calls.push(figure(req, t + 1, conversation.id));
    }
  }
  const usage = new UsageRepository(db);
  const storedCostUsd = new Map(conversations.map((c) => [c.id, usage.conversation(c.id)?.costUsd ?? 0]));
  db.close();
  return { calls, storedCostUsd };
}

function figure(req: RecordedRequest, turn: number, conversationId: string): CallFigure {
  const hit = req.promptCache;
  if (!hit) throw new Error('the fake did not simulate the prompt cache');
  const prompt = promptText('responses', req.body);
  return {
    turn,
    conversationId,
    usage: { inputTokens: hit.promptTokens, cachedTokens: hit.cachedTokens, outputTokens: 0, reasoningTokens: 0 },
    prompt,
    promptBytes: hit.promptBytes,
  };
}

/** US$ of calls at the GPT-5 row; `cache: false` bills every input token at the full input price. */
function cost(calls: CallFigure[], outputs: ModelUsage[], cache: boolean): number {
  let sum = 0;
  calls.forEach((c, i) => {
    const out = outputs[i] as ModelUsage;
    const usage = { ...c.usage, cachedTokens: cache ? c.usage.cachedTokens : 0, outputTokens: out.outputTokens, reasoningTokens: out.reasoningTokens };
    sum += costOfUsage(MODEL, usage, DEFAULT_MODEL_PRICES) ?? Number.NaN;
  });
  return sum;
}

/** Whether a call was answered with a tool call (another call of the same turn follows it). */
function isToolRound(calls: CallFigure[], i: number): boolean {
  const c = calls[i] as CallFigure;
  const next = calls[i + 1];
  return next !== undefined && next.turn === c.turn && next.conversationId === c.conversationId;
}

/** The output usage scripted for each call (a tool-call round, or the answer). */
function scriptedOutputs(calls: CallFigure[]): ModelUsage[] {
  return calls.map((_, i) => ({ inputTokens: 0, cachedTokens: 0, ...(isToolRound(calls, i) ? TOOL_CALL_USAGE : ANSWER_USAGE) }));
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)} %`;
const usd = (x: number) => `$${x.toFixed(2)}`;

async function main(): Promise<void> {
  const instructions = instructionsFile(INSTRUCTIONS_TOKENS);
  if (!GPT5) throw new Error('the price table has no gpt-5 row');
  console.log(
    `cost of a conversation through the real agent (Responses API, ${MODEL}, default tools) against the fake model with a simulated prompt cache;\n` +
      `instructions: ${instructions.tokens.toLocaleString('en-US')} tokens (${(instructions.bytes / 1024).toFixed(0)} KB, generated); ` +
      `prices: ${MODEL} list price $${GPT5.input} input, $${GPT5.cachedInput} cached input, $${GPT5.output} output per million tokens`,
  );

  // 1. The recorded conversation, prefix routing, after another guest's conversation warmed the cache.
  const prefix1: Routing = { label: 'prefix key, 1 bucket', perConversation: false, buckets: 1 };
  const oldRouting: Routing = { label: 'per-conversation key (old)', perConversation: true, buckets: 1 };
  const guest = '50370001234';
  let fake = await startFakeOpenAI({ promptCache: true });
  let run: Run;
  try {
    run = await runConversations(fake, prefix1, instructions.path, [
      { id: '50370009999', turns: 1 },
      { id: guest, turns: CONVERSATION.length },
    ]);
  } finally {
    await fake.close();
  }
  const calls = run.calls.filter((c) => c.conversationId === guest);
  const outputs = scriptedOutputs(calls);

  console.log(`\n1. recorded ${CONVERSATION.length}-turn conversation (${CONVERSATION.filter((c) => c.tool).length} turns with a tool call), prefix key, cache warmed by one other conversation`);
  console.log('turn  call        input tok  cached tok  cached   byte-identical prefix shared with the previous call');
  calls.forEach((c, i) => {
    const prev = calls[i - 1];
    const shared = prev ? Buffer.byteLength(c.prompt.slice(0, commonPrefixLength(prev.prompt, c.prompt))) : 0;
    console.log(
      `${String(c.turn).padStart(4)}  ${(isToolRound(calls, i) ? 'tool call' : 'answer').padEnd(10)} ${c.usage.inputTokens.toLocaleString('en-US').padStart(10)}  ` +
        `${c.usage.cachedTokens.toLocaleString('en-US').padStart(10)}  ${pct(c.usage.cachedTokens / c.usage.inputTokens)}   ` +
        (prev ? `${pct(shared / c.promptBytes)} (${shared.toLocaleString('en-US')} of ${c.promptBytes.toLocaleString('en-US')})` : '— (first call)'),
    );
  });
  const input = sum(calls.map((c) => c.usage.inputTokens));
  const cached = sum(calls.map((c) => c.usage.cachedTokens));
  const withCache = cost(calls, outputs, true);
  const noCache = cost(calls, outputs, false);
  const stored = run.storedCostUsd.get(guest) ?? 0;
  console.log(
    `${calls.length} calls: ${input.toLocaleString('en-US')} input tokens, ${cached.toLocaleString('en-US')} cached (${pct(cached / input).trim()}), ` +
      `${sum(outputs.map((o) => o.outputTokens)).toLocaleString('en-US')} output tokens (scripted)`,
  );

  // The same conversation with the old per-conversation key, on a fresh cache (as for every new guest).
  fake = await startFakeOpenAI({ promptCache: true });
  let oldRun: Run;
  try {
    oldRun = await runConversations(fake, oldRouting, instructions.path, [
      { id: '50370009999', turns: 1 },
      { id: guest, turns: CONVERSATION.length },
    ]);
  } finally {
    await fake.close();
  }
  const oldCalls = oldRun.calls.filter((c) => c.conversationId === guest);
  const oldCost = cost(oldCalls, scriptedOutputs(oldCalls), true);

  console.log(`\n$ per 1,000 such conversations at the ${MODEL} row (ratio against no cache hits, the baseline):`);
  console.log(`  without cache hits (baseline)          ${usd(noCache * 1000).padStart(9)}   x1.00`);
  console.log(`  with cache hits, per-conversation key  ${usd(oldCost * 1000).padStart(9)}   x${(oldCost / noCache).toFixed(2)}`);
  console.log(`  with cache hits, prefix key            ${usd(withCache * 1000).padStart(9)}   x${(withCache / noCache).toFixed(2)}`);
  console.log(
    `  stored model_calls.cost_usd of the conversation: ${usd(stored * 1000)} per 1,000 ` +
      `(${Math.abs(stored - withCache) < 1e-9 ? 'equals' : 'DIFFERS from'} the figure above)`,
  );

  // 2. First calls of 20 new conversations.
  const ids = Array.from({ length: 20 }, (_, i) => `5037100${String(i).padStart(4, '0')}`);
  const routings: Routing[] = [oldRouting, prefix1, { label: 'prefix key, 4 buckets', perConversation: false, buckets: 4 }];
  const firsts: { routing: Routing; input: number; cached: number; cost: number; keys: number }[] = [];
  for (const routing of routings) {
    fake = await startFakeOpenAI({ promptCache: true });
    try {
      const r = await runConversations(fake, routing, instructions.path, ids.map((id) => ({ id, turns: 1 })));
      const keys = new Set(fake.requests.map((q) => q.promptCache?.key)).size;
      firsts.push({
        routing,
        input: sum(r.calls.map((c) => c.usage.inputTokens)),
        cached: sum(r.calls.map((c) => c.usage.cachedTokens)),
        cost: cost(r.calls, scriptedOutputs(r.calls), true),
        keys,
      });
    } finally {
      await fake.close();
    }
  }
  const base = firsts[0];
  console.log(`\n2. first calls of ${ids.length} new conversations (turn 1, no tool call): cached share and cost (ratio against the old routing, the baseline)`);
  console.log('routing                       keys   input tok   cached tok   cached    $ (20 calls)   ratio');
  for (const f of firsts) {
    console.log(
      `${f.routing.label.padEnd(28)} ${String(f.keys).padStart(5)}  ${f.input.toLocaleString('en-US').padStart(10)}  ` +
        `${f.cached.toLocaleString('en-US').padStart(11)}  ${pct(f.cached / f.input)}   ${usd(f.cost).padStart(10)}    x${(f.cost / (base?.cost ?? 1)).toFixed(2)}`,
    );
  }
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
