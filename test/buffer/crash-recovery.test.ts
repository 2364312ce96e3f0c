// kill -9 at any moment loses no message and answers none twice: the server runs in a child process that
// the test kills with SIGKILL mid-turn, then starts again on the same database.
import Database from 'better-sqlite3';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { killHard, startChild } from '../support/child-process.js';
import { startFakeWati, type FakeWati } from '../support/fake-wati.js';
import { TEST_PASSKEY, testEnv } from '../support/test-config.js';

// Two distinct tiny "PNG" files (the PNG signature, then a marker byte).
const PNG_1 = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]);
const PNG_2 = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 2]);

interface TurnRequest {
  body: { conversationId: string; texts: string[]; pid: number };
  /** `media`: parts a tool would have added, sent before the reply. */
  answer: (reply: string, media?: unknown[]) => void;
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
        answer: (reply, media) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reply, media })),
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
  const resources = mkdtempSync(join(tmpdir(), 'watibot3-res-'));
  mkdirSync(join(resources, 'pictures', 'bungalows'), { recursive: true });
  writeFileSync(join(resources, 'pictures', 'bungalows', 'uno.png'), PNG_1);
  writeFileSync(join(resources, 'pictures', 'bungalows', 'dos.png'), PNG_2);
  const env = testEnv({
    WATI_API_URL: wati.url,
    WATI_API_KEY: wati.apiKey,
    CONTROL_URL: control.url,
    LOG_LEVEL: 'warn',
    TEST_RESOURCES_DIR: resources,
  });
  const start = async () => {
    const started = await startChild(env);
    cleanup.push(() => killHard(started.child));
    return started;
  };
  return { wati, control, start, dbPath: env.CONVERSATION_DB_PATH! };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function query<T>(dbPath: string, sql: string): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const batchStatuses = (dbPath: string) => query<{ status: string }>(dbPath, 'SELECT status FROM batches ORDER BY id').map((b) => b.status);
const outbound = (dbPath: string) =>
  query<{ batch_id: number; part_index: number; text: string; platform_message_id: string | null }>(
    dbPath,
    'SELECT batch_id, part_index, text, platform_message_id FROM outbound_messages ORDER BY id',
  );

/** Waits until every batch that has a reply is closed (none left 'delivering' or 'running'). */
async function waitForBatchesClosed(dbPath: string, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = batchStatuses(dbPath).filter((s) => s !== 'abandoned');
    if (statuses.length >= count && statuses.every((s) => s !== 'delivering' && s !== 'running')) return;
    if (Date.now() > deadline) throw new Error(`batches not closed: ${JSON.stringify(statuses)}`);
    await sleep(50);
  }
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const historyChecks = (wati: FakeWati, from = 0) =>
  wati.requests.slice(from).filter((r) => r.path.includes('/api/v1/getMessages/'));

describe('crash recovery', () => {
  it('delivers each media part and the text once across a SIGKILL between two pictures', async () => {
    const { wati, control, start, dbPath } = await setup();
    // The first picture goes out; WATI never answers for the second (not accepted), and the process dies.
    wati.queueResponses({ status: 200 }, { status: 503, delayMs: 30_000 });
    const first = await start();
    await postWati(first.url, '50371000077', 'Fotos del bungalow, por favor');
    await control.waitForTurns(1);
    const picture = (name: string, caption?: string) => ({
      type: 'media',
      kind: 'image',
      source: { type: 'resource', path: `pictures/bungalows/${name}` },
      ...(caption ? { caption } : {}),
    });
    control.turns[0]!.answer('Aquí tiene las fotos del bungalow.', [picture('uno.png', 'Bungalow Familiar'), picture('dos.png')]);
    await wati.waitForFiles(1, 5_000);
    await waitUntil('the second picture in flight', () => wati.requests.filter((r) => r.path.includes('sendSessionFile')).length === 2);
    await killHard(first.child);

    await start();
    expect(await wati.waitForTexts(1, 10_000)).toEqual(['Aquí tiene las fotos del bungalow.']);
    await waitForBatchesClosed(dbPath, 1);
    expect(wati.files.map((f) => [f.filename, f.caption, f.bytes.at(-1)])).toEqual([
      ['uno.png', 'Bungalow Familiar', 1],
      ['dos.png', '', 2],
    ]);
    expect(control.turns).toHaveLength(1); // the agent was not asked again
    // Pictures before the text, in the order the tool added them.
    const sends = wati.requests.filter((r) => r.status === 200 && /sendSession(File|Message)/.test(r.path)).map((r) => /sendSession(File|Message)/.exec(r.path)![0]);
    expect(sends).toEqual(['sendSessionFile', 'sendSessionFile', 'sendSessionMessage']);
    expect(outbound(dbPath).map((o) => o.part_index)).toEqual([0, 1, 2]);
  });

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

  // Issue 8 §4: WATI took the message but its answer never came back before the process died.
  it('does not send a reply twice when WATI had accepted it before the SIGKILL', async () => {
    const { wati, control, start, dbPath } = await setup();
    const waId = '50371000010';
    const reply = 'Con gusto. El check-in es a las 3:00 p. m.';

    wati.queueResponses({ status: 200, acceptFirst: true, hang: true });
    const first = await start();
    await postWati(first.url, waId, '¿A qué hora es el check-in?');
    await control.waitForTurns(1);
    control.turns[0]!.answer(reply);
    expect(await wati.waitForTexts(1, 10_000)).toEqual([reply]); // accepted; the answer hangs
    await killHard(first.child);

    const before = wati.requests.length;
    await start();
    await waitForBatchesClosed(dbPath, 1);
    await sleep(300);
    expect(wati.sentTexts(waId)).toEqual([reply]);
    expect(control.turns).toHaveLength(1);
    expect(outbound(dbPath)).toEqual([
      { batch_id: 1, part_index: 0, text: reply, platform_message_id: wati.texts[0]!.whatsappMessageId },
    ]);
    expect(batchStatuses(dbPath)).toEqual(['delivered']);
    // One bounded look at the history: the first page only.
    expect(historyChecks(wati, before).map((r) => [r.query.get('pageNumber'), r.query.get('pageSize')])).toEqual([['1', '100']]);
    expect(wati.requests.slice(before).filter((r) => r.path.includes('sendSessionMessage'))).toHaveLength(0);
  });

  // Issue 22 §2: a picture WATI took, whose answer never came back before the process died, went out twice.
  it('does not send a picture twice when WATI had accepted it before the SIGKILL', async () => {
    const { wati, control, start, dbPath } = await setup();
    const waId = '50371000015';
    const reply = 'Estas son las fotos del bungalow.';
    const picture = (name: string) => ({ type: 'media', kind: 'image', source: { type: 'resource', path: `pictures/bungalows/${name}` } });

    // Two pictures without caption: the first is delivered and recorded; WATI takes the second but never answers.
    wati.queueResponses({ status: 200 }, { status: 200, acceptFirst: true, hang: true });
    const first = await start();
    await postWati(first.url, waId, 'Fotos, por favor');
    await control.waitForTurns(1);
    control.turns[0]!.answer(reply, [picture('uno.png'), picture('dos.png')]);
    await wati.waitForFiles(2, 10_000);
    await waitUntil('picture 1 recorded', () => outbound(dbPath).length === 1);
    await killHard(first.child);

    const before = wati.requests.length;
    await start();
    await waitForBatchesClosed(dbPath, 1);
    await sleep(300);
    expect(wati.sentFiles(waId).map((f) => [f.filename, f.bytes.at(-1)])).toEqual([
      ['uno.png', 1],
      ['dos.png', 2],
    ]);
    expect(wati.sentTexts(waId)).toEqual([reply]);
    expect(wati.requests.slice(before).filter((r) => r.path.includes('sendSessionFile'))).toHaveLength(0);
    expect(historyChecks(wati, before)).toHaveLength(1);
    expect(outbound(dbPath).map((o) => [o.part_index, o.platform_message_id])).toEqual([
      [0, wati.files[0]!.whatsappMessageId],
      [1, wati.files[1]!.whatsappMessageId],
      [2, wati.texts[0]!.whatsappMessageId],
    ]);
    expect(batchStatuses(dbPath)).toEqual(['delivered']);
    expect(control.turns).toHaveLength(1);
  });

  it('finds the part that was in flight in the middle of a long reply and sends the rest once', async () => {
    const { wati, control, start, dbPath } = await setup();
    const waId = '50371000011';
    const paragraph = (n: number) => `Párrafo ${n}: ${'la playa es hermosa y el agua está tibia. '.repeat(60)}`.trim();
    const parts = [paragraph(1), paragraph(2), paragraph(3)];

    // Part 1 goes through; part 2 is accepted but its answer never comes.
    wati.queueResponses({ status: 200 }, { status: 200, acceptFirst: true, hang: true });
    const first = await start();
    await postWati(first.url, waId, 'Cuénteme todo');
    await control.waitForTurns(1);
    control.turns[0]!.answer(parts.join('\n\n'));
    await wati.waitForTexts(2, 10_000);
    await waitUntil('part 1 recorded', () => outbound(dbPath).length === 1);
    await killHard(first.child);

    await start();
    await waitForBatchesClosed(dbPath, 1);
    await sleep(300);
    expect(wati.sentTexts(waId)).toEqual(parts);
    expect(outbound(dbPath).map((o) => [o.part_index, o.text, o.platform_message_id])).toEqual(
      wati.texts.map((t, i) => [i, t.text, t.whatsappMessageId]),
    );
    expect(batchStatuses(dbPath)).toEqual(['delivered']);
    expect(control.turns).toHaveLength(1);
  });

  it('sends the part again when the WATI history cannot be read (at least once rather than not at all)', async () => {
    const { wati, control, start, dbPath } = await setup();
    const waId = '50371000012';
    const reply = 'Tenemos habitaciones disponibles.';

    wati.queueResponses({ status: 200, acceptFirst: true, hang: true });
    const first = await start();
    await postWati(first.url, waId, '¿Hay habitaciones?');
    await control.waitForTurns(1);
    control.turns[0]!.answer(reply);
    await wati.waitForTexts(1, 10_000);
    await killHard(first.child);

    wati.setHandler('getMessages', () => ({ status: 500, body: { message: 'Internal error' } }));
    const before = wati.requests.length;
    await start();
    await waitForBatchesClosed(dbPath, 1);
    expect(historyChecks(wati, before)).toHaveLength(1); // asked once, not retried
    expect(wati.sentTexts(waId)).toEqual([reply, reply]);
    expect(outbound(dbPath).map((o) => o.platform_message_id)).toEqual([wati.texts[1]!.whatsappMessageId]);
  });

  it('sends the part again when the WATI history does not answer within its bound', async () => {
    const { wati, control, start, dbPath } = await setup();
    const waId = '50371000014';
    const reply = 'El desayuno se sirve de 7 a 10.';

    wati.queueResponses({ status: 200, acceptFirst: true, hang: true });
    const first = await start();
    await postWati(first.url, waId, '¿A qué hora es el desayuno?');
    await control.waitForTurns(1);
    control.turns[0]!.answer(reply);
    await wati.waitForTexts(1, 10_000);
    await killHard(first.child);

    wati.setHandler('getMessages', () => new Promise<never>(() => undefined)); // WATI never answers
    const before = wati.requests.length;
    await start();
    const asked = Date.now();
    await waitUntil('the history check', () => historyChecks(wati, before).length === 1);
    expect(await wati.waitForTexts(2, 12_000)).toEqual([reply, reply]);
    expect(Date.now() - asked).toBeLessThan(9_000); // 5 s bound, then the send
    await waitForBatchesClosed(dbPath, 1);
    expect(historyChecks(wati, before)).toHaveLength(1);
  }, 30_000);

  it('does not take an identical reply sent before this one for the part in flight', async () => {
    const { wati, control, start, dbPath } = await setup();
    const waId = '50371000013';
    const reply = '¡Con gusto!';

    const first = await start();
    await postWati(first.url, waId, 'Gracias');
    await control.waitForTurns(1);
    control.turns[0]!.answer(reply); // a genuine earlier reply, delivered and recorded
    await wati.waitForTexts(1, 10_000);
    await waitForBatchesClosed(dbPath, 1);
    // … and the same words from the business side minutes ago (e.g. an earlier deployment), not recorded here.
    wati.addHistory({ waId, text: reply, at: Date.now() - 10 * 60_000, operatorName: null });

    wati.queueResponses({ status: 503, hang: true }); // the next send never reaches WATI's records
    await postWati(first.url, waId, 'Muchas gracias');
    await control.waitForTurns(2);
    control.turns[1]!.answer(reply);
    await waitUntil('second send in flight', () => wati.requests.filter((r) => r.path.includes('sendSessionMessage')).length === 2);
    await killHard(first.child);

    const before = wati.requests.length;
    await start();
    await waitForBatchesClosed(dbPath, 2);
    expect(historyChecks(wati, before)).toHaveLength(1); // it looked, and found nothing sent after the reply was recorded
    expect(wati.sentTexts(waId)).toEqual([reply, reply]);
    expect(outbound(dbPath).map((o) => [o.batch_id, o.platform_message_id])).toEqual([
      [1, wati.texts[0]!.whatsappMessageId],
      [2, wati.texts[1]!.whatsappMessageId],
    ]);
    expect(control.turns).toHaveLength(2);
  });
});
