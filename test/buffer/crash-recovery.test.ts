// kill -9 at any moment loses no message and answers none twice: the server runs in a child process that
// the test kills with SIGKILL mid-turn, then starts again on the same database.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeWati } from '../support/fake-wati.js';
import { TEST_PASSKEY, testEnv } from '../support/test-config.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface TurnRequest {
  body: { conversationId: string; texts: string[]; pid: number };
  answer: (reply: string) => void;
}

/** Stands in for the model: records each turn and lets the test decide when (or whether) it answers. */
async function startControl() {
  const turns: TurnRequest[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      turns.push({
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as TurnRequest['body'],
        answer: (reply) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reply })),
      });
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    turns,
    async waitForTurns(n: number, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (turns.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} turns, saw ${turns.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function startChild(env: Record<string, string | undefined>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/child-server.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`child did not start: ${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /LISTENING (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function postWati(url: string, waId: string, text: string) {
  const res = await request(`${url}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ waId, userMessage: text, passkey: TEST_PASSKEY }),
  });
  await res.body.text();
  return res.statusCode;
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  cleanup = [];
});

async function setup() {
  const wati = await startFakeWati();
  const control = await startControl();
  cleanup.push(() => wati.close(), () => control.close());
  const env = testEnv({ WATI_API_URL: wati.url, WATI_API_KEY: wati.apiKey, CONTROL_URL: control.url, LOG_LEVEL: 'warn' });
  const start = async () => {
    const started = await startChild(env);
    cleanup.push(() => killHard(started.child));
    return started;
  };
  return { wati, control, start };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash recovery', () => {
  it('answers a batch exactly once after the server is killed with SIGKILL mid-turn', async () => {
    const { wati, control, start } = await setup();

    const first = await start();
    expect(await postWati(first.url, '50371000001', 'Hola')).toBe(200);
    expect(await postWati(first.url, '50371000001', '¿tienen cupo el sábado?')).toBe(200);
    await control.waitForTurns(1);
    expect(control.turns[0]!.body.texts).toEqual(['Hola', '¿tienen cupo el sábado?']);

    await killHard(first.child); // mid-turn: the agent has not answered
    expect(wati.sentTexts()).toEqual([]);

    await start();
    await control.waitForTurns(2);
    expect(control.turns[1]!.body).toMatchObject({ conversationId: '50371000001', texts: ['Hola', '¿tienen cupo el sábado?'] });
    control.turns[1]!.answer('Sí, tenemos cupo.');

    expect(await wati.waitForTexts(1, 10_000)).toEqual(['Sí, tenemos cupo.']);
    await sleep(500);
    expect(wati.sentTexts()).toEqual(['Sí, tenemos cupo.']);
    expect(control.turns).toHaveLength(2);
  });

  it('answers messages accepted just before a SIGKILL, before any turn started', async () => {
    const { wati, control, start } = await setup();
    const first = await start();
    await postWati(first.url, '50371000003', 'Buenas noches');
    await killHard(first.child); // inside the quiet period: nothing claimed yet

    await start();
    await control.waitForTurns(1);
    expect(control.turns[0]!.body.texts).toEqual(['Buenas noches']);
    control.turns[0]!.answer('¡Buenas noches!');
    expect(await wati.waitForTexts(1, 10_000)).toEqual(['¡Buenas noches!']);
  });

  it('resumes an interrupted delivery after SIGKILL without asking the agent again', async () => {
    const { wati, control, start } = await setup();

    // WATI hangs on the first send (and would then fail): the process dies while the reply is in flight.
    wati.queueResponses({ status: 503, delayMs: 30_000 });
    const first = await start();
    await postWati(first.url, '50371000002', 'Quiero el menú');
    await control.waitForTurns(1);
    control.turns[0]!.answer('Aquí tiene el menú.');
    const deadline = Date.now() + 5_000;
    while (!wati.requests.some((r) => r.path.includes('sendSessionMessage')) && Date.now() < deadline) await sleep(20);
    await killHard(first.child);

    wati.reset();
    await start();
    expect(await wati.waitForTexts(1, 10_000)).toEqual(['Aquí tiene el menú.']);
    await sleep(500);
    expect(control.turns).toHaveLength(1);
    expect(wati.sentTexts()).toEqual(['Aquí tiene el menú.']);
  });
});
