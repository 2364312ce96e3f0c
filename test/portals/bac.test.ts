// BAC online banking with the real Chromium against the loopback replica, into the real MariaDB `bac`
// table: the statement downloaded with and without the interstitial, parsed and inserted; a second sync
// inserts nothing; the '1,250.00' credit is found by amount; a wrong password is login_failed, tried once;
// an unknown page is page_changed.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { createHotelDb, type HotelDb } from '../../src/store/hotel-db.js';
import { downloadStatement, type DownloadStatementOptions } from '../../src/portals/bac/portal.js';
import { parseStatementCsv } from '../../src/portals/bac/statement-csv.js';
import { PortalBrowser, PortalError } from '../../src/portals/browser.js';
import { insertStatementLines, type StatementImport } from '../../src/store/hotel/bac-import.js';
import { PaymentLedgers } from '../../src/store/hotel/payment-ledgers.js';
import { chromiumPath, describeWithChromium } from '../support/chromium.js';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';
import { startBacReplica, type BacReplica } from '../support/portals/bac-replica.js';

const USERNAME = 'hotel-demo';
const PASSWORD = 'Clave segura 2027';
const TEST_TIMEOUT_MS = 60_000;

describeWithChromium('BAC portal (Chromium + replica)', () => {
  describeWithMariaDb('statement sync into the bac ledger', () => {
    const hotel = useHotelDatabase();
    let db: HotelDb;
    let replica: BacReplica;
    let browser: PortalBrowser;
    let shots: string;

    beforeAll(async () => {
      db = createHotelDb({ ...hotel.connection, connectTimeoutMs: 2_000, queryTimeoutMs: 3_000, retries: 1 });
      replica = await startBacReplica({ username: USERNAME, password: PASSWORD });
      shots = mkdtempSync(join(tmpdir(), 'bac-shots-'));
      browser = new PortalBrowser({ chromiumPath: chromiumPath ?? '', timeoutMs: 45_000, screenshotDir: shots, log: pino({ level: 'silent' }) });
    });
    afterAll(async () => {
      await browser?.close();
      await replica?.close();
      await db?.close();
      if (shots) rmSync(shots, { recursive: true, force: true });
    });
    beforeEach(() => {
      replica.events.length = 0;
      replica.setInterstitial(false);
      replica.setPageChange('none');
    });
    afterEach(async () => {
      await hotel.reset();
    });

    function download(options: DownloadStatementOptions = {}, password = PASSWORD): Promise<Buffer> {
      return browser.run('bac', (page, signal) => downloadStatement(page, { url: replica.loginUrl, username: USERNAME, password }, options, signal));
    }

    async function sync(options: DownloadStatementOptions = {}): Promise<StatementImport & { skippedLines: number }> {
      const { lines, skippedLines } = parseStatementCsv(await download(options));
      return { ...(await insertStatementLines(db, lines)), skippedLines };
    }

    it(
      'downloads the current statement, inserts it once, and the 1,250.00 credit is found by amount',
      async () => {
        expect(await sync()).toEqual({ inserted: 3, skipped: 0, rejected: 0, skippedLines: 0 });
        expect(replica.events).toEqual(['login', 'download:current', 'logout']);
        expect(await sync()).toEqual({ inserted: 0, skipped: 3, rejected: 0, skippedLines: 0 });

        const credits = await new PaymentLedgers(db).bankCreditsOn('2027-03-05');
        expect(credits).toMatchObject([
          { creditCents: 125000, usedCents: 0, bookingCode: null, description: 'TRANSFERENCIA UNI ANDRÉS MUÑOZ', reference: '3430000001' },
          { creditCents: 23600, description: 'TRANSFERENCIA 365 LÓPEZ, ANA' },
        ]);
        const rows = await hotel.query<{ n: number }>("SELECT COUNT(*) AS n FROM bac WHERE date IN ('05/03/2027', '06/03/2027')");
        expect(rows[0]?.n).toBe(3);
        const [stored] = await hotel.query("SELECT date, credit, balance, used FROM bac WHERE reference = '3430000001'");
        expect(stored).toEqual({ date: '05/03/2027', credit: '1,250.00', balance: '11,400.00', used: '0.00' });
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'passes the interstitial after login when the bank shows it, and picks the previous month',
      async () => {
        replica.setInterstitial(true);
        expect(await sync()).toMatchObject({ inserted: 3, skipped: 0 });
        expect(await sync({ month: 'previous' })).toMatchObject({ inserted: 1, skipped: 0 });
        expect(replica.events).toEqual(['login', 'download:current', 'logout', 'login', 'download:previous', 'logout']);
        expect(await new PaymentLedgers(db).bankCreditsOn('2027-02-27')).toMatchObject([{ creditCents: 15000, description: 'TRANSFERENCIA 365 MARÍA JOSÉ PEÑA' }]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'a bank slow to answer the login (4 s) is waited for, not taken for a refusal',
      async () => {
        const slow = await startBacReplica({ username: USERNAME, password: PASSWORD, loginDelayMs: 4_000 });
        try {
          const bytes = await browser.run('bac', (page, signal) => downloadStatement(page, { url: slow.loginUrl, username: USERNAME, password: PASSWORD }, {}, signal));
          expect(parseStatementCsv(bytes).lines).toHaveLength(3);
          expect(slow.events).toEqual(['login', 'download:current', 'logout']);
        } finally {
          await slow.close();
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'a wrong password is login_failed with a screenshot, tried once',
      async () => {
        const failure = await download({}, 'wrong').then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(failure).toBeInstanceOf(PortalError);
        expect(failure).toMatchObject({ code: 'login_failed' });
        expect((failure as PortalError).screenshotPath).toMatch(/bac-.*\.png$/);
        expect(replica.events).toEqual(['login_refused']);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'a page the code does not recognise is page_changed, naming the step, with a screenshot',
      async () => {
        replica.setPageChange('account_button');
        const failure = await download({ stepTimeoutMs: 1_500 }).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(failure).toBeInstanceOf(PortalError);
        expect(failure).toMatchObject({ code: 'page_changed', message: expect.stringContaining('reach the account overview') });
        expect(existsSync((failure as PortalError).screenshotPath ?? '')).toBe(true);
        expect(replica.events).toEqual(['login']);
      },
      TEST_TIMEOUT_MS,
    );
  });
});
