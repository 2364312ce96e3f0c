// Read-only query of `npm run export-pending` (src/cli/export-pending.ts): the guest messages this service
// received in a window, each with whether its turn's reply reached the guest. For a rollback to the Python
// service, which never saw them. Works on a read-only connection (openReadonlyDatabase).
import { z } from 'zod';
import type { Db } from './database.js';
import type { Period } from './usage-repository.js';

const messageRow = z.object({
  seq: z.number().int(),
  conversationId: z.string(),
  channel: z.string(),
  receivedAt: z.number(),
  kind: z.string(),
  text: z.string(),
  mediaRef: z.string().nullable(),
  answered: z.number().int(),
});

export interface ReceivedMessage {
  seq: number;
  conversationId: string;
  channel: string;
  receivedAt: number;
  /** text | image | audio | … (the inbound kind). */
  kind: string;
  text: string;
  mediaRef: string | null;
  /**
   * answered: its batch's reply was delivered to the guest. pending: anything else — not yet claimed, in a
   * turn, its reply undelivered or only the fallback sent (failed), or held while a person had the guest.
   */
  status: 'answered' | 'pending';
}

export class PendingExportRepository {
  private readonly stmt;

  constructor(db: Db) {
    // By received_at, half-open. No index on received_at: a scan, acceptable for a rare operator command
    // beside the server (WAL readers do not block it).
    this.stmt = db.prepare<[Period]>(
      `SELECT i.seq AS seq, i.conversation_id AS conversationId, i.channel AS channel, i.received_at AS receivedAt,
              i.kind AS kind, i.text AS text, i.media_ref AS mediaRef,
              COALESCE(i.status = 'done' AND b.status = 'delivered', 0) AS answered
         FROM inbound_messages i LEFT JOIN batches b ON b.id = i.batch_id
        WHERE i.received_at >= @since AND i.received_at < @until
        ORDER BY i.received_at, i.seq`,
    );
  }

  /** The guest messages received in the period, oldest first. */
  received(period: Period): ReceivedMessage[] {
    return this.stmt.all(period).map((row) => {
      const r = messageRow.parse(row);
      return {
        seq: r.seq,
        conversationId: r.conversationId,
        channel: r.channel,
        receivedAt: r.receivedAt,
        kind: r.kind,
        text: r.text,
        mediaRef: r.mediaRef,
        status: r.answered === 1 ? 'answered' : 'pending',
      };
    });
  }
}
