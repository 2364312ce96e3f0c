// The daily rate card (`tarifarios`, read only): one row per date, dates as 'mm/dd/yyyy' text and prices as
// text ('79.00'). All the nights of a quote come from one statement (the original asked once per night).
import { z } from 'zod';
import { HotelDbError, type HotelQuery } from '../hotel-db.js';
import type { Cents, DayRates, IsoDate } from '../../hotel-rules/types.js';
import { isIsoDate, parseAmount, parseUsDate } from '../../hotel-rules/values.js';

type PriceColumn = 'lh_adulto' | 'lh_nino' | 'pa_adulto' | 'pa_nino' | 'es_adulto' | 'es_nino';

// Prices are text in production; a numeric column type is accepted too, parseAmount reads both.
const price = z.union([z.string(), z.number()]);
const rateRow = z.object({
  id: z.number().int(),
  date: z.string(),
  lh_adulto: price,
  lh_nino: price,
  pa_adulto: price,
  pa_nino: price,
  es_adulto: price,
  es_nino: price,
});
type RateRow = z.output<typeof rateRow>;

function priceOf(row: RateRow, column: PriceColumn): Cents {
  const cents = parseAmount(row[column]);
  if (cents === undefined || cents < 0) {
    throw new HotelDbError('bad_row', `tarifarios ${row.date}: ${column} is not a price (${JSON.stringify(row[column])})`);
  }
  return cents;
}

export class RatesRepository {
  constructor(private readonly db: HotelQuery) {}

  /** The rates of each date that has a row; dates without one are missing from the map. */
  async ratesFor(dates: readonly IsoDate[], signal?: AbortSignal): Promise<Map<IsoDate, DayRates>> {
    const wanted = [...new Set(dates)];
    for (const d of wanted) if (!isIsoDate(d)) throw new TypeError(`ratesFor: not an ISO date: ${JSON.stringify(d)}`);
    const result = new Map<IsoDate, DayRates>();
    if (wanted.length === 0) return result;
    // Only placeholders are generated, one per date; the values are bound.
    const rows = await this.db.rows(
      `SELECT id, date, lh_adulto, lh_nino, pa_adulto, pa_nino, es_adulto, es_nino
         FROM tarifarios
        WHERE STR_TO_DATE(date, '%m/%d/%Y') IN (${wanted.map(() => '?').join(', ')})
        ORDER BY id`,
      wanted,
      rateRow,
      signal,
    );
    for (const row of rows) {
      const date = parseUsDate(row.date);
      if (date === undefined) throw new HotelDbError('bad_row', `tarifarios row ${row.id}: date is not mm/dd/yyyy (${JSON.stringify(row.date)})`);
      // Two spellings of one day ('1/5/2027', '01/05/2027') would both match: the older row wins, every time.
      if (result.has(date) || !wanted.includes(date)) continue;
      result.set(date, {
        date,
        lhAdult: priceOf(row, 'lh_adulto'),
        lhChild: priceOf(row, 'lh_nino'),
        paAdult: priceOf(row, 'pa_adulto'),
        paChild: priceOf(row, 'pa_nino'),
        esAdult: priceOf(row, 'es_adulto'),
        esChild: priceOf(row, 'es_nino'),
      });
    }
    return result;
  }
}
