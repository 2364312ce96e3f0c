// PortalBrowser with the real Chromium against a page served on loopback: sessions of one portal never
// overlap, a session past its bound ends as PortalError('timeout') with a screenshot, and the context is
// closed afterwards whatever happened.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PortalBrowser, PortalError } from '../../src/portals/browser.js';
import { chromiumPath, describeWithChromium } from '../support/chromium.js';

const log = pino({ level: 'silent' });

describeWithChromium('PortalBrowser', () => {
  let server: Server;
  let url: string;
  let dir: string;
  let browser: PortalBrowser;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>portal</title><h1>Hola</h1>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    dir = mkdtempSync(join(tmpdir(), 'portal-shots-'));
    browser = new PortalBrowser({
      chromiumPath: chromiumPath ?? '',
      // Generous: under a loaded test run launching Chromium alone can take seconds.
      timeoutMs: 15_000,
      screenshotDir: dir,
      log,
      now: () => Date.parse('2026-12-01T23:15:02.345Z'),
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs one session of a portal at a time, each in a fresh context that is closed afterwards', { timeout: 40_000 }, async () => {
    const events: string[] = [];
    const pages: Page[] = [];
    const session = (name: string) => async (page: Page) => {
      events.push(`${name} start`);
      pages.push(page);
      await page.goto(url);
      // A cookie from an earlier session would mean a shared context.
      const cookies = await page.context().cookies();
      await page.context().addCookies([{ name: 's', value: name, url }]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      events.push(`${name} end`);
      return { name, cookies: cookies.length, heading: await page.textContent('h1') };
    };
    const [a, b] = await Promise.all([browser.run('cc', session('a')), browser.run('cc', session('b'))]);
    expect(events).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(a).toEqual({ name: 'a', cookies: 0, heading: 'Hola' });
    expect(b).toEqual({ name: 'b', cookies: 0, heading: 'Hola' });
    expect(pages.every((p) => p.isClosed())).toBe(true);
  });

  it('lets sessions of different portals run at the same time', async () => {
    // Each waits until the other has started: serialised sessions would never get there.
    let startedCc!: () => void;
    let startedBac!: () => void;
    const cc = new Promise<void>((resolve) => (startedCc = resolve));
    const bac = new Promise<void>((resolve) => (startedBac = resolve));
    await Promise.all([
      browser.run('cc', async () => {
        startedCc();
        await bac;
      }),
      browser.run('bac', async () => {
        startedBac();
        await cc;
      }),
    ]);
  });

  it('ends a session past its bound as a timeout, with a screenshot named by time only, and closes the context', { timeout: 30_000 }, async () => {
    const short = new PortalBrowser({ chromiumPath: chromiumPath ?? '', timeoutMs: 6_000, screenshotDir: dir, log, now: () => Date.parse('2026-12-01T23:15:02.345Z') });
    let seen: Page | undefined;
    let signalAborted = false;
    const failure = await short
      .run('compraclick', async (page, signal) => {
        seen = page;
        await page.goto(url);
        signal.addEventListener('abort', () => (signalAborted = true));
        await page.waitForSelector('#never', { timeout: 60_000 });
      })
      .catch((err: unknown) => err)
      .finally(() => short.close());
    expect(failure).toBeInstanceOf(PortalError);
    const err = failure as PortalError;
    expect(err.code).toBe('timeout');
    expect(signalAborted).toBe(true);
    expect(err.screenshotPath).toBeDefined();
    expect(basename(err.screenshotPath ?? '')).toBe('compraclick-2026-12-01T23-15-02Z.png');
    expect(existsSync(err.screenshotPath ?? '')).toBe(true);
    expect(statSync(err.screenshotPath ?? '').size).toBeGreaterThan(100);
    expect(seen?.isClosed()).toBe(true);
  });

  it('keeps the code of a PortalError thrown by the session and classifies a missing element as page_changed', async () => {
    const own = await browser
      .run('p1', async (page) => {
        await page.goto(url);
        throw new PortalError('login_failed', 'wrong credentials');
      })
      .catch((err: unknown) => err);
    expect(own).toMatchObject({ code: 'login_failed', message: 'wrong credentials' });
    expect((own as PortalError).screenshotPath).toMatch(/p1-.*\.png$/);

    const missing = await browser
      .run('p2', async (page) => {
        await page.goto(url);
        await page.click('#nothing', { timeout: 200 });
      })
      .catch((err: unknown) => err);
    expect(missing).toMatchObject({ code: 'page_changed' });
  });

  it('rethrows the reason when the caller aborts, and queued sessions still run', async () => {
    const controller = new AbortController();
    const first = browser.run('q', () => new Promise((resolve) => setTimeout(resolve, 300)));
    const second = browser.run('q', async () => 'never', controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(second).rejects.toThrow('shutting down');
    await first;
    await expect(browser.run('q', async () => 'third')).resolves.toBe('third');
  });

  it('reports a missing binary as browser_unavailable', async () => {
    const broken = new PortalBrowser({ chromiumPath: join(dir, 'no-chromium'), timeoutMs: 5_000, screenshotDir: dir, log });
    try {
      await expect(broken.run('x', async () => 1)).rejects.toMatchObject({ code: 'browser_unavailable' });
    } finally {
      await broken.close();
    }
  });
});
