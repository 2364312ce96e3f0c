// Issue 22 §1: one long message must not freeze everyone. The real app and the real OpenAI agent against the fake
// model and WATI servers: a guest's text of 65,536 letters without a space (as long as WhatsApp lets a person type)
// goes webhook → buffer → turn → transcript → reply while the event loop stays free (before the fix, the token
// count of that one message held it for seconds); a longer text is cut, with a marker the model sees, and answered;
// NUL characters are neither stored nor sent to the model.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { MANYCHAT_TEXT_MAX_CHARS, WHATSAPP_TEXT_MAX_CHARS } from '../../src/ingest/message-limit.js';
import { fixture, startHarness, type Harness } from '../support/app-harness.js';
import { startStallProbe, type EventLoopStall } from '../support/event-loop-stall.js';
import { startFakeOpenAI, textReply, type FakeOpenAI } from '../support/fake-openai.js';
import { createTestAgent } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  cleanup = [];
});

/**
 * The bound: the event loop held for well under 100 ms by the long message (before the fix: seconds). Held
 * means busy with this process's work (see event-loop-stall.ts), so that other processes on a shared machine do not
 * count; what /health felt, wall clock, is held to a looser bound for the same reason.
 */
const MAX_HELD_MS = 100;
const MAX_HEALTH_MS = 1_000;

async function start(): Promise<{ h: Harness; openai: FakeOpenAI }> {
  const openai = await startFakeOpenAI();
  cleanup.push(() => openai.close());
  openai.setFallback(() => textReply('Con gusto le ayudo. ¿Para qué fechas desea reservar?'));
  // Instructions of a hotel's size (the shipped example, edited so that the agent answers with them).
  const instructions = join(mkdtempSync(join(tmpdir(), 'watibot3-long-')), 'system_instructions.txt');
  writeFileSync(instructions, `${readFileSync('resources/system_instructions.txt', 'utf8')}\nHotel de prueba.\n`);
  const h = await startHarness({
    env: { SYSTEM_INSTRUCTIONS_PATH: instructions, OPENAI_BASE_URL: openai.url, OPENAI_MODEL: 'gpt-5-mini', HISTORY_IMPORT_MESSAGES: '0', BUFFER_QUIET_SECONDS: '0.02', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
  });
  cleanup.push(() => h.close());
  // One ordinary turn first: the server is warm (modules loaded, code compiled), as in production, so what is
  // measured is the long message, not the first turn's start-up.
  await h.post('/webhook', { waId: '50376599999', userMessage: 'Hola, ¿tienen habitaciones para dos adultos el fin de semana?', passkey: TEST_PASSKEY });
  await h.wati.waitForTexts(1, 10_000, '50376599999');
  openai.requests.length = 0;
  return { h, openai };
}

/** Letters without a space, random (the tokenizer's cache must not be what saves us). */
function unbrokenLetters(n: number): string {
  return Buffer.from(randomBytes(n).map((b) => 97 + (b % 26))).toString('latin1');
}

/**
 * Runs `work` while measuring how long the event loop was held and polling /health every 10 ms; the app, the fakes
 * and the test share this process, so a stall in the app shows in both.
 */
async function measured<T>(h: Harness, work: () => Promise<T>): Promise<{ result: T; stall: EventLoopStall; slowestHealthMs: number }> {
  const probe = startStallProbe();
  let slowestHealthMs = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      const t0 = performance.now();
      const res = await h.get('/health');
      expect(res.status).toBe(200);
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  let result: T;
  try {
    result = await work();
  } finally {
    polling = false;
    await poll;
  }
  const stall = probe.stop();
  if (process.env.TEST_LOG_DELAY) console.log({ ...stall, slowestHealthMs });
  return { result, stall, slowestHealthMs };
}

function storedInbound(h: Harness, waId: string): string[] {
  const db = new Database(h.config.dbPath, { readonly: true });
  try {
    return db.prepare<[string], string>('SELECT text FROM inbound_messages WHERE external_user_id = ? ORDER BY seq').pluck().all(waId);
  } finally {
    db.close();
  }
}

function storedUserItems(h: Harness): string[] {
  const db = new Database(h.config.dbPath, { readonly: true });
  try {
    return db
      .prepare<[], string>(`SELECT data FROM transcript_items WHERE kind = 'user' ORDER BY id`)
      .pluck()
      .all()
      .map((data) => (JSON.parse(data) as { text: string }).text);
  } finally {
    db.close();
  }
}

describe('one long message does not freeze everyone (issue 22 §1)', () => {
  it('65,536 letters without a space pass webhook → stored → turn → reply with the event loop free, and the model gets them all', async () => {
    const { h, openai } = await start();
    const waId = '50376500001';
    const letters = unbrokenLetters(WHATSAPP_TEXT_MAX_CHARS);
    const run = await measured(h, async () => {
      const res = await h.post('/webhook', { waId, userMessage: letters, passkey: TEST_PASSKEY });
      expect(res.status).toBe(200);
      return h.wati.waitForTexts(1, 30_000, waId);
    });
    expect(run.result).toEqual(['Con gusto le ayudo. ¿Para qué fechas desea reservar?']);
    expect(JSON.stringify(openai.requests.map((r) => r.body))).toContain(letters);
    expect(storedInbound(h, waId)).toEqual([letters]);
    expect(storedUserItems(h).some((t) => t.includes(letters))).toBe(true);
    expect(run.stall.maxHeldMs).toBeLessThan(MAX_HELD_MS);
    expect(run.stall.maxDelayMs).toBeLessThan(MAX_HEALTH_MS);
    expect(run.slowestHealthMs).toBeLessThan(MAX_HEALTH_MS);
  }, 60_000);

  it('a longer text is cut at the platform limit with a marker the model sees, and the guest is answered', async () => {
    const { h, openai } = await start();
    const waId = '50376500002';
    const letters = unbrokenLetters(170_000);
    const run = await measured(h, async () => {
      const res = await h.post('/webhook', { waId, userMessage: letters, passkey: TEST_PASSKEY });
      expect(res.status).toBe(200);
      return h.wati.waitForTexts(1, 30_000, waId);
    });
    expect(run.result).toHaveLength(1);
    const marker = '[… mensaje recortado: 104464 caracteres omitidos]';
    const [stored] = storedInbound(h, waId);
    expect(stored?.startsWith(letters.slice(0, WHATSAPP_TEXT_MAX_CHARS))).toBe(true);
    expect(stored?.endsWith(marker)).toBe(true);
    expect(stored).not.toContain(letters.slice(0, WHATSAPP_TEXT_MAX_CHARS + 1));
    const sent = JSON.stringify(openai.requests.map((r) => r.body));
    expect(sent).toContain(marker);
    expect(sent).not.toContain(letters.slice(WHATSAPP_TEXT_MAX_CHARS, WHATSAPP_TEXT_MAX_CHARS + 200));
    expect(run.stall.maxHeldMs).toBeLessThan(MAX_HELD_MS);
    expect(run.stall.maxDelayMs).toBeLessThan(MAX_HEALTH_MS);
    expect(run.slowestHealthMs).toBeLessThan(MAX_HEALTH_MS);
  }, 60_000);

  it('NUL characters are stripped: not stored, not sent to the model', async () => {
    const { h, openai } = await start();
    const waId = '50376500003';
    const res = await h.post('/webhook', { waId, userMessage: 'ho\u0000la, ¿tienen\u0000 habitación?\u0000', passkey: TEST_PASSKEY });
    expect(res.status).toBe(200);
    await h.wati.waitForTexts(1, 10_000, waId);
    expect(storedInbound(h, waId)).toEqual(['hola, ¿tienen habitación?']);
    expect(storedUserItems(h).join('\n')).not.toContain('\u0000');
    const sent = JSON.stringify(openai.requests.map((r) => r.body));
    expect(sent).toContain('hola, ¿tienen habitación?');
    expect(sent).not.toContain('\\u0000');
    // A text of nothing but NULs shows nothing: acknowledged, not a message.
    const blank = await h.post('/webhook', { waId: '50376500004', userMessage: '\u0000\u0000', passkey: TEST_PASSKEY });
    expect(blank.body).toEqual({ status: 'ignored', reason: 'empty_message' });
  }, 30_000);

  it('Messenger through ManyChat: a text over 20,000 characters is cut the same way, and answered', async () => {
    const agent = createTestAgent(() => 'Con gusto le ayudo.');
    const h = await startHarness({ agent });
    cleanup.push(() => h.close());
    const text = unbrokenLetters(MANYCHAT_TEXT_MAX_CHARS + 5_000);
    const res = await h.post('/manychat/webhook', { ...fixture('manychat_fb_text.json'), message: { text: `\u0000${text}` } });
    expect(res.status).toBe(200);
    const [sent] = await h.manychat.waitForSends(1, 10_000, '7100000000000001');
    expect(sent?.messages).toEqual([{ type: 'text', text: 'Con gusto le ayudo.' }]);
    expect(agent.turns[0]?.texts).toEqual([`${text.slice(0, MANYCHAT_TEXT_MAX_CHARS)}\n[… mensaje recortado: 5000 caracteres omitidos]`]);
  }, 30_000);
});
