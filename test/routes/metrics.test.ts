// Who may scrape GET /metrics: loopback only unless METRICS_PUBLIC=true (else the ordinary 404), and the
// bearer token when METRICS_TOKEN is set.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/app-harness.js';

describe('GET /metrics access', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const scrape = (remoteAddress: string, headers: Record<string, string> = {}) =>
    h!.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });

  it('METRICS_TOKEN: 401 without it or with a wrong one, 200 with it', async () => {
    h = await startHarness({ env: { METRICS_TOKEN: 'scrape-secret' } });
    const none = await scrape('127.0.0.1');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(none.body).not.toContain('watibot3_');
    expect((await scrape('127.0.0.1', { authorization: 'Bearer scrape-secre' })).statusCode).toBe(401);
    expect((await scrape('127.0.0.1', { authorization: 'Bearer scrape-secret-and-more' })).statusCode).toBe(401);
    expect((await scrape('127.0.0.1', { authorization: 'Basic scrape-secret' })).statusCode).toBe(401);
    const ok = await scrape('127.0.0.1', { authorization: 'Bearer scrape-secret' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.body).toContain('# TYPE watibot3_turns_total counter');
    // Over the real socket too (the harness listens on 127.0.0.1).
    expect((await h.get('/metrics')).status).toBe(401);
  });

  it('METRICS_PUBLIC=false (the default): a non-loopback address gets the ordinary 404; loopback is served', async () => {
    h = await startHarness();
    const outside = await scrape('10.0.0.5');
    const missing = await h.app.inject({ method: 'GET', url: '/no-such-route', remoteAddress: '10.0.0.5' });
    expect(outside.statusCode).toBe(404);
    expect(outside.json()).toEqual({ error: 'NOT_FOUND', message: 'Route GET /metrics not found' });
    expect(missing.json()).toEqual({ error: 'NOT_FOUND', message: 'Route GET /no-such-route not found' });
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
      expect((await scrape(address)).statusCode, address).toBe(200);
    }
    for (const address of ['::ffff:10.0.0.5', '192.168.1.20', 'fe80::1']) {
      expect((await scrape(address)).statusCode, address).toBe(404);
    }
    // Through a reverse proxy on the same host the peer is loopback but the scraper is not.
    expect((await scrape('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).statusCode).toBe(404);
    expect((await scrape('127.0.0.1', { forwarded: 'for=203.0.113.9' })).statusCode).toBe(404);
    expect((await h.get('/metrics')).status).toBe(200);
  });

  it('METRICS_PUBLIC=true serves any address, still asking for the token when set', async () => {
    h = await startHarness({ env: { METRICS_PUBLIC: 'true', METRICS_TOKEN: 'scrape-secret' } });
    expect((await scrape('10.0.0.5')).statusCode).toBe(401);
    expect((await scrape('10.0.0.5', { authorization: 'Bearer scrape-secret', 'x-forwarded-for': '203.0.113.9' })).statusCode).toBe(200);
  });
});
