// `npm run compare` replays a turn with the loaded instruction modules where the server puts them
// (INSTRUCTION_MODULES_PLACEMENT=instructions, the default): the modules the conversation loaded before the turn
// follow the core in the instructions of the replay's calls, and a load made in the replay joins them there,
// never the transcript. Otherwise the comparison would judge a placement production no longer sends.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOADED_MODULES_HEADING } from '../../src/agent/loaded-modules.js';
import { IN_INSTRUCTIONS_NOTE, OUTPUT_HEADERS } from '../../src/tools/instructions/load-output.js';
import { runCompareCli } from '../../src/cli/compare.js';
import type { ComparisonReport } from '../../src/compare/report.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import type { NewTranscriptItem } from '../../src/core/transcript.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI, type RecordedRequest } from '../support/fake-openai.js';
import { writeModularInstructions } from '../support/modular-instructions.js';
import { openMigratedDatabase } from '../support/test-db.js';

const GUEST = '50370000077';
const T0 = Date.UTC(2026, 10, 24, 16, 0);
/** Text only MODULE_2C_AVAILABILITY holds (test/support/modular-instructions.ts), and MODULE_4_INFORMATION's. */
const M2C = '[M2C.occupancy]';
const M4 = '[M4.';

let fake: FakeOpenAI;
let dbPath: string;
let instructions: string;

const item = (i: NewTranscriptItem['item'], boundary: 0 | 1 | 2): NewTranscriptItem => ({ item: i, boundary });

/** One recorded turn of the guest (the server's stored form of a load: its short acknowledgement). */
function commit(store: ConversationStore, at: number, text: string, load: string | undefined, answer: string): void {
  const items: NewTranscriptItem[] = [
    item({ kind: 'developer', text: `Contexto del turno: ${new Date(at).toISOString()}. Canal: WhatsApp.` }, 2),
    item({ kind: 'user', text }, 1),
  ];
  if (load) {
    items.push(
      item({ kind: 'function_call', callId: 'call_1', name: 'load_additional_modules', arguments: JSON.stringify({ modules: [load] }) }, 1),
      item({ kind: 'function_output', callId: 'call_1', output: `${OUTPUT_HEADERS.loaded}${load}]\n\n${IN_INSTRUCTIONS_NOTE}` }, 0),
    );
  }
  items.push(item({ kind: 'assistant', text: answer }, 1));
  store.commitTurn({
    conversationId: GUEST,
    channel: 'whatsapp',
    guest: { waId: GUEST },
    startedAt: at,
    endedAt: at + 2_000,
    model: 'gpt-5',
    api: 'responses',
    rounds: load ? 1 : 0,
    status: 'answered',
    historyItems: 0,
    historyTokens: 0,
    items,
    calls: [{ purpose: 'tools', startedAt: at, durationMs: 900, status: 'ok', usage: { inputTokens: 1000, cachedTokens: 0, outputTokens: 50, reasoningTokens: 0 } }],
  });
}

/** The replayed side: loads MODULE_4_INFORMATION when asked where the hotel is, else answers. */
function script(req: RecordedRequest) {
  const items = req.body.input as { role?: string; type?: string }[];
  const last = items.at(-1);
  if (last?.type === 'function_call_output') return textReply('Estamos en la playa.');
  if (JSON.stringify(items.filter((i) => i.role === 'user').at(-1)).includes('¿Dónde están?')) return toolCallReply([{ name: 'load_additional_modules', arguments: { modules: ['MODULE_4_INFORMATION'] } }]);
  return textReply('Sí hay disponibilidad.');
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb3-compare-modules-'));
  dbPath = join(dir, 'watibot3.db');
  instructions = writeModularInstructions();
  const db = openMigratedDatabase(dbPath);
  const store = new ConversationStore(db);
  commit(store, T0, '¿Hay habitaciones el sábado?', 'MODULE_2C_AVAILABILITY', 'Sí, hay.');
  commit(store, T0 + 60_000, '¿Y para 4 personas?', undefined, 'También.');
  commit(store, T0 + 120_000, '¿Dónde están?', 'MODULE_4_INFORMATION', 'En la playa.');
  db.close();
  fake = await startFakeOpenAI({ fallback: script });
});

afterAll(async () => {
  await fake?.close();
});

describe('npm run compare and the loaded modules', () => {
  it('replays each turn with the modules loaded before it in the instructions, and a load in the replay joins them', async () => {
    let stdout = '';
    const side = `model=gpt-5,api=responses,baseUrl=${fake.url}`;
    const code = await runCompareCli(['--conversations', GUEST, '--a', side, '--b', side, '--concurrency', '1', '--json'], {
      env: { LOG_LEVEL: 'silent', CONVERSATION_DB_PATH: dbPath, OPENAI_API_KEY: 'sk-test-fake', OPENAI_MODEL: 'gpt-5', SYSTEM_INSTRUCTIONS_PATH: instructions },
      stdout: (t) => (stdout += t),
      stderr: () => undefined,
    });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as ComparisonReport;
    expect(report.turns.map((t) => t.a.outcome)).toEqual(['answered', 'answered', 'answered']);

    // A replayed turn's requests: those whose last user item is its guest's text.
    const lastUser = (r: RecordedRequest) => JSON.stringify((r.body.input as { role?: string }[]).filter((i) => i.role === 'user').at(-1));
    const byTurn = (text: string) => fake.requests.filter((r) => lastUser(r).includes(text));
    const instructionsOf = (r: RecordedRequest) => String(r.body.instructions);
    // Turn 2 (after the stored load of MODULE_2C): the module follows the core under LOADED MODULES, once, and not in the input.
    const second = byTurn('¿Y para 4 personas?');
    expect(second.length).toBeGreaterThan(0);
    for (const r of second) {
      expect(instructionsOf(r)).toContain(LOADED_MODULES_HEADING);
      expect(instructionsOf(r).split(M2C).length - 1).toBe(1);
      expect(instructionsOf(r).indexOf(M2C)).toBeGreaterThan(instructionsOf(r).indexOf(LOADED_MODULES_HEADING));
      expect(JSON.stringify(r.body.input)).not.toContain(M2C);
    }
    // Turn 1 replayed: nothing was loaded before it.
    for (const r of byTurn('¿Hay habitaciones el sábado?')) expect(instructionsOf(r)).not.toContain(LOADED_MODULES_HEADING);
    // Turn 3: the replay's own load puts MODULE_4 in the next call's instructions; its output is the acknowledgement.
    const third = byTurn('¿Dónde están?');
    expect(third).toHaveLength(4);
    const afterLoad = third.filter((r) => (r.body.input as { type?: string }[]).at(-1)?.type === 'function_call_output');
    expect(afterLoad).toHaveLength(2);
    for (const r of afterLoad) {
      expect(instructionsOf(r)).toContain(M4);
      expect(instructionsOf(r)).toContain(M2C);
      expect(JSON.stringify(r.body.input)).not.toContain(M4);
    }
  });
});
