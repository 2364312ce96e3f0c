// The CompraClick portal module with the real Chromium against the loopback replica, and the sales it
// downloads inserted into the real MariaDB compraclick ledger: a refused login, a sync and a re-sync that
// inserts nothing twice (a '1,250.00' amount included), and a payment link created and returned.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHotelDb, type HotelDb } from '../../src/store/hotel-db.js';
import { PortalBrowser, PortalError } from '../../src/portals/browser.js';
import { createLink, loginAndDownloadSalesReport } from '../../src/portals/compraclick/portal.js';
import { parseSalesReport } from '../../src/portals/compraclick/sales-report.js';
import { insertSales } from '../../src/store/hotel/compraclick-import.js';
import { chromiumPath, describeWithChromium } from '../support/chromium.js';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';
import { buildSalesReportXlsx, startCompraClickReplica, type CompraClickReplica, type ReplicaSale } from '../support/portals/compraclick-replica.js';

const log = pino({ level: 'silent' });
const EMAIL = 'ventas@hotel.example';
const PASSWORD = 'clave segura';

const SALES: ReplicaSale[] = [
  { date: new Date(Date.UTC(2026, 10, 30, 21, 5, 0)), cliente: 'MARIA LOPEZ', tarjeta: '411111XXXXXX1111', importe: 138, autorizacion: '910001', descripcion: 'Maria Lopez' },
  { date: '01/12/2026 09:15:30', cliente: 'JUAN PEREZ', tarjeta: '522222XXXXXX2222', importe: '1,250.00', autorizacion: '910002', descripcion: 'Juan Perez', marca: 'MASTERCARD' },
  { date: '', cliente: 'SIN FECHA', tarjeta: '433333XXXXXX3333', importe: 10, autorizacion: '910003', descripcion: 'Sin Fecha' },
];

describeWithChromium('CompraClick portal (replica)', () => {
  let replica: CompraClickReplica;
  let browser: PortalBrowser;
  let dir: string;
  const creds = () => ({ url: replica.url, email: EMAIL, password: PASSWORD });

  beforeAll(async () => {
    replica = await startCompraClickReplica({ email: EMAIL, password: PASSWORD, report: () => buildSalesReportXlsx(SALES) });
    dir = mkdtempSync(join(tmpdir(), 'cc-shots-'));
    browser = new PortalBrowser({ chromiumPath: chromiumPath ?? '', timeoutMs: 30_000, screenshotDir: dir, log });
  });
  afterAll(async () => {
    await browser?.close();
    await replica?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports refused credentials as login_failed, with a screenshot', { timeout: 40_000 }, async () => {
    const err = await browser
      .run('compraclick', (page, signal) => loginAndDownloadSalesReport(page, { ...creds(), password: 'wrong' }, signal))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortalError);
    expect(err).toMatchObject({ code: 'login_failed' });
    expect((err as PortalError).screenshotPath).toMatch(/compraclick-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.png$/);
    expect(replica.logins.refused).toBe(1);
  });

  it('creates a one-use link in Spanish and returns its URL', { timeout: 40_000 }, async () => {
    await browser.run('compraclick', (page, signal) => createLink(page, creds(), { description: 'Ana Gomez', amountCents: 5_000 }, signal));
    const url = await browser.run('compraclick', (page, signal) => createLink(page, creds(), { description: 'Carlos Ruiz', amountCents: 13_850 }, signal));
    const created = replica.links.at(-1);
    expect(created).toMatchObject({ description: 'Carlos Ruiz', amount: '138.5', maxElements: '1', language: 'Español' });
    expect(url).toBe(created?.url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pay\//);
    expect(replica.links[0]).toMatchObject({ description: 'Ana Gomez', amount: '50.0' });
  });

  describeWithMariaDb('sync into the ledger', () => {
    const hotel = useHotelDatabase();
    let db: HotelDb;
    beforeAll(() => {
      db = createHotelDb({ ...hotel.connection, connectTimeoutMs: 2_000, queryTimeoutMs: 3_000, retries: 1 });
    });
    afterAll(async () => {
      await db?.close();
    });

    const sync = async () => {
      const report = await browser.run('compraclick', (page, signal) => loginAndDownloadSalesReport(page, creds(), signal));
      expect(report.filename).toBe('reporte-ventas.xlsx');
      const parsed = await parseSalesReport(report.file);
      return { parsed, result: await insertSales(db, parsed.rows) };
    };

    it('downloads the report and inserts its sales once, amounts with thousands separators included', { timeout: 60_000 }, async () => {
      const first = await sync();
      expect(first.parsed.dropped).toBe(1);
      expect(first.result).toEqual({ inserted: 2, skipped: 0 });
      const second = await sync();
      expect(second.result).toEqual({ inserted: 0, skipped: 2 });
      const rows = await hotel.query<{ autorizacion: string; importe: string; date: string; used: string; tarjeta: string; descripcion: string }>(
        "SELECT autorizacion, importe, date, used, tarjeta, descripcion FROM compraclick WHERE autorizacion LIKE '91000%' ORDER BY autorizacion",
      );
      expect(rows).toEqual([
        { autorizacion: '910001', importe: '138.00', date: '2026-11-30 21:05:00', used: '0.00', tarjeta: '411111XXXXXX1111', descripcion: 'Maria Lopez' },
        { autorizacion: '910002', importe: '1250.00', date: '2026-12-01 09:15:30', used: '0.00', tarjeta: '522222XXXXXX2222', descripcion: 'Juan Perez' },
      ]);
      expect(first.parsed.rows.find((r) => r.autorizacion === '910002')?.importeCents).toBe(125_000);
      expect(replica.logouts).toBeGreaterThanOrEqual(2);
    });
  });
});

describe('amountText', () => {
  it('is written as the original typed it', async () => {
    const { amountText } = await import('../../src/portals/compraclick/portal.js');
    expect([amountText(13_800), amountText(6_950), amountText(125_025), amountText(1)]).toEqual(['138.0', '69.5', '1250.25', '0.01']);
  });
});
