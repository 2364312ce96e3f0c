// BAC online banking, driven as hotel-backends.md §4.2 describes: log in, pass the optional interstitial,
// open the account, pick the month, download the statement CSV, log out. Every selector of the bank's
// pages is in this file, so a change of the portal is a change here. Run it inside PortalBrowser.run
// ('bac', …), which gives one session at a time, the overall bound and the failure screenshot.
//
// Unlike the original, nothing here retries: no endless goto / login loop (a wrong password retried
// forever locks the account), and the download is awaited as an event instead of sleeping 5 s and taking
// the newest file of a shared folder.
import type { Download, Locator, Page } from 'playwright-core';
import { isPlaywrightTimeout } from '../playwright.js';
import { PortalError } from '../browser.js';

export interface BacLogin {
  /** The login page (the original's BAC_URL, path /redir/showLogin.go). */
  url: string;
  username: string;
  password: string;
}

export interface DownloadStatementOptions {
  /** Which month's statement (default the current one). */
  month?: 'current' | 'previous';
  /** How long one step may wait for its page or element (default 30 s; navigation 60 s as the original). */
  stepTimeoutMs?: number;
}

const SELECTORS = {
  username: '#productId',
  // #pass first; the rest are HEAD's fallbacks for a changed login form.
  password: ['#pass', 'input[type="password"]', '#password', '[name="password"]', '[name="pass"]', 'input[name*="pass"]'],
  submit: '#confirm',
  interstitialContinue: 'div.button-form.button-enabled.button-position-right[name="back"]',
  accountButton: 'button.bel-btn.bel-btn-tertiary.bel-btn-tertiary-active.bel-btn-tertiary-icon.bel-tooltip-generic',
  monthLabel: '#selectMonthLabel',
  monthOption: (index: string) => `#selectMonthList .bel-option[index="${index}"]`,
  downloadButton: '#button-download',
  csvOption: '.bel-download-option[value="0"]',
  logout: 'p.bel-typography.bel-typography-p.header-text-color.padding-right-xs',
} as const;

// The original clicked index 1 with the comment "previous month", yet same-day transfers were found in
// production, so index 1 is most likely the current month (unverified, §4.2 step 6) and 2 the one before.
const MONTH_INDEX = { current: '1', previous: '2' } as const;

/** The login page's own marker in the original's checks. */
const LOGIN_PATH_MARK = 'showLogin.go';
const NAVIGATION_TIMEOUT_MS = 60_000;
const STEP_TIMEOUT_MS = 30_000;
/** After the submit: how long a slow page script may still take to leave the login page. */
const LOGIN_SETTLE_MS = 3_000;
const LOGOUT_TIMEOUT_MS = 5_000;
/** Per key, so pages listening to key events (to enable the submit button) see real typing. */
const TYPE_DELAY_MS = 40;
/** Mouse button held per click, as a person does (the original: 50–150 ms). */
const CLICK_DELAY_MS = 60;
const ACCEPT_LANGUAGE = 'es-ES,es;q=0.9';

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

/** A step that timed out waiting for its page or element: the page is not what this file expects. */
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isPlaywrightTimeout(err)) throw new PortalError('page_changed', `bac: ${name}: ${firstLine(err.message)}`, undefined, { cause: err });
    throw err;
  }
}

/**
 * The bank sees a desktop Chrome, not a test robot: the two signals that matter for a real browser are the
 * user agent (headless Chromium says "HeadlessChrome") and navigator.webdriver (true under automation).
 * The same browser's own version is kept (a fixed "Chrome 120" as in the original would grow stale and
 * disagree with the client hints). The original's fake window.chrome / plugins / languages are not
 * needed: the new headless mode has them. Best effort: a failure here must not stop the download.
 */
async function lookLikeADesktopBrowser(page: Page): Promise<void> {
  try {
    // Page scripts as text: the service is compiled without the DOM's types.
    await page.addInitScript({ content: "Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => undefined, configurable: true });" });
    const agent: unknown = await page.evaluate('navigator.userAgent');
    if (typeof agent !== 'string') throw new TypeError('no user agent');
    const userAgent = agent.replace('HeadlessChrome', 'Chrome');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.setUserAgentOverride', { userAgent, acceptLanguage: ACCEPT_LANGUAGE });
  } catch {
    await page.setExtraHTTPHeaders({ 'Accept-Language': ACCEPT_LANGUAGE }).catch(() => undefined);
  }
}

function onLoginPage(page: Page, loginUrl: URL): boolean {
  const here = new URL(page.url());
  return here.pathname.includes(LOGIN_PATH_MARK) || (here.origin === loginUrl.origin && here.pathname === loginUrl.pathname);
}

async function firstPresent(page: Page, selectors: readonly string[]): Promise<Locator | undefined> {
  for (const selector of selectors) {
    const locator = page.locator(selector).first();
    if ((await locator.count()) > 0) return locator;
  }
  return undefined;
}

async function type(locator: Locator, text: string): Promise<void> {
  await locator.click({ delay: CLICK_DELAY_MS });
  await locator.fill('');
  await locator.pressSequentially(text, { delay: TYPE_DELAY_MS });
}

async function logIn(page: Page, creds: BacLogin, stepMs: number, signal: AbortSignal): Promise<void> {
  const loginUrl = new URL(creds.url);
  await step('open the login page', () => page.goto(creds.url, { waitUntil: 'networkidle', timeout: NAVIGATION_TIMEOUT_MS }));
  signal.throwIfAborted();
  const username = page.locator(SELECTORS.username);
  await step('find the user field', () => username.waitFor({ state: 'visible', timeout: stepMs }));
  const password = await firstPresent(page, SELECTORS.password);
  if (password === undefined) throw new PortalError('page_changed', 'bac: the login page has no password field');
  await step('type the credentials', async () => {
    await type(username, creds.username);
    await type(password, creds.password);
  });
  signal.throwIfAborted();
  await step('submit the login', async () => {
    // The bank may take a while to answer the login: its answer (the next page, or the login page again
    // with an error) is awaited as a navigation, not guessed from a fixed pause.
    const answered = page
      .waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: NAVIGATION_TIMEOUT_MS })
      .then(() => true, () => false);
    await page.locator(SELECTORS.submit).click({ delay: CLICK_DELAY_MS, timeout: stepMs });
    // false: no navigation at all (a script-only login page); the URL check below decides.
    if (await answered) await page.waitForLoadState('networkidle', { timeout: NAVIGATION_TIMEOUT_MS });
  });
  if (onLoginPage(page, loginUrl)) {
    // A page script may still be on its way out of the login page.
    await page.waitForURL((url) => !url.pathname.includes(LOGIN_PATH_MARK) && url.pathname !== loginUrl.pathname, { timeout: LOGIN_SETTLE_MS }).catch(() => undefined);
  }
  // Never retried: each wrong attempt counts towards the bank locking the account.
  if (onLoginPage(page, loginUrl)) throw new PortalError('login_failed', 'bac: still on the login page after submitting the credentials');
}

/** The interstitial ("Continuar") may come first; waiting for whichever shows avoids the original's fixed 10 s. */
async function openAccount(page: Page, loginUrl: URL, stepMs: number): Promise<void> {
  const interstitial = page.locator(SELECTORS.interstitialContinue).first();
  const account = page.locator(SELECTORS.accountButton).first();
  await step('reach the account overview', () => interstitial.or(account).first().waitFor({ state: 'visible', timeout: stepMs }));
  if (await interstitial.isVisible()) {
    await step('pass the interstitial', () => interstitial.click({ delay: CLICK_DELAY_MS, timeout: stepMs }));
  }
  if (onLoginPage(page, loginUrl)) throw new PortalError('login_failed', 'bac: the session went back to the login page');
  await step('open the account', async () => {
    await account.click({ delay: CLICK_DELAY_MS, timeout: stepMs });
    await page.locator(SELECTORS.monthLabel).waitFor({ state: 'visible', timeout: stepMs });
  });
  if (onLoginPage(page, loginUrl)) throw new PortalError('login_failed', 'bac: redirected to the login page when opening the account');
}

async function downloadCsv(page: Page, month: keyof typeof MONTH_INDEX, stepMs: number): Promise<Buffer> {
  await step('choose the month', async () => {
    await page.locator(SELECTORS.monthLabel).click({ delay: CLICK_DELAY_MS, timeout: stepMs });
    await page.locator(SELECTORS.monthOption(MONTH_INDEX[month])).click({ delay: CLICK_DELAY_MS, timeout: stepMs });
  });
  const download: Download = await step('start the CSV download', async () => {
    await page.locator(SELECTORS.downloadButton).click({ delay: CLICK_DELAY_MS, timeout: stepMs });
    const started = page.waitForEvent('download', { timeout: stepMs });
    await page.locator(SELECTORS.csvOption).click({ delay: CLICK_DELAY_MS, timeout: stepMs });
    return started;
  });
  const failure = await download.failure();
  if (failure !== null) throw new PortalError('download_failed', `bac: the statement download failed: ${failure}`);
  let bytes: Buffer;
  try {
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    bytes = Buffer.concat(chunks);
  } catch (err) {
    throw new PortalError('download_failed', `bac: the statement could not be read: ${firstLine(err instanceof Error ? err.message : String(err))}`, undefined, { cause: err });
  }
  if (bytes.length === 0) throw new PortalError('download_failed', 'bac: the statement download was empty');
  return bytes;
}

/** Best effort: an open session may block the next login, but the statement is already in hand. */
async function logOut(page: Page): Promise<void> {
  try {
    await page.locator(SELECTORS.logout).first().click({ delay: CLICK_DELAY_MS, timeout: LOGOUT_TIMEOUT_MS });
    await page.waitForLoadState('networkidle', { timeout: LOGOUT_TIMEOUT_MS });
  } catch {
    // The context is closed right after anyway.
  }
}

/** The statement CSV's bytes (latin-1; parse with parseStatementCsv). Failures are PortalErrors. */
export async function downloadStatement(page: Page, creds: BacLogin, options: DownloadStatementOptions, signal: AbortSignal): Promise<Buffer> {
  const stepMs = options.stepTimeoutMs ?? STEP_TIMEOUT_MS;
  signal.throwIfAborted();
  await lookLikeADesktopBrowser(page);
  await logIn(page, creds, stepMs, signal);
  signal.throwIfAborted();
  await openAccount(page, new URL(creds.url), stepMs);
  signal.throwIfAborted();
  const bytes = await downloadCsv(page, options.month ?? 'current', stepMs);
  await logOut(page);
  return bytes;
}
