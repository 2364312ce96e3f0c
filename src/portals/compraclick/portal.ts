// The CompraClick merchant portal's pages, step by step as hotel-backends.md §4.1 describes them. Every
// selector and label lives in this file, so a change of the portal is a change here. Run inside
// PortalBrowser.run: it bounds the session, takes the screenshot and closes the context.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { PortalError } from '../browser.js';
import type { CompraClickCredentials } from '../config.js';

const SEL = {
  email: 'input[placeholder="E-mail"]',
  password: 'input[placeholder="Contraseña"]',
  submit: 'button[type="submit"].btn-secondary',
  // Not in §4.1 (the original never checked): a visible alert after submitting means the login was refused.
  loginError: '.alert-danger, [role="alert"]',
  ventas: 'xpath=//span[text()="Ventas"]',
  description: 'input[name="description"]',
  amount: 'input[field="amount"]',
  maxElements: 'input[name="maxElements"]',
  languagePlaceholder: 'div.Select__placeholder',
  shareButton: 'button.payment-button-actions',
  shareIcon: 'i.mdi-share',
  socialLink: 'input#social-link',
  modalClose: 'div.modal-content button.close',
  accountIcon: 'i.mdi-account-circle',
  menuItem: 'button.nav-menu-item.dropdown-item',
} as const;

const TEXT = {
  exportar: 'Exportar',
  generar: 'Generar reporte',
  compraClickNav: 'COMPRA-CLICK',
  nuevo: 'Nuevo Compra-Click',
  idioma: 'Idioma',
  espanol: 'Español',
  crear: 'Crear',
  compartir: 'Compartir',
  cerrarSesion: 'Cerrar Sesión',
} as const;

/** After submitting, how long the dashboard (or a refusal) may take to show. */
const LOGIN_WAIT_MS = 20_000;
const EXPORT_WAIT_MS = 60_000;
const LOGOUT_WAIT_MS = 5_000;

export interface SalesReportFile {
  file: Buffer;
  /** The name the portal suggested (tells .xls from .xlsx). */
  filename: string;
}

export interface NewLink {
  /** The link's description: the customer's name, which the sale's descripcion will carry. */
  description: string;
  amountCents: number;
}

function checkSignal(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}

async function login(page: Page, creds: CompraClickCredentials, signal: AbortSignal): Promise<void> {
  await page.goto(creds.url, { waitUntil: 'load' });
  checkSignal(signal);
  await page.fill(SEL.email, creds.email);
  await page.fill(SEL.password, creds.password);
  await page.click(SEL.submit);
  await page.waitForLoadState('networkidle');
  checkSignal(signal);
  const ventas = page.locator(SEL.ventas);
  const refused = page.locator(SEL.loginError);
  try {
    await ventas.or(refused).first().waitFor({ state: 'visible', timeout: LOGIN_WAIT_MS });
  } catch {
    if (await page.locator(SEL.password).isVisible()) throw new PortalError('login_failed', 'compraclick: still on the login page after submitting the credentials');
    throw new PortalError('page_changed', 'compraclick: neither the dashboard nor a login error appeared after logging in');
  }
  if (!(await ventas.isVisible())) throw new PortalError('login_failed', 'compraclick: the portal refused the credentials');
}

/** Best effort, as in the original: the context is discarded anyway, this only frees the portal's session. */
async function logout(page: Page): Promise<void> {
  try {
    await page.click(SEL.accountIcon, { timeout: LOGOUT_WAIT_MS });
    await page.locator(SEL.menuItem).filter({ has: page.locator('span', { hasText: TEXT.cerrarSesion }) }).first().click({ timeout: LOGOUT_WAIT_MS });
    await page.waitForLoadState('networkidle', { timeout: LOGOUT_WAIT_MS });
  } catch {
    // A failed logout only leaves a session that times out on the portal's side.
  }
}

export async function loginAndDownloadSalesReport(page: Page, creds: CompraClickCredentials, signal: AbortSignal): Promise<SalesReportFile> {
  await login(page, creds, signal);
  await page.click(SEL.ventas);
  const exportar = page.locator('button', { hasText: TEXT.exportar }).first();
  await exportar.waitFor({ state: 'visible', timeout: EXPORT_WAIT_MS });
  await exportar.click();
  checkSignal(signal);
  const generar = page.locator('button', { hasText: TEXT.generar }).first();
  await generar.waitFor({ state: 'visible' });
  const [download] = await Promise.all([page.waitForEvent('download'), generar.click()]);
  const failure = await download.failure();
  if (failure !== null) throw new PortalError('download_failed', `compraclick: the sales report download failed: ${failure}`);
  const path = await download.path();
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (err) {
    throw new PortalError('download_failed', 'compraclick: the downloaded sales report could not be read', undefined, { cause: err });
  }
  if (file.length === 0) throw new PortalError('download_failed', 'compraclick: the sales report is empty');
  const filename = download.suggestedFilename();
  await logout(page);
  return { file, filename };
}

/** The amount as the original typed it: Python's str(float), e.g. '138.0', '69.5', '1250.25'. */
export function amountText(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents <= 0) throw new TypeError(`amount must be positive whole cents, got ${cents}`);
  const text = String(cents / 100);
  return text.includes('.') ? text : `${text}.0`;
}

/** Creates a one-use payment link and returns its URL. */
export async function createLink(page: Page, creds: CompraClickCredentials, link: NewLink, signal: AbortSignal): Promise<string> {
  const amount = amountText(link.amountCents);
  const description = link.description.trim();
  if (description === '') throw new TypeError('a payment link needs a description');
  await login(page, creds, signal);
  await page.locator('a', { hasText: TEXT.compraClickNav }).first().click();
  await page.waitForLoadState('networkidle');
  checkSignal(signal);
  await page.getByRole('button', { name: TEXT.nuevo }).click();
  await page.fill(SEL.description, description);
  await page.fill(SEL.amount, amount);
  await page.fill(SEL.maxElements, '1');
  await page.locator(SEL.languagePlaceholder, { hasText: TEXT.idioma }).first().click();
  await page.getByText(TEXT.espanol, { exact: true }).click();
  checkSignal(signal);
  await page.getByRole('button', { name: TEXT.crear, exact: true }).click();
  await page.waitForLoadState('networkidle');
  checkSignal(signal);
  // The newest link is listed first. The name stays out of the error (it reaches logs).
  const row = page.locator('tr', { hasText: description }).first();
  try {
    await row.waitFor({ state: 'visible' });
  } catch (err) {
    throw new PortalError('page_changed', "compraclick: the new link's row did not appear in the table", undefined, { cause: err });
  }
  await row.locator(SEL.shareButton, { has: page.locator(SEL.shareIcon) }).first().click();
  await page.getByText(TEXT.compartir, { exact: true }).first().click();
  const input = page.locator(SEL.socialLink);
  await input.waitFor({ state: 'visible' });
  const url = ((await input.getAttribute('value')) ?? (await input.inputValue())).trim();
  if (!/^https?:\/\/\S+$/i.test(url)) throw new PortalError('page_changed', 'compraclick: the share dialog shows no payment URL');
  await page.locator(SEL.modalClose).first().click();
  await logout(page);
  return url;
}
