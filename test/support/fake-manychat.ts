// A fake ManyChat API on 127.0.0.1: bearer checked against the Facebook and Instagram keys,
// POST /fb/sending/sendContent validated like the real one (v2 content, ≤10 messages,
// ≤2000-symbol texts, no file/audio/video on Instagram) and answered {"status":"success"}.
import {
  Waiters,
  delay,
  listenLocal,
  readRecordedRequest,
  writeFakeResponse,
  type FakeHandler,
  type FakeResponse,
  type RecordedRequest,
} from './fake-wati.js';

export type ManychatKeyChannel = 'facebook' | 'instagram';

export interface ManychatRecordedRequest extends RecordedRequest {
  /** Which configured key the bearer matched, if any. */
  keyUsed: ManychatKeyChannel | undefined;
}

export interface ManychatSentMessage {
  type: string;
  text?: string;
  url?: string;
  [key: string]: unknown;
}

export interface ManychatSent {
  subscriberId: string;
  /** The JSON type subscriber_id arrived as; the client must send strings (ids exceed 2^53). */
  subscriberIdType: 'string' | 'number';
  /** From content.type: "instagram" → instagram, absent → facebook. */
  channel: ManychatKeyChannel;
  keyUsed: ManychatKeyChannel;
  messages: ManychatSentMessage[];
  messageTag: string | undefined;
}

export interface FakeManychat {
  /** What MANYCHAT_API_URL holds. */
  url: string;
  facebookApiKey: string;
  instagramApiKey: string;
  requests: ManychatRecordedRequest[];
  /** Accepted sendContent calls (default success answers only). */
  sends: ManychatSent[];
  sent(subscriberId?: string): ManychatSent[];
  /** The text of every accepted text message, in order. */
  sentTexts(subscriberId?: string): string[];
  /** Scripted answers for the next sendContent requests, one each. */
  queueResponses(...responses: FakeResponse[]): void;
  /** Answers another path, e.g. `setHandler('/fb/page/markConversationAsOpen', …)`. */
  setHandler(path: string, handler: FakeHandler): void;
  waitForSends(count: number, timeoutMs?: number, subscriberId?: string): Promise<ManychatSent[]>;
  waitForTexts(count: number, timeoutMs?: number, subscriberId?: string): Promise<string[]>;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeManychatOptions {
  facebookApiKey?: string;
  instagramApiKey?: string;
}

const TEXT_MAX = 2000;
const MAX_MESSAGES = 10;
const INSTAGRAM_TYPES = new Set(['text', 'image', 'cards']);

const validationError = (message: string): FakeResponse => ({
  status: 400,
  body: { status: 'error', message: 'Validation error', details: { messages: [{ message }] } },
});

export async function startFakeManychat(opts: FakeManychatOptions = {}): Promise<FakeManychat> {
  const facebookApiKey = opts.facebookApiKey ?? 'mc-fb-test-key';
  const instagramApiKey = opts.instagramApiKey ?? 'mc-ig-test-key';
  const requests: ManychatRecordedRequest[] = [];
  const sends: ManychatSent[] = [];
  const queue: FakeResponse[] = [];
  const handlers = new Map<string, FakeHandler>();
  const waiters = new Waiters();

  const keyChannel = (bearer: string | undefined): ManychatKeyChannel | undefined =>
    bearer === facebookApiKey ? 'facebook' : bearer === instagramApiKey ? 'instagram' : undefined;

  async function answer(rec: ManychatRecordedRequest): Promise<FakeResponse> {
    if (!rec.keyUsed) return { status: 401, body: { status: 'error', message: 'Wrong format token' } };
    if (rec.method !== 'POST' || rec.path !== '/fb/sending/sendContent') {
      const handler = handlers.get(rec.path);
      if (handler) return handler(rec);
      return rec.path.startsWith('/fb/') ? { status: 200, body: { status: 'success' } } : { status: 404 };
    }

    const scripted = queue.shift();
    // acceptFirst: ManyChat takes the message on arrival; its answer comes late (delayMs) or never (hang).
    const early = scripted?.acceptFirst ? accept(rec, scripted) : undefined;
    if (scripted?.hang) await new Promise<never>(() => undefined);
    if (scripted?.delayMs) await delay(scripted.delayMs);
    if (early) return early;
    if (scripted && (scripted.body !== undefined || scripted.status < 200 || scripted.status >= 300)) return scripted;
    return accept(rec, scripted);
  }

  /** Validates a sendContent body like ManyChat; a valid one is recorded as sent and answered success. */
  function accept(rec: ManychatRecordedRequest, scripted: FakeResponse | undefined): FakeResponse {
    const keyUsed = rec.keyUsed;
    if (!keyUsed) return { status: 401, body: { status: 'error', message: 'Wrong format token' } };
    const body = rec.json as Record<string, unknown> | undefined;
    const rawId = body?.subscriber_id;
    if (typeof rawId !== 'string' && typeof rawId !== 'number') return validationError('subscriber_id is required');
    const data = body?.data as { version?: unknown; content?: Record<string, unknown> } | undefined;
    if (data?.version !== 'v2' || !data.content) return validationError('data.version must be v2');
    const content = data.content;
    const messages = content.messages as ManychatSentMessage[] | undefined;
    if (!Array.isArray(messages) || messages.length === 0 || messages.length > MAX_MESSAGES) {
      return validationError(`content.messages must hold 1–${MAX_MESSAGES} messages`);
    }
    const channel: ManychatKeyChannel = content.type === 'instagram' ? 'instagram' : 'facebook';
    // Separate accounts: the other channel's key does not know this subscriber.
    if (facebookApiKey !== instagramApiKey && keyUsed !== channel) {
      return { status: 400, body: { status: 'error', message: 'Subscriber does not exist' } };
    }
    for (const m of messages) {
      if (m.type === 'text' && (typeof m.text !== 'string' || m.text.length > TEXT_MAX)) {
        return validationError(`Provided text is longer than ${TEXT_MAX} symbols`);
      }
      if (m.type !== 'text' && typeof m.url !== 'string' && m.type !== 'cards') {
        return validationError(`${m.type} message needs a url`);
      }
      if (channel === 'instagram' && !INSTAGRAM_TYPES.has(m.type)) {
        return validationError(`Message type ${m.type} is not supported for Instagram`);
      }
    }

    sends.push({
      subscriberId: String(rawId),
      subscriberIdType: typeof rawId === 'string' ? 'string' : 'number',
      channel,
      keyUsed,
      messages,
      messageTag: typeof body?.message_tag === 'string' ? body.message_tag : undefined,
    });
    waiters.notify();
    const headers = scripted?.headers ? { headers: scripted.headers } : {};
    return { status: scripted?.status ?? 200, body: { status: 'success' }, ...headers };
  }

  const { origin, close } = await listenLocal(async (req, res) => {
    const base = await readRecordedRequest(req);
    const rec: ManychatRecordedRequest = { ...base, keyUsed: keyChannel(base.bearer) };
    requests.push(rec);
    const response = await answer(rec);
    rec.status = response.status;
    writeFakeResponse(res, response);
  });

  const sent = (subscriberId?: string) =>
    sends.filter((s) => subscriberId === undefined || s.subscriberId === subscriberId);
  const sentTexts = (subscriberId?: string) =>
    sent(subscriberId).flatMap((s) => s.messages.filter((m) => m.type === 'text').map((m) => String(m.text)));

  return {
    url: origin,
    facebookApiKey,
    instagramApiKey,
    requests,
    sends,
    sent,
    sentTexts,
    queueResponses: (...responses) => void queue.push(...responses),
    setHandler: (path, handler) => void handlers.set(path, handler),
    waitForSends: (count, timeoutMs = 2000, subscriberId) =>
      waiters.waitFor(() => sent(subscriberId), count, timeoutMs, 'ManyChat sends'),
    waitForTexts: (count, timeoutMs = 2000, subscriberId) =>
      waiters.waitFor(() => sentTexts(subscriberId), count, timeoutMs, 'ManyChat texts'),
    reset: () => {
      requests.length = 0;
      sends.length = 0;
      queue.length = 0;
    },
    close,
  };
}
