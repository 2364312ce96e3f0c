// Starts the real app on a loopback port, pointed at fake WATI and ManyChat servers.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildApp, type AppOptions } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { startFakeManychat, type FakeManychat } from './fake-manychat.js';
import { startFakeWati, type FakeWati } from './fake-wati.js';
import { testConfig } from './test-config.js';

export interface Harness {
  app: FastifyInstance;
  url: string;
  config: Config;
  wati: FakeWati;
  manychat: FakeManychat;
  post(path: string, body: unknown, opts?: { headers?: Record<string, string>; raw?: string }): Promise<{ status: number; body: unknown }>;
  get(path: string): Promise<{ status: number; body: unknown; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

export interface HarnessOptions extends Omit<Partial<AppOptions>, 'config'> {
  env?: Record<string, string | undefined>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const wati = await startFakeWati();
  const manychat = await startFakeManychat();
  const config = testConfig({
    WATI_API_URL: wati.url,
    WATI_API_KEY: wati.apiKey,
    MANYCHAT_API_URL: manychat.url,
    MANYCHAT_API_KEY: manychat.facebookApiKey,
    MANYCHAT_INSTAGRAM_API_KEY: manychat.instagramApiKey,
    ...opts.env,
  });
  const { env: _env, ...appOptions } = opts;
  const app = await buildApp({ sendRetry: FAST_RETRY, shutdownGraceMs: 2_000, ...appOptions, config });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });

  return {
    app,
    url,
    config,
    wati,
    manychat,
    async post(path, body, { headers = {}, raw } = {}) {
      const res = await request(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: raw ?? JSON.stringify(body),
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    async get(path) {
      const res = await request(`${url}${path}`);
      const buf = Buffer.from(await res.body.arrayBuffer());
      let body: unknown = buf;
      if (String(res.headers['content-type'] ?? '').includes('json')) body = JSON.parse(buf.toString('utf8')) as unknown;
      return { status: res.statusCode, body, headers: res.headers };
    },
    async close() {
      await app.close();
      await Promise.all([wati.close(), manychat.close()]);
    },
  };
}

export function fixture(name: string): Record<string, unknown> {
  // Read fresh each time so tests may mutate their copy.
  return JSON.parse(readFixture(name)) as Record<string, unknown>;
}

function readFixture(name: string): string {
  return readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'payloads', name), 'utf8');
}
