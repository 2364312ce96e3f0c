// The picture and menu tools end to end: the real app, the real OpenAI agent (openai SDK) against the fake
// model server, the real tools over the shipped files in resources/pictures/, and fake WATI / ManyChat on
// 127.0.0.1. What the guest receives, in what order and how often; and what the model is told.
import Database from 'better-sqlite3';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../../src/agent/openai-agent.js';
import { DEFAULT_RESOURCES_DIR } from '../../../src/core/resources.js';
import { startHarness, type Harness } from '../../support/app-harness.js';
import { killHard, startChild } from '../../support/child-process.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI, type RecordedRequest as ModelRequest } from '../../support/fake-openai.js';
import { startFakeWati, type FakeWati } from '../../support/fake-wati.js';
import { TEST_PASSKEY, testEnv } from '../../support/test-config.js';
import { until } from '../../support/wait.js';

type Item = Record<string, unknown>;
const PICTURES = join(DEFAULT_RESOURCES_DIR, 'pictures');
const PUBLIC_BASE = 'https://bot.example.test';
const shipped = (path: string): Buffer => readFileSync(join(PICTURES, path));

const FAMILIAR = [
  ['01-sala-de-estar.jpg', 'Sala de estar - Bungalow Familiar'],
  ['02-dormitorio-principal.jpg', 'Dormitorio principal - Bungalow Familiar'],
  ['03-dormitorio-con-dos-camas.jpg', 'Dormitorio con dos camas - Bungalow Familiar'],
  ['04-cocineta.jpg', 'Cocineta - Bungalow Familiar'],
] as const;
const JUNIOR = [
  ['01-dormitorio.jpg', 'Dormitorio - Bungalow Junior'],
  ['02-terraza.jpg', 'Terraza - Bungalow Junior'],
  ['03-ducha.jpg', 'Ducha - Bungalow Junior'],
] as const;
const PUBLIC_AREAS = [
  ['01-piscina.jpg', 'Piscina - Áreas públicas'],
  ['02-piscina-infantil.jpg', 'Piscina infantil - Áreas públicas'],
  ['03-playa.jpg', 'Playa - Áreas públicas'],
  ['04-restaurante-la-palapa.jpg', 'Restaurante la palapa - Áreas públicas'],
  ['05-ranchos-y-hamacas.jpg', 'Ranchos y hamacas - Áreas públicas'],
] as const;

function instructionsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wb3-media-e2e-'));
  const path = join(dir, 'system_instructions.txt');
  writeFileSync(path, 'Eres la asistente de un hotel de playa ficticio.');
  return path;
}

const modelEnv = (openai: FakeOpenAI): Record<string, string> => ({
  OPENAI_BASE_URL: openai.url,
  OPENAI_MODEL: 'gpt-5-mini',
  LLM_OPENAI_DIALECT: 'on',
  SYSTEM_INSTRUCTIONS_PATH: instructionsFile(),
  HISTORY_IMPORT_MESSAGES: '0',
});

/** The function_call_output items of one model request (Responses). */
const functionOutputs = (req: ModelRequest | undefined): Item[] =>
  ((req?.body.input ?? []) as Item[]).filter((i) => i.type === 'function_call_output');

function query<T>(dbPath: string, sql: string): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
const batchStatuses = (dbPath: string) => query<{ status: string }>(dbPath, 'SELECT status FROM batches ORDER BY id').map((b) => b.status);
const batchesDone = (dbPath: string, count: number) => () => {
  const statuses = batchStatuses(dbPath);
  return statuses.length >= count && statuses.every((s) => s !== 'running' && s !== 'delivering');
};

/** WATI sends it accepted, in order: `file <name> | <caption>` or `text <text>`. */
const watiDeliveries = (wati: FakeWati): string[] =>
  wati.requests
    .filter((r) => r.status === 200 && /\/sendSession(File|Message)\//.test(r.path))
    .map((r) =>
      r.path.includes('/sendSessionFile/')
        ? `file ${r.form?.files[0]?.filename ?? '?'} | ${r.query.get('caption') ?? ''}`
        : `text ${r.query.get('messageText') ?? ''}`,
    );

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  cleanup = [];
});

async function start(opts: { env?: Record<string, string>; resourcesDir?: string } = {}): Promise<{ h: Harness; openai: FakeOpenAI }> {
  const openai = await startFakeOpenAI();
  cleanup.push(() => openai.close());
  const h = await startHarness({
    env: { ...modelEnv(openai), ...opts.env },
    ...(opts.resourcesDir ? { resourcesDir: opts.resourcesDir } : {}),
    agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
  });
  cleanup.push(() => h.close());
  return { h, openai };
}

const sayWhatsApp = (h: Harness, waId: string, text: string) => h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });
const sayManychat = (h: Harness, channel: 'facebook' | 'instagram', id: string, text: string) =>
  h.post('/manychat/webhook', {
    platform: 'manychat',
    passkey: TEST_PASSKEY,
    subscriber: channel === 'instagram' ? { id, ig_id: `1784${id}`, ig_username: 'viajera_demo' } : { id, first_name: 'Ana' },
    message: { text },
  });

/** A ManyChat send as one line per message: `text <text>`, `image <url>`, `file <url>`. */
const manychatLines = (h: Harness, id: string): string[][] =>
  h.manychat.sent(id).map((s) => s.messages.map((m) => (m.type === 'text' ? `text ${String(m.text)}` : `${m.type} ${String(m.url)}`)));

describe('picture and menu tools with the real agent', () => {
  it('WhatsApp: send_bungalow_pictures sends the four Familiar pictures in file-name order with their captions, then the text, each once', async () => {
    const { h, openai } = await start();
    const waId = '50376100001';
    openai.queue(
      toolCallReply([{ name: 'send_bungalow_pictures', arguments: { bungalow_type: 'Familiar' }, callId: 'call_pics' }]),
      textReply('Aquí tiene las fotos del Bungalow Familiar. ¿Para qué fechas le interesa?'),
    );
    await sayWhatsApp(h, waId, '¿Me manda fotos del bungalow familiar?');
    await h.wati.waitForTexts(1, 8_000, waId);
    await until(batchesDone(h.config.dbPath, 1), 'the batch closed', 8_000);

    expect(watiDeliveries(h.wati)).toEqual([
      ...FAMILIAR.map(([file, caption]) => `file ${file} | ${caption}`),
      'text Aquí tiene las fotos del Bungalow Familiar. ¿Para qué fechas le interesa?',
    ]);
    // The guest gets the real pictures, byte for byte, as JPEG images.
    const files = h.wati.sentFiles(waId);
    expect(files.map((f) => f.filename)).toEqual(FAMILIAR.map(([file]) => file));
    for (const [i, [file]] of FAMILIAR.entries()) {
      expect(files[i]!.contentType).toBe('image/jpeg');
      expect(files[i]!.bytes.equals(shipped(`bungalows/familiar/${file}`))).toBe(true);
    }
    expect(batchStatuses(h.config.dbPath)).toEqual(['delivered']);
    // The model was told the pictures go out by themselves, and was asked twice (the call, then the answer).
    expect(openai.requests).toHaveLength(2);
    const [out] = functionOutputs(openai.requests[1]);
    expect(out).toMatchObject({ call_id: 'call_pics' });
    expect(JSON.parse(out!.output as string)).toMatchObject({ sent: 4 });
  });

  describe.each(['facebook', 'instagram'] as const)('ManyChat (%s)', (channel) => {
    it('send_public_areas_pictures: each picture by its public URL, which the app serves, before the text', async () => {
      const { h, openai } = await start({ env: { PUBLIC_MEDIA_BASE_URL: PUBLIC_BASE } });
      const id = channel === 'facebook' ? '7100000000000011' : '1900000011';
      openai.queue(toolCallReply([{ name: 'send_public_areas_pictures' }]), textReply('Estas son nuestras áreas comunes.'));
      await sayManychat(h, channel, id, '¿Cómo es el hotel? ¿Tienen piscina?');
      await h.manychat.waitForTexts(PUBLIC_AREAS.length + 1, 8_000, id);
      await until(batchesDone(h.config.dbPath, 1), 'the batch closed', 8_000);

      expect(manychatLines(h, id)).toEqual([
        ...PUBLIC_AREAS.map(([file, caption]) => [`text ${caption}`, `image ${PUBLIC_BASE}/pictures/public-areas/${file}`]),
        ['text Estas son nuestras áreas comunes.'],
      ]);
      expect(h.manychat.sent(id).every((s) => s.channel === channel && s.keyUsed === channel)).toBe(true);
      // What ManyChat fetches: the app serves each URL's path with the shipped bytes.
      for (const [file] of PUBLIC_AREAS) {
        const res = await h.get(`/pictures/public-areas/${file}`);
        expect(res.status).toBe(200);
        expect(String(res.headers['content-type'])).toBe('image/jpeg');
        expect((res.body as Buffer).equals(shipped(`public-areas/${file}`))).toBe(true);
      }
      expect(batchStatuses(h.config.dbPath)).toEqual(['delivered']);
    });

    it(`send_menu_pdf: ${channel === 'facebook' ? 'a file by URL with the caption' : 'a text with the caption and the link (Instagram has no files)'}`, async () => {
      const { h, openai } = await start({ env: { PUBLIC_MEDIA_BASE_URL: PUBLIC_BASE } });
      const id = channel === 'facebook' ? '7100000000000012' : '1900000012';
      const caption = 'Aquí tiene nuestro menú del restaurante La Palapa.';
      openai.queue(
        toolCallReply([{ name: 'send_menu_pdf', arguments: { caption } }]),
        textReply('Sí, tenemos opciones vegetarianas.'),
      );
      await sayManychat(h, channel, id, 'Mándeme el menú, ¿tienen algo vegetariano?');
      await until(batchesDone(h.config.dbPath, 1), 'the batch closed', 8_000);

      const url = `${PUBLIC_BASE}/pictures/menu/menu.pdf`;
      expect(manychatLines(h, id)).toEqual([
        channel === 'facebook' ? [`text ${caption}`, `file ${url}`] : [`text ${caption}\n${url}`],
        ['text Sí, tenemos opciones vegetarianas.'],
      ]);
      const res = await h.get('/pictures/menu/menu.pdf');
      expect(res.status).toBe(200);
      expect(String(res.headers['content-type'])).toBe('application/pdf');
      expect((res.body as Buffer).equals(shipped('menu/menu.pdf'))).toBe(true);
      expect(batchStatuses(h.config.dbPath)).toEqual(['delivered']);
    });
  });

  it('send_menu_pdf with an empty final reply: WhatsApp gets only the document with its caption, and the batch is delivered', async () => {
    const { h, openai } = await start();
    const waId = '50376100003';
    const caption = 'Con gusto, aquí tiene nuestro menú. ¡Buen provecho!';
    openai.queue(toolCallReply([{ name: 'send_menu_pdf', arguments: { caption } }]), textReply(''));
    await sayWhatsApp(h, waId, 'El menú por favor');
    await h.wati.waitForFiles(1, 8_000, waId);
    await until(batchesDone(h.config.dbPath, 1), 'the batch closed', 8_000);

    expect(watiDeliveries(h.wati)).toEqual([`file menu.pdf | ${caption}`]);
    const [file] = h.wati.sentFiles(waId);
    expect(file!.contentType).toBe('application/pdf');
    expect(file!.bytes.equals(shipped('menu/menu.pdf'))).toBe(true);
    expect(h.wati.sentTexts()).toEqual([]);
    expect(batchStatuses(h.config.dbPath)).toEqual(['delivered']);
    expect(openai.requests).toHaveLength(2);
  });

  it('a missing picture folder: the model is told which folder, nothing is shown, the guest gets the model\'s text', async () => {
    const resources = mkdtempSync(join(tmpdir(), 'wb3-media-res-'));
    cleanup.push(async () => rmSync(resources, { recursive: true, force: true }));
    cpSync(PICTURES, join(resources, 'pictures'), { recursive: true });
    rmSync(join(resources, 'pictures', 'bungalows', 'matrimonial'), { recursive: true });
    const { h, openai } = await start({ resourcesDir: resources });
    const waId = '50376100005';
    const apology = 'Disculpe, en este momento no puedo enviarle las fotos del Matrimonial; con gusto le cuento cómo es.';
    openai.queue(toolCallReply([{ name: 'send_bungalow_pictures', arguments: { bungalow_type: 'Matrimonial' }, callId: 'call_mat' }]), textReply(apology));
    await sayWhatsApp(h, waId, 'Fotos del bungalow matrimonial');
    await h.wati.waitForTexts(1, 8_000, waId);
    await until(batchesDone(h.config.dbPath, 1), 'the batch closed', 8_000);

    const [out] = functionOutputs(openai.requests[1]);
    expect(out).toMatchObject({ call_id: 'call_mat' });
    const error = (JSON.parse(out!.output as string) as { error?: string }).error;
    expect(error).toContain('resources/pictures/bungalows/matrimonial');
    expect(watiDeliveries(h.wati)).toEqual([`text ${apology}`]);
    expect(h.wati.files).toEqual([]);
    expect(batchStatuses(h.config.dbPath)).toEqual(['delivered']);
  });

  it('restart between pictures: after a SIGKILL every Junior picture and the text arrive once, in order, and the model is asked once', async () => {
    const openai = await startFakeOpenAI();
    const wati = await startFakeWati();
    cleanup.push(() => openai.close(), () => wati.close());
    const env = testEnv({ ...modelEnv(openai), WATI_API_URL: wati.url, WATI_API_KEY: wati.apiKey, LOG_LEVEL: 'warn' });
    const dbPath = env.CONVERSATION_DB_PATH!;
    const launch = async () => {
      const started = await startChild(env);
      cleanup.push(() => killHard(started.child));
      return started;
    };
    const waId = '50376100004';
    const reply = 'Estas son las fotos del Bungalow Junior.';
    openai.queue(toolCallReply([{ name: 'send_bungalow_pictures', arguments: { bungalow_type: 'Junior' } }]), textReply(reply));
    // WATI takes the first picture; the second is never answered (nor accepted) before the process dies.
    wati.queueResponses({ status: 200 }, { status: 503, delayMs: 30_000 });

    const first = await launch();
    const res = await request(`${first.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ waId, userMessage: '¿Cómo es el junior? Fotos por favor', passkey: TEST_PASSKEY }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    await wati.waitForFiles(1, 10_000, waId);
    await until(() => wati.requests.filter((r) => r.path.includes('/sendSessionFile/')).length === 2, 'the second picture in flight', 8_000);
    await killHard(first.child);
    expect(wati.sentTexts()).toEqual([]);

    await launch();
    await wati.waitForTexts(1, 10_000, waId);
    await until(batchesDone(dbPath, 1), 'the batch closed', 8_000);
    expect(watiDeliveries(wati)).toEqual([...JUNIOR.map(([file, caption]) => `file ${file} | ${caption}`), `text ${reply}`]);
    for (const [i, [file]] of JUNIOR.entries()) expect(wati.files[i]!.bytes.equals(shipped(`bungalows/junior/${file}`))).toBe(true);
    expect(openai.requests.filter((r) => r.api === 'responses')).toHaveLength(2); // one turn: the call and the answer
    expect(batchStatuses(dbPath)).toEqual(['delivered']);
  });
});
