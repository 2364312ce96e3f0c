// Media end to end: real routes, the real agent and SDK, fake WATI / ManyChat CDN / OpenAI on 127.0.0.1,
// small real files (PNG, PDF, Ogg) made by the tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { buildApp } from '../../src/app.js';
import { MediaService } from '../../src/media/media-service.js';
import { DEFAULT_MEDIA_ALLOWED_HOSTS, remoteMediaPolicy, type RemoteMediaPolicy } from '../../src/media/remote-policy.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import {
  errorReply,
  serverError,
  startFakeOpenAI,
  textReply,
  toolCallReply,
  type FakeOpenAI,
  type RecordedRequest,
} from '../support/fake-openai.js';
import { listenLocal, type RecordedRequest as WatiRequest } from '../support/fake-wati.js';
import { fakeResolver } from '../support/fake-dns.js';
import { TEST_PASSKEY } from '../support/test-config.js';
import { oggOpus, PDF, PNG } from './files.js';

type Item = Record<string, unknown>;
type Part = { type: string; text?: string; image_url?: unknown; file_data?: string; filename?: string; file?: Item };

let openai: FakeOpenAI;
let h: Harness;
const extra: (() => Promise<void>)[] = [];

interface StartOptions {
  shutdownGraceMs?: number;
  /** Replaces the ManyChat media policy; the agent then gets a MediaService without a transcriber. */
  remotePolicy?: RemoteMediaPolicy;
  logger?: Logger;
}

async function start(env: Record<string, string> = {}, { shutdownGraceMs = 2_000, remotePolicy, logger }: StartOptions = {}): Promise<void> {
  openai = await startFakeOpenAI();
  const dir = mkdtempSync(join(tmpdir(), 'watibot3-media-'));
  writeFileSync(join(dir, 'system_instructions.txt'), 'Eres la asistente de un hotel ficticio.');
  h = await startHarness({
    env: {
      OPENAI_BASE_URL: openai.url,
      OPENAI_MODEL: 'gpt-5-mini',
      LLM_OPENAI_DIALECT: 'on',
      SYSTEM_INSTRUCTIONS_PATH: join(dir, 'system_instructions.txt'),
      HISTORY_IMPORT_MESSAGES: '0',
      PAYMENT_DESTINATION_ACCOUNT: '200-123456-7',
      ...env,
    },
    agent: (deps) =>
      createOpenAiAgent({
        ...deps,
        retry: { baseDelayMs: 5, maxDelayMs: 20 },
        ...(remotePolicy
          ? { media: new MediaService({ config: deps.config, store: deps.mediaStore, clock: deps.clock, transcriber: undefined, remotePolicy }) }
          : {}),
      }),
    shutdownGraceMs,
    ...(logger ? { logger } : {}),
  });
}

/** A logger keeping its JSON lines. */
function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }), lines };
}

/** A fake Meta CDN: every *.fbcdn.net name is 127.0.0.1, reached over http; the other rules as in production. */
const loopbackCdn = () =>
  remoteMediaPolicy(DEFAULT_MEDIA_ALLOWED_HOSTS, {
    schemes: ['http:'],
    allowAddress: (a) => a === '127.0.0.1',
    resolve: fakeResolver({ '*.fbcdn.net': '127.0.0.1' }),
  });

afterEach(async () => {
  await h.close();
  await openai.close();
  for (const close of extra.splice(0)) await close();
});

/** WATI getMedia answering with these files by fileName. */
function serveWatiMedia(files: Record<string, { body: unknown; headers?: Record<string, string> }>): WatiRequest[] {
  const seen: WatiRequest[] = [];
  h.wati.setHandler('getMedia', (rec) => {
    seen.push(rec);
    const f = files[rec.query.get('fileName') ?? ''];
    return f ? { status: 200, body: f.body, headers: f.headers ?? {} } : { status: 404, body: { result: false } };
  });
  return seen;
}

const watiMedia = (waId: string, dataType: string, filePath: string, text = '') =>
  h.post('/webhook', { waId, dataType, filePath, text, passkey: TEST_PASSKEY });
const say = (waId: string, text: string) => h.post('/webhook', { waId, userMessage: text, passkey: TEST_PASSKEY });

/** The user message of a Responses request (the last one: this turn's batch). */
function userContent(req: RecordedRequest): Part[] | string {
  const users = (req.body.input as Item[]).filter((i) => i.role === 'user');
  return users[users.length - 1]!.content as Part[] | string;
}
const textOf = (content: Part[] | string) =>
  typeof content === 'string' ? content : content.filter((p) => p.type === 'input_text' || p.type === 'text').map((p) => p.text).join('\n');
const mediaIdIn = (text: string) => /\[media_id: (m_[0-9a-f]+)\]/.exec(text)?.[1];

describe('media from WhatsApp (Responses API)', () => {
  it('downloads a voice note with getMedia, transcribes it as *.ogg with the configured model and language', async () => {
    await start({ TRANSCRIPTION_LANGUAGE: 'es' });
    const seen = serveWatiMedia({ 'data/audios/9c41d2aa.opus': { body: oggOpus(), headers: { 'content-type': 'audio/ogg; codecs=opus' } } });
    openai.queueTranscription({ text: 'Quiero reservar para dos personas el sábado' });
    openai.queue(textReply('¡Con gusto! ¿Para qué fecha de salida?'));
    // The URL form WATI sometimes sends (showFile?fileName=…) is reduced to the data/ path.
    await say('50370000001', `${h.wati.url}/100042/api/file/showFile?fileName=data/audios/9c41d2aa.opus`);
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['¡Con gusto! ¿Para qué fecha de salida?']);

    expect(seen).toHaveLength(1);
    expect(seen[0]!.bearer).toBe(h.wati.apiKey);
    expect(seen[0]!.path).toBe('/100042/api/v1/getMedia');
    expect(openai.transcriptions).toHaveLength(1);
    const t = openai.transcriptions[0]!;
    expect(t.file?.filename).toMatch(/\.ogg$/);
    expect(t.file?.contentType).toBe('audio/ogg');
    expect(t.file?.bytes.equals(oggOpus())).toBe(true);
    expect(t.fields).toMatchObject({ model: 'gpt-4o-mini-transcribe', language: 'es', response_format: 'json' });
    const text = textOf(userContent(openai.requests[0]!));
    expect(text).toMatch(/^\(User sent a voice note \[media_id: m_[0-9a-f]+\]: "Quiero reservar para dos personas el sábado"\)$/);
  });

  it('gives an image to the model as an image part next to its caption, in order with the batch text', async () => {
    await start();
    serveWatiMedia({ 'data/images/pago.jpg': { body: PNG, headers: { 'content-type': 'image/jpeg' } } });
    openai.queue(textReply('Recibí su comprobante.'));
    await say('50370000002', 'Hola');
    await watiMedia('50370000002', 'image', 'data/images/pago.jpg', 'Le envío el comprobante');
    await say('50370000002', '¿Está bien?');
    await h.wati.waitForTexts(1, 5_000);

    const content = userContent(openai.requests[0]!) as Part[];
    expect(content.map((p) => p.type)).toEqual(['input_text', 'input_image', 'input_text']);
    expect(content[0]!.text).toMatch(/^Hola\n\(User sent an image \[media_id: m_[0-9a-f]+\] with caption: Le envío el comprobante\)$/);
    // The real content (PNG) decides the type, not the .jpg name or the header.
    expect(content[1]!.image_url).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
    expect(content[2]!.text).toBe('¿Está bien?');
  });

  it('gives a PDF to the model as a file', async () => {
    await start();
    serveWatiMedia({ 'data/documents/recibo.pdf': { body: PDF, headers: { 'content-type': 'application/octet-stream' } } });
    openai.queue(textReply('Gracias por el documento.'));
    await watiMedia('50370000003', 'document', 'data/documents/recibo.pdf');
    await h.wati.waitForTexts(1, 5_000);
    const content = userContent(openai.requests[0]!) as Part[];
    expect(content.map((p) => p.type)).toEqual(['input_text', 'input_file']);
    expect(content[0]!.text).toMatch(/^\(User sent a PDF document \[media_id: m_[0-9a-f]+\]\)$/);
    expect(content[1]!.file_data).toBe(`data:application/pdf;base64,${PDF.toString('base64')}`);
    expect(content[1]!.filename).toMatch(/\.pdf$/);
  });

  it("turns WATI's 200-with-JSON-error into a resend request, never into the file or an error", async () => {
    await start();
    const wError = { result: false, info: 'Media not found: view once message INTERNAL-DETAIL' };
    serveWatiMedia({ 'data/images/once.jpg': { body: wError } });
    openai.queue(textReply('Disculpe, ¿podría reenviar la imagen como foto normal?'));
    await watiMedia('50370000004', 'image', 'data/images/once.jpg', 'mi pago');
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['Disculpe, ¿podría reenviar la imagen como foto normal?']);
    const content = userContent(openai.requests[0]!);
    expect(typeof content).toBe('string');
    expect(content).toMatch(/could not be downloaded/);
    expect(content).toMatch(/view once/);
    expect(JSON.stringify(openai.requests[0]!.body)).not.toContain('INTERNAL-DETAIL');
  });

  it('never downloads or transcribes twice: not on a model retry, not in a later turn (analyze_payment_proof)', async () => {
    await start();
    const seen = serveWatiMedia({
      'data/audios/a.opus': { body: oggOpus() },
      'data/images/comprobante.jpg': { body: PNG },
    });
    openai.queueTranscription({ text: 'Ya hice la transferencia' });
    openai.queue(serverError(500), textReply('Gracias, lo reviso.'));
    await watiMedia('50370000005', 'audio', 'data/audios/a.opus');
    await watiMedia('50370000005', 'image', 'data/images/comprobante.jpg');
    await h.wati.waitForTexts(1, 5_000);
    expect(openai.requests.filter((r) => r.api === 'responses')).toHaveLength(2);
    expect(seen).toHaveLength(2);
    expect(openai.transcriptions).toHaveLength(1);
    const mediaId = mediaIdIn(textOf(userContent(openai.requests[1]!)).split('\n')[1]!)!;
    expect(mediaId).toBeDefined();

    // A later turn: the model analyses the earlier image by its id; nothing is downloaded again.
    const extraction = {
      receipt_type: 'bank_transfer',
      is_valid_receipt: true,
      detection_confidence: 0.95,
      detected_indicators: ['Transferencia exitosa'],
      amount: '$150.00',
      customer_name: 'Ana Pérez',
      transaction_id: 'TRX-889900',
      timestamp: '2026-11-20 14:32',
      card_last_four: null,
      target_account: '200123456-7',
      recipient_account_type: 'corriente',
      transfer_method: 'unknown',
      reasons: ['Cuenta de destino del hotel'],
      comments: '',
    };
    openai.queue(
      toolCallReply([{ name: 'analyze_payment_proof', arguments: { media_id: mediaId }, callId: 'call_pp' }]),
      textReply(JSON.stringify(extraction)),
      textReply('Su transferencia de $150.00 fue recibida.'),
    );
    await say('50370000005', '¿Ya les llegó?');
    await h.wati.waitForTexts(2, 5_000);
    expect(seen).toHaveLength(2);
    expect(openai.transcriptions).toHaveLength(1);

    const [, , toolTurn, vision, final] = openai.requests;
    // Earlier media stay in the transcript as short references, not bytes.
    expect(JSON.stringify(toolTurn!.body.input)).not.toContain('base64');
    expect(JSON.stringify(toolTurn!.body.input)).toContain(`[media_id: ${mediaId}]`);
    expect(vision!.body.text).toMatchObject({ format: { type: 'json_schema', name: 'payment_proof_analysis', strict: true } });
    const visionParts = ((vision!.body.input as Item[])[0]!.content as Part[]).map((p) => p.type);
    expect(visionParts).toEqual(['input_text', 'input_image']);
    expect(JSON.stringify(vision!.body.instructions)).toContain('200-123456-7');
    const output = (final!.body.input as Item[]).find((i) => i.type === 'function_call_output')!;
    expect(JSON.parse(output.output as string)).toMatchObject({
      success: true,
      media_id: mediaId,
      is_valid_receipt: true,
      receipt_type: 'bank_transfer',
      extracted_info: {
        amount: '$150.00',
        customer_name: 'Ana Pérez',
        transaction_id: 'TRX-889900',
        timestamp: '2026-11-20 14:32',
        additional_info: { target_account: '200123456-7', recipient_account_type: 'corriente' },
      },
      account_type_validation: { is_correct_account_type: true },
      destination_account_validation: { matches: true },
      error: null,
    });
  });

  it('analyze_payment_proof refuses a media id from another conversation', async () => {
    await start();
    serveWatiMedia({ 'data/images/ajeno.jpg': { body: PNG } });
    openai.queue(textReply('Recibido.'));
    await watiMedia('50370000006', 'image', 'data/images/ajeno.jpg');
    await h.wati.waitForTexts(1, 5_000);
    const foreignId = mediaIdIn(textOf(userContent(openai.requests[0]!)))!;

    openai.queue(
      toolCallReply([{ name: 'analyze_payment_proof', arguments: { media_id: foreignId }, callId: 'call_x' }]),
      textReply('No encuentro ese comprobante, ¿podría enviarlo?'),
    );
    await say('50370000007', 'Revisen mi pago');
    await h.wati.waitForTexts(2, 5_000);
    expect(openai.requests).toHaveLength(3); // no vision call
    const output = (openai.requests[2]!.body.input as Item[]).find((i) => i.type === 'function_call_output')!;
    expect(JSON.parse(output.output as string).error).toMatch(/no file with media_id/);
  });
});

describe('media from ManyChat and in Chat Completions mode', () => {
  it('downloads every attachment from the CDN without auth and sends images and PDFs as chat parts', async () => {
    await start({ LLM_API: 'chat_completions' }, { remotePolicy: loopbackCdn() });
    const cdnRequests: { path: string; auth: string | undefined }[] = [];
    const cdn = await listenLocal(async (req, res) => {
      cdnRequests.push({ path: req.url ?? '', auth: req.headers.authorization });
      const body = req.url?.includes('pdf') ? PDF : PNG;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(body);
    });
    extra.push(cdn.close);
    const cdnOrigin = cdn.origin.replace('127.0.0.1', 'scontent.xx.fbcdn.net');
    openai.queue(textReply('¡Bonita foto!'));
    await h.post('/manychat/webhook', {
      platform: 'manychat',
      passkey: TEST_PASSKEY,
      subscriber: { id: '1900000009', first_name: 'Eva' },
      message: {
        text: 'Mire esto',
        attachments: [
          { type: 'image', payload: { url: `${cdnOrigin}/img?sig=1` } },
          { type: 'file', payload: { url: `${cdnOrigin}/pdf?sig=2` } },
        ],
      },
    });
    await h.manychat.waitForTexts(1, 5_000);
    expect(cdnRequests).toHaveLength(2);
    expect(cdnRequests.every((r) => r.auth === undefined)).toBe(true);
    const messages = openai.requests[0]!.body.messages as Item[];
    const content = messages[messages.length - 1]!.content as Part[];
    expect(content.map((p) => p.type)).toEqual(['text', 'image_url', 'text', 'file']);
    expect(content[0]!.text).toMatch(/with caption: Mire esto\)$/);
    expect(content[1]!.image_url).toEqual({ url: `data:image/png;base64,${PNG.toString('base64')}` });
    expect(content[3]!.file).toMatchObject({ file_data: `data:application/pdf;base64,${PDF.toString('base64')}` });
  });
});

describe('ManyChat media only from MEDIA_ALLOWED_HOSTS, never from private addresses (SSRF)', () => {
  /** A server that must see no request; the model's user text of the first turn. */
  async function postAttachments(urls: (port: string) => string[]) {
    const cdnRequests: string[] = [];
    const cdn = await listenLocal(async (req, res) => {
      cdnRequests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PNG);
    });
    extra.push(cdn.close);
    openai.queue(textReply('Disculpe, ¿podría enviar la imagen de nuevo?'));
    await h.post('/manychat/webhook', {
      platform: 'manychat',
      passkey: TEST_PASSKEY,
      subscriber: { id: '1900000031', first_name: 'Eva' },
      message: { text: 'Mire', attachments: urls(new URL(cdn.origin).port).map((url) => ({ type: 'image', payload: { url } })) },
    });
    await h.manychat.waitForTexts(1, 5_000);
    return { cdnRequests, text: textOf(userContent(openai.requests[0]!)) };
  }

  it('fetches nothing from loopback, a link-local address or a host off the list; each becomes "could not be downloaded"', async () => {
    const { logger, lines } = capturingLogger();
    await start({}, { logger }); // the production policy, from config
    const { cdnRequests, text } = await postAttachments((port) => [
      `http://127.0.0.1:${port}/anything?sig=SECRETSIG`,
      'https://evil.example/x?token=SECRETTOKEN',
      'http://169.254.169.254/latest/meta-data/',
    ]);
    expect(cdnRequests).toEqual([]);
    expect(text.match(/but the file could not be downloaded/g)).toHaveLength(3);
    const refused = lines.map((l) => JSON.parse(l) as Item).filter((l) => l.msg === 'media URL refused');
    expect(refused.map((l) => [l.level, l.source, l.error])).toEqual([
      [40, 'ManyChat attachment', 'ManyChat attachment: scheme http: is not allowed (host 127.0.0.1)'],
      [40, 'ManyChat attachment', 'ManyChat attachment: host evil.example is not in MEDIA_ALLOWED_HOSTS'],
      [40, 'ManyChat attachment', 'ManyChat attachment: scheme http: is not allowed (host 169.254.169.254)'],
    ]);
    expect(lines.join('\n')).not.toMatch(/SECRETSIG|SECRETTOKEN|anything|meta-data/);
  });

  it('refuses a host on the list whose name resolves to 127.0.0.1', async () => {
    const resolve = fakeResolver({ '*.fbcdn.net': '127.0.0.1' });
    // Production rules except the resolver, and http allowed so that an unchecked address would reach the server.
    await start({}, { remotePolicy: remoteMediaPolicy(DEFAULT_MEDIA_ALLOWED_HOSTS, { resolve, schemes: ['http:', 'https:'] }) });
    const { cdnRequests, text } = await postAttachments((port) => [`http://scontent.xx.fbcdn.net:${port}/img?sig=1`]);
    expect(resolve.asked).toEqual(['scontent.xx.fbcdn.net']);
    expect(cdnRequests).toEqual([]);
    expect(text).toMatch(/^\(User sent an image with caption: Mire, but the file could not be downloaded\. /);
  });
});

describe('media failures never fail the turn', () => {
  it('a voice note that cannot be transcribed becomes a line asking to resend; the reply is the model’s', async () => {
    await start();
    serveWatiMedia({ 'data/audios/b.opus': { body: oggOpus() } });
    openai.queueTranscription(errorReply(400, { message: 'Unsupported file format SECRET-DETAIL' }));
    openai.queue(textReply('Disculpe, no pude escuchar su nota de voz. ¿Me la escribe?'));
    await watiMedia('50370000010', 'audio', 'data/audios/b.opus');
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['Disculpe, no pude escuchar su nota de voz. ¿Me la escribe?']);
    const text = textOf(userContent(openai.requests[0]!));
    expect(text).toMatch(/^\(User sent a voice note \[media_id: m_[0-9a-f]+\], but it could not be understood\./);
    expect(JSON.stringify(openai.requests[0]!.body)).not.toContain('SECRET-DETAIL');
  });

  it('a file over MEDIA_MAX_BYTES is not kept and the model asks for a smaller one', async () => {
    await start({ MEDIA_MAX_BYTES: '64' });
    serveWatiMedia({ 'data/documents/big.pdf': { body: Buffer.concat([PDF, Buffer.alloc(200)]) } });
    openai.queue(textReply('El archivo es muy grande, ¿podría enviar una captura?'));
    await watiMedia('50370000011', 'document', 'data/documents/big.pdf');
    await h.wati.waitForTexts(1, 5_000);
    expect(userContent(openai.requests[0]!)).toMatch(/too large to process/);
  });
});

describe('media across a restart', () => {
  it('a turn interrupted by shutdown is answered after restart without downloading or transcribing again', async () => {
    await start({}, { shutdownGraceMs: 50 });
    const seen = serveWatiMedia({ 'data/audios/c.opus': { body: oggOpus() } });
    openai.queueTranscription({ text: 'Hola, quiero una cabaña' });
    openai.queue(textReply('tarde', { delayMs: 3_000 }));
    await watiMedia('50370000012', 'audio', 'data/audios/c.opus');
    const deadline = Date.now() + 5_000;
    while (openai.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(seen).toHaveLength(1);
    await h.app.close(); // the model call is cut short; the batch goes back to the buffer

    openai.reset();
    openai.queue(textReply('¡Con gusto! ¿Para cuántas personas?'));
    const app2 = await buildApp({
      config: h.config,
      agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
    });
    await app2.ready();
    try {
      expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['¡Con gusto! ¿Para cuántas personas?']);
      expect(seen).toHaveLength(1);
      expect(openai.transcriptions).toHaveLength(0); // cleared by reset(): none since the restart
      expect(textOf(userContent(openai.requests[0]!))).toContain('"Hola, quiero una cabaña"');
    } finally {
      await app2.close();
    }
  });
});
