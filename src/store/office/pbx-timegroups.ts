// The phone system's time groups (FreePBX `timegroups_details`, read only): one Asterisk time spec per row
// ("HH:MM-HH:MM|dow|dom|month"). The office's closure rules are the rows of one group.
import { z } from 'zod';
import type { HotelQuery } from '../hotel-db.js';

const timeRow = z.object({ time: z.string() });

export class PbxTimegroupsRepository {
  constructor(private readonly db: HotelQuery) {}

  /** The time specs of a time group as stored (unparsed), in the server's order. */
  async timesOf(timegroupId: number, signal?: AbortSignal): Promise<string[]> {
    if (!Number.isInteger(timegroupId)) throw new TypeError(`timesOf: not a time group id: ${timegroupId}`);
    const rows = await this.db.rows('SELECT time FROM timegroups_details WHERE timegroupid = ?', [timegroupId], timeRow, signal);
    return rows.map((r) => r.time);
  }
}
