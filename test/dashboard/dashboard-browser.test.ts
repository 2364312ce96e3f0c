// The staff dashboard in a real headless Chromium (playwright-core, the system's binary, launched as the
// portal browser is): the real app on 127.0.0.1 with a guest the bot is paused for; sign in, find the guest,
// open the conversation, press Reanudar, see it, and the bot's pause gone from the JSON admin API; find the guest
// again with the search once off the list. No page may
// log a console error (a CSP violation, a failed stylesheet, a script error). The screenshot's path is printed.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/app-harness.js';
import { chromiumPath, describeWithChromium } from '../support/chromium.js';
import { createTestAgent } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';
import { until } from '../support/wait.js';

const TOKEN = 'browser-admin-token-0123456789';
const GUEST = '50377002001';
const GUEST_NAME = 'Marta Quintanilla';
const HOSTILE = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>';
const auth = { authorization: `Bearer ${TOKEN}` };

describeWithChromium('staff dashboard in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    h = await startHarness({ agent: createTestAgent(), env: { ADMIN_TOKEN: TOKEN } });
    await h.post('/webhook', { waId: GUEST, senderName: GUEST_NAME, userMessage: `Hola, quiero reservar ${HOSTILE}`, passkey: TEST_PASSKEY });
    await until(() => h.wati.sentTexts(GUEST).length === 1, 'the bot answered the guest', 6_000);
    // A person takes over: the bot is paused through the JSON admin API.
    expect((await h.post(`/admin/conversations/${GUEST}/pause`, {}, { headers: auth })).status).toBe(200);
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  function watch(page: Page): void {
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`${page.url()}: ${err.message}`));
    page.on('dialog', (dialog) => {
      consoleErrors.push(`a dialog opened: ${dialog.message()}`);
      void dialog.dismiss();
    });
  }

  it('signs in, sees the paused guest, resumes the bot and sees the change', async ({ annotate }) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'es-SV' });
    const page = await context.newPage();
    watch(page);

    // Without a session the dashboard is the login form.
    await page.goto(`${h.url}/admin/`);
    expect(new URL(page.url()).pathname).toBe('/admin/entrar');
    await page.fill('#token', 'not the token');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('.error')).toBe('Token incorrecto.');
    await page.fill('#token', TOKEN);
    await Promise.all([page.waitForURL(`${h.url}/admin/`), page.click('button[type=submit]')]);

    // The cookie: HttpOnly, SameSite=Strict, under /admin, not the token; scripts cannot read it.
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'watibot3_admin', path: '/admin', httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.value).not.toContain(TOKEN);

    // The list: the guest by name, channel and masked number, paused by staff.
    await expect.poll(() => page.textContent('h1')).toBe('Conversaciones que necesitan a una persona');
    const row = page.locator('table.attention tbody tr', { hasText: GUEST_NAME });
    await expect.poll(() => row.count()).toBe(1);
    const rowText = (await row.innerText()).replace(/\s+/g, ' ');
    expect(rowText).toContain('WhatsApp');
    expect(rowText).toContain(`wa:…${GUEST.slice(-4)}:`);
    expect(rowText).toContain('Bot en pausa: pausada por el personal');
    expect(await page.content()).not.toContain(GUEST);
    // The stylesheet loaded (the CSP allows only our own file).
    // (A string, evaluated in the page: the test's TypeScript has no DOM types.)
    expect(await page.evaluate('document.styleSheets.length === 1 && document.styleSheets[0].cssRules.length > 10')).toBe(true);

    // The conversation: the guest's text as text (no script ran, no image tag), paused.
    await Promise.all([page.waitForURL(/\/admin\/conversacion\//), row.locator('a.open').click()]);
    expect(page.url()).not.toContain(GUEST);
    const guestMessage = page.locator('.msg.guest .text').first();
    expect(await guestMessage.textContent()).toBe(`Hola, quiero reservar ${HOSTILE}`);
    expect(await page.locator('.transcript img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
    expect(await page.locator('.msg.assistant').count()).toBe(1);
    expect(await page.textContent('#estado')).toContain('Bot en pausa desde');
    expect(await page.isDisabled('button:text("Pausar")')).toBe(true);

    await Promise.all([page.waitForURL(/hecho=reanudado/), page.click('button:text("Reanudar")')]);
    expect(await page.textContent('.notice')).toBe('Bot reanudado: volverá a responder al cliente.');
    expect(await page.textContent('#estado')).toContain('El bot responde en esta conversación.');
    expect(await page.isDisabled('button:text("Reanudar")')).toBe(true);
    expect(await page.isEnabled('button:text("Pausar")')).toBe(true);

    // The bot's pause is gone for the service itself.
    const state = await h.app.inject({ method: 'GET', url: `/admin/conversations/${GUEST}`, headers: auth });
    expect(state.json()).toMatchObject({ paused: false, pause: { resumeReason: 'admin' } });

    const dir = mkdtempSync(join(tmpdir(), 'watibot3-dashboard-'));
    const screenshot = join(dir, 'dashboard-conversation.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(5_000);
    console.log(`dashboard screenshot: ${screenshot}`);
    await annotate(`dashboard screenshot: ${screenshot}`);

    // Back on the list the guest is gone (resumed, and the last turn was answered).
    await page.click('nav a:text("Necesitan a una persona")');
    await expect.poll(() => page.locator('table.attention tbody tr', { hasText: GUEST_NAME }).count()).toBe(0);

    // Off the list, the guest is found with the search box of the bar: by the last digits, then by name.
    await page.fill('nav .quick-search input[name=q]', GUEST.slice(-4));
    await Promise.all([page.waitForURL(`${h.url}/admin/buscar`), page.click('nav .quick-search button')]);
    const hit = page.locator('table.results tbody tr', { hasText: GUEST_NAME });
    await expect.poll(() => hit.count()).toBe(1);
    expect(await page.content()).not.toContain(GUEST);
    await page.fill('#q', 'marta QUINTANILLA');
    await Promise.all([page.waitForURL(`${h.url}/admin/buscar`), page.click('.search-form button')]);
    await expect.poll(() => page.locator('table.results tbody tr', { hasText: GUEST_NAME }).count()).toBe(1);
    expect(await page.inputValue('#q')).toBe('marta QUINTANILLA');
    const searchShot = join(dir, 'dashboard-search.png');
    await page.screenshot({ path: searchShot, fullPage: true });
    console.log(`dashboard screenshot: ${searchShot}`);
    await Promise.all([page.waitForURL(/\/admin\/conversacion\//), page.locator('table.results a.open').first().click()]);
    expect(await page.locator('.msg.guest .text').first().textContent()).toBe(`Hola, quiero reservar ${HOSTILE}`);

    // Today's numbers with the chart, and the failed jobs page, also without console errors.
    await page.click('nav a:text("Hoy")');
    expect(await page.locator('svg.chart rect').count()).toBeGreaterThan(14);
    expect(await page.locator('.figure.turns .value').textContent()).toBe('1');
    const chartShot = join(dir, 'dashboard-today.png');
    await page.screenshot({ path: chartShot, fullPage: true });
    console.log(`dashboard screenshot: ${chartShot}`);
    await page.click('nav a:text("Trabajos fallidos")');
    await expect.poll(() => page.textContent('h1')).toBe('Trabajos fallidos');

    // Signing out ends the session.
    await Promise.all([page.waitForURL(`${h.url}/admin/entrar`), page.click('button:text("Cerrar sesión")')]);
    await page.goto(`${h.url}/admin/hoy`);
    expect(new URL(page.url()).pathname).toBe('/admin/entrar');

    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
