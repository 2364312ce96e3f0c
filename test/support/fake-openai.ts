// A fake OpenAI server on 127.0.0.1 speaking the real wire formats of POST /v1/responses and
// POST /v1/chat/completions, driven by a script. Point the real `openai` SDK at `fake.url`.
//
//   const fake = await startFakeOpenAI();
//   fake.queue(toolCallReply([{ name: 'check_office_status' }]), textReply('¡Hola!'));
//   … run the code under test with OPENAI_BASE_URL = fake.url …
//   expect(fake.requests[1].body.input).toContainEqual(expect.objectContaining({ type: 'function_call_output' }));
//   await fake.close();
//
// Each request takes the next scripted step; the same step renders as a Responses or a Chat
// Completions body depending on the endpoint hit. With the queue empty the server answers a 400 with
// code `fake_queue_empty` (or the fallback step given to startFakeOpenAI / setFallback).
//
// Like the real Responses API, the server checks the reasoning items replayed in `input` against the
// output items it emitted (it remembers them, across reset()), before taking a step:
//   - with `store: false`, a reasoning item without `encrypted_content` is a 404 (nothing is persisted);
//   - a reasoning item must be immediately followed by the item that followed it in its output (same id);
//   - an item that followed a reasoning item, replayed with its id, must come right after that reasoning;
//   - encrypted content must be what was emitted under that id (the fake decrypts nothing else).
// A request failing these checks does not consume a step.
//
// With `promptCache` (off by default) the server also simulates the provider's prompt cache for the usage it
// reports: input tokens are the o200k count of the request's prompt (promptText: tools, instructions, then
// the input items or messages, in order), and cached tokens are the byte-identical prefix that prompt shares
// with an earlier request of the same model and `prompt_cache_key`, counted like OpenAI: nothing below
// 1,024 tokens, then in steps of 128. A step's own `usage` still wins. With `idleTtlMs` and `now`, an earlier
// prompt counts only while it was sent at most that long ago (the provider drops a prefix after minutes of
// inactivity; every request refreshes the prefixes it contains); keepWarm() marks the static prefixes (tools and
// instructions) seen so far as kept warm by other traffic, whatever the TTL.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

export type FakeApi = 'responses' | 'chat_completions';

export interface FakeUsage {
  inputTokens?: number;
  cachedTokens?: number;
  outputTokens?: number;
  reasoningTokens?: number;
}

export interface FakeToolCall {
  name: string;
  /** An object is sent as JSON text; a string is sent as is (to script invalid JSON). Default `{}`. */
  arguments?: unknown;
  /** Default `call_fake_<n>`. */
  callId?: string;
  /** Chat Completions only: sent as the tool call's `extra_content` (Gemini's thought signature). */
  extraContent?: unknown;
}

interface StepCommon {
  /** Wait before answering (to script slow models and timeouts). */
  delayMs?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

export interface FakeReply extends StepCommon {
  type: 'reply';
  /** Assistant text (omitted or empty = no message item / `content: null`). */
  text?: string;
  calls?: FakeToolCall[];
  usage?: FakeUsage;
  /** Responses only: a reasoning item before the output, with this summary. Its encrypted_content is
   * present when the request asked for `reasoning.encrypted_content`, as the real API does. */
  reasoning?: { summary?: string };
  /** Cut short: Responses status `incomplete` (max_output_tokens), Chat finish_reason `length`. */
  incomplete?: boolean;
  /** The `service_tier` reported; default, like the real API, the one asked for (`flex`), else `default`. */
  serviceTier?: string;
}

export interface FakeError extends StepCommon {
  type: 'error';
  status: number;
  message?: string;
  /** The error body's `type` (default from the status, e.g. `rate_limit_error`). */
  errorType?: string;
  code?: string | null;
  param?: string | null;
}

export interface FakeRaw extends StepCommon {
  type: 'raw';
  status: number;
  /** Sent as JSON unless it is a string. */
  body: unknown;
}

/** Closes the connection without an answer (the SDK sees a connection error). */
export interface FakeDisconnect {
  type: 'disconnect';
}

export type FakeStepObject = FakeReply | FakeError | FakeRaw | FakeDisconnect;
/** A step, or a function choosing one from the request. */
export type FakeStep = FakeStepObject | ((request: RecordedRequest) => FakeStepObject);

export interface RecordedRequest {
  api: FakeApi | 'other';
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (`{}` when parseBodies is off or the body is not JSON). */
  body: Record<string, unknown>;
  /** Raw body size in bytes. */
  bytes: number;
  receivedAt: number;
  /** With the `promptCache` option, on requests answered with a reply: what the simulated cache saw. */
  promptCache?: FakePromptCacheHit;
}

/** The simulated prompt cache's view of one request (see the header). */
export interface FakePromptCacheHit {
  /** The `prompt_cache_key` sent ('' without one). */
  key: string;
  /** o200k tokens of promptText(): the reported input tokens. */
  promptTokens: number;
  /** UTF-8 bytes of promptText(). */
  promptBytes: number;
  /** Bytes of the longest prefix shared with an earlier prompt of the same model and key. */
  sharedPrefixBytes: number;
  /** o200k tokens of that prefix. */
  sharedPrefixTokens: number;
  /** The reported cached tokens: sharedPrefixTokens counted in the provider's steps. */
  cachedTokens: number;
}

export interface FakePromptCacheOptions {
  /** Shorter shared prefixes are not cached (OpenAI: 1,024 tokens). */
  minTokens?: number;
  /** Cached tokens are counted in steps of this many above minTokens (OpenAI: 128). */
  increment?: number;
  /** An earlier prompt is matched only if sent at most this long ago (by `now`); default: forever. */
  idleTtlMs?: number;
  /** The clock idleTtlMs is measured on (default Date.now). */
  now?: () => number;
}

/** A POST /v1/audio/transcriptions request (multipart), kept apart from `requests`. */
export interface RecordedTranscription {
  fields: Record<string, string>;
  file: { filename: string; contentType: string; bytes: Buffer } | undefined;
}

/** The answer to a transcription: the JSON `{text}` (response_format json), or an error. */
export type FakeTranscriptionStep = { text: string } | FakeError;

export interface FakeOpenAI {
  /** Base URL including `/v1`, for OPENAI_BASE_URL / the SDK's baseURL. */
  readonly url: string;
  /** Every POST /v1/audio/transcriptions, in order (not in `requests`). */
  readonly transcriptions: RecordedTranscription[];
  /** Scripts transcription answers; with none queued the answer is `{"text":"(fake transcript)"}`. */
  queueTranscription(...steps: FakeTranscriptionStep[]): void;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Appends steps to the script. */
  queue(...steps: FakeStep[]): void;
  /** Steps not consumed yet. */
  readonly pending: number;
  /** Step used when the queue is empty (undefined = 400 `fake_queue_empty`). */
  setFallback(step: FakeStep | undefined): void;
  /**
   * Clears the script and the recorded requests (transcriptions too), and restarts generated ids
   * (resp_fake_1, call_fake_1 …). Output item ids (rs_/msg_/fc_fake_N) and what was emitted under them
   * are kept, as a real server would: a conversation may continue after a reset.
   */
  reset(): void;
  /**
   * With `promptCache`: the static prefixes (tool specs and instructions) of the requests so far stay cached
   * from now on, whatever idleTtlMs, as other guests' traffic keeps them warm.
   */
  keepWarm(): void;
  close(): Promise<void>;
}

export interface FakeOpenAIOptions {
  /** Parse request bodies (default true). The benchmark turns it off to measure only the client. */
  parseBodies?: boolean;
  fallback?: FakeStep;
  /**
   * Simulate the provider's prompt cache in the reported usage (see the header); needs parseBodies. The
   * cache is kept across reset(), like the emitted items.
   */
  promptCache?: boolean | FakePromptCacheOptions;
}

// ---------------------------------------------------------------------------------------------------
// Step builders

export function textReply(text: string, options: Omit<FakeReply, 'type' | 'text'> = {}): FakeReply {
  return { type: 'reply', text, ...options };
}

export function toolCallReply(calls: FakeToolCall[], options: Omit<FakeReply, 'type' | 'calls'> = {}): FakeReply {
  return { type: 'reply', calls, ...options };
}

export function errorReply(status: number, options: Omit<FakeError, 'type' | 'status'> = {}): FakeError {
  return { type: 'error', status, ...options };
}

export function rateLimitError(options: { retryAfterMs?: number; code?: string } = {}): FakeError {
  return errorReply(429, {
    message: 'Rate limit reached for requests',
    errorType: 'requests',
    code: options.code ?? 'rate_limit_exceeded',
    ...(options.retryAfterMs !== undefined ? { headers: { 'retry-after-ms': String(options.retryAfterMs) } } : {}),
  });
}

export function serverError(status = 500): FakeError {
  return errorReply(status, { message: 'The server had an error while processing your request.', errorType: 'server_error' });
}

/** What OpenAI answers when the Flex tier has no capacity for the request. */
export function flexUnavailableError(): FakeError {
  return errorReply(429, {
    message: 'Resource unavailable: the flex service tier is at capacity. Please retry later or use the default tier.',
    errorType: 'invalid_request_error',
    code: 'resource_unavailable',
  });
}

export function contextLengthError(): FakeError {
  return errorReply(400, {
    message: 'Your input exceeds the context window of this model.',
    errorType: 'invalid_request_error',
    code: 'context_length_exceeded',
    param: 'input',
  });
}

export function usage(inputTokens: number, cachedTokens = 0, outputTokens = 10, reasoningTokens = 0): FakeUsage {
  return { inputTokens, cachedTokens, outputTokens, reasoningTokens };
}

// ---------------------------------------------------------------------------------------------------
// Wire formats

const DEFAULT_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'invalid_request_error',
  404: 'invalid_request_error',
  429: 'rate_limit_error',
};

interface RenderState {
  n: number;
  callN: number;
  /** Output item ids (rs_/msg_/fc_), never restarted: replayed ids must stay unambiguous across reset(). */
  itemN: number;
  /** The reasoning items emitted and the items that followed them, by id. */
  emitted: Map<string, EmittedItem>;
}

interface EmittedItem {
  /** Reasoning only: what was sent as `encrypted_content`. */
  encrypted?: string | null;
  /** Reasoning only: the id of the output item right after it. */
  followedBy?: string;
  /** The id of the reasoning item right before it in its output. */
  reasoning?: string;
}

function fullUsage(step: FakeReply, req: RecordedRequest) {
  const text = step.text ?? '';
  return {
    input: step.usage?.inputTokens ?? req.promptCache?.promptTokens ?? Math.ceil(req.bytes / 4),
    cached: step.usage?.cachedTokens ?? req.promptCache?.cachedTokens ?? 0,
    output: step.usage?.outputTokens ?? Math.ceil(text.length / 4) + 10 * (step.calls?.length ?? 0),
    reasoning: step.usage?.reasoningTokens ?? 0,
  };
}

/** The tier a reply reports: the step's, else the one the request asked for (flex/priority), else default. */
function tierOf(step: FakeReply, req: RecordedRequest): string {
  if (step.serviceTier !== undefined) return step.serviceTier;
  const asked = req.body.service_tier;
  return typeof asked === 'string' && asked !== 'auto' ? asked : 'default';
}

function argumentsText(args: unknown): string {
  if (args === undefined) return '{}';
  return typeof args === 'string' ? args : JSON.stringify(args);
}

function renderResponses(step: FakeReply, req: RecordedRequest, state: RenderState): Record<string, unknown> {
  const n = state.n;
  const output: Record<string, unknown>[] = [];
  const include = Array.isArray(req.body.include) ? req.body.include : [];
  if (step.reasoning) {
    const k = ++state.itemN;
    output.push({
      id: `rs_fake_${k}`,
      type: 'reasoning',
      summary: step.reasoning.summary ? [{ type: 'summary_text', text: step.reasoning.summary }] : [],
      encrypted_content: include.includes('reasoning.encrypted_content') ? `gAAAA_fake_encrypted_${k}` : null,
    });
  }
  if (step.text) {
    output.push({
      id: `msg_fake_${++state.itemN}`,
      type: 'message',
      role: 'assistant',
      status: step.incomplete ? 'incomplete' : 'completed',
      content: [{ type: 'output_text', text: step.text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of step.calls ?? []) {
    const c = ++state.callN;
    output.push({
      id: `fc_fake_${++state.itemN}`,
      type: 'function_call',
      status: 'completed',
      call_id: call.callId ?? `call_fake_${c}`,
      name: call.name,
      arguments: argumentsText(call.arguments),
    });
  }
  remember(output, state.emitted);
  const u = fullUsage(step, req);
  return {
    id: `resp_fake_${n}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: step.incomplete ? 'incomplete' : 'completed',
    background: false,
    error: null,
    incomplete_details: step.incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: req.body.instructions ?? null,
    max_output_tokens: req.body.max_output_tokens ?? null,
    metadata: {},
    model: req.body.model ?? 'fake-model',
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: req.body.prompt_cache_key ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: tierOf(step, req),
    store: req.body.store ?? true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: req.body.tool_choice ?? 'auto',
    tools: req.body.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
    usage: {
      input_tokens: u.input,
      input_tokens_details: { cached_tokens: u.cached },
      output_tokens: u.output,
      output_tokens_details: { reasoning_tokens: u.reasoning },
      total_tokens: u.input + u.output,
    },
    user: null,
  };
}

/** Records the reasoning items of an output and the items right after them (nothing else is checked). */
function remember(output: readonly Record<string, unknown>[], emitted: Map<string, EmittedItem>): void {
  output.forEach((item, i) => {
    const prev = output[i - 1];
    const next = output[i + 1];
    if (item.type === 'reasoning') {
      emitted.set(String(item.id), {
        encrypted: item.encrypted_content as string | null,
        ...(next ? { followedBy: String(next.id) } : {}),
      });
    } else if (prev?.type === 'reasoning') {
      emitted.set(String(item.id), { reasoning: String(prev.id) });
    }
  });
}

function invalidInput(status: number, message: string, code: string | null = null): FakeError {
  return { type: 'error', status, message, errorType: 'invalid_request_error', param: 'input', code };
}

/** The real API's checks on replayed reasoning (see the header), as the error it would answer. */
function checkReasoningReplay(body: Record<string, unknown>, emitted: ReadonlyMap<string, EmittedItem>): FakeError | undefined {
  if (!Array.isArray(body.input)) return undefined;
  const input = body.input as unknown[];
  const idAt = (i: number): unknown => {
    const item = input[i];
    return item && typeof item === 'object' ? (item as Record<string, unknown>).id : undefined;
  };
  for (let i = 0; i < input.length; i++) {
    const item = input[i];
    if (!item || typeof item !== 'object') continue;
    const { id, type } = item as Record<string, unknown>;
    if (typeof id !== 'string') continue;
    const known = emitted.get(id);
    if (type === 'reasoning') {
      const encrypted = (item as Record<string, unknown>).encrypted_content;
      if (body.store === false && typeof encrypted !== 'string') {
        return invalidInput(
          404,
          `Item with id '${id}' not found. Items are not persisted when \`store\` is set to false. Try again with ` +
            '`store` set to true, or remove this item from your input.',
        );
      }
      // The fake can only decrypt what it encrypted.
      if (typeof encrypted === 'string' && known?.encrypted !== encrypted) {
        return invalidInput(
          400,
          `The encrypted content for item ${id} could not be verified.`,
          'invalid_encrypted_content',
        );
      }
      if (known?.followedBy !== undefined && idAt(i + 1) !== known.followedBy) {
        return invalidInput(400, `Item '${id}' of type 'reasoning' was provided without its required following item.`);
      }
    } else if (known?.reasoning !== undefined && idAt(i - 1) !== known.reasoning) {
      return invalidInput(
        400,
        `Item '${id}' of type '${String(type)}' was provided without its required 'reasoning' item: '${known.reasoning}'.`,
      );
    }
  }
  return undefined;
}

function renderChat(step: FakeReply, req: RecordedRequest, state: RenderState): Record<string, unknown> {
  const n = state.n;
  const toolCalls = (step.calls ?? []).map((call) => {
    const c = ++state.callN;
    return {
      id: call.callId ?? `call_fake_${c}`,
      type: 'function',
      function: { name: call.name, arguments: argumentsText(call.arguments) },
      ...(call.extraContent !== undefined ? { extra_content: call.extraContent } : {}),
    };
  });
  const u = fullUsage(step, req);
  return {
    id: `chatcmpl-fake-${n}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: req.body.model ?? 'fake-model',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: step.text ? step.text : null,
          refusal: null,
          annotations: [],
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toolCalls.length > 0 ? 'tool_calls' : step.incomplete ? 'length' : 'stop',
      },
    ],
    usage: {
      prompt_tokens: u.input,
      completion_tokens: u.output,
      total_tokens: u.input + u.output,
      prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: u.reasoning,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: tierOf(step, req),
    system_fingerprint: null,
  };
}

// ---------------------------------------------------------------------------------------------------
// Prompt cache simulation

/**
 * The prompt a request puts in front of the model, in the order a provider caches it: the tool specs, the
 * instructions (Responses), then each input item or message as JSON, one a line. Two requests share a
 * cached prefix exactly as far as these texts are identical.
 */
export function promptText(api: FakeApi, body: Record<string, unknown>): string {
  const lines: string[] = [JSON.stringify(body.tools ?? [])];
  if (api === 'responses') {
    lines.push(typeof body.instructions === 'string' ? body.instructions : '');
    const input = body.input;
    if (typeof input === 'string') lines.push(JSON.stringify(input));
    else if (Array.isArray(input)) for (const item of input) lines.push(JSON.stringify(item));
  } else if (Array.isArray(body.messages)) {
    for (const message of body.messages) lines.push(JSON.stringify(message));
  }
  return lines.join('\n');
}

/** Length in UTF-16 units of the longest common prefix of two strings (never splitting a surrogate pair). */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i > 0 && i < n) {
    const c = a.charCodeAt(i - 1);
    if (c >= 0xd800 && c <= 0xdbff) i--;
  }
  return i;
}

const TOKENIZE_ANY = { disallowedSpecial: new Set<string>() };
const tokensOf = (text: string) => (text.length === 0 ? 0 : countTokens(text, TOKENIZE_ANY));
/** Earlier prompts remembered per model and key (the oldest are forgotten). */
const CACHE_ENTRIES_PER_KEY = 64;

/** The tool specs and instructions of a prompt (promptText's first two lines, Responses). */
function staticPrefixOf(api: FakeApi, body: Record<string, unknown>): string {
  if (api !== 'responses') return JSON.stringify(body.tools ?? []);
  return `${JSON.stringify(body.tools ?? [])}\n${typeof body.instructions === 'string' ? body.instructions : ''}`;
}

class PromptCacheSim {
  private readonly entries = new Map<string, { prompt: string; at: number }[]>();
  private readonly seenStatic = new Map<string, Set<string>>();
  private readonly warm = new Map<string, Set<string>>();
  private readonly minTokens: number;
  private readonly increment: number;
  private readonly idleTtlMs: number;
  private readonly now: () => number;

  constructor(options: FakePromptCacheOptions) {
    this.minTokens = options.minTokens ?? 1024;
    this.increment = Math.max(1, options.increment ?? 128);
    this.idleTtlMs = options.idleTtlMs ?? Infinity;
    this.now = options.now ?? Date.now;
  }

  keepWarm(): void {
    for (const [slot, prefixes] of this.seenStatic) {
      const warm = this.warm.get(slot) ?? new Set<string>();
      for (const p of prefixes) warm.add(p);
      this.warm.set(slot, warm);
    }
  }

  /** Looks the request's prompt up, then remembers it. */
  serve(api: FakeApi, body: Record<string, unknown>): FakePromptCacheHit {
    const key = typeof body.prompt_cache_key === 'string' ? body.prompt_cache_key : '';
    const slot = `${String(body.model)}\u0000${key}`;
    const prompt = promptText(api, body);
    const now = this.now();
    const earlier = (this.entries.get(slot) ?? []).filter((e) => now - e.at <= this.idleTtlMs);
    let shared = 0;
    for (const e of earlier) shared = Math.max(shared, commonPrefixLength(prompt, e.prompt));
    for (const w of this.warm.get(slot) ?? []) shared = Math.max(shared, commonPrefixLength(prompt, w));
    const prefix = prompt.slice(0, shared);
    const sharedPrefixTokens = tokensOf(prefix);
    const cachedTokens =
      sharedPrefixTokens < this.minTokens
        ? 0
        : this.minTokens + Math.floor((sharedPrefixTokens - this.minTokens) / this.increment) * this.increment;
    earlier.push({ prompt, at: now });
    if (earlier.length > CACHE_ENTRIES_PER_KEY) earlier.shift();
    this.entries.set(slot, earlier);
    const seen = this.seenStatic.get(slot) ?? new Set<string>();
    seen.add(staticPrefixOf(api, body));
    this.seenStatic.set(slot, seen);
    return {
      key,
      promptTokens: tokensOf(prompt),
      promptBytes: Buffer.byteLength(prompt),
      sharedPrefixBytes: Buffer.byteLength(prefix),
      sharedPrefixTokens,
      cachedTokens,
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// Server

function apiOf(method: string, path: string): FakeApi | 'other' {
  if (method !== 'POST') return 'other';
  if (path === '/v1/responses') return 'responses';
  if (path === '/v1/chat/completions') return 'chat_completions';
  return 'other';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const parseBodies = options.parseBodies ?? true;
  const steps: FakeStep[] = [];
  const requests: RecordedRequest[] = [];
  let fallback = options.fallback;
  const state: RenderState = { n: 0, callN: 0, itemN: 0, emitted: new Map() };
  const transcriptions: RecordedTranscription[] = [];
  const transcriptionSteps: FakeTranscriptionStep[] = [];
  const promptCache = options.promptCache ? new PromptCacheSim(options.promptCache === true ? {} : options.promptCache) : undefined;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-request-id': `req_fake_${state.n}`,
      'openai-processing-ms': '1',
      ...headers,
    });
    res.end(payload);
  };

  const sendError = (res: ServerResponse, step: FakeError) =>
    send(
      res,
      step.status,
      {
        error: {
          message: step.message ?? `fake-openai error ${step.status}`,
          type: step.errorType ?? DEFAULT_ERROR_TYPES[step.status] ?? 'server_error',
          code: step.code ?? null,
          param: step.param ?? null,
        },
      },
      step.headers,
    );

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (req.method === 'POST' && path === '/v1/audio/transcriptions') {
        const recordedT: RecordedTranscription = { fields: {}, file: undefined };
        const fd = await new Response(new Uint8Array(raw), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
        for (const [field, value] of fd.entries()) {
          if (typeof value === 'string') recordedT.fields[field] = value;
          else if (field === 'file') {
            recordedT.file = { filename: value.name, contentType: value.type, bytes: Buffer.from(await value.arrayBuffer()) };
          }
        }
        transcriptions.push(recordedT);
        const t = transcriptionSteps.shift() ?? { text: '(fake transcript)' };
        if ('type' in t) {
          send(res, t.status, { error: { message: t.message ?? `fake-openai error ${t.status}`, type: t.errorType ?? 'server_error', code: t.code ?? null, param: null } });
        } else {
          send(res, 200, { text: t.text, usage: { type: 'tokens', input_tokens: 10, output_tokens: 5, total_tokens: 15 } });
        }
        return;
      }
      let body: Record<string, unknown> = {};
      if (parseBodies && raw.length > 0) {
        try {
          const parsed: unknown = JSON.parse(raw.toString('utf8'));
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
        } catch {
          // recorded as {}
        }
      }
      const recorded: RecordedRequest = {
        api: apiOf(req.method ?? 'GET', path),
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body,
        bytes: raw.length,
        receivedAt: Date.now(),
      };
      requests.push(recorded);
      state.n++;

      if (recorded.api === 'other') {
        send(res, 404, {
          error: { message: `fake-openai: no route ${recorded.method} ${path}`, type: 'invalid_request_error', code: null, param: null },
        });
        return;
      }
      const rejected = recorded.api === 'responses' ? checkReasoningReplay(body, state.emitted) : undefined;
      if (rejected) {
        sendError(res, rejected);
        return;
      }
      const next = steps.shift() ?? fallback;
      if (next === undefined) {
        send(res, 400, {
          error: {
            message: 'fake-openai: no scripted reply left',
            type: 'invalid_request_error',
            code: 'fake_queue_empty',
            param: null,
          },
        });
        return;
      }
      const step = typeof next === 'function' ? next(recorded) : next;
      if (step.type === 'disconnect') {
        req.socket.destroy();
        return;
      }
      if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
      if (res.destroyed) return;
      if (step.type === 'error') {
        sendError(res, step);
      } else if (step.type === 'raw') {
        send(res, step.status, step.body, step.headers);
      } else {
        if (promptCache) recorded.promptCache = promptCache.serve(recorded.api, body);
        const rendered =
          recorded.api === 'responses' ? renderResponses(step, recorded, state) : renderChat(step, recorded, state);
        send(res, 200, rendered, step.headers);
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { message: String(err), type: 'server_error', code: null, param: null } });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    transcriptions,
    queueTranscription: (...more) => {
      transcriptionSteps.push(...more);
    },
    queue: (...more) => {
      steps.push(...more);
    },
    get pending() {
      return steps.length;
    },
    setFallback: (step) => {
      fallback = step;
    },
    reset: () => {
      steps.length = 0;
      requests.length = 0;
      transcriptions.length = 0;
      transcriptionSteps.length = 0;
      state.n = 0;
      state.callN = 0;
    },
    keepWarm: () => promptCache?.keepWarm(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
