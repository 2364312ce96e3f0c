// Content sniffing, the bounded download and the media store.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { receivedContentType, sniffContentType } from '../../src/core/content-type.js';
import { DownloadError, downloadMedia } from '../../src/media/download.js';
import type { RetryPolicy } from '../../src/core/retry.js';
import { MediaStore } from '../../src/media/media-store.js';
import { MediaService } from '../../src/media/media-service.js';
import type { BufferedMessage } from '../../src/core/messages.js';
import { testConfig } from '../support/test-config.js';
import pino from 'pino';
import { openMigratedDatabase } from '../support/test-db.js';
import { listenLocal } from '../support/fake-wati.js';
import { JPEG, oggOpus, PDF, PNG } from './files.js';

describe('content sniffing', () => {
  it('types files by their magic bytes', () => {
    expect(sniffContentType(PNG)).toBe('image/png');
    expect(sniffContentType(JPEG)).toBe('image/jpeg');
    expect(sniffContentType(PDF)).toBe('application/pdf');
    expect(sniffContentType(oggOpus())).toBe('audio/ogg');
    expect(sniffContentType(Buffer.from('GIF89a\x01\x00', 'latin1'))).toBe('image/gif');
    expect(sniffContentType(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffContentType(Buffer.from('\x00\x00\x00\x1cftypM4A \x00\x00', 'latin1'))).toBe('audio/mp4');
    expect(sniffContentType(Buffer.from('\x00\x00\x00\x1cftypisom\x00\x00', 'latin1'))).toBe('video/mp4');
    expect(sniffContentType(Buffer.from('hello'))).toBeUndefined();
  });

  it('never takes an error body for a file, whatever the header says', () => {
    const json = Buffer.from('{"result":false,"info":"view once"}');
    expect(receivedContentType(json, 'image/jpeg')).toBeUndefined();
    expect(receivedContentType(json, 'application/json')).toBeUndefined();
    expect(receivedContentType(Buffer.from('<html>gone</html>'), 'application/octet-stream')).toBeUndefined();
    expect(receivedContentType(PNG, 'application/json')).toBe('image/png');
    expect(receivedContentType(PNG, 'image/jpeg')).toBe('image/png');
    expect(receivedContentType(Buffer.from([1, 2, 3, 4]), 'audio/aac')).toBe('audio/aac');
    expect(receivedContentType(Buffer.from([1, 2, 3, 4]), 'application/octet-stream')).toBeUndefined();
  });
});

describe('downloadMedia', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });
  const signal = new AbortController().signal;
  const base = { maxBytes: 1000, timeoutMs: 2_000, signal, label: 'test' };
  const fast: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, jitter: 'none' };

  it('stops a body that grows past the limit while streaming (no Content-Length)', async () => {
    let written = 0;
    const srv = await listenLocal(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      for (let i = 0; i < 50 && !res.destroyed; i++) {
        res.write(Buffer.alloc(100));
        written += 100;
        await new Promise((r) => setTimeout(r, 1));
      }
      res.end();
    });
    closers.push(srv.close);
    const err = await downloadMedia({ ...base, url: `${srv.origin}/big` }, fast).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).failure).toBe('too_large');
    expect(written).toBeLessThan(5000);
  });

  it('rejects a declared Content-Length over the limit, retries 5xx, not 4xx', async () => {
    let hits = 0;
    const srv = await listenLocal(async (req, res) => {
      hits++;
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': '5000' });
        res.end(Buffer.alloc(5000));
      } else if (req.url === '/flaky' && hits < 4) {
        res.writeHead(503);
        res.end();
      } else if (req.url === '/gone') {
        res.writeHead(404);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(PNG);
      }
    });
    closers.push(srv.close);
    expect(((await downloadMedia({ ...base, url: `${srv.origin}/declared` }, fast).catch((e: unknown) => e)) as DownloadError).failure).toBe('too_large');
    hits = 1;
    const got = await downloadMedia({ ...base, url: `${srv.origin}/flaky` }, fast);
    expect(got.bytes.equals(PNG)).toBe(true);
    expect(hits).toBe(4);
    hits = 0;
    const gone = (await downloadMedia({ ...base, url: `${srv.origin}/gone` }, fast).catch((e: unknown) => e)) as DownloadError;
    expect(gone.failure).toBe('not_found');
    expect(hits).toBe(1);
    const bad = (await downloadMedia({ ...base, url: 'file:///etc/passwd' }, fast).catch((e: unknown) => e)) as DownloadError;
    expect(bad.failure).toBe('invalid_ref');
  });

  it('times out a stalled server, bounded by the retries', async () => {
    const srv = await listenLocal(async () => {
      // never answers
    });
    closers.push(srv.close);
    const t0 = Date.now();
    const err = (await downloadMedia({ ...base, timeoutMs: 50, url: `${srv.origin}/stall` }, { ...fast, maxAttempts: 2 }).catch(
      (e: unknown) => e,
    )) as DownloadError;
    expect(err.failure).toBe('unavailable');
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});

describe('MediaStore', () => {
  it('keeps one file per conversation + source, scoped to its conversation, and purges after retention', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb3-media-store-'));
    const store = new MediaStore(openMigratedDatabase(':memory:'), dir, 1_000);
    const a = await store.save({ conversationId: 'c1', sourceRef: 'data/images/x.jpg', contentType: 'image/png', bytes: PNG, now: 10 });
    const again = await store.save({ conversationId: 'c1', sourceRef: 'data/images/x.jpg', contentType: 'image/png', bytes: PNG, now: 20 });
    expect(again.id).toBe(a.id);
    expect(a.id).toMatch(/^m_[0-9a-f]{12}$/);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(store.get('c1', a.id)?.sizeBytes).toBe(PNG.length);
    expect(store.get('c2', a.id)).toBeUndefined();
    expect((await store.read(a))?.equals(PNG)).toBe(true);
    store.setTranscript(a.id, 'hola');
    expect(store.findBySource('c1', 'data/images/x.jpg')?.transcript).toBe('hola');

    expect(store.purgeExpired(500)).toBe(0);
    expect(store.purgeExpired(2_000)).toBe(1);
    expect(store.get('c1', a.id)).toBeUndefined();
    expect(existsSync(join(dir, a.fileName))).toBe(false);
  });
});

describe('MediaService', () => {
  it('bounds the whole media phase: a stalled download is reported unavailable, the turn goes on', async () => {
    const srv = await listenLocal(async () => {
      // never answers
    });
    try {
      const config = testConfig({ WATI_API_URL: `${srv.origin}/100042`, WATI_API_KEY: 'k', MEDIA_DOWNLOAD_TIMEOUT_SECONDS: '5' });
      const store = new MediaStore(openMigratedDatabase(':memory:'), mkdtempSync(join(tmpdir(), 'wb3-ms-')), 1_000_000);
      const service = new MediaService({ config, store, clock: { now: () => 0 }, transcriber: undefined });
      const message: BufferedMessage = {
        seq: 1,
        receivedAt: 0,
        conversationId: '50370000099',
        channel: 'whatsapp',
        externalUserId: '50370000099',
        platformMessageId: undefined,
        kind: 'image',
        text: '',
        mediaRef: 'data/images/slow.jpg',
        replyContextId: undefined,
        senderName: undefined,
      };
      const t0 = Date.now();
      const out = await service.prepare('50370000099', [message], pino({ level: 'silent' }), new AbortController().signal, 100);
      expect(out.get(1)).toEqual({ status: 'unavailable', reason: 'unavailable' });
      expect(Date.now() - t0).toBeLessThan(2_000);
    } finally {
      await srv.close();
    }
  });
});
