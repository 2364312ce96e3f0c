// The payment portals as the service uses them, built from config.portals: one shared Chromium (one session
// per portal at a time), the ledger syncs of both portals and CompraClick link creation. A portal whose
// address or credentials are missing is absent, and so are the tools that need it.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { HotelDb } from '../store/hotel-db.js';
import { insertSales } from '../store/hotel/compraclick-import.js';
import { createBacSyncer } from './bac/sync.js';
import { PortalBrowser } from './browser.js';
import { createLink, loginAndDownloadSalesReport } from './compraclick/portal.js';
import { parseSalesReport } from './compraclick/sales-report.js';
import type { PortalsConfig } from './config.js';
import { LedgerSync, type Syncer } from './ledger-sync.js';
import { notSet } from '../core/config-schema.js';

export interface PaymentPortals {
  /** Undefined when neither portal is configured (or there is no hotel database to sync into). */
  ledgerSync: LedgerSync | undefined;
  /** CompraClick link creation; undefined without the CompraClick portal. */
  createLink: ((input: { description: string; amountCents: number }, signal: AbortSignal) => Promise<string>) | undefined;
  timeoutMs: number;
  readiness(): { compraclick: string; bac: string };
  close(): Promise<void>;
}

export function createPaymentPortals(deps: { config: PortalsConfig; hotelDb: HotelDb | undefined; dataDir: string; timezone: string; now: () => number; log: Logger }): PaymentPortals {
  const { config, hotelDb, log } = deps;
  const cc = config.compraclick;
  const bac = config.bac;
  const browser =
    cc || bac
      ? new PortalBrowser({ chromiumPath: config.chromiumPath, timeoutMs: config.timeoutMs, screenshotDir: join(deps.dataDir, 'portal-screenshots'), log: log.child({ component: 'portals' }), now: deps.now })
      : undefined;

  const syncers: { compraclick?: Syncer; bac?: Syncer } = {};
  if (browser && hotelDb && cc) {
    syncers.compraclick = async (signal) => {
      const report = await browser.run('compraclick', (page, s) => loginAndDownloadSalesReport(page, cc, s), signal);
      const parsed = await parseSalesReport(report.file);
      const result = await insertSales(hotelDb, parsed.rows, signal);
      return { inserted: result.inserted, skipped: result.skipped + parsed.dropped };
    };
  }
  // The statement of the month (and, on its first days, of the previous one: a transfer late on the 31st).
  if (browser && hotelDb && bac) syncers.bac = createBacSyncer({ browser, db: hotelDb, creds: bac, timeZone: deps.timezone, now: deps.now });
  const ledgerSync = syncers.compraclick || syncers.bac ? new LedgerSync({ syncers, cooldownMs: config.syncCooldownMs, now: deps.now, log }) : undefined;

  return {
    ledgerSync,
    createLink: browser && cc ? (input, signal) => browser.run('compraclick', (page, s) => createLink(page, cc, input, s), signal) : undefined,
    timeoutMs: config.timeoutMs,
    readiness: () => ({
      compraclick: cc ? (hotelDb ? 'configured' : 'configured (card sync needs DB_HOST)') : notSet(config.missing.compraclick),
      bac: bac ? (hotelDb ? 'configured' : 'configured (statement sync needs DB_HOST)') : notSet(config.missing.bac),
    }),
    close: async () => {
      await browser?.close();
    },
  };
}
