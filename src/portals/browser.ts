// The headless Chromium that drives the payment portals (the system's binary through playwright-core; no
// browser is downloaded). One session at a time per portal — the portals log a second session of the same
// account out — each in a fresh browser context, bounded as a whole, never retried here: the caller's
// schedule (sync cooldown, follow-up attempts) decides when to try again. A failure leaves a full-page
// screenshot named by portal and time only (the page may show a guest's name; the file name never does).
import { ensureDirectory } from '../core/file-paths.js';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { isPlaywrightTimeout, loadPlaywright } from './playwright.js';
import type { Logger } from '../core/logger.js';
import { abandonOnAbort, deadline } from '../core/abort.js';

export type PortalErrorCode = 'timeout' | 'login_failed' | 'page_changed' | 'download_failed' | 'browser_unavailable';

export class PortalError extends Error {
  readonly code: PortalErrorCode;
  /** The screenshot taken when the session failed, if one could be taken. */
  readonly screenshotPath: string | undefined;

  constructor(code: PortalErrorCode, message: string, screenshotPath?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PortalError';
    this.code = code;
    this.screenshotPath = screenshotPath;
  }
}

export interface PortalBrowserOptions {
  chromiumPath: string;
  /** One whole session (context, login, every step) must end within this. */
  timeoutMs: number;
  screenshotDir: string;
  log: Logger;
  /** Clock for screenshot names (tests). */
  now?: () => number;
}

/** A screenshot of a hung page must not hold the session past its bound for long. */
const SCREENSHOT_TIMEOUT_MS = 5_000;
const CLOSE_TIMEOUT_MS = 5_000;

// Playwright's wording when the page, context or browser went away under a step.
const GONE_RE = /has been closed|browser has disconnected|Browser closed|Target crashed|Target closed/i;

async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  const bound = deadline(ms);
  try {
    await abandonOnAbort(p, bound.signal);
  } catch {
    // Best effort: cleanup that fails or hangs must not hide the session's own outcome.
  } finally {
    bound.clear();
  }
}

/** The failure as a PortalError: our own ones keep their code; Playwright's step timeouts mean the page is not as expected. */
function classify(err: unknown, portal: string): PortalError {
  if (err instanceof PortalError) return err;
  if (isPlaywrightTimeout(err)) return new PortalError('page_changed', `${portal}: ${firstLine(err.message)}`, undefined, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  if (GONE_RE.test(message)) return new PortalError('browser_unavailable', `${portal}: ${firstLine(message)}`, undefined, { cause: err });
  return new PortalError('page_changed', `${portal}: ${firstLine(message)}`, undefined, { cause: err });
}

/** Playwright appends a multi-line call log (with every locator); the first line says what failed. */
function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

export class PortalBrowser {
  private readonly opts: PortalBrowserOptions;
  private readonly now: () => number;
  private browser: Promise<Browser> | undefined;
  /** Per portal: settles when the last queued session has ended (never rejects). */
  private readonly tails = new Map<string, Promise<void>>();
  private closed = false;

  constructor(opts: PortalBrowserOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Runs fn in a fresh context once no other session of the same portal runs. The signal fn gets aborts
   * when the session's time is up or the caller's signal aborts; the context is closed afterwards either way.
   * Failures are PortalErrors (with a screenshot when one could be taken); a caller's abort rethrows its reason.
   */
  async run<T>(portal: string, fn: (page: Page, signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const prev = this.tails.get(portal) ?? Promise.resolve();
    let release!: () => void;
    const slot = new Promise<void>((resolve) => (release = resolve));
    const tail = prev.then(() => slot);
    this.tails.set(portal, tail);
    try {
      await abandonOnAbort(prev, signal ?? new AbortController().signal);
      return await this.session(portal, fn, signal);
    } finally {
      release();
      if (this.tails.get(portal) === tail) this.tails.delete(portal);
    }
  }

  /** Closes the browser; sessions still running fail, later runs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const browser = this.browser;
    this.browser = undefined;
    if (!browser) return;
    try {
      await withTimeout((await browser).close(), CLOSE_TIMEOUT_MS);
    } catch {
      // It never started: nothing to close.
    }
  }

  private launch(): Promise<Browser> {
    if (this.closed) return Promise.reject(new PortalError('browser_unavailable', 'the portal browser is closed'));
    if (!this.browser) {
      const launching = loadPlaywright()
        .then(({ chromium }) =>
          chromium.launch({
            executablePath: this.opts.chromiumPath,
            headless: true,
            // Containers: no user namespaces for the sandbox, and a small /dev/shm.
            args: ['--no-sandbox', '--disable-dev-shm-usage'],
            timeout: this.opts.timeoutMs,
          }),
        )
        .then((browser) => {
          // A crashed browser is launched again by the next session.
          browser.on('disconnected', () => {
            if (this.browser === launching) this.browser = undefined;
          });
          return browser;
        });
      this.browser = launching;
      launching.catch(() => {
        if (this.browser === launching) this.browser = undefined;
      });
    }
    return this.browser;
  }

  private async session<T>(portal: string, fn: (page: Page, signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const bound = deadline(this.opts.timeoutMs, signal);
    let context: BrowserContext | undefined;
    let opening: Promise<BrowserContext> | undefined;
    let page: Page | undefined;
    try {
      let browser: Browser;
      try {
        browser = await abandonOnAbort(this.launch(), bound.signal);
      } catch (err) {
        if (bound.signal.aborted) throw err;
        throw new PortalError('browser_unavailable', `${portal}: Chromium could not be started (${this.opts.chromiumPath}): ${firstLine(err instanceof Error ? err.message : String(err))}`, undefined, { cause: err });
      }
      opening = browser.newContext({ acceptDownloads: true });
      context = await abandonOnAbort(opening, bound.signal);
      page = await abandonOnAbort(context.newPage(), bound.signal);
      // Steps wait at most the session's bound; the deadline closes the context before that anyway.
      page.setDefaultTimeout(this.opts.timeoutMs);
      return await abandonOnAbort(fn(page, bound.signal), bound.signal);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const failure = bound.timedOut ? new PortalError('timeout', `${portal}: the session took longer than ${this.opts.timeoutMs} ms`, undefined, { cause: err }) : classify(err, portal);
      const screenshotPath = page ? await this.screenshot(portal, page) : undefined;
      const result = screenshotPath ? new PortalError(failure.code, failure.message, screenshotPath, { cause: failure.cause ?? err }) : failure;
      this.opts.log.warn({ portal, code: result.code, screenshot: screenshotPath, err: result.message }, 'portal session failed');
      throw result;
    } finally {
      bound.clear();
      if (context) await withTimeout(context.close(), CLOSE_TIMEOUT_MS);
      // A context that opened only after the bound was lost is closed as soon as it exists.
      else if (opening) opening.then((c) => c.close(), () => undefined).catch(() => undefined);
    }
  }

  /** A full-page screenshot named `<portal>-<UTC time>.png`; undefined when the page cannot give one. */
  private async screenshot(portal: string, page: Page): Promise<string | undefined> {
    const stamp = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
    const safePortal = portal.replace(/[^a-z0-9_-]/gi, '_');
    const path = join(this.opts.screenshotDir, `${safePortal}-${stamp}.png`);
    try {
      ensureDirectory(this.opts.screenshotDir);
      await page.screenshot({ path, fullPage: true, timeout: SCREENSHOT_TIMEOUT_MS });
      return path;
    } catch (err) {
      this.opts.log.warn({ portal, err: firstLine(err instanceof Error ? err.message : String(err)) }, 'portal screenshot failed');
      return undefined;
    }
  }
}
