// `npm run chat` (src/cli/chat.ts): the console as a child process with piped stdin, the real agent and
// tools, the model being the fake OpenAI server; and, in process, what it shares with the server (the same
// tools) and what it must not take from it (the instance lock).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatConsole, ConsoleSetupError, openConsoleDatabase } from '../../src/cli/chat-console.js';
import type { OpenAiAgent } from '../../src/agent/openai-agent.js';
import { loadConfig } from '../../src/config.js';
import { cutMarker, MANYCHAT_TEXT_MAX_CHARS } from '../../src/ingest/message-limit.js';
import { createServices } from '../../src/services.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { LATEST_SCHEMA_VERSION, openDatabase } from '../../src/store/database.js';
import { acquireInstanceLock } from '../../src/store/instance-lock.js';
import { quietLogger } from '../agent/helpers.js';
import { startFakeOpenAI, textReply, toolCallReply, usage, type FakeOpenAI } from '../support/fake-openai.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { tempDbPath } from '../support/test-config.js';
import { startFakeBookingApi } from '../support/fake-booking-api.js';
import { hotelDbEnv } from '../support/hotel-fixtures.js';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INSTRUCTIONS = 'Eres la asistente de prueba de un hotel de playa ficticio. (versión nueva)';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tempInstructions(text = INSTRUCTIONS): string {
  const path = join(mkdtempSync(join(tmpdir(), 'wb3-chat-')), 'instructions.txt');
  writeFileSync(path, text);
  return path;
}

/** Runs the console with `lines` piped to its stdin and a clean environment (no .env, no inherited variables). */
function runChat(args: string[], lines: string[], env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/chat.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chat did not exit; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

function chatEnv(dbPath: string): Record<string, string> {
  return {
    OPENAI_API_KEY: 'sk-test-fake',
    OPENAI_BASE_URL: fake.url,
    OPENAI_MODEL: 'gpt-5-mini',
    OPENAI_TIMEOUT_SECONDS: '10',
    CONVERSATION_DB_PATH: dbPath,
    // Overridden by --instructions where a test gives it.
    SYSTEM_INSTRUCTIONS_PATH: tempInstructions('Instrucciones del servidor.'),
  };
}

// Each run starts a child through tsx (seconds on a busy 2-core machine).
describe('npm run chat, piped', { timeout: 60_000 }, () => {
  it('answers each line with the real agent: the tool call and its output, the replies, tokens and cost; the transcript is console:<name>', async () => {
    const dbPath = tempDbPath();
    fake.queue(
      toolCallReply([{ name: 'check_office_status' }], { usage: usage(1200, 1000, 30) }),
      textReply('¡Hola! La oficina de reservas está abierta.', { usage: usage(1300, 1200, 20) }),
      textReply('¡Con gusto!', { usage: usage(1400, 1200, 10) }),
    );
    const run = await runChat(['--instructions', tempInstructions()], ['hola', '', 'gracias'], chatEnv(dbPath));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const lines = run.stdout.split('\n');
    // The tool call, then its output (the office status as the model got it), then the reply and the usage.
    const call = lines.findIndex((l) => l === '  ⚙ check_office_status()');
    expect(call).toBeGreaterThanOrEqual(0);
    expect(lines[call + 1]).toMatch(/^ {2}→ \{"office_status":"(open|closed)".*"can_automate":(true|false)/);
    expect(lines[call + 2]).toBe('bot> ¡Hola! La oficina de reservas está abierta.');
    // gpt-5-mini at the list prices: 200 × 0.25 + 1000 × 0.025 + 30 × 2, plus 100 × 0.25 + 1200 × 0.025 + 20 × 2, per million.
    expect(lines[call + 3]).toBe('  tokens: 2,500 input (2,200 cached) · 50 output · 2 model calls · $0.000230');
    expect(lines).toContain('bot> ¡Con gusto!');
    expect(lines).toContain('  tokens: 1,400 input (1,200 cached) · 10 output · 1 model call · $0.000100');
    // Piped: no prompt, no banner, no colour.
    expect(run.stdout).not.toContain('you>');
    expect(run.stdout).not.toContain('\u001b[');
    expect(lines.filter((l) => l.startsWith('bot> '))).toHaveLength(2);

    // The new instructions file was the one sent, with the server's tools.
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[0]!.body.instructions).toBe(INSTRUCTIONS);
    expect((fake.requests[0]!.body.tools as { name: string }[]).map((t) => t.name)).toContain('check_office_status');

    const db = openDatabase(dbPath);
    try {
      const store = new ConversationStore(db);
      expect(store.getConversation('console:prueba')).toMatchObject({ channel: 'whatsapp', waId: '50300000000' });
      const items = store.listItems('console:prueba').map((s) => s.item);
      expect(items.filter((i) => i.kind === 'user').map((i) => (i.kind === 'user' ? i.text : ''))).toEqual(['hola', 'gracias']);
      expect(items).toContainEqual(expect.objectContaining({ kind: 'function_call', name: 'check_office_status' }));
      expect(items).toContainEqual(expect.objectContaining({ kind: 'function_output' }));
      expect(store.listTurns('console:prueba')).toHaveLength(2);
      // Nothing for a server to run or deliver: no buffered batch, no job.
      expect(db.prepare('SELECT COUNT(*) AS n FROM batches').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT COUNT(*) AS n FROM jobs').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT COUNT(*) AS n FROM instance_lock').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('/tools lists the tools, /history the kept conversation, /reset starts over (the next request has no history)', async () => {
    const dbPath = tempDbPath();
    fake.queue(textReply('Hola, ¿en qué le ayudo?'), textReply('Aquí sigo.'));
    const run = await runChat(
      ['--name', 'otra', '--channel', 'facebook'],
      ['/tools', 'hola', '/history', '/reset', '¿sigues ahí?', '/nada'],
      chatEnv(dbPath),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/^\d+ tools offered:$/m);
    expect(out).toMatch(/^ {2}check_office_status — Si la oficina de reservas está abierta/m);
    expect(out).toMatch(/^ {2}transfer_to_human_agent — /m);
    expect(out).toMatch(/^console:otra: 3 items kept, \d+ tokens$/m);
    expect(out).toMatch(/^ {2}note: {3}.+/m);
    expect(out).toContain('\n  guest:  hola\n  bot:    Hola, ¿en qué le ayudo?\n');
    expect(out).toMatch(/^new conversation: the transcript \(3 items\) is archived as console:otra~\d{8}T\d{6}\.\d{3}Z$/m);
    expect(out).toContain('bot> Aquí sigo.');
    expect(out).toContain('unknown command /nada; /help lists them');

    // After /reset the model is sent nothing of the first exchange.
    expect(fake.requests).toHaveLength(2);
    const first = JSON.stringify(fake.requests[0]!.body.input);
    const second = JSON.stringify(fake.requests[1]!.body.input);
    expect(first).toContain('hola');
    expect(second).toContain('¿sigues ahí?');
    expect(second).not.toContain('hola');
    expect(second).not.toContain('Hola, ¿en qué le ayudo?');
    expect((fake.requests[1]!.body.input as { role?: string }[]).filter((i) => i.role === 'user')).toHaveLength(1);

    const db = openDatabase(dbPath);
    try {
      const store = new ConversationStore(db);
      expect(store.getConversation('console:otra')).toMatchObject({ channel: 'facebook', subscriberId: '5030000000000000', itemCount: 3 });
      const archived = (db.prepare("SELECT id FROM conversations WHERE id LIKE 'console:otra~%'").all() as { id: string }[]).map((r) => r.id);
      expect(archived).toHaveLength(1);
      expect(store.listItems(archived[0]!).map((s) => s.item.kind)).toEqual(['developer', 'user', 'assistant']);
      expect(store.listTurns(archived[0]!)).toHaveLength(1);
    } finally {
      db.close();
    }
  });

  it('refuses a bad option or name with the usage, and a missing API key before reading any line', async () => {
    const { OPENAI_API_KEY: _key, ...noKey } = chatEnv(tempDbPath());
    const [bad, name, unconfigured] = await Promise.all([
      runChat(['--channel', 'telegram'], [], chatEnv(tempDbPath())),
      runChat(['--name', 'a b'], [], chatEnv(tempDbPath())),
      runChat([], ['hola'], noKey),
    ]);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--channel must be one of whatsapp, facebook, instagram');
    expect(name.code).toBe(78);
    expect(name.stderr).toContain('--name must be');
    expect(unconfigured.code).toBe(78);
    expect(unconfigured.stderr).toContain('the agent cannot answer: OPENAI_API_KEY is not set');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('the console beside a server', () => {
  function serverConfig(dbPath: string) {
    return loadConfig({
      LOG_LEVEL: 'silent',
      CONVERSATION_DB_PATH: dbPath,
      OPENAI_API_KEY: 'sk-test-fake',
      OPENAI_BASE_URL: fake.url,
      OPENAI_MODEL: 'gpt-5-mini',
      SYSTEM_INSTRUCTIONS_PATH: tempInstructions(),
      WATI_API_URL: 'https://wati.invalid/123',
      WATI_API_KEY: 'wati-key',
      STAFF_WHATSAPP_NUMBERS: '50370000001',
    });
  }

  it('offers the server’s tools, and runs turns on the database the server holds without taking its lock', async () => {
    const dbPath = tempDbPath();
    const config = serverConfig(dbPath);
    const services = await createServices(config, { logger: quietLogger });
    const lockBefore = services.db.prepare('SELECT instance_id, pid FROM instance_lock').get();
    const lines: string[] = [];
    const chat = await ChatConsole.open({ config, name: 'prueba', channel: 'whatsapp', write: (t) => lines.push(t), dim: false, log: quietLogger });
    try {
      const names = (agent: OpenAiAgent) => agent.registry.specs.map((s) => s.name);
      expect(names(chat.agent)).toEqual(names(services.agent as OpenAiAgent));
      expect(names(chat.agent)).toContain('notify_operations_department');

      fake.queue(
        toolCallReply([{ name: 'notify_operations_department', arguments: { issue_type: 'Servicio/Service', issue_description: 'Una prueba de la consola.' } }]),
        textReply('Ya avisé al equipo.'),
      );
      await chat.handle('avisen a operaciones, por favor');
      expect(lines).toContain('bot> Ya avisé al equipo.');
      // The staff alert is printed, not queued for the server's worker.
      expect(lines.some((l) => /^ {2}job staff\.alert\S* \(not run by the console\): /.test(l))).toBe(true);
      expect(services.jobs.list({ limit: 10 })).toEqual([]);
      expect(services.readiness().checks.activeTurns).toBe(0);
      expect(services.db.prepare('SELECT instance_id, pid FROM instance_lock').get()).toEqual(lockBefore);
      expect(new ConversationStore(services.db).listTurns('console:prueba')).toHaveLength(1);

      // Media for the guest: the files' paths, before the reply.
      lines.length = 0;
      fake.queue(toolCallReply([{ name: 'send_bungalow_pictures', arguments: { bungalow_type: 'Junior' } }]), textReply('Estas son las fotos.'));
      await chat.handle('fotos del bungalow junior');
      const pictures = lines.filter((l) => l.startsWith('bot> [image] '));
      expect(pictures.length).toBeGreaterThan(0);
      expect(pictures[0]).toMatch(new RegExp(`^bot> \\[image\\] ${join(ROOT, 'resources/pictures/bungalows/junior/')}\\S+\\.(jpg|png)`));
      expect(lines.indexOf('bot> Estas son las fotos.')).toBeGreaterThan(lines.indexOf(pictures[0]!));

      // A handoff: the notice is what the guest would get; nothing is paused or queued.
      lines.length = 0;
      fake.queue(toolCallReply([{ name: 'transfer_to_human_agent', arguments: { reason: 'pide una persona' } }]), textReply('Le comunico.'));
      await chat.handle('quiero hablar con una persona');
      expect(lines).toContain(`bot> ${services.handoff.handoverNotice()}`);
      expect(lines).toContain("  model's reply, not sent: Le comunico.");
      expect(lines.some((l) => l.startsWith('  handoff (pide una persona): '))).toBe(true);
      expect(services.handoff.isPaused('console:prueba')).toBe(false);
      expect(services.jobs.list({ limit: 10 })).toEqual([]);
    } finally {
      await chat.close();
      await services.close();
    }
  });

  it('a line is taken as a webhook text would be: control characters removed, cut at the channel limit with the marker (issue 22 §1)', async () => {
    const dbPath = tempDbPath();
    const config = serverConfig(dbPath);
    const services = await createServices(config, { logger: quietLogger });
    const lines: string[] = [];
    const chat = await ChatConsole.open({ config, name: 'largo', channel: 'facebook', write: (t) => lines.push(t), dim: false, log: quietLogger });
    try {
      fake.queue(textReply('Con gusto.'));
      await chat.handle(`ho\u0000la ${'x'.repeat(MANYCHAT_TEXT_MAX_CHARS)}`);
      expect(lines).toContain(`(longer than a facebook message may be: cut at ${MANYCHAT_TEXT_MAX_CHARS} characters, 5 left out)`);
      expect(lines).toContain('bot> Con gusto.');
      const sent = JSON.stringify(fake.requests.map((r) => r.body));
      expect(sent).toContain(`hola ${'x'.repeat(MANYCHAT_TEXT_MAX_CHARS - 5)}\\n${cutMarker(5)}`);
      expect(sent).not.toContain('\\u0000');
    } finally {
      await chat.close();
      await services.close();
    }
  });

  it('does not migrate a database a server holds: it says to migrate when the server is stopped', () => {
    const dbPath = tempDbPath();
    const db = openMigratedDatabase(dbPath);
    acquireInstanceLock(db, Date.now());
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION - 1}`);
    db.close();
    expect(() => openConsoleDatabase(dbPath)).toThrow(ConsoleSetupError);
    expect(() => openConsoleDatabase(dbPath)).toThrow(/needs \d+, but the database is in use by another watibot3 process .*npm run migrate/);
  });
});

describeWithMariaDb('the console and the hotel’s systems', () => {
  const hotelDb = useHotelDatabase();

  it('offers the read tools but not those that book or move money, unless --real-actions', async () => {
    const api = await startFakeBookingApi({ connection: hotelDb.connection });
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      CONVERSATION_DB_PATH: tempDbPath(),
      OPENAI_API_KEY: 'sk-test-fake',
      OPENAI_BASE_URL: fake.url,
      OPENAI_MODEL: 'gpt-5-mini',
      SYSTEM_INSTRUCTIONS_PATH: tempInstructions(),
      BOOKING_API_URL: api.url,
      ...hotelDbEnv(hotelDb.connection),
    });
    const open = (realActions: boolean) =>
      ChatConsole.open({ config, name: 'prueba', channel: 'whatsapp', realActions, write: () => undefined, dim: false, log: quietLogger });
    const trial = await open(false);
    const real = await open(true);
    try {
      const names = (chat: ChatConsole) => chat.agent.registry.specs.map((s) => s.name);
      expect(names(trial)).toEqual(expect.arrayContaining(['check_smart_availability', 'get_price_for_date', 'validate_compraclick_payment', 'lookup_booking']));
      expect(names(trial)).not.toContain('make_booking');
      expect(trial.realWorldTools()).toEqual([]);
      expect(names(real)).toContain('make_booking');
      expect(real.realWorldTools()).toContain('make_booking');
    } finally {
      await trial.close();
      await real.close();
      await api.close();
    }
  });
});
