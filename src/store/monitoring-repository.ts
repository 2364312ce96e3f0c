// The in-process alert monitor's queries (src/monitoring/): what the cutover plan's checks read from our own
// records over a window, and the monitor's state (table monitor_state, migration 12). Windows are half-open,
// [since, until), in the store's clock (epoch ms).
import { z } from 'zod';
import type { Db } from './database.js';

export type AlertLevel = 'ok' | 'warning' | 'critical';

export interface MonitorState {
  level: AlertLevel;
  /** Names of the checks that failed at the last evaluation. */
  failing: string[];
  /** The last alert or reminder; undefined once resolved (or never alerted). */
  notifiedAt: number | undefined;
  updatedAt: number;
}

export interface TurnCounts {
  /** Turns that ended with something for the guest or with nothing: delivered, failed (fallback sent), undelivered. */
  turns: number;
  /** failed (the agent failed, the fallback was sent) + undelivered (the channel refused the reply). */
  failed: number;
}

export interface BookingCounts {
  /** Attempts whose outcome is known or in doubt (not still reserving or posting), payment refusals excluded. */
  attempted: number;
  booked: number;
}

export interface TokenSums {
  /** Successful model calls that reported input tokens. */
  calls: number;
  inputTokens: number;
  cachedTokens: number;
}

const replyRow = z.object({ first_sent: z.number(), last_received: z.number() });
const turnRow = z.object({ turns: z.number().int(), failed: z.number().int().nullable() });
const bookingRow = z.object({ attempted: z.number().int(), booked: z.number().int().nullable() });
const tokenRow = z.object({ calls: z.number().int(), input: z.number().nullable(), cached: z.number().nullable() });
const stateRow = z.object({
  level: z.enum(['ok', 'warning', 'critical']),
  failing: z.string(),
  notified_at: z.number().int().nullable(),
  updated_at: z.number().int(),
});

export class MonitoringRepository {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      // Batches answered in the window (the reply or the fallback handed to the channel; held and undelivered
      // ones have no reply time): from the last guest message claimed by the batch to its first part sent.
      // batches_by_updated finds them (finishBatch is a batch's last update; `+status` keeps the planner off
      // batches_by_status, which holds nearly every batch); outbound_by_batch and inbound_by_batch find their
      // parts and messages. Only live messages start the clock: one migrated from the Python service waited
      // there, not here (a batch of migrated messages only has no reply time).
      replyTimes: db.prepare<[number, number]>(
        `SELECT first_sent, last_received FROM (
           SELECT (SELECT MIN(o.sent_at) FROM outbound_messages o WHERE o.batch_id = b.id) AS first_sent,
                  (SELECT MAX(m.received_at) FROM inbound_messages m WHERE m.batch_id = b.id AND m.origin = 'live') AS last_received
             FROM batches b
            WHERE b.updated_at >= ? AND b.updated_at < ? AND +b.status IN ('delivered', 'failed')
         ) WHERE first_sent IS NOT NULL AND last_received IS NOT NULL`,
      ),
      // The same turns the metric watibot3_turns_total counts as answered, failed and undelivered.
      turnCounts: db.prepare<[number, number]>(
        `SELECT COUNT(*) AS turns, SUM(status IN ('failed', 'undelivered')) AS failed
           FROM batches
          WHERE updated_at >= ? AND updated_at < ? AND +status IN ('delivered', 'failed', 'undelivered')`,
      ),
      // Attempts started in the window. A payment the ledger refused (booking-service.ts records it as
      // failed with error 'payment <reason>') is the guest's payment, not a booking that failed; attempts
      // still reserving or posting have no outcome yet. in_doubt and staff count as not successful.
      bookingCounts: db.prepare<[number, number]>(
        `SELECT COUNT(*) AS attempted, SUM(state = 'booked') AS booked
           FROM booking_attempts
          WHERE created_at >= ? AND created_at < ?
            AND state IN ('booked', 'failed', 'in_doubt', 'staff')
            AND NOT (state = 'failed' AND error LIKE 'payment %')`,
      ),
      // model_calls_by_started; input_tokens includes the cached ones.
      tokenSums: db.prepare<[number, number]>(
        `SELECT COUNT(*) AS calls, SUM(input_tokens) AS input, SUM(COALESCE(cached_tokens, 0)) AS cached
           FROM model_calls
          WHERE started_at >= ? AND started_at < ? AND status = 'ok' AND input_tokens > 0`,
      ),
      getState: db.prepare<[]>('SELECT level, failing, notified_at, updated_at FROM monitor_state WHERE id = 1'),
      putState: db.prepare<[{ level: AlertLevel; failing: string; notifiedAt: number | null; updatedAt: number }]>(
        `INSERT INTO monitor_state (id, level, failing, notified_at, updated_at)
         VALUES (1, @level, @failing, @notifiedAt, @updatedAt)
         ON CONFLICT(id) DO UPDATE SET level = excluded.level, failing = excluded.failing,
           notified_at = excluded.notified_at, updated_at = excluded.updated_at`,
      ),
    };
  }

  /** Reply times (ms) of the batches answered in [since, until) from their last live message, unsorted. */
  replyTimesMs(since: number, until: number): number[] {
    return this.stmts.replyTimes.all(since, until).map((row) => {
      const r = replyRow.parse(row);
      return Math.max(0, r.first_sent - r.last_received);
    });
  }

  turnCounts(since: number, until: number): TurnCounts {
    const r = turnRow.parse(this.stmts.turnCounts.get(since, until));
    return { turns: r.turns, failed: r.failed ?? 0 };
  }

  bookingCounts(since: number, until: number): BookingCounts {
    const r = bookingRow.parse(this.stmts.bookingCounts.get(since, until));
    return { attempted: r.attempted, booked: r.booked ?? 0 };
  }

  tokenSums(since: number, until: number): TokenSums {
    const r = tokenRow.parse(this.stmts.tokenSums.get(since, until));
    return { calls: r.calls, inputTokens: r.input ?? 0, cachedTokens: r.cached ?? 0 };
  }

  state(): MonitorState | undefined {
    const row = this.stmts.getState.get();
    if (row === undefined) return undefined;
    const r = stateRow.parse(row);
    let failing: string[] = [];
    try {
      const parsed = JSON.parse(r.failing) as unknown;
      if (Array.isArray(parsed)) failing = parsed.filter((x): x is string => typeof x === 'string');
    } catch {
      failing = [];
    }
    return { level: r.level, failing, notifiedAt: r.notified_at ?? undefined, updatedAt: r.updated_at };
  }

  saveState(state: MonitorState): void {
    this.stmts.putState.run({
      level: state.level,
      failing: JSON.stringify(state.failing),
      notifiedAt: state.notifiedAt ?? null,
      updatedAt: state.updatedAt,
    });
  }

  /** Runs `work` in one transaction (the state and the staff alert jobs it enqueues, together or not at all). */
  atomically<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
