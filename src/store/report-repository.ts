// Read-only queries of `npm run report` (src/report/) besides usage and cost, which are UsageRepository's:
// turns and their failures, replies and reply times, handoffs, bookings, payment follow-ups. Every period
// is half-open (since ≤ t < until, epoch ms) and each figure is attributed by one timestamp, named below.
// Day buckets are 15-minute buckets the caller turns into local dates (see UsageRepository.days): no
// SQLite `localtime`, which is the server's zone and not the hotel's. Works on a read-only connection.
import { z } from 'zod';
import type { Db } from './database.js';
import { LEGACY_IMPORT } from '../core/origin.js';
import type { Period } from './usage-repository.js';

/** Batch statuses that mean no turn ran: the bot was paused (held) or the messages went back (abandoned). */
const NOT_A_TURN = `('held', 'abandoned')`;

/**
 * Whether the conversation `id` began in the Python service: something npm run migrate-legacy wrote (a turn of
 * imported history, a migrated pending message) is as old as its first live turn or older. Such a conversation
 * was not new at the switch. agent_turns_by_conversation and inbound_migrated serve it.
 */
const BEGAN_IN_PREVIOUS_SERVICE = (id: string) => `(
  WITH first_live AS (SELECT COALESCE(MIN(l.started_at), 9e15) AS at FROM agent_turns l
                       WHERE l.conversation_id = ${id} AND l.model <> '${LEGACY_IMPORT}')
  SELECT EXISTS (SELECT 1 FROM agent_turns t WHERE t.conversation_id = ${id} AND t.model = '${LEGACY_IMPORT}'
                    AND t.started_at <= (SELECT at FROM first_live))
      OR EXISTS (SELECT 1 FROM inbound_messages m WHERE m.conversation_id = ${id} AND m.origin = '${LEGACY_IMPORT}'
                    AND m.received_at <= (SELECT at FROM first_live)))`;

const countRow = z.object({ n: z.number().int() });
const keyCountRow = z.object({ key: z.string().nullable(), n: z.number().int() });
const turnStatusRow = z.object({ status: z.string(), n: z.number().int() });
const failureRow = z.object({ status: z.string(), error_class: z.string().nullable(), n: z.number().int() });
const bucketRow = z.object({ bucket: z.number().int(), turns: z.number().int(), failures: z.number().int() });
const msRow = z.object({ ms: z.number() });
const bookingRow = z.object({ state: z.string(), n: z.number().int(), cents: z.number().int() });
const nameRow = z.object({ name: z.string().nullable() });
const secretRow = z.object({ value: z.string().regex(/^[0-9a-f]{64}$/) });

export interface FailureCount {
  /** failed (the fallback reply was sent) | undelivered (the channel refused the reply) */
  status: string;
  errorClass: string | null;
  count: number;
}

export interface TurnBucket {
  /** Start of the 15-minute bucket (epoch ms). */
  at: number;
  turns: number;
  failures: number;
}

export interface BookingStateCount {
  state: string;
  count: number;
  amountCents: number;
}

/** Every UTC offset in use is a multiple of 15 minutes, so a 15-minute bucket never spans two local dates. */
export const REPORT_BUCKET_MS = 15 * 60_000;

export class ReportRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      // Turns: batches by created_at (the guest's batch claimed for a turn).
      turnStatuses: db.prepare<[Period]>(
        `SELECT status, COUNT(*) AS n FROM batches
          WHERE created_at >= @since AND created_at < @until AND status NOT IN ${NOT_A_TURN} GROUP BY status`,
      ),
      conversations: db.prepare<[Period]>(
        `SELECT COUNT(DISTINCT conversation_id) AS n FROM batches
          WHERE created_at >= @since AND created_at < @until AND status NOT IN ${NOT_A_TURN}`,
      ),
      // New: answered for the first time in the period, having begun with a live message here.
      newConversations: db.prepare<[Period]>(
        `SELECT COUNT(*) AS n FROM conversations c
          WHERE c.created_at >= @since AND c.created_at < @until AND NOT ${BEGAN_IN_PREVIOUS_SERVICE('c.id')}`,
      ),
      continuedConversations: db.prepare<[Period]>(
        `SELECT COUNT(*) AS n FROM (SELECT DISTINCT conversation_id AS id FROM batches
                                     WHERE created_at >= @since AND created_at < @until AND status NOT IN ${NOT_A_TURN}) a
          WHERE ${BEGAN_IN_PREVIOUS_SERVICE('a.id')}`,
      ),
      failures: db.prepare<[Period]>(
        `SELECT status, error_class, COUNT(*) AS n FROM batches
          WHERE created_at >= @since AND created_at < @until AND status IN ('failed', 'undelivered')
          GROUP BY status, error_class ORDER BY n DESC, status, error_class`,
      ),
      turnBuckets: db.prepare<[Period & { bucket: number }]>(
        `SELECT CAST(created_at / @bucket AS INTEGER) AS bucket,
                COALESCE(SUM(status NOT IN ${NOT_A_TURN}), 0) AS turns,
                COALESCE(SUM(status IN ('failed', 'undelivered')), 0) AS failures
           FROM batches WHERE created_at >= @since AND created_at < @until
          GROUP BY bucket ORDER BY bucket`,
      ),
      // Replies: the parts handed to a channel for a turn, by sent_at (notices outside a turn have no batch).
      replyParts: db.prepare<[Period]>(
        `SELECT COUNT(*) AS n FROM outbound_messages
          WHERE sent_at >= @since AND sent_at < @until AND batch_id IS NOT NULL`,
      ),
      // Reply time of each batch of the period that got a reply: its guest's last live message (received_at) to
      // its first part handed to the channel (sent_at). A message migrated from the Python service waited there,
      // not here: a batch of migrated messages only has no reply time.
      replyTimes: db.prepare<[Period]>(
        `WITH period_batches AS (SELECT id FROM batches WHERE created_at >= @since AND created_at < @until),
              first_out AS (SELECT batch_id, MIN(sent_at) AS at FROM outbound_messages
                             WHERE batch_id IN (SELECT id FROM period_batches) GROUP BY batch_id),
              last_in AS (SELECT batch_id, MAX(received_at) AS at FROM inbound_messages
                           WHERE batch_id IN (SELECT id FROM period_batches) AND origin = 'live' GROUP BY batch_id)
         SELECT MAX(0, first_out.at - last_in.at) AS ms
           FROM first_out JOIN last_in ON last_in.batch_id = first_out.batch_id
          ORDER BY ms`,
      ),
      // Handoffs: pauses by the moment they began (paused_at). One row per conversation keeps only its latest
      // pause, so a conversation handed over twice in the period counts once.
      pausesByReason: db.prepare<[Period]>(
        `SELECT reason AS key, COUNT(*) AS n FROM conversation_pauses
          WHERE paused_at >= @since AND paused_at < @until GROUP BY reason ORDER BY reason`,
      ),
      // Bookings: attempts by created_at, with the amount taken from the ledger row.
      bookings: db.prepare<[Period]>(
        `SELECT state, COUNT(*) AS n, COALESCE(SUM(amount_cents), 0) AS cents FROM booking_attempts
          WHERE created_at >= @since AND created_at < @until GROUP BY state ORDER BY state`,
      ),
      followUps: db.prepare<[Period]>(
        `SELECT state AS key, COUNT(*) AS n FROM payment_follow_ups
          WHERE created_at >= @since AND created_at < @until GROUP BY state ORDER BY state`,
      ),
      jobsOfKind: db.prepare<[Period & { kind: string }]>(
        `SELECT status AS key, COUNT(*) AS n FROM jobs
          WHERE kind = @kind AND created_at >= @since AND created_at < @until GROUP BY status ORDER BY status`,
      ),
      // The same attribution as UsageRepository.conversations: calls of the turns started in the period.
      conversationsWithCalls: db.prepare<[Period]>(
        `SELECT COUNT(DISTINCT t.conversation_id) AS n FROM agent_turns t
          WHERE t.started_at >= @since AND t.started_at < @until
            AND EXISTS (SELECT 1 FROM model_calls c WHERE c.turn_id = t.id)`,
      ),
      guestName: db.prepare<[string]>('SELECT guest_name AS name FROM conversations WHERE id = ?'),
      logMaskKey: db.prepare<[]>("SELECT value FROM installation WHERE name = 'log_mask_key'"),
    };
  }

  /** Turns of the period by batch status (delivered, failed, undelivered, delivering, running). */
  turnStatuses(period: Period): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.stmts.turnStatuses.all(period)) {
      const r = turnStatusRow.parse(row);
      out[r.status] = r.n;
    }
    return out;
  }

  /** Conversations with at least one turn in the period. */
  conversations(period: Period): number {
    return countRow.parse(this.stmts.conversations.get(period)).n;
  }

  /**
   * Conversations the agent answered for the first time in the period that began with a live message (not with
   * history imported from the Python service or a message migrated from its buffer).
   */
  newConversations(period: Period): number {
    return countRow.parse(this.stmts.newConversations.get(period)).n;
  }

  /** Conversations with a turn in the period that began in the Python service (see newConversations). */
  continuedConversations(period: Period): number {
    return countRow.parse(this.stmts.continuedConversations.get(period)).n;
  }

  /** Failed and undelivered turns by error class, most frequent first. */
  failures(period: Period): FailureCount[] {
    return this.stmts.failures.all(period).map((row) => {
      const r = failureRow.parse(row);
      return { status: r.status, errorClass: r.error_class, count: r.n };
    });
  }

  /** Turns and failures per 15-minute bucket (REPORT_BUCKET_MS), oldest first. */
  turnBuckets(period: Period): TurnBucket[] {
    return this.stmts.turnBuckets.all({ ...period, bucket: REPORT_BUCKET_MS }).map((row) => {
      const r = bucketRow.parse(row);
      return { at: r.bucket * REPORT_BUCKET_MS, turns: r.turns, failures: r.failures };
    });
  }

  /** Message parts handed to a channel as a turn's reply. */
  replyParts(period: Period): number {
    return countRow.parse(this.stmts.replyParts.get(period)).n;
  }

  /** Reply times (ms) of the period's turns that got a reply, from their last live message, ascending. */
  replyTimes(period: Period): number[] {
    return this.stmts.replyTimes.all(period).map((row) => msRow.parse(row).ms);
  }

  /** Pauses that began in the period, by reason (handoff, operator, assigned, admin). */
  pausesByReason(period: Period): Record<string, number> {
    return keyCounts(this.stmts.pausesByReason.all(period));
  }

  /** Booking attempts of the period by state, with their amounts in cents. */
  bookings(period: Period): BookingStateCount[] {
    return this.stmts.bookings.all(period).map((row) => {
      const r = bookingRow.parse(row);
      return { state: r.state, count: r.n, amountCents: r.cents };
    });
  }

  /** Payment follow-ups started in the period, by state (active, booked, escalated, cancelled). */
  followUpsByState(period: Period): Record<string, number> {
    return keyCounts(this.stmts.followUps.all(period));
  }

  /** Jobs of one kind created in the period, by status (pending, running, done, failed). */
  jobsByStatus(kind: string, period: Period): Record<string, number> {
    return keyCounts(this.stmts.jobsOfKind.all({ ...period, kind }));
  }

  /** Conversations whose turns of the period called the model. */
  conversationsWithCalls(period: Period): number {
    return countRow.parse(this.stmts.conversationsWithCalls.get(period)).n;
  }

  guestName(conversationId: string): string | undefined {
    const row = this.stmts.guestName.get(conversationId);
    return row === undefined ? undefined : (nameRow.parse(row).name ?? undefined);
  }

  /** The installation's log mask secret (installation.ts creates it; this only reads), if present. */
  logMaskKey(): string | undefined {
    const parsed = secretRow.safeParse(this.stmts.logMaskKey.get());
    return parsed.success ? parsed.data.value : undefined;
  }
}

function keyCounts(rows: unknown[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) {
    const r = keyCountRow.parse(row);
    out[r.key ?? 'unknown'] = r.n;
  }
  return out;
}
