// Agent benchmark: time spent in our code per turn, the model excluded (a fake model on loopback that
// answers at once and does not even parse the request). Run: npx tsx test/bench/agent-bench.ts
//
// Each turn = respond() (history query, input building, SDK serialisation, loopback HTTP, response
// validation) + commit() inside a transaction that is rolled back, so the history stays the same size.
// Scenarios vary the history length (10, 100, 1000 items) and the instructions size (small vs 180 KB);
// the ratio column compares each with the baseline (10 items, small instructions) of the same run.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import type { AgentTurn } from '../../src/agent/types.js';
import type { BufferedMessage } from '../../src/core/messages.js';
import { loadConfig } from '../../src/config.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import type { NewTranscriptItem } from '../../src/core/transcript.js';
import { openMigratedDatabase } from '../support/test-db.js';

const TARGET_MS = 5;
const CONVERSATION = '50370001234';
const log = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'wb3-bench-'));

function instructionsFile(name: string, bytes: number): string {
  const sentences = [
    'El huésped puede solicitar información sobre bungalows familiares, habitaciones junior y suites frente al mar.',
    'Antes de confirmar una reserva verifica el estado de la oficina con la herramienta correspondiente.',
    'Los niños menores de cinco años no pagan; de seis a diez años aplica la tarifa de niño.',
    'Responde siempre en mensajes breves, cordiales y fáciles de leer en un teléfono.',
    'No inventes precios ni disponibilidad; si no tienes el dato, ofrece que un asesor lo confirme.',
  ];
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `${i}. ${sentences[i % sentences.length]}\n`;
  const path = join(dir, name);
  writeFileSync(path, text.slice(0, bytes));
  return path;
}

/** Synthetic history in the shape real turns have: note, question, tool round, answer. */
function seed(store: ConversationStore, items: number): void {
  let n = 0;
  for (let t = 0; n < items; t++) {
    const all: NewTranscriptItem[] = [
      { item: { kind: 'developer', text: `Contexto del turno: hoy es martes 2026-03-03, hora actual 10:${String(t % 60).padStart(2, '0')} (America/El_Salvador). Canal de la conversación: WhatsApp.` }, boundary: 2 },
      { item: { kind: 'user', text: `Hola, quisiera saber si tienen disponibilidad para el ${(t % 28) + 1} de marzo, somos 2 adultos y 1 niño de 7 años.` }, boundary: 1 },
      { item: { kind: 'function_call', callId: `call_${t}`, name: 'check_office_status', arguments: '{}' }, boundary: 1 },
      { item: { kind: 'function_output', callId: `call_${t}`, output: '{"office_status":"open","reason":"Oficina abierta: dentro del horario de atención.","can_automate":false,"automation_reason":"La oficina de reservas está abierta."}' }, boundary: 0 },
      { item: { kind: 'assistant', text: '¡Con gusto! Para el 14 de marzo tenemos bungalows familiares disponibles. Un asesor de reservas le confirmará la tarifa en este mismo chat.' }, boundary: 1 },
    ];
    const turn = all.slice(0, items - n);
    store.commitTurn({
      conversationId: CONVERSATION,
      channel: 'whatsapp',
      guest: { waId: CONVERSATION },
      startedAt: 0,
      endedAt: 0,
      model: 'gpt-5-mini',
      api: 'responses',
      rounds: 1,
      status: 'answered',
      historyItems: 0,
      historyTokens: 0,
      items: turn,
      calls: [],
    });
    n += turn.length;
  }
}

const message: BufferedMessage = {
  seq: 1,
  receivedAt: 0,
  conversationId: CONVERSATION,
  channel: 'whatsapp',
  externalUserId: CONVERSATION,
  platformMessageId: 'wamid.bench',
  kind: 'text',
  text: '¿Y para el fin de semana siguiente?',
  mediaRef: undefined,
  replyContextId: undefined,
  senderName: 'Ana',
};

class Rollback extends Error {}

interface Result {
  label: string;
  median: number;
  p95: number;
  /** Part of the turn outside the SDK call: history query, input building, tools, validation, commit. */
  outsideCall: number;
  /** This process's CPU time per turn (the fake model runs in another process). */
  cpu: number;
  sentKb: number;
}

async function scenario(
  label: string,
  opts: { api: 'responses' | 'chat_completions'; items: number; instructionsPath: string; url: string; iterations: number },
  requestBytes: () => Promise<number>,
): Promise<Result> {
  const dbPath = join(dir, `${label.replace(/\W+/g, '-')}.db`);
  const db = openMigratedDatabase(dbPath);
  seed(new ConversationStore(db), opts.items);
  const config = loadConfig({
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: opts.url,
    OPENAI_MODEL: 'gpt-5-mini',
    LLM_API: opts.api,
    LLM_OPENAI_DIALECT: 'on',
    HISTORY_MAX_TOKENS: '1000000',
    SYSTEM_INSTRUCTIONS_PATH: opts.instructionsPath,
  });
  const agent = createOpenAiAgent({ config, db, clock: { now: () => Date.UTC(2026, 2, 3, 16) }, log });
  const turn: AgentTurn = {
    conversationId: CONVERSATION,
    channel: 'whatsapp',
    guest: { waId: CONVERSATION },
    messages: [message],
    log,
    signal: new AbortController().signal,
  };
  // The model-call time the agent itself records (SDK serialisation, loopback HTTP, SDK parsing),
  // read from the turn record on its way to the database.
  let sdkMs = 0;
  const commitTurn = agent.store.commitTurn.bind(agent.store);
  agent.store.commitTurn = (record) => {
    sdkMs = record.calls.reduce((sum, c) => sum + c.durationMs, 0);
    return commitTurn(record);
  };
  const runTurn = async () => {
    const result = await agent.respond(turn);
    if (result.outcome !== 'answered') throw new Error(`turn failed: ${result.errorClass}`);
    try {
      db.transaction(() => {
        result.commit?.();
        throw new Rollback();
      })();
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
  };
  for (let i = 0; i < 30; i++) await runTurn(); // warm-up: JIT, instructions read and tokenised once
  const times: number[] = [];
  const outside: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < opts.iterations; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await runTurn();
    const c = process.cpuUsage(c0);
    const total = performance.now() - t0;
    times.push(total);
    outside.push(total - sdkMs);
    // This process's CPU: our code, the SDK and undici; not the model (another process) nor time spent waiting.
    cpu.push((c.user + c.system) / 1000);
  }
  db.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return {
    label,
    median: median(times),
    p95: [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.95)] as number,
    outsideCall: median(outside),
    cpu: median(cpu),
    sentKb: (await requestBytes()) / 1024,
  };
}

/** The fake model in a child process (fake-model-process.ts): its request reading is not on our event loop. */
async function startFakeModelProcess(): Promise<{ url: string; lastBytes(): Promise<number>; reset(): Promise<void>; close(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./fake-model-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(key: string): Promise<T> =>
    new Promise((resolveMessage, reject) => {
      const onMessage = (msg: Record<string, unknown>) => {
        if (!(key in msg)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolveMessage(msg[key] as T);
      };
      const onExit = (code: number | null) => reject(new Error(`fake model process exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const url = await next<string>('url');
  return {
    url,
    async lastBytes(): Promise<number> {
      child.send('lastBytes');
      return next<number>('lastBytes');
    },
    async reset() {
      child.send('reset');
      await next('reset');
    },
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    },
  };
}

async function main(): Promise<void> {
  const fake = await startFakeModelProcess();
  const lastBytes = () => fake.lastBytes();
  const small = instructionsFile('small.txt', 2 * 1024);
  const big = instructionsFile('big.txt', 180 * 1024);
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 200);
  const results: Result[] = [];
  const run = async (label: string, api: 'responses' | 'chat_completions', items: number, path: string) => {
    results.push(await scenario(label, { api, items, instructionsPath: path, url: fake.url, iterations }, lastBytes));
    await fake.reset();
  };
  try {
    await run('baseline: 10 items, 2 KB instructions', 'responses', 10, small);
    await run('10 items, 180 KB instructions', 'responses', 10, big);
    await run('100 items, 180 KB instructions', 'responses', 100, big);
    await run('1000 items, 180 KB instructions', 'responses', 1000, big);
    await run('1000 items, 2 KB instructions', 'responses', 1000, small);
    await run('chat_completions: 1000 items, 180 KB', 'chat_completions', 1000, big);
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const base = results[0]?.median ?? 1;
  const pad = (s: string, n: number) => s.padEnd(n);
  const baseOutside = results[0]?.outsideCall ?? 1;
  console.log(
    `agent turn, model excluded (${iterations} turns each; medians; "outside SDK" = turn minus the SDK call,\n` +
      'which itself is JSON serialisation + loopback HTTP + parsing of the request/response;\n' +
      '"CPU" = this process\'s CPU time per turn: our code, the SDK and undici, not the model, which answers from\n' +
      'a process of its own (fake-model-process.ts), nor time spent waiting for it)',
  );
  const baseCpu = results[0]?.cpu ?? 1;
  console.log(`${pad('scenario', 42)}   per turn      p95   ratio   outside SDK   ratio        CPU   ratio   request`);
  for (const r of results) {
    console.log(
      `${pad(r.label, 42)} ${r.median.toFixed(2).padStart(6)} ms ${r.p95.toFixed(2).padStart(6)} ms ` +
        `x${(r.median / base).toFixed(2).padStart(5)}   ${r.outsideCall.toFixed(2).padStart(6)} ms   ` +
        `x${(r.outsideCall / baseOutside).toFixed(2).padStart(5)}   ${r.cpu.toFixed(2).padStart(6)} ms   ` +
        `x${(r.cpu / baseCpu).toFixed(2).padStart(5)}  ${r.sentKb.toFixed(0).padStart(5)} KB`,
    );
  }
  const at1000 = results.find((r) => r.label.startsWith('1000 items, 180'));
  const small1000 = results.find((r) => r.label.startsWith('1000 items, 2'));
  if (at1000 && small1000) {
    console.log(
      `target < ${TARGET_MS} ms/turn at 1000 items: wall ${at1000.median < TARGET_MS ? 'met' : 'NOT met'} ` +
        `(${at1000.median.toFixed(2)} ms), this process's CPU ${at1000.cpu < TARGET_MS ? 'met' : 'NOT met'} ` +
        `(${at1000.cpu.toFixed(2)} ms); 180 KB vs 2 KB instructions at 1000 items: ` +
        `+${(at1000.median - small1000.median).toFixed(2)} ms wall, +${(at1000.cpu - small1000.cpu).toFixed(2)} ms CPU`,
    );
  }
}

await main();
