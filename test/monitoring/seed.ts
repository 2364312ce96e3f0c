// Rows as the service writes them, for the monitor's checks: finished batches with their guest messages and
// reply parts, booking attempts, model calls.
import type { Db } from '../../src/store/database.js';

export const CONVERSATION = 'wa:50370001234';

export interface SeededTurn {
  /** When the guest's messages arrived (the last one counts). */
  messagesAt: number[];
  /** When each reply part was handed to the channel (the first one counts). */
  partsSentAt: number[];
  status: 'delivered' | 'failed' | 'undelivered' | 'held';
  /** When the batch finished (default: the last part, or the last message). */
  finishedAt?: number;
}

export function seedTurn(db: Db, turn: SeededTurn): number {
  const finishedAt = turn.finishedAt ?? Math.max(...turn.messagesAt, ...turn.partsSentAt);
  const createdAt = Math.max(...turn.messagesAt);
  const batchId = Number(
    db
      .prepare(
        `INSERT INTO batches (conversation_id, status, created_at, updated_at, reply_parts, delivered_parts, outcome, error_class)
         VALUES (?, ?, ?, ?, '[]', ?, ?, ?)`,
      )
      .run(
        CONVERSATION,
        turn.status,
        createdAt,
        finishedAt,
        turn.partsSentAt.length,
        turn.status === 'failed' ? 'failed' : 'answered',
        turn.status === 'failed' ? 'timeout' : turn.status === 'undelivered' ? 'delivery_rejected' : null,
      ).lastInsertRowid,
  );
  for (const at of turn.messagesAt) {
    db.prepare(
      `INSERT INTO inbound_messages (conversation_id, channel, external_user_id, kind, text, received_at, status, batch_id, claim_count)
       VALUES (?, 'whatsapp', '50370001234', 'text', 'hola', ?, 'done', ?, 1)`,
    ).run(CONVERSATION, at, batchId);
  }
  turn.partsSentAt.forEach((at, i) => {
    db.prepare(
      `INSERT INTO outbound_messages (conversation_id, batch_id, part_index, kind, text, sent_at) VALUES (?, ?, ?, 'text', 'respuesta', ?)`,
    ).run(CONVERSATION, batchId, i, at);
  });
  return batchId;
}

/** A turn answered `replySeconds` after the guest's message, finishing at `at`. */
export function seedReply(db: Db, at: number, replySeconds: number, status: 'delivered' | 'failed' = 'delivered'): number {
  return seedTurn(db, { messagesAt: [at - replySeconds * 1000], partsSentAt: [at], status });
}

let paymentSeq = 0;
export function seedBooking(db: Db, createdAt: number, state: 'reserving' | 'posting' | 'booked' | 'failed' | 'in_doubt' | 'staff', error: string | null = null): void {
  paymentSeq += 1;
  db.prepare(
    `INSERT INTO booking_attempts (conversation_id, payment_ref, holder, state, request, amount_cents, error, created_at, updated_at)
     VALUES (?, ?, '50370001234', ?, '{}', 10000, ?, ?, ?)`,
  ).run(CONVERSATION, `CC_${paymentSeq}`, state, error, createdAt, createdAt + 5_000);
}

export function seedModelCall(db: Db, startedAt: number, usage: { input: number | null; cached: number | null }, status: 'ok' | 'error' = 'ok'): void {
  db.prepare(`INSERT OR IGNORE INTO conversations (id, channel, created_at, last_activity_at) VALUES (?, 'whatsapp', ?, ?)`).run(CONVERSATION, startedAt, startedAt);
  const turnId = Number(
    db
      .prepare(`INSERT INTO agent_turns (conversation_id, started_at, ended_at, model, api, rounds, status) VALUES (?, ?, ?, 'gpt-5', 'responses', 0, 'answered')`)
      .run(CONVERSATION, startedAt, startedAt + 1000).lastInsertRowid,
  );
  db.prepare(
    `INSERT INTO model_calls (turn_id, conversation_id, seq, purpose, started_at, duration_ms, status, input_tokens, cached_tokens, output_tokens)
     VALUES (?, ?, 0, 'tools', ?, 800, ?, ?, ?, 50)`,
  ).run(turnId, CONVERSATION, startedAt, status, usage.input, usage.cached);
}
