// A fake WATI v1 server on 127.0.0.1 speaking the real wire format: bearer auth, tenant in the
// path, sendSessionMessage (messageText in the query), sendSessionFile (multipart `file`,
// caption in the query), sendTemplateMessage (whatsappNumber in the query, the template as JSON) and
// getMessages (the conversation history, newest first, paged; it holds every text and file the fake accepted,
// even one whose answer it never sent). A file is stored and listed the way WATI answered the original service
// (customer_logs.txt of hacastro22/watibot3): WATI's own path in `text` (`data/images/<uuid>.jpg`, not the
// uploaded name), the caption in `media.caption`, `type` "image". Documents follow the same shape (no real
// sample seen). Also exports the small recording-server toolkit the ManyChat fake reuses.
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/tenant-1/api/v1/sendSessionMessage/5037000000`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The token after `Bearer `, if any. */
  bearer: string | undefined;
  rawBody: Buffer;
  /** Parsed JSON body (undefined when not JSON). */
  json: unknown;
  /** Parsed multipart/form-data or urlencoded body (undefined otherwise). */
  form: { fields: Record<string, string>; files: RecordedFile[] } | undefined;
  /** The status the fake answered with. */
  status?: number;
}

/** One scripted answer. A 2xx without `body` is the endpoint's normal success (and is recorded as sent). */
export interface FakeResponse {
  status: number;
  /** Objects are sent as JSON; strings verbatim (text/plain unless headers say otherwise); Buffers as bytes. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait before answering (the send still counts as accepted if it ends in the default success). */
  delayMs?: number;
  /**
   * Sends only: the message is accepted (recorded, and in getMessages) on arrival, before the delay or hang,
   * whatever the answer then is — WATI took the message but its answer is late or never comes.
   */
  acceptFirst?: boolean;
  /** Never answer: the request stays open until the client gives up or the fake closes. */
  hang?: boolean;
}

export type FakeHandler = (req: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

// ---------------------------------------------------------------------------------------------
// Shared toolkit

export async function readRecordedRequest(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const contentType = req.headers['content-type'] ?? '';
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;

  let json: unknown;
  if (rawBody.length > 0 && /json/i.test(contentType)) {
    try {
      json = JSON.parse(rawBody.toString('utf8')) as unknown;
    } catch {
      json = undefined;
    }
  }

  let form: RecordedRequest['form'];
  if (/^multipart\/form-data|^application\/x-www-form-urlencoded/i.test(contentType)) {
    try {
      const fd = await new Response(new Uint8Array(rawBody), { headers: { 'content-type': contentType } }).formData();
      form = { fields: {}, files: [] };
      for (const [field, value] of fd.entries()) {
        if (typeof value === 'string') form.fields[field] = value;
        else {
          form.files.push({
            field,
            filename: value.name,
            contentType: value.type,
            bytes: Buffer.from(await value.arrayBuffer()),
          });
        }
      }
    } catch {
      form = undefined;
    }
  }

  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    bearer,
    rawBody,
    json,
    form,
  };
}

export function writeFakeResponse(res: ServerResponse, r: FakeResponse): void {
  const headers: Record<string, string> = { ...r.headers };
  let payload: string | Buffer = '';
  if (Buffer.isBuffer(r.body)) {
    // Binary (a media download): sent as is.
    payload = r.body;
    headers['content-type'] ??= 'application/octet-stream';
  } else if (typeof r.body === 'string') {
    payload = r.body;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (r.body !== undefined) {
    payload = JSON.stringify(r.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  if (res.destroyed || res.writableEnded) return; // the client gave up (e.g. its timeout)
  res.writeHead(r.status, headers);
  res.end(payload);
}

/** Resolves when `read()` yields at least `count` items; rejects after `timeoutMs` with what it got. */
export class Waiters {
  private readonly pending = new Set<() => void>();

  notify(): void {
    for (const check of [...this.pending]) check();
  }

  waitFor<T>(read: () => T[], count: number, timeoutMs: number, what: string): Promise<T[]> {
    return new Promise<T[]>((resolve, reject) => {
      const check = () => {
        const items = read();
        if (items.length >= count) {
          this.pending.delete(check);
          clearTimeout(timer);
          resolve(items);
        }
      };
      const timer = setTimeout(() => {
        this.pending.delete(check);
        const got = read();
        const sample = JSON.stringify(got).slice(0, 500);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${count} ${what}; got ${got.length}: ${sample}`));
      }, timeoutMs);
      this.pending.add(check);
      check();
    });
  }
}

/** Starts a node:http server on 127.0.0.1:0; long query strings allowed (WATI puts texts there). */
export async function listenLocal(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<{ server: Server; origin: string; close: () => Promise<void> }> {
  const server = createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    handler(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `fake server error: ${String(err)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// Fake WATI

export interface WatiSentText {
  waId: string;
  text: string;
  whatsappMessageId: string;
}

export interface WatiSentFile {
  waId: string;
  caption: string | null;
  filename: string;
  contentType: string;
  bytes: Buffer;
  whatsappMessageId: string;
  /** WATI's path for the stored file (what `text` holds in its answer and in the history). */
  storedPath: string;
}

export interface WatiSentTemplate {
  waId: string;
  templateName: string;
  broadcastName: string;
  parameters: { name: string; value: string }[];
  localMessageId: string;
}

/** One item of the fake's conversation history (what getMessages returns, in WATI's v1 item shape). */
export interface WatiHistoryEntry {
  waId: string;
  /** WATI's own item id (a Mongo-style hex id). */
  id: string;
  whatsappMessageId: string;
  text: string;
  /** Epoch ms by the fake WATI's clock (see `clockOffsetMs`). */
  at: number;
  owner: boolean;
  operatorName: string | null;
  /** WATI's message type: `text`, or `image` / `document` / … for a file (then `text` is WATI's file path). */
  type: string;
  /** A file's media object as WATI gives it; null for a text. */
  media: { id: string; mimeType: string; caption: string | null } | null;
}

export interface FakeWati {
  /** Base URL including the tenant segment — what WATI_API_URL holds. */
  url: string;
  apiKey: string;
  tenantId: string;
  /** Every request, in arrival order, including rejected ones. */
  requests: RecordedRequest[];
  /** Texts WATI accepted (default success answers only). */
  texts: WatiSentText[];
  files: WatiSentFile[];
  /** Template messages WATI accepted (default success answers only). */
  templates: WatiSentTemplate[];
  sentTexts(waId?: string): string[];
  sentFiles(waId?: string): WatiSentFile[];
  sentTemplates(waId?: string): WatiSentTemplate[];
  /** Scripted answers for the next send requests (sendSessionMessage / sendSessionFile / sendTemplateMessage), one each. */
  queueResponses(...responses: FakeResponse[]): void;
  /**
   * Answers another v1 endpoint, e.g. `setHandler('getMessages', …)`: the first path segment after /api/v1/.
   * A getMessages handler replaces the built-in history.
   */
  setHandler(endpoint: string, handler: FakeHandler): void;
  /** The conversation history getMessages serves (oldest first): accepted texts and added entries. */
  history: WatiHistoryEntry[];
  /**
   * Adds a message to the history, e.g. an operator's or an earlier one (owner defaults to true). A file:
   * `type` (e.g. "image") and `media`; `text` defaults then to a WATI file path.
   */
  addHistory(entry: {
    waId: string;
    text?: string;
    at: number;
    owner?: boolean;
    operatorName?: string | null;
    whatsappMessageId?: string;
    type?: string;
    media?: WatiHistoryEntry['media'];
  }): WatiHistoryEntry;
  waitForTexts(count: number, timeoutMs?: number, waId?: string): Promise<string[]>;
  waitForFiles(count: number, timeoutMs?: number, waId?: string): Promise<WatiSentFile[]>;
  waitForTemplates(count: number, timeoutMs?: number, waId?: string): Promise<WatiSentTemplate[]>;
  /** Clears recorded requests, sends, the history, queued responses and handlers set with setHandler. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeWatiOptions {
  apiKey?: string;
  tenantId?: string;
  /** How far the fake WATI's clock (history times) is ahead of ours (negative: behind). Default 0. */
  clockOffsetMs?: number;
}

/**
 * A getMessages item as WATI v1 returns it: `created` ISO without a zone and with 7 fractional digits,
 * `timestamp` Unix seconds as a string, `owner` true for the business side.
 */
export function watiHistoryItem(e: WatiHistoryEntry): Record<string, unknown> {
  return {
    id: e.id,
    whatsappMessageId: e.whatsappMessageId,
    created: new Date(e.at).toISOString().replace('Z', '').replace(/\.(\d{3})$/, (_m, ms: string) => `.${ms}0000`),
    conversationId: `conv-${e.waId}`,
    ticketId: `ticket-${e.waId}`,
    text: e.text,
    type: e.type,
    data: null,
    media: e.media,
    timestamp: String(Math.floor(e.at / 1000)),
    owner: e.owner,
    eventType: e.owner ? 'sessionMessageSent' : 'message',
    statusString: e.owner ? 'SENT' : 'DELIVERED',
    operatorName: e.operatorName,
    operatorEmail: null,
    waId: e.waId,
  };
}

const WATI_TEXT_MAX = 4096;

/** WATI's message type for an uploaded file, by its content type. */
function watiFileType(contentType: string): string {
  const major = contentType.split('/')[0];
  return major === 'image' || major === 'video' || major === 'audio' ? major : 'document';
}

/** Where WATI stores an upload: its own name (pictures become `.jpg`, as observed), not the one sent. */
function storedPathFor(type: string, filename: string): string {
  const ext = type === 'image' ? 'jpg' : (/\.([A-Za-z0-9]{1,5})$/.exec(filename)?.[1]?.toLowerCase() ?? 'bin');
  const folder = type === 'image' ? 'images' : type === 'video' ? 'videos' : type === 'audio' ? 'audios' : 'documents';
  return `data/${folder}/${randomUUID()}.${ext}`;
}
/** What WhatsApp refuses in a template parameter (newlines, tabs, more than four consecutive spaces). */
const BAD_TEMPLATE_PARAMETER = /[\n\t]| {5,}/;

export async function startFakeWati(opts: FakeWatiOptions = {}): Promise<FakeWati> {
  const apiKey = opts.apiKey ?? 'wati-test-key';
  const tenantId = opts.tenantId ?? '100042';
  const requests: RecordedRequest[] = [];
  const texts: WatiSentText[] = [];
  const files: WatiSentFile[] = [];
  const templates: WatiSentTemplate[] = [];
  const queue: FakeResponse[] = [];
  const handlers = new Map<string, FakeHandler>();
  const history: WatiHistoryEntry[] = [];
  const waiters = new Waiters();
  const prefix = `/${tenantId}/api/v1/`;
  const clockOffsetMs = opts.clockOffsetMs ?? 0;

  const fakeId = () => `wamid.FAKE${randomUUID().replace(/-/g, '').toUpperCase()}`;
  const itemId = () => randomUUID().replace(/-/g, '').slice(0, 24);

  function addHistory(entry: Parameters<FakeWati['addHistory']>[0]): WatiHistoryEntry {
    const type = entry.type ?? 'text';
    const e: WatiHistoryEntry = {
      waId: entry.waId,
      id: itemId(),
      whatsappMessageId: entry.whatsappMessageId ?? fakeId(),
      text: entry.text ?? (type === 'text' ? '' : storedPathFor(type, 'file.jpg')),
      at: entry.at,
      owner: entry.owner ?? true,
      operatorName: entry.operatorName ?? null,
      type,
      media: entry.media ?? null,
    };
    history.push(e);
    return e;
  }

  /** v1 getMessages: `{result, messages:{items, total}}`, newest first, 1-based pageNumber. */
  function getMessages(rec: RecordedRequest, waId: string): FakeResponse {
    const pageSize = Math.max(1, Number(rec.query.get('pageSize') ?? 100) || 100);
    const pageNumber = Math.max(1, Number(rec.query.get('pageNumber') ?? 1) || 1);
    const all = history.filter((e) => e.waId === waId).reverse();
    const items = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map(watiHistoryItem);
    return { status: 200, body: { result: 'success', messages: { items, total: all.length } } };
  }

  /** Sends only: records an accepted text and answers with WATI's success body. */
  function acceptText(waId: string, text: string): FakeResponse {
    const whatsappMessageId = fakeId();
    texts.push({ waId, text, whatsappMessageId });
    addHistory({ waId, text, at: Date.now() + clockOffsetMs, whatsappMessageId });
    waiters.notify();
    return { status: 200, body: { ok: true, result: 'success', message: { whatsappMessageId, localMessageId: randomUUID() } } };
  }

  /**
   * Sends only: records an accepted file (in `files` and the history, as WATI lists it) and answers with the
   * body WATI gave the original service: `{result: true, message: {whatsappMessageId, text: <WATI path>,
   * media: {id, mimeType, caption}, type, …}}`.
   */
  function acceptFile(waId: string, file: RecordedFile, caption: string | null): FakeResponse {
    const whatsappMessageId = fakeId();
    const type = watiFileType(file.contentType);
    const storedPath = storedPathFor(type, file.filename);
    const media = { id: String(Math.floor(Math.random() * 1e15)), mimeType: file.contentType, caption: caption || null };
    files.push({ waId, caption, filename: file.filename, contentType: file.contentType, bytes: file.bytes, whatsappMessageId, storedPath });
    const entry = addHistory({ waId, text: storedPath, at: Date.now() + clockOffsetMs, whatsappMessageId, type, media, operatorName: 'Hotel Admin' });
    waiters.notify();
    const { owner: _owner, ...item } = watiHistoryItem(entry);
    return {
      status: 200,
      body: { result: true, message: { ...item, localMessageId: randomUUID(), isOwner: true, status: 1, statusString: 'SENT' } },
    };
  }

  /** v1 sendTemplateMessage: the template and its named parameters as JSON, the number in the query. */
  async function sendTemplate(rec: RecordedRequest): Promise<FakeResponse> {
    const scripted = queue.shift();
    if (scripted?.hang) await new Promise<never>(() => undefined);
    if (scripted?.delayMs) await delay(scripted.delayMs);
    if (scripted && (scripted.body !== undefined || scripted.status < 200 || scripted.status >= 300)) return scripted;
    const waId = rec.query.get('whatsappNumber') ?? '';
    const body = (rec.json ?? {}) as { template_name?: unknown; broadcast_name?: unknown; parameters?: unknown };
    if (!/^\d{8,15}$/.test(waId)) return { status: 400, body: { result: false, info: 'whatsappNumber is required' } };
    if (typeof body.template_name !== 'string' || body.template_name === '') {
      return { status: 400, body: { result: false, info: 'template_name is required' } };
    }
    if (typeof body.broadcast_name !== 'string' || body.broadcast_name === '') {
      return { status: 400, body: { result: false, info: 'broadcast_name is required' } };
    }
    const parameters = Array.isArray(body.parameters) ? (body.parameters as { name: string; value: string }[]) : [];
    const bad = parameters.find((p) => typeof p?.value !== 'string' || BAD_TEMPLATE_PARAMETER.test(p.value));
    if (bad) return { status: 200, body: { result: false, info: `parameter ${String(bad?.name)} has newlines, tabs or more than 4 consecutive spaces` } };
    const localMessageId = randomUUID();
    templates.push({ waId, templateName: body.template_name, broadcastName: body.broadcast_name, parameters, localMessageId });
    waiters.notify();
    return {
      status: scripted?.status ?? 200,
      body: {
        result: true,
        error: null,
        templateName: body.template_name,
        receivers: [{ localMessageId, waId, isValidWhatsAppNumber: true, errors: [] }],
        parameters,
      },
      ...(scripted?.headers ? { headers: scripted.headers } : {}),
    };
  }

  async function answer(rec: RecordedRequest): Promise<FakeResponse> {
    if (rec.bearer !== apiKey) return { status: 401, body: { message: 'Unauthorized' } };
    if (!rec.path.startsWith(prefix)) return { status: 404, body: { result: false, info: 'Not found' } };
    const [endpoint = '', ...params] = rec.path.slice(prefix.length).split('/').map(decodeURIComponent);

    if (rec.method === 'POST' && endpoint === 'sendTemplateMessage' && !handlers.has(endpoint)) return sendTemplate(rec);
    const isSend = rec.method === 'POST' && (endpoint === 'sendSessionMessage' || endpoint === 'sendSessionFile');
    if (!isSend) {
      const handler = handlers.get(endpoint);
      if (handler) return handler(rec);
      if (rec.method === 'GET' && endpoint === 'getMessages') return getMessages(rec, params[0] ?? '');
      return { status: 404, body: { result: false, info: 'Not found' } };
    }

    const waId = params[0] ?? '';
    const scripted = queue.shift();
    // Documented: query parameter. The original service sent it form-encoded; accept both.
    const text = endpoint === 'sendSessionMessage' ? (rec.query.get('messageText') ?? rec.form?.fields.messageText) : undefined;
    const file = endpoint === 'sendSessionFile' ? rec.form?.files.find((f) => f.field === 'file') : undefined;
    let accepted: FakeResponse | undefined;
    if (scripted?.acceptFirst && typeof text === 'string' && text.length <= WATI_TEXT_MAX) accepted = acceptText(waId, text);
    if (scripted?.acceptFirst && file) accepted = acceptFile(waId, file, rec.query.get('caption'));
    if (scripted?.hang) await new Promise<never>(() => undefined);
    if (scripted?.delayMs) await delay(scripted.delayMs);
    if (scripted && (scripted.body !== undefined || scripted.status < 200 || scripted.status >= 300)) return scripted;
    const extra = scripted?.headers ? { headers: scripted.headers } : {};

    if (endpoint === 'sendSessionMessage') {
      if (text === undefined || text === null) {
        return { status: 400, body: { result: false, info: 'messageText is required' } };
      }
      if (text.length > WATI_TEXT_MAX) {
        return { status: 400, body: { result: false, info: `messageText longer than ${WATI_TEXT_MAX}` } };
      }
      const ok = accepted ?? acceptText(waId, text);
      return { ...ok, status: scripted?.status ?? 200, ...extra };
    }

    if (!file) return { status: 400, body: { result: false, info: 'file is required' } };
    const ok = accepted ?? acceptFile(waId, file, rec.query.get('caption'));
    return { ...ok, status: scripted?.status ?? 200, ...extra };
  }

  const { origin, close } = await listenLocal(async (req, res) => {
    const rec = await readRecordedRequest(req);
    requests.push(rec);
    const response = await answer(rec);
    rec.status = response.status;
    writeFakeResponse(res, response);
  });

  const sentTexts = (waId?: string) =>
    texts.filter((t) => waId === undefined || t.waId === waId).map((t) => t.text);
  const sentFiles = (waId?: string) => files.filter((f) => waId === undefined || f.waId === waId);
  const sentTemplates = (waId?: string) => templates.filter((t) => waId === undefined || t.waId === waId);

  return {
    url: `${origin}/${tenantId}`,
    apiKey,
    tenantId,
    requests,
    texts,
    files,
    templates,
    sentTexts,
    sentFiles,
    sentTemplates,
    queueResponses: (...responses) => void queue.push(...responses),
    setHandler: (endpoint, handler) => void handlers.set(endpoint, handler),
    history,
    addHistory,
    waitForTexts: (count, timeoutMs = 2000, waId) =>
      waiters.waitFor(() => sentTexts(waId), count, timeoutMs, 'WATI texts'),
    waitForFiles: (count, timeoutMs = 2000, waId) =>
      waiters.waitFor(() => sentFiles(waId), count, timeoutMs, 'WATI files'),
    waitForTemplates: (count, timeoutMs = 2000, waId) =>
      waiters.waitFor(() => sentTemplates(waId), count, timeoutMs, 'WATI templates'),
    reset: () => {
      requests.length = 0;
      texts.length = 0;
      files.length = 0;
      templates.length = 0;
      history.length = 0;
      queue.length = 0;
      handlers.clear();
    },
    close,
  };
}
