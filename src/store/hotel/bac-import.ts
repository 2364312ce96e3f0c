// Writing the BAC statement into the `bac` ledger (hotel-backends.md §1.6). A line is new unless a row with
// the same unique key (date, reference, code, debit, credit) exists, compared as the printed texts, as the
// original did: a re-sync of the same statement inserts nothing. SELECT-then-INSERT rather than INSERT
// IGNORE, because IGNORE also turns a too-long value into a silently truncated row.
import { z } from 'zod';
import { HotelDbError, type HotelDb, type HotelQuery } from '../hotel-db.js';
import type { StatementLine } from '../../hotel-rules/ledger-rows.js';

export interface StatementImport {
  inserted: number;
  /** already in the ledger (or twice in this statement) */
  skipped: number;
  /** a key field longer than its column: cannot be stored without changing the key */
  rejected: number;
}

/** The replica's widths (test/fixtures/hotel/hotel-schema.sql); the production table has VARCHAR(255) everywhere. */
const KEY_WIDTHS = { dateText: 10, reference: 64, code: 32, debit: 32, credit: 32, balance: 32 } as const;
const DESCRIPTION_WIDTH = 255;

const existsRow = z.object({ found: z.union([z.number(), z.string()]) });

function fits(line: StatementLine): boolean {
  return (Object.keys(KEY_WIDTHS) as (keyof typeof KEY_WIDTHS)[]).every((k) => line[k].length <= KEY_WIDTHS[k]);
}

function hasTransaction(db: HotelQuery | HotelDb): db is HotelDb {
  return typeof (db as Partial<HotelDb>).transaction === 'function';
}

/**
 * Inserts the statement's new lines with used = 0, in statement order, in one transaction: given a HotelDb
 * it opens one; given a transaction's HotelQuery it runs inside that one.
 */
export async function insertStatementLines(db: HotelQuery | HotelDb, lines: readonly StatementLine[], signal?: AbortSignal): Promise<StatementImport> {
  const work = async (tx: HotelQuery): Promise<StatementImport> => {
    const result: StatementImport = { inserted: 0, skipped: 0, rejected: 0 };
    for (const line of lines) {
      if (!fits(line)) {
        result.rejected++;
        continue;
      }
      const key = [line.dateText, line.reference, line.code, line.debit, line.credit];
      const existing = await tx.rows(
        'SELECT 1 AS found FROM bac WHERE date = ? AND reference = ? AND code = ? AND debit = ? AND credit = ? LIMIT 1',
        key,
        existsRow,
        signal,
      );
      if (existing.length > 0) {
        result.skipped++;
        continue;
      }
      try {
        await tx.change(
          'INSERT INTO bac (date, reference, code, description, debit, credit, balance, used) VALUES (?, ?, ?, ?, ?, ?, ?, 0.00)',
          [line.dateText, line.reference, line.code, line.description.slice(0, DESCRIPTION_WIDTH), line.debit, line.credit, line.balance],
          signal,
        );
        result.inserted++;
      } catch (err) {
        // Another process inserted the same line since our SELECT; InnoDB undoes only this statement.
        if (err instanceof HotelDbError && err.driverCode === 'ER_DUP_ENTRY') result.skipped++;
        else throw err;
      }
    }
    return result;
  };
  return hasTransaction(db) ? db.transaction(work, signal) : work(db);
}
