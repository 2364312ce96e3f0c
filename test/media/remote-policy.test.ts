// Outbound fetches of webhook-supplied media URLs (SSRF): the address classifier, the host allow-list,
// MEDIA_ALLOWED_HOSTS, and downloadMedia under a policy against a fake server on 127.0.0.1. Names are
// resolved by a fake resolver: real DNS is never asked.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { DownloadError, downloadMedia } from '../../src/media/download.js';
import type { RetryPolicy } from '../../src/core/retry.js';
import {
  DEFAULT_MEDIA_ALLOWED_HOSTS,
  hostAllowed,
  isPublicAddress,
  remoteMediaPolicy,
} from '../../src/media/remote-policy.js';
import { fakeResolver } from '../support/fake-dns.js';
import { listenLocal } from '../support/fake-wati.js';
import { testConfig } from '../support/test-config.js';
import { PNG } from './files.js';

describe('isPublicAddress', () => {
  it('refuses IPv4 loopback, private, link-local, CGNAT, unspecified, multicast and reserved addresses', () => {
    for (const a of [
      '127.0.0.1',
      '127.255.255.254',
      '0.0.0.0',
      '0.1.2.3',
      '10.0.0.1',
      '10.255.255.255',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '100.127.255.255',
      '192.0.0.8',
      '192.0.2.1',
      '198.18.0.1',
      '198.51.100.7',
      '203.0.113.9',
      '224.0.0.1',
      '239.255.255.250',
      '240.0.0.1',
      '255.255.255.255',
    ]) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });

  it('accepts public IPv4, including the neighbours of the refused ranges', () => {
    for (const a of ['8.8.8.8', '157.240.22.35', '9.255.255.255', '11.0.0.0', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0', '169.253.255.255', '192.167.255.255', '192.169.0.0', '223.255.255.255']) {
      expect(isPublicAddress(a), a).toBe(true);
    }
  });

  it('refuses IPv6 loopback, unspecified, link-local, unique-local, multicast, documentation and 6to4/Teredo', () => {
    for (const a of ['::1', '::', '0:0:0:0:0:0:0:1', 'fe80::1', 'fe80::1%eth0', 'febf:ffff::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', 'fec0::1', '2001:db8::1', '2002:7f00:1::1', '2001:0:4136::1', '100::1', '::127.0.0.1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    for (const a of ['2a03:2880:f12f:83:face:b00c:0:25de', '2606:4700::1111', '2a00:1450:4001::200e']) {
      expect(isPublicAddress(a), a).toBe(true);
    }
  });

  it('judges IPv4-mapped and NAT64 IPv6 by the IPv4 address they carry', () => {
    for (const a of ['::ffff:127.0.0.1', '::ffff:7f00:1', '::FFFF:10.0.0.1', '::ffff:169.254.169.254', '::ffff:c0a8:101', '0:0:0:0:0:ffff:100.64.0.1', '64:ff9b::127.0.0.1', '64:ff9b::a00:1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    for (const a of ['::ffff:8.8.8.8', '::ffff:9df0:1623', '64:ff9b::808:808']) {
      expect(isPublicAddress(a), a).toBe(true);
    }
  });

  it('refuses what is not an address', () => {
    for (const a of ['', 'localhost', 'cdn.fbcdn.net', '127.1', '0x7f000001', '1.2.3.4.5', '::ffff:1.2.3', '[::1]']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });
});

describe('hostAllowed', () => {
  it('matches an entry and its subdomains, only at a label boundary', () => {
    const allowed = DEFAULT_MEDIA_ALLOWED_HOSTS;
    for (const h of ['fbcdn.net', 'scontent.xx.fbcdn.net', 'SCONTENT-MIA3-1.XX.FBCDN.NET', 'lookaside.fbsbx.com', 'scontent.cdninstagram.com', 'cdn.fbcdn.net.']) {
      expect(hostAllowed(h, allowed), h).toBe(true);
    }
    for (const h of ['evilfbcdn.net', 'fbcdn.net.evil.example', 'fbcdn.network', 'evil.example', 'net', '', '127.0.0.1', '[::1]']) {
      expect(hostAllowed(h, allowed), h).toBe(false);
    }
  });

  it('matches an IP literal only exactly, never as a suffix', () => {
    expect(hostAllowed('127.0.0.1', ['127.0.0.1'])).toBe(true);
    expect(hostAllowed('127.0.0.1', ['0.0.1'])).toBe(false);
    expect(hostAllowed('[::1]', ['::1'])).toBe(true);
  });
});

describe('MEDIA_ALLOWED_HOSTS', () => {
  it("defaults to Meta's CDNs", () => {
    expect(testConfig().media.allowedHosts).toEqual(['fbcdn.net', 'fbsbx.com', 'cdninstagram.com']);
    expect(testConfig({ MEDIA_ALLOWED_HOSTS: '  ' }).media.allowedHosts).toEqual(['fbcdn.net', 'fbsbx.com', 'cdninstagram.com']);
  });

  it('takes comma-separated host names, lower-cased; a leading *. means the same as none', () => {
    expect(testConfig({ MEDIA_ALLOWED_HOSTS: ' FBCDN.net, *.cdn.example.com ,.media.example.org,fbcdn.net, ' }).media.allowedHosts).toEqual([
      'fbcdn.net',
      'cdn.example.com',
      'media.example.org',
    ]);
  });

  it('refuses entries that are not host names, naming the variable', () => {
    for (const bad of ['https://fbcdn.net', 'fbcdn.net/path', 'evil example.com', '10.0.0.1', 'com', 'fbcdn.net:443', '[::1]', ',', 'café.example']) {
      let err: unknown;
      try {
        testConfig({ MEDIA_ALLOWED_HOSTS: bad });
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.join('\n'), bad).toMatch(/^MEDIA_ALLOWED_HOSTS: /);
    }
  });
});

describe('downloadMedia under a remote policy', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });
  const signal = new AbortController().signal;
  const base = { maxBytes: 10_000, timeoutMs: 2_000, signal, label: 'ManyChat attachment' };
  const retry: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, jitter: 'none' };

  /** A fake CDN on 127.0.0.1 recording every request; `route` answers it. */
  async function cdn(route: (path: string, port: string) => { status: number; location?: string } | undefined = () => undefined) {
    const seen: { path: string; host: string | undefined; test: string | undefined }[] = [];
    const srv = await listenLocal(async (req, res) => {
      seen.push({ path: req.url ?? '', host: req.headers.host, test: req.headers['x-test'] as string | undefined });
      const r = route(req.url ?? '', new URL(srv.origin).port);
      if (r) {
        res.writeHead(r.status, r.location ? { location: r.location } : {});
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PNG);
    });
    closers.push(srv.close);
    return { origin: srv.origin, port: new URL(srv.origin).port, seen };
  }

  const refusal = async (p: Promise<unknown>): Promise<DownloadError> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).failure).toBe('invalid_ref');
    return err as DownloadError;
  };

  it('fetches nothing outside the allow-list or over http, and resolves nothing for it (production policy)', async () => {
    const srv = await cdn();
    const resolve = fakeResolver({ '*.fbcdn.net': '127.0.0.1' });
    const policy = remoteMediaPolicy(DEFAULT_MEDIA_ALLOWED_HOSTS, { resolve });
    for (const url of [
      `${srv.origin}/anything?sig=SECRET`,
      `http://127.0.0.1:${srv.port}/anything`,
      `http://cdn.fbcdn.net:${srv.port}/x`, // allowed host, but not https
      'https://evil.example/x',
      'https://fbcdn.net.evil.example/x',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/x',
      'https://user:pw@cdn.fbcdn.net/x',
    ]) {
      const err = await refusal(downloadMedia({ ...base, url, policy }, retry));
      expect(err.message, url).not.toContain('SECRET');
      expect(err.message, url).not.toContain('/x');
    }
    expect(srv.seen).toEqual([]);
    expect(resolve.asked).toEqual([]);
  });

  it('refuses an allowed name that resolves to 127.0.0.1: checked on connect, never retried, no request reaches the server', async () => {
    const srv = await cdn();
    const resolve = fakeResolver({ 'cdn.fbcdn.net': '127.0.0.1', 'mixed.fbcdn.net': ['157.240.22.35', '10.0.0.7'], 'v6.fbcdn.net': '::ffff:127.0.0.1' });
    // http is allowed here only so that, were the address not checked, the request would reach the fake server.
    const policy = remoteMediaPolicy(DEFAULT_MEDIA_ALLOWED_HOSTS, { resolve, schemes: ['http:', 'https:'] });
    const err = await refusal(downloadMedia({ ...base, url: `http://cdn.fbcdn.net:${srv.port}/img?sig=SECRET`, policy }, retry));
    expect(err.message).toBe('ManyChat attachment: host cdn.fbcdn.net resolves to 127.0.0.1, which is not allowed');
    await refusal(downloadMedia({ ...base, url: `https://cdn.fbcdn.net:${srv.port}/img`, policy }, retry));
    // A public answer next to a private one does not make the name safe.
    await refusal(downloadMedia({ ...base, url: `http://mixed.fbcdn.net:${srv.port}/img`, policy }, retry));
    await refusal(downloadMedia({ ...base, url: `http://v6.fbcdn.net:${srv.port}/img`, policy }, retry));
    expect(srv.seen).toEqual([]);
    expect(resolve.asked).toEqual(['cdn.fbcdn.net', 'cdn.fbcdn.net', 'mixed.fbcdn.net', 'v6.fbcdn.net']);
  });

  it('checks an IP literal on the list by its address (no lookup happens for it)', async () => {
    const srv = await cdn();
    const policy = remoteMediaPolicy(['127.0.0.1'], { schemes: ['http:'], resolve: fakeResolver({}) });
    const err = await refusal(downloadMedia({ ...base, url: `${srv.origin}/x`, policy }, retry));
    expect(err.message).toBe('ManyChat attachment: address 127.0.0.1 is not allowed');
    expect(srv.seen).toEqual([]);
  });

  /** What the media tests use: a fake CDN at *.fbcdn.net = 127.0.0.1, over http; every other rule as in production. */
  const loopbackCdn = (extra: Record<string, string> = {}) =>
    remoteMediaPolicy(DEFAULT_MEDIA_ALLOWED_HOSTS, {
      schemes: ['http:'],
      allowAddress: (a) => a === '127.0.0.1',
      resolve: fakeResolver({ ...extra, '*.fbcdn.net': '127.0.0.1' }),
    });

  it('refuses a redirect from an allowed host to a disallowed scheme, host or address', async () => {
    let target = '';
    const srv = await cdn((path) => (path === '/start' ? { status: 302, location: target } : undefined));
    const policy = loopbackCdn({ 'internal.fbcdn.net': '10.0.0.7' });
    for (const t of [
      `http://127.0.0.1:${srv.port}/secret`, // the same server, but by address: not on the list
      `http://internal.fbcdn.net:${srv.port}/secret`, // on the list, resolves to a private address
      'http://169.254.169.254/latest/meta-data/',
      `https://evil.example/secret`,
      'file:///etc/passwd',
      'gopher://cdn.fbcdn.net/x',
    ]) {
      target = t;
      srv.seen.length = 0;
      await refusal(downloadMedia({ ...base, url: `http://scontent.xx.fbcdn.net:${srv.port}/start`, policy }, retry));
      expect(srv.seen.map((s) => s.path), t).toEqual(['/start']);
    }
    // A relative redirect on the allowed host is followed.
    target = '/file.png';
    srv.seen.length = 0;
    const got = await downloadMedia({ ...base, url: `http://scontent.xx.fbcdn.net:${srv.port}/start`, policy }, retry);
    expect(got.bytes.equals(PNG)).toBe(true);
    expect(srv.seen.map((s) => s.path)).toEqual(['/start', '/file.png']);
  });

  it('follows at most 3 redirects, each to a checked hop; headers stay with the first origin', async () => {
    // /hop/N redirects to /hop/N-1 on another allowed host; /hop/0 is the file.
    const srv = await cdn((path, port) => {
      const n = Number(/^\/hop\/(\d+)$/.exec(path)?.[1] ?? 0);
      return n > 0 ? { status: n % 2 ? 301 : 307, location: `http://c${n - 1}.fbcdn.net:${port}/hop/${n - 1}` } : undefined;
    });
    const policy = loopbackCdn();
    const got = await downloadMedia({ ...base, url: `http://c3.fbcdn.net:${srv.port}/hop/3`, headers: { 'x-test': 'first' }, policy }, retry);
    expect(got.bytes.equals(PNG)).toBe(true);
    expect(srv.seen.map((s) => [s.path, s.test])).toEqual([
      ['/hop/3', 'first'],
      ['/hop/2', undefined],
      ['/hop/1', undefined],
      ['/hop/0', undefined],
    ]);

    srv.seen.length = 0;
    const err = await refusal(downloadMedia({ ...base, url: `http://c4.fbcdn.net:${srv.port}/hop/4`, policy }, retry));
    expect(err.message).toBe('ManyChat attachment: more than 3 redirects');
    expect(srv.seen.map((s) => s.path)).toEqual(['/hop/4', '/hop/3', '/hop/2', '/hop/1']); // the 4th redirect is not followed, nor retried
  });
});
