import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest, postJson } from '../../src/channels/http.js';
import { failure } from './helpers.js';

type Handler = Parameters<typeof createServer>[1];
const servers: Array<ReturnType<typeof createServer>> = [];

async function serve(handler: NonNullable<Handler>): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('httpRequest', () => {
  it('returns parsed JSON for 2xx and tolerates non-JSON bodies', async () => {
    const url = await serve((req, res) => {
      res.writeHead(200, { 'content-type': req.url === '/json' ? 'application/json' : 'text/plain' });
      res.end(req.url === '/json' ? '{"a":1}' : 'plain ok');
    });
    expect((await postJson(`${url}/json`, { x: 1 })).json).toEqual({ a: 1 });
    const plain = await httpRequest({ method: 'GET', url: `${url}/text` });
    expect(plain.json).toBeUndefined();
    expect(plain.text).toBe('plain ok');
  });

  it('maps statuses to ChannelError codes', async () => {
    const url = await serve((req, res) => {
      const status = Number(req.url?.slice(1));
      if (status === 429) res.writeHead(429, { 'retry-after': '7' });
      else if (status === 502) res.writeHead(502, { 'content-type': 'text/html' });
      else res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 502 ? '<html>Bad gateway</html>' : JSON.stringify({ message: `failure ${status}` }));
    });
    const limited = await failure(postJson(`${url}/429`, {}));
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.retryable).toBe(true);
    expect(limited.options.retryAfterMs).toBe(7000);

    const bad = await failure(postJson(`${url}/502`, {}, { label: 'Test call' }));
    expect(bad.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(bad.retryable).toBe(true);
    expect(bad.message).toContain('Test call: HTTP 502');
    expect(bad.message).toContain('Bad gateway');

    const rejected = await failure(postJson(`${url}/400`, {}));
    expect(rejected.code).toBe('REJECTED');
    expect(rejected.retryable).toBe(false);
    expect(rejected.options.status).toBe(400);
    expect(rejected.message).toContain('failure 400');
  });

  it('maps a timeout to a retryable UPSTREAM_UNAVAILABLE', async () => {
    const url = await serve((_req, res) => {
      setTimeout(() => res.end('{}'), 300).unref();
    });
    const err = await failure(postJson(url, {}, { timeoutMs: 30 }));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/no response within 30 ms/);
  });

  it('maps a refused connection to a retryable UPSTREAM_UNAVAILABLE', async () => {
    const url = await serve((_req, res) => res.end());
    const s = servers.pop()!;
    await new Promise((r) => s.close(r));
    const err = await failure(postJson(url, {}));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('rethrows a caller abort as is', async () => {
    const url = await serve((_req, res) => {
      setTimeout(() => res.end('{}'), 300).unref();
    });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    setTimeout(() => controller.abort(reason), 20);
    await expect(postJson(url, {}, { signal: controller.signal })).rejects.toBe(reason);
  });
});
