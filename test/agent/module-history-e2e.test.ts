// Loaded instruction modules and the history budget, end to end: the real app and the real OpenAI agent against
// the fake model server with its prompt-cache simulation. A guest asks prices turn after turn; the model loads
// MODULE_2B_PRICE_INQUIRY (large) whenever its text is not in front of it, as the original's decision tree asks.
// Once the chat passes HISTORY_MAX_TOKENS, the module must stay in front of the model instead of being cut and
// loaded again, uncached: in the instructions (the default), or kept where it was in the transcript (the earlier
// placement, INSTRUCTION_MODULES_PLACEMENT=transcript).
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { promptText, startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI, type FakeStepObject, type RecordedRequest } from '../support/fake-openai.js';
import { MODULAR_INSTRUCTIONS, spanish, writeModularInstructions } from '../support/modular-instructions.js';
import { TEST_PASSKEY } from '../support/test-config.js';

type Api = 'responses' | 'chat_completions';
type Item = Record<string, unknown>;

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  cleanup = [];
});

// Scaled down from the hotel's (30,000-token budget, 12,400-token module) so the test stays quick; the ratio holds.
const HISTORY_MAX_TOKENS = 8000;
const TURNS = 22;
/** The large module: ~3,000 tokens of generated Spanish, each part tagged. */
const BIG_2B = {
  ...MODULAR_INSTRUCTIONS,
  MODULE_2B_PRICE_INQUIRY: {
    ...MODULAR_INSTRUCTIONS.MODULE_2B_PRICE_INQUIRY,
    tarifas: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`temporada_${i}`, spanish(`M2B.tarifa${i}`, 110)])),
  },
};
const MODULE_MARKER = '[M2B.tarifa11]';

async function start(api: Api, env: Record<string, string> = {}): Promise<{ h: Harness; openai: FakeOpenAI }> {
  const openai = await startFakeOpenAI({ promptCache: true });
  cleanup.push(() => openai.close());
  const h = await startHarness({
    env: {
      OPENAI_BASE_URL: openai.url,
      OPENAI_MODEL: 'gpt-5-mini',
      LLM_API: api,
      LLM_OPENAI_DIALECT: 'on',
      SYSTEM_INSTRUCTIONS_PATH: writeModularInstructions(BIG_2B),
      HISTORY_IMPORT_MESSAGES: '0',
      HISTORY_MAX_TOKENS: String(HISTORY_MAX_TOKENS),
      // One message per turn: no need to wait for more.
      BUFFER_QUIET_SECONDS: '0.02',
      ...env,
    },
    agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
  });
  cleanup.push(() => h.close());
  return { h, openai };
}

function lastInput(req: RecordedRequest): Item | undefined {
  const items = (req.api === 'responses' ? req.body.input : req.body.messages) as Item[];
  return items[items.length - 1];
}

/** The model: loads 2B when its text is not in front of it, answers at length otherwise. */
function pricingModel(n: { turn: number }) {
  return (req: RecordedRequest): FakeStepObject => {
    const last = lastInput(req);
    const afterTool = last?.type === 'function_call_output' || last?.role === 'tool';
    if (!afterTool && !JSON.stringify(req.body).includes(MODULE_MARKER)) {
      return toolCallReply([{ name: 'load_additional_modules', arguments: { modules: ['MODULE_2B_PRICE_INQUIRY'], reasoning: 'precios' } }]);
    }
    return textReply(`${spanish(`reply${n.turn}`, 160)} ${spanish(`reply${n.turn}b`, 80)}`);
  };
}

interface Measured {
  /** Model calls, and how many of them loaded the module (the call after its output). */
  calls: number;
  loads: number;
  /** Uncached input tokens over the conversation (the simulated cache). */
  uncached: number;
  /** Requests that carried the module's text outside the cached prefix (sent uncached). */
  moduleUncached: number;
  /** The module's text, how many times in the last request. */
  copiesInLast: number;
}

async function converse(api: Api, env: Record<string, string> = {}): Promise<Measured> {
  const { h, openai } = await start(api, env);
  const n = { turn: 0 };
  openai.setFallback(pricingModel(n));
  const waId = api === 'responses' ? '50376400001' : '50376400002';
  for (let t = 1; t <= TURNS; t++) {
    n.turn = t;
    const res = await h.post('/webhook', { waId, userMessage: `¿Y cuánto cuesta la ${t}ª opción? ${spanish(`guest${t}`, 60)}`, passkey: TEST_PASSKEY });
    expect(res.status).toBe(200);
    await h.wati.waitForTexts(t, 8_000, waId);
  }
  const calls = openai.requests.filter((r) => r.api === api);
  const prompts = calls.map((r) => Buffer.from(promptText(api, r.body)));
  return {
    calls: calls.length,
    loads: calls.filter((r) => {
      const l = lastInput(r);
      return l?.type === 'function_call_output' || l?.role === 'tool';
    }).length,
    uncached: calls.reduce((sum, r) => sum + r.promptCache!.promptTokens - r.promptCache!.cachedTokens, 0),
    moduleUncached: calls.filter((r, i) => {
      const prompt = prompts[i]!;
      return prompt.includes(MODULE_MARKER) && !prompt.subarray(0, r.promptCache!.sharedPrefixBytes).includes(MODULE_MARKER);
    }).length,
    copiesInLast: prompts[prompts.length - 1]!.toString().split(MODULE_MARKER).length - 1,
  };
}

describe('a loaded module and HISTORY_MAX_TOKENS', () => {
  it('Responses: MODULE_2B in the instructions is loaded once, sent uncached once and never cut with the chat', async () => {
    // The earlier placement, cut with the chat (HISTORY_MODULES_MAX_TOKENS=0): loaded again, uncached.
    const cut = await converse('responses', { INSTRUCTION_MODULES_PLACEMENT: 'transcript', HISTORY_MODULES_MAX_TOKENS: '0' });
    expect(cut.loads).toBe(2);
    expect(cut.moduleUncached).toBe(4);

    // The earlier placement, kept in its place past the window.
    const pinned = await converse('responses', { INSTRUCTION_MODULES_PLACEMENT: 'transcript' });
    expect(pinned.loads).toBe(1);
    expect(pinned.copiesInLast).toBe(1);
    // Sent uncached when loaded and once when the window first moved past it (the prefix before it changed); then cached.
    expect(pinned.moduleUncached).toBe(2);

    // In the instructions (the default): before the history, so the window's moves never re-send it.
    const kept = await converse('responses');
    expect(kept.loads).toBe(1);
    expect(kept.copiesInLast).toBe(1);
    expect(kept.moduleUncached).toBe(1);
    expect(kept.calls).toBe(cut.calls - 1);
    expect(kept.uncached).toBeLessThan(pinned.uncached);

    // A module bigger than HISTORY_MODULES_MAX_TOKENS still stays while it is the one most recently used.
    const over = await converse('responses', { HISTORY_MODULES_MAX_TOKENS: '1000' });
    expect(over.loads).toBe(1);
    expect(over.copiesInLast).toBe(1);
  }, 90_000);

  it('Chat Completions: the same, in the system message', async () => {
    const cut = await converse('chat_completions', { INSTRUCTION_MODULES_PLACEMENT: 'transcript', HISTORY_MODULES_MAX_TOKENS: '0' });
    expect(cut.loads).toBe(2);
    const kept = await converse('chat_completions');
    expect(kept.loads).toBe(1);
    expect(kept.copiesInLast).toBe(1);
    expect(kept.moduleUncached).toBe(1);
    expect(kept.uncached).toBeLessThan(cut.uncached);
  }, 60_000);
});
