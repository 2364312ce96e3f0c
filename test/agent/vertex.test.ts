// LLM_PROVIDER=vertex (src/agent/vertex.ts): service-account access tokens through google-auth-library, on
// loopback only. The tests generate an RSA service-account key whose token_uri points at a fake OAuth token
// endpoint (it checks the JWT-bearer grant and the assertion's signature with the public key, and issues
// `ya29.test-<n>` tokens for an hour by the test's clock), and a fake Vertex endpoint (fake-openai) that
// answers 401 to any bearer but the current unexpired token.
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { classifyError, AccessTokenError } from '../../src/agent/errors.js';
import { vertexBaseUrl } from '../../src/core/model-rules.js';
import { CLOUD_PLATFORM_SCOPE, GOOGLE_TOKEN_URL, readServiceAccountKey, ServiceAccountTokens } from '../../src/agent/vertex.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import {
  errorReply,
  startFakeOpenAI,
  textReply,
  toolCallReply,
  type FakeOpenAI,
  type FakeStepObject,
  type RecordedRequest,
} from '../support/fake-openai.js';
import { makeAgent, testConfig, textMessage, TUESDAY_10AM, turnOf, WA_ID, type Harness } from './helpers.js';

const MINUTE = 60_000;
const CLIENT_EMAIL = 'watibot@hotel-test.iam.gserviceaccount.com';

// ---------------------------------------------------------------------------------------------------
// The service account's key, generated per run

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** A line from the middle of the PEM body: private material that must never reach a log. */
const privateLine = privatePem.split('\n')[10] ?? '';

function writeKeyFile(tokenUri: string, key = privatePem): string {
  const dir = mkdtempSync(join(tmpdir(), 'wb3-vertex-'));
  const path = join(dir, 'service-account.json');
  writeFileSync(
    path,
    JSON.stringify({
      type: 'service_account',
      project_id: 'hotel-test',
      private_key_id: 'k1',
      private_key: key,
      client_email: CLIENT_EMAIL,
      client_id: '100000000000000000001',
      auth_uri: 'http://127.0.0.1:9/auth',
      token_uri: tokenUri,
    }),
  );
  return path;
}

// ---------------------------------------------------------------------------------------------------
// The fake OAuth token endpoint

interface Issued {
  token: string;
  issuedAt: number;
}

interface TokenEndpoint {
  url: string;
  /** Token requests received (good or bad). */
  requests: number;
  issued: Issued[];
  /** Answer the next n requests with this status (then issue tokens again). */
  failNext(n: number, status: number): void;
  /** Whether `token` is the latest issued one and unexpired by the clock. */
  isCurrent(token: string): boolean;
  close(): Promise<void>;
}

function b64json(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function startTokenEndpoint(key: KeyObject, now: () => number): Promise<TokenEndpoint> {
  const issued: Issued[] = [];
  let failing = { n: 0, status: 0 };
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (failing.n > 0) {
        failing = { ...failing, n: failing.n - 1 };
        return send(failing.status, { error: 'temporarily_unavailable' });
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (req.method !== 'POST' || req.url !== '/token') return send(404, { error: 'not_found' });
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return send(400, { error: 'unsupported_grant_type' });
      const [header, payload, signature] = (form.get('assertion') ?? '').split('.');
      const signed = verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature ?? '', 'base64url'));
      if (!signed || b64json(header).alg !== 'RS256') return send(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      const claims = b64json(payload);
      if (claims.iss !== CLIENT_EMAIL || claims.scope !== CLOUD_PLATFORM_SCOPE || claims.aud !== GOOGLE_TOKEN_URL) {
        return send(400, { error: 'invalid_scope' });
      }
      const token = `ya29.test-${issued.length + 1}`;
      issued.push({ token, issuedAt: now() });
      return send(200, { access_token: token, expires_in: 3600, token_type: 'Bearer' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/token`,
    get requests() {
      return requests;
    },
    issued,
    failNext: (n, status) => void (failing = { n, status }),
    isCurrent: (token) => {
      const last = issued.at(-1);
      return last !== undefined && last.token === token && now() < last.issuedAt + 3600_000;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback URL nothing listens on. */
async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/token`;
}

// ---------------------------------------------------------------------------------------------------
// Shared state: the clock of the agent under test, its logs, the fakes

let now = TUESDAY_10AM;
const clock = { now: () => now, set: (ms: number) => void (now = ms) };
const logLines: string[] = [];
const log = createLogger('trace', { write: (line: string) => void logLines.push(line) });

let tokens: TokenEndpoint;
let vertex: FakeOpenAI;

function bearer(req: RecordedRequest): string {
  const value = req.headers.authorization;
  return typeof value === 'string' ? value.replace(/^Bearer /, '') : '';
}

/** `step` if the request carries the current token, else Vertex's 401. */
function authorized(step: FakeStepObject): (req: RecordedRequest) => FakeStepObject {
  return (req) =>
    tokens.isCurrent(bearer(req))
      ? step
      : errorReply(401, { message: 'Request had invalid authentication credentials.', errorType: 'UNAUTHENTICATED', code: null });
}

function vertexAgent(keyFile: string, env: Record<string, string> = {}): Harness {
  const config = testConfig('responses', vertex.url, {
    LLM_PROVIDER: 'vertex',
    VERTEX_PROJECT_ID: 'hotel-test',
    VERTEX_LOCATION: 'us-central1',
    GOOGLE_APPLICATION_CREDENTIALS: keyFile,
    OPENAI_API_KEY: '',
    OPENAI_MODEL: 'google/gemini-2.5-pro',
    LLM_OPENAI_DIALECT: 'auto',
    ...env,
  });
  const h = makeAgent(config, { clock, log });
  return { ...h, clock };
}

function turnAt(ms: number, text: string) {
  clock.set(ms);
  return { ...turnOf([textMessage(text)]), log };
}

beforeAll(async () => {
  tokens = await startTokenEndpoint(publicKey, clock.now);
  vertex = await startFakeOpenAI({ fallback: authorized(textReply('¡Con gusto!')) });
});

afterAll(async () => {
  await Promise.all([tokens.close(), vertex.close()]);
  // Whatever happened in the tests, no log line held the key, a token or a bearer header.
  const all = logLines.join('');
  expect(all).not.toContain(privateLine);
  expect(all).not.toContain('PRIVATE KEY');
  expect(all).not.toMatch(/ya29\.|Bearer /);
});

afterEach(() => {
  vertex.reset();
});

describe('Vertex AI with service-account access tokens', () => {
  it('uses one token within the hour and another an hour later; the expired one is refused', async () => {
    const keyFile = writeKeyFile(tokens.url);
    const h = vertexAgent(keyFile);
    const before = tokens.requests;
    expect(h.agent.readiness()).toMatchObject({ ready: true, reasons: [] });

    // Turn 1: a tool round and the answer (two calls); turn 2, 30 minutes later: one call. One token.
    vertex.queue(authorized(toolCallReply([{ name: 'check_office_status' }])));
    const first = await h.agent.respond(turnAt(TUESDAY_10AM, 'Hola, ¿está abierta la oficina?'));
    expect(first).toMatchObject({ outcome: 'answered', reply: '¡Con gusto!' });
    const second = await h.agent.respond(turnAt(TUESDAY_10AM + 30 * MINUTE, '¿Y mañana?'));
    expect(second).toMatchObject({ outcome: 'answered' });
    expect(tokens.requests - before).toBe(1);
    const firstToken = tokens.issued.at(-1)?.token ?? '';

    // Turn 3, 61 minutes after the first: the cached token has expired, so a new one is fetched.
    const third = await h.agent.respond(turnAt(TUESDAY_10AM + 61 * MINUTE, 'Gracias'));
    expect(third).toMatchObject({ outcome: 'answered' });
    expect(tokens.requests - before).toBe(2);
    const secondToken = tokens.issued.at(-1)?.token ?? '';
    expect(secondToken).not.toBe(firstToken);

    expect(vertex.requests.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${firstToken}`,
      `Bearer ${firstToken}`,
      `Bearer ${firstToken}`,
      `Bearer ${secondToken}`,
    ]);
    // Chat Completions semantics with the Vertex model name, and no OpenAI-only fields (auto dialect).
    for (const req of vertex.requests) {
      expect(req.api).toBe('chat_completions');
      expect(req.body.model).toBe('google/gemini-2.5-pro');
      expect(req.body).not.toHaveProperty('store');
    }
    // The fake really refuses the first token now (expired and replaced).
    const stale = await fetch(`${vertex.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${firstToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'google/gemini-2.5-pro', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(stale.status).toBe(401);
  });

  it('refreshes five minutes before expiry and shares one request among concurrent callers', async () => {
    const provider = new ServiceAccountTokens({ keyFile: writeKeyFile(tokens.url), clock, log });
    const before = tokens.requests;
    clock.set(TUESDAY_10AM);
    const [a, b, c] = await Promise.all([provider.token(), provider.token(), provider.token()]);
    expect(new Set([a, b, c]).size).toBe(1);
    expect(tokens.requests - before).toBe(1);
    clock.set(TUESDAY_10AM + 54 * MINUTE);
    expect(await provider.token()).toBe(a);
    clock.set(TUESDAY_10AM + 56 * MINUTE);
    const refreshed = await provider.token();
    expect(refreshed).not.toBe(a);
    expect(tokens.requests - before).toBe(2);
    // A refused token is dropped (only that one): the next call fetches another.
    provider.invalidate(a);
    expect(await provider.token()).toBe(refreshed);
    provider.invalidate(refreshed);
    expect(await provider.token()).not.toBe(refreshed);
    expect(tokens.requests - before).toBe(3);
  });

  it('a token endpoint that is down fails the turn with the fallback, retryably, without a crash', async () => {
    const h = vertexAgent(writeKeyFile(await closedUrl()));
    const turn = turnAt(TUESDAY_10AM, 'Hola');
    const result = await h.agent.respond(turn);
    expect(result).toMatchObject({ outcome: 'failed', errorClass: 'auth_unavailable' });
    expect(vertex.requests).toHaveLength(0);
    result.commit?.();
    const store = new ConversationStore(h.db);
    const [stored] = store.listTurns(WA_ID);
    expect(stored).toMatchObject({ status: 'failed', errorClass: 'auth_unavailable' });
    // Retried like any transient model-call error (makeAgent allows 3 attempts).
    expect(store.listCalls(stored?.id ?? -1).map((c) => c.errorClass)).toEqual(['auth_unavailable', 'auth_unavailable', 'auth_unavailable']);
    const items = store.listItems(WA_ID).map((s) => s.item);
    expect(items.at(-1)).toMatchObject({ kind: 'assistant', synthetic: true, text: h.config.fallbackReply });
    // The operator sees why, in words that hold nothing secret.
    expect(logLines.join('')).toMatch(/could not reach the token endpoint \(ECONNREFUSED\)/);
  });

  it('a token endpoint that fails briefly is retried within the turn', async () => {
    const h = vertexAgent(writeKeyFile(tokens.url));
    tokens.failNext(2, 503);
    const result = await h.agent.respond(turnAt(TUESDAY_10AM + 200 * MINUTE, 'Hola'));
    expect(result).toMatchObject({ outcome: 'answered', reply: '¡Con gusto!' });
    expect(logLines.join('')).toContain('the token endpoint answered 503 (temporarily_unavailable)');
  });

  it('a key the endpoint does not accept is auth_unavailable, and the reason names the OAuth error only', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const provider = new ServiceAccountTokens({ keyFile: writeKeyFile(tokens.url, other), clock, log });
    const err = await provider.token().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AccessTokenError);
    expect((err as Error).message).toBe('no Vertex AI access token: the token endpoint answered 400 (invalid_grant)');
    expect(classifyError(err)).toMatchObject({ errorClass: 'auth_unavailable', retryable: true });
  });

  it('a token Vertex refuses is replaced at the next turn', async () => {
    const h = vertexAgent(writeKeyFile(tokens.url));
    const t0 = TUESDAY_10AM + 400 * MINUTE;
    expect(await h.agent.respond(turnAt(t0, 'Hola'))).toMatchObject({ outcome: 'answered' });
    // Revoked on Google's side (here: another client got a newer token, the fake accepts only the latest).
    const provider = new ServiceAccountTokens({ keyFile: writeKeyFile(tokens.url), clock });
    await provider.token();
    expect(await h.agent.respond(turnAt(t0 + MINUTE, 'Hola'))).toMatchObject({ outcome: 'failed', errorClass: 'auth_error' });
    expect(await h.agent.respond(turnAt(t0 + 2 * MINUTE, 'Hola'))).toMatchObject({ outcome: 'answered' });
    const sent = vertex.requests.map((r) => bearer(r));
    expect(sent[1]).toBe(sent[0]);
    expect(sent[2]).not.toBe(sent[1]);
  });

  it('readiness does not ask for OPENAI_API_KEY, and names an unusable key file', () => {
    const missing = join(tmpdir(), 'wb3-no-such-dir', 'key.json');
    const h = vertexAgent(missing);
    expect(h.agent.readiness()).toMatchObject({ ready: false, reasons: ['GOOGLE_APPLICATION_CREDENTIALS: cannot read the key file (ENOENT)'] });
    const notJson = join(mkdtempSync(join(tmpdir(), 'wb3-vertex-')), 'key.json');
    writeFileSync(notJson, `not json ${privatePem}`);
    expect(() => readServiceAccountKey(notJson)).toThrow('GOOGLE_APPLICATION_CREDENTIALS: the key file is not JSON');
    const badPem = writeKeyFile(tokens.url, '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n');
    expect(() => readServiceAccountKey(badPem)).toThrow("GOOGLE_APPLICATION_CREDENTIALS: the key file's private_key is not a PEM private key");
  });
});

describe('LLM_PROVIDER=vertex configuration', () => {
  const vertexEnv = {
    LLM_PROVIDER: 'vertex',
    VERTEX_PROJECT_ID: 'hotel-bot-123',
    VERTEX_LOCATION: 'us-central1',
    GOOGLE_APPLICATION_CREDENTIALS: '/etc/watibot3/sa.json',
    OPENAI_MODEL: 'google/gemini-2.5-pro',
  };

  it('builds the Vertex base URL (global has no regional host); OPENAI_BASE_URL overrides it', () => {
    const c = loadConfig(vertexEnv);
    expect(c.llm).toMatchObject({
      provider: 'vertex',
      vertex: { projectId: 'hotel-bot-123', location: 'us-central1', credentialsFile: '/etc/watibot3/sa.json' },
      baseUrl: 'https://us-central1-aiplatform.googleapis.com/v1/projects/hotel-bot-123/locations/us-central1/endpoints/openapi',
      api: 'chat_completions',
      apiKey: undefined,
    });
    expect(loadConfig({ ...vertexEnv, VERTEX_LOCATION: 'global' }).llm.baseUrl).toBe(
      'https://aiplatform.googleapis.com/v1/projects/hotel-bot-123/locations/global/endpoints/openapi',
    );
    expect(vertexBaseUrl('p-123456', 'europe-west4')).toBe(
      'https://europe-west4-aiplatform.googleapis.com/v1/projects/p-123456/locations/europe-west4/endpoints/openapi',
    );
    expect(loadConfig({ ...vertexEnv, OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1/' }).llm.baseUrl).toBe('http://127.0.0.1:9999/v1');
    // Vertex has no Responses API: LLM_API is chat_completions whatever it says.
    expect(loadConfig({ ...vertexEnv, LLM_API: 'responses' }).llm.api).toBe('chat_completions');
    expect(loadConfig({}).llm).toMatchObject({ provider: 'openai', vertex: undefined, baseUrl: undefined, api: 'responses' });
  });

  it('requires the project, the location and the key file together, each by name', () => {
    try {
      loadConfig({ LLM_PROVIDER: 'vertex' });
      expect.unreachable('loadConfig accepted LLM_PROVIDER=vertex alone');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.toSorted()).toEqual([
        'GOOGLE_APPLICATION_CREDENTIALS: is required when LLM_PROVIDER=vertex',
        'VERTEX_LOCATION: is required when LLM_PROVIDER=vertex',
        'VERTEX_PROJECT_ID: is required when LLM_PROVIDER=vertex',
      ]);
    }
    expect(() => loadConfig({ ...vertexEnv, VERTEX_LOCATION: 'us-central1.evil.example/x' })).toThrow(/VERTEX_LOCATION: must be a Vertex AI location/);
    expect(() => loadConfig({ ...vertexEnv, VERTEX_PROJECT_ID: 'Hotel Bot' })).toThrow(/VERTEX_PROJECT_ID: must be a Google Cloud project id/);
    expect(() => loadConfig({ LLM_PROVIDER: 'azure' })).toThrow(/LLM_PROVIDER/);
  });

  it('the logger redacts an Authorization header however it is spelled', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    logger.info({ headers: { Authorization: 'Bearer ya29.secret' } }, 'a');
    logger.info({ request: { headers: { authorization: 'Bearer ya29.secret' } } }, 'b');
    logger.info({ Authorization: 'Bearer ya29.secret' }, 'c');
    expect(lines).toHaveLength(3);
    expect(lines.join('')).not.toContain('ya29.secret');
  });
});
