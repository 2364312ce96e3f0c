// `npm run compare` (src/cli/compare.ts) in process, end to end: a seeded database of recorded conversations,
// two fake-model configurations (two fake OpenAI servers on 127.0.0.1, one on the Responses API, one on Chat
// Completions, answering differently; B calls make_booking like the original did) ⇒ the table, the JSON and the
// side-by-side HTML (opened in Chromium). Side effects are not executed: no request reaches the fake booking
// API, no job, and the database file is byte for byte what it was.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompareCli } from '../../src/cli/compare.js';
import type { ComparisonReport } from '../../src/compare/report.js';
import type { BookingService } from '../../src/hotel/booking-service.js';
import { createMakeBookingTool } from '../../src/tools/booking/make-booking.js';
import type { ToolDefinition } from '../../src/tools/types.js';
import { chromiumPath, describeWithChromium } from '../support/chromium.js';
import { startFakeOpenAI, textReply, toolCallReply, usage, type FakeOpenAI, type FakeStepObject, type RecordedRequest } from '../support/fake-openai.js';
import { writeModularInstructions } from '../support/modular-instructions.js';
import { ANA, BOOKING_ARGS, BOOKING_OUTPUT, EVIL_TEXT, ORIGINAL_BOOKING_REPLY, seedCompareDatabase } from './seed.js';

const DELAY_MS = 60;
const USAGE = usage(1000, 0, 100);
/** gpt-5-mini at list prices: 1,000 input × 0.25 + 100 output × 2, per million. */
const CALL_COST = 0.00045;

interface Interval {
  start: number;
  end: number;
}

function maxOverlap(intervals: readonly Interval[]): number {
  const events = intervals.flatMap((i) => [
    [i.start, 1],
    [i.end, -1],
  ]);
  events.sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (now += d!));
  return max;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p && typeof p === 'object' && 'text' in p ? String((p as { text: unknown }).text) : '')).join('');
  return '';
}

/** The request's items, API-neutral: role/type and text. */
function items(req: RecordedRequest): { role: string; text: string }[] {
  const list = (req.api === 'responses' ? req.body.input : req.body.messages) as Record<string, unknown>[];
  return list.map((i) => {
    if (i.type === 'function_call_output') return { role: 'tool', text: String(i.output) };
    if (i.type === 'function_call') return { role: 'call', text: String(i.name) };
    return { role: String(i.role), text: contentText(i.content) };
  });
}

function lastUser(req: RecordedRequest): string {
  return items(req).filter((i) => i.role === 'user').at(-1)?.text ?? '';
}

function afterTool(req: RecordedRequest): string | undefined {
  const last = items(req).at(-1);
  return last?.role === 'tool' ? last.text : undefined;
}

/** Side A: answers with text, calls check_office_status for the office and transfer_to_human_agent for Beto. */
function scriptA(req: RecordedRequest): FakeStepObject {
  const options = { usage: USAGE, delayMs: DELAY_MS };
  if (afterTool(req) !== undefined) return textReply('A: <b>listo</b> & gracias', options);
  const text = lastUser(req);
  if (text.includes('oficina')) return toolCallReply([{ name: 'check_office_status' }], options);
  if (text.includes('piscina')) return toolCallReply([{ name: 'transfer_to_human_agent', arguments: { reason: 'quiere hablar con alguien' } }], options);
  if (text.includes('reservar')) return textReply('A: Su reserva está en proceso.', options);
  return textReply('A: <b>Hola</b> & bienvenida', options);
}

/** Side B: books like the original did (arguments in another order), and passes the code on. */
function scriptB(req: RecordedRequest): FakeStepObject {
  const options = { usage: USAGE, delayMs: DELAY_MS };
  const output = afterTool(req);
  if (output !== undefined) return textReply(output.includes('HR123') ? 'B: ¡Listo! Su código es HR123.' : 'B: hecho', options);
  if (lastUser(req).includes('reservar')) {
    const reordered = Object.fromEntries(Object.entries(BOOKING_ARGS).reverse());
    return toolCallReply([{ name: 'make_booking', arguments: reordered, callId: 'call_b_booking' }], options);
  }
  return textReply('B: respuesta <i>sin</i> herramientas', options);
}

let fakeA: FakeOpenAI;
let fakeB: FakeOpenAI;
const intervals: { a: Interval[]; b: Interval[] } = { a: [], b: [] };
let bookingApi: Server;
let bookingUrl: string;
const bookingRequests: string[] = [];
let bookCalls = 0;
let dir: string;
let dbPath: string;
let instructions: string;

function dbFingerprint(): { main: string; wal: number } {
  const wal = `${dbPath}-wal`;
  return { main: createHash('sha256').update(readFileSync(dbPath)).digest('hex'), wal: existsSync(wal) ? statSync(wal).size : 0 };
}

/** make_booking over a booking service that would post to the fake booking API: what must never run. */
function withMakeBooking(assembled: ToolDefinition[]): ToolDefinition[] {
  const bookings = {
    book: async () => {
      bookCalls++;
      await fetch(`${bookingUrl}/api/addBookingUserRest`, { method: 'POST', body: 'x' });
      return { status: 'booked', reserva: 'HR999' };
    },
  } as unknown as BookingService;
  const gate = { allowed: () => Promise.resolve({ allowed: true, reason: 'test' }) };
  return [...assembled.filter((t) => t.name !== 'make_booking'), createMakeBookingTool({ bookings, gate, timezone: 'America/El_Salvador', timeoutMs: 10_000 })];
}

function env(): Record<string, string> {
  return {
    LOG_LEVEL: 'silent',
    CONVERSATION_DB_PATH: dbPath,
    OPENAI_API_KEY: 'sk-test-fake',
    OPENAI_MODEL: 'gpt-5',
    OPENAI_TIMEOUT_SECONDS: '10',
    SYSTEM_INSTRUCTIONS_PATH: instructions,
    BOOKING_API_URL: bookingUrl,
  };
}

const sideA = () => `model=gpt-5-mini,api=responses,baseUrl=${fakeA.url},label=respA`;
const sideB = () => JSON.stringify({ model: 'gpt-5-mini', api: 'chat_completions', baseUrl: fakeB.url, label: 'chatB' });

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCompareCli(args, {
    env: env(),
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    tools: withMakeBooking,
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wb3-compare-'));
  dbPath = join(dir, 'watibot3.db');
  seedCompareDatabase(dbPath).close();
  instructions = join(dir, 'instructions.txt');
  writeFileSync(instructions, 'Eres la asistente de prueba de un hotel de playa ficticio.');
  const track = (list: Interval[], script: (req: RecordedRequest) => FakeStepObject) => (req: RecordedRequest) => {
    const step = script(req);
    list.push({ start: Date.now(), end: Date.now() + DELAY_MS });
    return step;
  };
  fakeA = await startFakeOpenAI({ fallback: track(intervals.a, scriptA) });
  fakeB = await startFakeOpenAI({ fallback: track(intervals.b, scriptB) });
  bookingApi = createServer((req, res) => {
    bookingRequests.push(`${req.method} ${req.url}`);
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => bookingApi.listen(0, '127.0.0.1', resolve));
  bookingUrl = `http://127.0.0.1:${(bookingApi.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await fakeA?.close();
  await fakeB?.close();
  await new Promise((resolve) => bookingApi?.close(resolve));
});

describe('npm run compare', { timeout: 60_000 }, () => {
  let report: ComparisonReport;
  let table: string;
  let htmlPath: string;
  let before: { main: string; wal: number };

  beforeAll(async () => {
    before = dbFingerprint();
    htmlPath = join(dir, 'compare.html');
    const res = await run(['--last', '5', '--a', sideA(), '--b', sideB(), '--html', htmlPath, '--concurrency', '2']);
    expect(res.stderr).not.toContain('jobs the tools asked for');
    expect(res.code).toBe(0);
    table = res.stdout;
    const json = await run(['--last', '5', '--a', sideA(), '--b', sideB(), '--json']);
    expect(json.code).toBe(0);
    report = JSON.parse(json.stdout) as ComparisonReport;
  }, 60_000);

  it('replays the 5 guest turns through both sides: tools chosen, replies, latency, tokens, cost, checks', () => {
    expect(report.selected).toBe(5);
    expect(report.turns).toHaveLength(5);
    expect(report.stopped).toBeUndefined();
    const [office, booking, beto] = report.turns;
    expect(office!.a.tools).toEqual([{ name: 'check_office_status', arguments: '{}', mode: 'ran' }]);
    expect(office!.b.tools).toEqual([]);
    expect(office!.original.tools.map((t) => t.name)).toEqual(['check_office_status']);
    expect(office!.a).toMatchObject({ outcome: 'answered', reply: 'A: <b>listo</b> & gracias', modelCalls: 2, passed: true });
    expect(office!.a.usage).toEqual({ inputTokens: 2000, cachedTokens: 0, outputTokens: 200, reasoningTokens: 0 });
    expect(office!.a.costUsd).toBeCloseTo(2 * CALL_COST, 10);
    expect(office!.b.costUsd).toBeCloseTo(CALL_COST, 10);
    expect(office!.a.latencyMs).toBeGreaterThanOrEqual(2 * DELAY_MS - 5);

    // The booking turn: B made the original's call and got its recorded output; A never mentioned the code.
    expect(booking!.original).toMatchObject({ reply: ORIGINAL_BOOKING_REPLY, bookingCodes: ['HR123'] });
    expect(booking!.b.tools).toEqual([{ name: 'make_booking', arguments: expect.stringContaining('"customer_name":"Ana Pérez"') as unknown, mode: 'recorded' }]);
    expect(booking!.b).toMatchObject({ reply: 'B: ¡Listo! Su código es HR123.', bookingCodes: ['HR123'], passed: true });
    expect(booking!.b.checks.bookingCode).toBe(true);
    expect(booking!.a.checks).toEqual({ answered: true, nonEmpty: true, noInternalText: true, bookingCode: false });
    expect(booking!.a.passed).toBe(false);

    // Beto: A handed over — simulated, no handoff happened.
    expect(beto!.guestText).toBe(EVIL_TEXT);
    expect(beto!.a.tools).toEqual([{ name: 'transfer_to_human_agent', arguments: expect.any(String) as unknown, mode: 'simulated' }]);
    expect(beto!.conversation).not.toContain('123456789');

    expect(report.sides.a).toMatchObject({ label: 'respA', turns: 5, answered: 5, passed: 4, toolCalls: 2, checkFailures: { bookingCode: 1 } });
    expect(report.sides.b).toMatchObject({ label: 'chatB', turns: 5, answered: 5, passed: 5, toolCalls: 1 });
    expect(report.sides.a.costUsd).toBeCloseTo(7 * CALL_COST, 10);
    expect(report.sides.b.costUsd).toBeCloseTo(6 * CALL_COST, 10);
    expect(report.sides.a.config).toContain('api=responses');
    expect(report.sides.b.config).toContain('api=chat_completions');
    expect(report.sides.a.config).not.toContain('sk-test');
  });

  it('sends each side the history the turn had, and B the recorded output of make_booking', () => {
    const bookingRequest = fakeA.requests.find((r) => lastUser(r).includes('reservar'))!;
    const text = JSON.stringify(bookingRequest.body.input);
    expect(text).toContain('Hola, ¿está abierta la oficina?');
    expect(text).toContain('Sí, la oficina de reservas está abierta.');
    expect(text).not.toContain(ORIGINAL_BOOKING_REPLY);
    expect(text).not.toContain('Su pago fue confirmado.');
    expect(bookingRequest.body.instructions).toBe('Eres la asistente de prueba de un hotel de playa ficticio.');
    expect((bookingRequest.body.tools as { name: string }[]).map((t) => t.name)).toEqual(expect.arrayContaining(['make_booking', 'check_office_status', 'check_smart_availability']));

    const afterBooking = fakeB.requests.find((r) => afterTool(r) !== undefined)!;
    const tool = (afterBooking.body.messages as { role: string; tool_call_id?: string; content?: unknown }[]).at(-1)!;
    expect(tool).toMatchObject({ role: 'tool', tool_call_id: 'call_b_booking', content: BOOKING_OUTPUT });
  });

  it('executes no side effect: no booking request, no booking service call, the database unchanged', () => {
    expect(bookCalls).toBe(0);
    expect(bookingRequests).toEqual([]);
    expect(dbFingerprint()).toEqual(before);
  });

  it('prints a table with both sides per turn and the totals', () => {
    expect(table).toContain(`A = model=gpt-5-mini api=responses baseUrl=${fakeA.url}`);
    expect(table).toMatch(/^#\d+\s+guest\s+wa:…0001:/m);
    expect(table).toMatch(/^\s+A\s+check_office_status\s+ok\s+/m);
    expect(table).toMatch(/^\s+B\s+make_booking\*\s+ok\s+.*B: ¡Listo! Su código es HR123\./m);
    expect(table).toMatch(/^\s+A\s+—\s+FAIL booking code\s+/m);
    expect(table).toMatch(/^\s+A\s+transfer_to_human_agent~\s+ok/m);
    expect(table).toMatch(/^respA: 5 turns, 5 answered, 0 failed, checks passed 4\/5 \(failed: booking code 1\)/m);
    expect(table).toMatch(/^chatB: 5 turns, 5 answered, 0 failed, checks passed 5\/5 · 1 tool calls/m);
    expect(table).not.toContain('STOPPED');
  });

  it('keeps at most --concurrency turns in flight (each provider at most that many requests at once)', async () => {
    expect(maxOverlap(intervals.a)).toBeLessThanOrEqual(2);
    expect(maxOverlap(intervals.b)).toBeLessThanOrEqual(2);
    // It did run in parallel.
    expect(maxOverlap([...intervals.a, ...intervals.b])).toBeGreaterThanOrEqual(2);
    intervals.a.length = 0;
    intervals.b.length = 0;
    const one = await run(['--last', '5', '--a', sideA(), '--b', sideB(), '--concurrency', '1', '--json']);
    expect(one.code).toBe(0);
    expect((JSON.parse(one.stdout) as ComparisonReport).turns).toHaveLength(5);
    expect(maxOverlap(intervals.a)).toBe(1);
    expect(maxOverlap(intervals.b)).toBe(1);
  });

  it('stops starting turns at --max-cost and says so', async () => {
    const res = await run(['--last', '5', '--a', sideA(), '--b', sideB(), '--concurrency', '1', '--max-cost', '0.0005', '--json']);
    expect(res.code).toBe(0);
    const capped = JSON.parse(res.stdout) as ComparisonReport;
    expect(capped.turns).toHaveLength(1);
    expect(capped.stopped).toMatchObject({ maxCostUsd: 0.0005, notRun: 4 });
    expect(capped.stopped!.spentUsd).toBeCloseTo(3 * CALL_COST, 10);
    expect(res.stderr).toContain('stopped early');
    const text = await run(['--last', '5', '--a', sideA(), '--b', sideB(), '--concurrency', '1', '--max-cost', '0.0005']);
    expect(text.stdout).toMatch(/^STOPPED: the estimated spend reached --max-cost US\$ 0\.0005; spent \$0\.001350; 4 of 5 selected turns not run$/m);
  });

  it('judges tiered models (light=): the light model answers the turns without tools, a booking turn goes to the main model once', async () => {
    const sideBLight = JSON.stringify({ model: 'gpt-5', light: 'gpt-5-mini', api: 'chat_completions', baseUrl: fakeB.url, label: 'tiered' });
    const first = fakeB.requests.length;
    const res = await run(['--last', '5', '--a', sideA(), '--b', sideBLight, '--concurrency', '1', '--json']);
    expect(res.code).toBe(0);
    const tiered = JSON.parse(res.stdout) as ComparisonReport;
    expect(tiered.sides.b.config).toContain('model=gpt-5 light=gpt-5-mini');
    const booking = tiered.turns.find((t) => t.b.tools.length > 0)!;
    // The light model's make_booking call was discarded unrun; the main model made it once, from the turn's start.
    expect(booking.b.tools).toEqual([{ name: 'make_booking', arguments: expect.any(String) as unknown, mode: 'recorded' }]);
    expect(booking.b).toMatchObject({ reply: 'B: ¡Listo! Su código es HR123.', modelCalls: 3 });
    const GPT5_CALL = (1000 * 1.25 + 100 * 10) / 1e6;
    expect(booking.b.costUsd).toBeCloseTo(CALL_COST + 2 * GPT5_CALL, 10);
    for (const t of tiered.turns.filter((x) => x !== booking)) expect(t.b).toMatchObject({ modelCalls: 1, costUsd: expect.closeTo(CALL_COST, 10) as unknown });
    expect(fakeB.requests.slice(first).map((r) => r.body.model)).toEqual(['gpt-5-mini', 'gpt-5-mini', 'gpt-5', 'gpt-5', 'gpt-5-mini', 'gpt-5-mini', 'gpt-5-mini']);
    expect(bookCalls).toBe(0);
  });

  it('selects by --conversations; refuses bad arguments with the usage exit code', async () => {
    const res = await run(['--conversations', ANA, '--a', sideA(), '--b', sideB(), '--json']);
    expect(res.code).toBe(0);
    expect((JSON.parse(res.stdout) as ComparisonReport).turns).toHaveLength(2);
    expect((await run(['--last', '1', '--sample', '1'])).code).toBe(64);
    expect((await run(['--last', '0'])).code).toBe(64);
    expect((await run(['--last', '1', '--a', 'modle=x'])).stderr).toContain('unknown key "modle"');
    expect((await run(['--last', '1', '--b', 'model=my-local', '--max-cost', '1'])).stderr).toContain('--max-cost needs a price for my-local');
  });

  it("gives a side with the original's JSON instructions file its base modules and load_additional_modules over that file", async () => {
    const json = writeModularInstructions();
    const sideBJson = JSON.stringify({ model: 'gpt-5-mini', api: 'chat_completions', baseUrl: fakeB.url, label: 'chatB', instructions: json });
    const res = await run(['--last', '1', '--a', sideA(), '--b', sideBJson, '--json']);
    expect(res.code).toBe(0);
    const names = (tools: unknown) => (tools as { name?: string; function?: { name: string } }[]).map((t) => t.function?.name ?? t.name);
    const b = fakeB.requests.at(-1)!;
    const system = String((b.body.messages as { content: unknown }[])[0]!.content);
    expect(system).toContain('[CORE.language]');
    expect(system).not.toContain('[M4.');
    expect(names(b.body.tools)).toContain('load_additional_modules');
    const a = fakeA.requests.at(-1)!;
    expect(a.body.instructions).toBe('Eres la asistente de prueba de un hotel de playa ficticio.');
    expect(names(a.body.tools)).not.toContain('load_additional_modules');
  });

  describeWithChromium('the HTML page in Chromium', () => {
    let browser: Browser | undefined;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('opens offline with no console error; the sides are side by side and every text is escaped', async () => {
      const html = readFileSync(htmlPath, 'utf8');
      expect(html).not.toMatch(/<script/i);
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      const page = await browser!.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
      });
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('dialog', (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      page.on('request', (req) => requests.push(req.url()));
      await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(htmlPath).href]);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('section.turn').count()).toBe(5);
      const beto = page.locator('section.turn').nth(2);
      expect(await beto.locator('.guest').textContent()).toBe(EVIL_TEXT);
      // Original, A and B in one row.
      const boxes = await beto.locator('.side').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
      expect(boxes).toHaveLength(3);
      expect(new Set(boxes.map(Math.round)).size).toBe(1);
      const first = page.locator('section.turn').first();
      expect(await first.locator('[data-side^="A:"] .reply').textContent()).toBe('A: <b>listo</b> & gracias');
      expect(await first.locator('[data-side^="A:"] b').count()).toBe(0);
      const booking = page.locator('section.turn').nth(1);
      expect(await booking.locator('[data-side^="A:"] [data-check="bookingCode"].fail').count()).toBe(1);
      expect(await booking.locator('[data-side^="B:"] [data-check="bookingCode"].pass').count()).toBe(1);
      await page.close();
    });
  });
});
