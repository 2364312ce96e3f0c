// The BAC syncer (real Chromium, replica, real MariaDB): mid-month one statement, on the first days of a
// month the previous one too; a re-sync counts everything as skipped; unreadable lines are counted; a
// download that is no statement is download_failed with a screenshot.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { createHotelDb, type HotelDb } from '../../src/store/hotel-db.js';
import { createBacSyncer } from '../../src/portals/bac/sync.js';
import { PortalBrowser, PortalError } from '../../src/portals/browser.js';
import { chromiumPath, describeWithChromium } from '../support/chromium.js';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';
import { sampleStatementCsv, startBacReplica, statementCsv, type BacReplica } from '../support/portals/bac-replica.js';

const TEST_TIMEOUT_MS = 60_000;
const TZ = 'America/El_Salvador';

describeWithChromium('BAC syncer (Chromium + replica)', () => {
  describeWithMariaDb('createBacSyncer', () => {
    const hotel = useHotelDatabase();
    let db: HotelDb;
    let replica: BacReplica;
    let browser: PortalBrowser;
    let shots: string;

    beforeAll(async () => {
      db = createHotelDb({ ...hotel.connection, connectTimeoutMs: 2_000, queryTimeoutMs: 3_000, retries: 1 });
      replica = await startBacReplica({ username: 'hotel', password: 'secreto' });
      shots = mkdtempSync(join(tmpdir(), 'bac-sync-shots-'));
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
      replica.setStatement('current', sampleStatementCsv('current'));
    });
    afterEach(async () => {
      await hotel.reset();
    });

    const syncerAt = (iso: string) =>
      createBacSyncer({ browser, db, creds: { url: replica.loginUrl, username: 'hotel', password: 'secreto' }, timeZone: TZ, now: () => Date.parse(iso) });

    it(
      'mid-month: the current statement; a re-sync skips every line',
      async () => {
        const sync = syncerAt('2027-03-15T18:00:00Z');
        expect(await sync()).toEqual({ inserted: 3, skipped: 0, duplicates: 0, unreadableLines: 0, rejected: 0, statements: 1 });
        expect(await sync()).toEqual({ inserted: 0, skipped: 3, duplicates: 3, unreadableLines: 0, rejected: 0, statements: 1 });
        expect(replica.events.filter((e) => e.startsWith('download'))).toEqual(['download:current', 'download:current']);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      '09:00 on the 2nd in the hotel zone also fetches the previous month; unreadable lines are counted as skipped',
      async () => {
        replica.setStatement('current', statementCsv(['05/03/2027,3430000009,TF,BUENA,0.00,"1,250.00","11,400.00"', '05/03/2027,3430000010,TF,SIN MONTO,0.00,abc,1.00']));
        const counts = await syncerAt('2027-03-02T15:00:00Z')();
        expect(counts).toEqual({ inserted: 2, skipped: 1, duplicates: 0, unreadableLines: 1, rejected: 0, statements: 2 });
        expect(replica.events.filter((e) => e.startsWith('download'))).toEqual(['download:previous', 'download:current']);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'a download that is not a statement is download_failed with a screenshot, and nothing is inserted',
      async () => {
        replica.setStatement('current', Buffer.from('<html><body>Sesión expirada</body></html>', 'latin1'));
        const failure = await syncerAt('2027-03-15T18:00:00Z')().then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(failure).toBeInstanceOf(PortalError);
        expect(failure).toMatchObject({ code: 'download_failed' });
        expect(existsSync((failure as PortalError).screenshotPath ?? '')).toBe(true);
        expect(await hotel.query("SELECT id FROM bac WHERE date LIKE '%/03/2027'")).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );
  });
});
