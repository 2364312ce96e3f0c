// One BAC ledger sync, as LedgerSync's Syncer: download the statement in a portal session, parse it, insert
// the new lines. On the first days of a month the previous month's statement is fetched too: a transfer
// made late on the 31st is in that statement, not in the new month's, and its slip carries the 31st.
import type { HotelDb } from '../../store/hotel-db.js';
import { todayIn } from '../../hotel-rules/values.js';
import { insertStatementLines } from '../../store/hotel/bac-import.js';
import { PortalError, type PortalBrowser } from '../browser.js';
import type { BacCredentials } from '../config.js';
import type { SyncCounts, Syncer } from '../ledger-sync.js';
import { downloadStatement } from './portal.js';
import { parseStatementCsv, StatementCsvError, type ParsedStatement } from './statement-csv.js';

export interface BacSyncDeps {
  browser: PortalBrowser;
  db: HotelDb;
  creds: BacCredentials;
  /** The hotel's zone (TIMEZONE): which day of the month it is. */
  timeZone: string;
  now: () => number;
  /** Days 1…n of a month also fetch the previous month (default 3, 0 never). */
  previousMonthDays?: number;
}

/** skipped = duplicates + unreadable lines + rejected lines; the parts are logged by LedgerSync. */
export interface BacSyncCounts extends SyncCounts {
  duplicates: number;
  unreadableLines: number;
  rejected: number;
  statements: number;
}

const PORTAL = 'bac';

export function createBacSyncer(deps: BacSyncDeps): Syncer {
  const previousMonthDays = deps.previousMonthDays ?? 3;
  return async (signal?: AbortSignal): Promise<BacSyncCounts> => {
    const day = Number(todayIn(deps.timeZone, deps.now()).slice(8, 10));
    const months: ('previous' | 'current')[] = day <= previousMonthDays ? ['previous', 'current'] : ['current'];
    const counts: BacSyncCounts = { inserted: 0, skipped: 0, duplicates: 0, unreadableLines: 0, rejected: 0, statements: 0 };
    for (const month of months) {
      // Parsed inside the session, so a download that is no statement leaves a screenshot of the page.
      const parsed = await deps.browser.run(
        PORTAL,
        async (page, sessionSignal): Promise<ParsedStatement> => {
          const bytes = await downloadStatement(page, deps.creds, { month }, sessionSignal);
          try {
            return parseStatementCsv(bytes);
          } catch (err) {
            if (err instanceof StatementCsvError) throw new PortalError('download_failed', `bac: the ${month} month's download is not a statement: ${err.message}`, undefined, { cause: err });
            throw err;
          }
        },
        signal,
      );
      const stored = await insertStatementLines(deps.db, parsed.lines, signal);
      counts.statements++;
      counts.inserted += stored.inserted;
      counts.duplicates += stored.skipped;
      counts.rejected += stored.rejected;
      counts.unreadableLines += parsed.skippedLines;
    }
    counts.skipped = counts.duplicates + counts.unreadableLines + counts.rejected;
    return counts;
  };
}
