// The Conversations API client: paging with after/has_more, 429 with Retry-After, bounded retries on 5xx,
// no retry on 4xx, and a bounded timeout.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConversationsApiError, createConversationsClient } from '../../src/legacy/openai-conversations.js';
import { startFakeConversations } from './legacy-fixtures.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function serve(handler: (count: number, res: ServerResponse) => void): Promise<{ url: string; count: () => number }> {
  let n = 0;
  const server: Server = createServer((_req, res) => handler(++n, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, count: () => n };
}

const FAST = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 };

describe('Conversations API client', () => {
  it('pages oldest first through a 429 (Retry-After honoured) and keeps only user/assistant texts', async () => {
    const api = await startFakeConversations('sk-x');
    closers.push(() => api.close());
    const client = createConversationsClient({ apiKey: 'sk-x', baseUrl: api.url, retry: FAST });
    const got = await client.fetchItems('conv_A');
    expect(got.items.map((i) => `${i.role}: ${i.text}`)).toEqual([
      'user: Hola, quiero reservar',
      'assistant: ¡Hola! ¿Para qué fechas?',
      'user: Del 20 al 22 somos dos',
      'assistant: Perfecto, le cotizo.',
    ]);
    expect(got).toMatchObject({ leftOut: 2, pages: 3 });
    expect(api.requests.map((r) => r.status)).toEqual([429, 200, 200, 200]);
    expect(api.requests[1]!.path).toContain('order=asc');
    expect(api.requests[2]!.path).toContain('after=msg_a1');
  });

  it('gives up after a bounded number of 5xx, and at once on a 4xx', async () => {
    const failing = await serve((_n, res) => res.writeHead(503).end('{}'));
    const client = createConversationsClient({ apiKey: 'k', baseUrl: failing.url, retry: FAST });
    await expect(client.fetchItems('conv_x')).rejects.toThrow(/HTTP 503 after 3 attempts/);
    expect(failing.count()).toBe(3);

    const missing = await serve((_n, res) => res.writeHead(404).end('{}'));
    await expect(createConversationsClient({ apiKey: 'k', baseUrl: missing.url, retry: FAST }).fetchItems('conv_x')).rejects.toBeInstanceOf(ConversationsApiError);
    expect(missing.count()).toBe(1);
  });

  it('a 429 asking for an hour is retried a bounded number of times, each wait capped at 30 s', async () => {
    const limited = await serve((_n, res) => res.writeHead(429, { 'retry-after': '3600' }).end('{}'));
    const waits: number[] = [];
    // The default policy; only the waiting is recorded instead of done.
    const client = createConversationsClient({ apiKey: 'k', baseUrl: limited.url, sleepFn: async (ms) => void waits.push(ms) });
    await expect(client.fetchItems('conv_x')).rejects.toThrow(/HTTP 429 after 4 attempts/);
    expect(limited.count()).toBe(4);
    expect(waits).toEqual([30_000, 30_000, 30_000]);
  });

  it('times out a server that does not answer', async () => {
    const silent = await serve(() => undefined);
    const client = createConversationsClient({ apiKey: 'k', baseUrl: silent.url, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 }, timeoutMs: 100 });
    const t0 = Date.now();
    await expect(client.fetchItems('conv_x')).rejects.toThrow(/after 2 attempts/);
    expect(Date.now() - t0).toBeLessThan(3_000);
  });
});
