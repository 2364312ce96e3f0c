// Payment follow-ups (table `payment_follow_ups`, migration 9): all SQL on that table lives here.
import { z } from 'zod';
import type { Db } from './database.js';

export const FOLLOW_UP_STATES = ['active', 'booked', 'escalated', 'cancelled'] as const;
export type FollowUpState = (typeof FOLLOW_UP_STATES)[number];
export type FollowUpKind = 'bank' | 'card';

export interface FollowUp {
  id: number;
  conversationId: string;
  paymentKey: string;
  kind: FollowUpKind;
  /** As stored (JSON); validated again by the job that reads it. */
  payload: unknown;
  state: FollowUpState;
  attempts: number;
  nextAt: number | null;
  reserva: string | null;
  createdAt: number;
  updatedAt: number;
}

const row = z.object({
  id: z.number().int(),
  conversation_id: z.string(),
  payment_key: z.string(),
  kind: z.enum(['bank', 'card']),
  payload: z.string(),
  state: z.enum(FOLLOW_UP_STATES),
  attempts: z.number().int(),
  next_at: z.number().nullable(),
  reserva: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});

function toFollowUp(value: unknown): FollowUp {
  const r = row.parse(value);
  let payload: unknown;
  try {
    payload = JSON.parse(r.payload) as unknown;
  } catch {
    payload = undefined;
  }
  return {
    id: r.id,
    conversationId: r.conversation_id,
    paymentKey: r.payment_key,
    kind: r.kind,
    payload,
    state: r.state,
    attempts: r.attempts,
    nextAt: r.next_at,
    reserva: r.reserva,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class PaymentFollowUpsRepository {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO payment_follow_ups (conversation_id, payment_key, kind, payload, state, attempts, next_at, created_at, updated_at)
         VALUES (@conversationId, @paymentKey, @kind, @payload, 'active', 0, @nextAt, @now, @now)`,
      ),
      byId: db.prepare<[number]>('SELECT * FROM payment_follow_ups WHERE id = ?'),
      live: db.prepare<[string]>(`SELECT * FROM payment_follow_ups WHERE payment_key = ? AND state = 'active'`),
      activeFor: db.prepare<[string]>(`SELECT * FROM payment_follow_ups WHERE conversation_id = ? AND state = 'active' ORDER BY id`),
      recent: db.prepare<[number]>('SELECT * FROM payment_follow_ups ORDER BY id DESC LIMIT ?'),
      attempted: db.prepare(
        `UPDATE payment_follow_ups SET attempts = @attempts, next_at = @nextAt, updated_at = @now
          WHERE id = @id AND state = 'active' AND attempts = @attempts - 1`,
      ),
      finish: db.prepare(
        `UPDATE payment_follow_ups SET state = @state, reserva = COALESCE(@reserva, reserva), next_at = NULL, updated_at = @now
          WHERE id = @id AND state = 'active'`,
      ),
    };
  }

  /** Starts one, unless one is live for the payment: then that one is returned (created false). */
  start(
    input: { conversationId: string; paymentKey: string; kind: FollowUpKind; payload: unknown; nextAt: number },
    now: number,
  ): { created: boolean; followUp: FollowUp } {
    return this.db.transaction(() => {
      const live = this.stmts.live.get(input.paymentKey);
      if (live !== undefined) return { created: false, followUp: toFollowUp(live) };
      const info = this.stmts.insert.run({ ...input, payload: JSON.stringify(input.payload), now });
      return { created: true, followUp: this.get(Number(info.lastInsertRowid)) as FollowUp };
    })();
  }

  get(id: number): FollowUp | undefined {
    const r = this.stmts.byId.get(id);
    return r === undefined ? undefined : toFollowUp(r);
  }

  activeFor(conversationId: string): FollowUp[] {
    return this.stmts.activeFor.all(conversationId).map(toFollowUp);
  }

  recent(limit: number): FollowUp[] {
    return this.stmts.recent.all(limit).map(toFollowUp);
  }

  /** Attempt `attempts` is done; the next is due at nextAt (null: none). False when it was already recorded. */
  recordAttempt(id: number, attempts: number, nextAt: number | null, now: number): boolean {
    return this.stmts.attempted.run({ id, attempts, nextAt, now }).changes === 1;
  }

  /** Ends an active follow-up; false when it had already ended. */
  finish(id: number, state: Exclude<FollowUpState, 'active'>, now: number, reserva?: string): boolean {
    return this.stmts.finish.run({ id, state, reserva: reserva ?? null, now }).changes === 1;
  }

  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
