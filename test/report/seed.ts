// A migrated database with three days of activity in America/El_Salvador (UTC−6, no daylight saving),
// 2026-11-28 … 2026-11-30, plus rows just outside them, for the report's tests. Costs are computed from the
// usage with the built-in price table, as ConversationStore does; 'my-local-model' has no price.
import { costOfUsage, DEFAULT_MODEL_PRICES } from '../../src/core/model-prices.js';
import type { Db } from '../../src/store/database.js';
import { openMigratedDatabase } from '../support/test-db.js';

export const TZ = 'America/El_Salvador';
export const SINCE = '2026-11-28';
export const UNTIL = '2026-11-30';

/** A wall-clock time in El Salvador as epoch ms: `sv('2026-11-28 10:00:00')`. */
export function sv(local: string): number {
  return Date.parse(`${local.replace(' ', 'T')}-06:00`);
}

export const ANA = '50370000001';
export const BETO = 'facebook:123456789';
export const CARLA = '50370000003';
export const ZOE = '50370000009';
export const EVIL_NAME = '<script>alert("x")</script> Beto';

interface Call {
  input?: number;
  cached?: number;
  output?: number;
  reasoning?: number;
  /** An attempt that failed before reporting usage. */
  error?: string;
}

interface TurnSpec {
  conversationId: string;
  /** The guest's messages (local times); the last one starts the reply-time clock. */
  messages: string[];
  model: string;
  calls: Call[];
  /** Batch status: delivered (default), failed (fallback sent), undelivered, held. */
  status?: 'delivered' | 'failed' | 'undelivered' | 'held';
  errorClass?: string;
  /** ms after the last message at which each reply part was handed to the channel. */
  replyAfterMs?: number[];
}

function insertTurn(db: Db, spec: TurnSpec): void {
  const lastAt = sv(spec.messages[spec.messages.length - 1]!);
  const createdAt = lastAt + 1_000;
  const status = spec.status ?? 'delivered';
  const batchId = Number(
    db
      .prepare(
        `INSERT INTO batches (conversation_id, status, created_at, updated_at, outcome, error_class)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(spec.conversationId, status, createdAt, createdAt + 60_000, status === 'failed' ? 'failed' : 'answered', spec.errorClass ?? null).lastInsertRowid,
  );
  for (const m of spec.messages) {
    db.prepare(
      `INSERT INTO inbound_messages (conversation_id, channel, external_user_id, kind, text, received_at, status, batch_id, claim_count)
       VALUES (?, 'whatsapp', ?, 'text', 'hola', ?, 'done', ?, 1)`,
    ).run(spec.conversationId, spec.conversationId, sv(m), batchId);
  }
  (spec.replyAfterMs ?? []).forEach((after, i) => {
    db.prepare(
      `INSERT INTO outbound_messages (conversation_id, batch_id, part_index, kind, text, sent_at) VALUES (?, ?, ?, 'text', 'respuesta', ?)`,
    ).run(spec.conversationId, batchId, i, lastAt + after);
  });
  if (status === 'held') return;
  const turnFailed = status === 'failed';
  const turnId = Number(
    db
      .prepare(
        `INSERT INTO agent_turns (conversation_id, started_at, ended_at, model, api, rounds, status, error_class)
         VALUES (?, ?, ?, ?, 'responses', 1, ?, ?)`,
      )
      .run(spec.conversationId, createdAt, createdAt + 2_000, spec.model, turnFailed ? 'failed' : 'answered', turnFailed ? (spec.errorClass ?? null) : null)
      .lastInsertRowid,
  );
  spec.calls.forEach((call, seq) => {
    const usage = call.error
      ? undefined
      : { inputTokens: call.input ?? 0, cachedTokens: call.cached ?? 0, outputTokens: call.output ?? 0, reasoningTokens: call.reasoning ?? 0 };
    db.prepare(
      `INSERT INTO model_calls (turn_id, conversation_id, seq, purpose, started_at, duration_ms, status, error_class,
                                input_tokens, cached_tokens, output_tokens, reasoning_tokens, cost_usd)
       VALUES (?, ?, ?, 'tools', ?, 900, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      turnId,
      spec.conversationId,
      seq,
      createdAt + seq * 1_000,
      call.error ? 'error' : 'ok',
      call.error ?? null,
      usage?.inputTokens ?? null,
      usage?.cachedTokens ?? null,
      usage?.outputTokens ?? null,
      usage?.reasoningTokens ?? null,
      usage ? (costOfUsage(spec.model, usage, DEFAULT_MODEL_PRICES) ?? null) : null,
    );
  });
}

function conversation(db: Db, id: string, name: string, createdAt: string): void {
  const channel = id.startsWith('facebook:') ? 'facebook' : 'whatsapp';
  db.prepare(
    `INSERT INTO conversations (id, channel, wa_id, subscriber_id, guest_name, created_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, channel, channel === 'whatsapp' ? id : null, channel === 'facebook' ? id.slice(9) : null, name, sv(createdAt), sv(createdAt));
}

/** Seeds the database at `path` (created and migrated) and returns it open for writing. */
export function seedReportDatabase(path: string): Db {
  const db = openMigratedDatabase(path);
  db.transaction(() => {
    conversation(db, ZOE, 'Zoe', '2026-11-27 23:00:00');
    conversation(db, ANA, 'Ana', '2026-11-28 09:59:50');
    conversation(db, BETO, EVIL_NAME, '2026-11-28 14:59:00');
    conversation(db, CARLA, 'Carla', '2026-11-29 11:59:00');

    // The evening before the period (05:30 UTC on the 28th): outside it.
    insertTurn(db, { conversationId: ZOE, messages: ['2026-11-27 23:30:00'], model: 'gpt-5', calls: [{ input: 100_000, cached: 0, output: 1_000 }], replyAfterMs: [100_000] });

    // Day 1, 2026-11-28
    insertTurn(db, {
      conversationId: ANA,
      messages: ['2026-11-28 09:59:50', '2026-11-28 10:00:00'],
      model: 'gpt-5',
      calls: [{ input: 10_000, cached: 8_000, output: 200, reasoning: 50 }],
      replyAfterMs: [4_000, 5_000],
    });
    insertTurn(db, {
      conversationId: BETO,
      messages: ['2026-11-28 15:00:00'],
      model: 'gpt-5',
      calls: [
        { input: 12_000, cached: 10_000, output: 300 },
        { input: 12_500, cached: 12_000, output: 100 },
      ],
      replyAfterMs: [6_000],
    });

    // Day 2, 2026-11-29: a failed turn (the fallback reply was sent) and a handoff.
    insertTurn(db, { conversationId: ANA, messages: ['2026-11-29 11:00:00'], model: 'gpt-5-mini', calls: [{ input: 8_000, cached: 0, output: 100 }], replyAfterMs: [2_000] });
    insertTurn(db, {
      conversationId: CARLA,
      messages: ['2026-11-29 12:00:00'],
      model: 'gpt-5',
      calls: [{ error: 'timeout' }],
      status: 'failed',
      errorClass: 'model_timeout',
      replyAfterMs: [30_000],
    });

    // Day 3, 2026-11-30: an unpriced model, an undelivered reply, a held batch, a turn late in the evening
    // (05:50 UTC on December 1st, still the 30th in El Salvador).
    insertTurn(db, { conversationId: BETO, messages: ['2026-11-30 09:00:00'], model: 'my-local-model', calls: [{ input: 5_000, cached: 0, output: 50 }], replyAfterMs: [8_000] });
    insertTurn(db, {
      conversationId: BETO,
      messages: ['2026-11-30 09:30:00'],
      model: 'gpt-5',
      calls: [{ input: 6_000, cached: 5_000, output: 60 }],
      status: 'undelivered',
      errorClass: 'channel_rejected',
    });
    insertTurn(db, { conversationId: CARLA, messages: ['2026-11-30 10:00:00'], model: 'gpt-5', calls: [], status: 'held' });
    insertTurn(db, { conversationId: ANA, messages: ['2026-11-30 23:50:00'], model: 'gpt-5', calls: [{ input: 9_000, cached: 9_000, output: 80 }], replyAfterMs: [3_000] });

    // A notice outside any turn (no batch): not a reply part.
    db.prepare(`INSERT INTO outbound_messages (conversation_id, kind, text, sent_at) VALUES (?, 'text', 'aviso', ?)`).run(CARLA, sv('2026-11-29 12:01:00'));

    const pause = db.prepare('INSERT INTO conversation_pauses (conversation_id, paused, reason, paused_at, last_human_at) VALUES (?, 1, ?, ?, ?)');
    pause.run(CARLA, 'handoff', sv('2026-11-29 12:01:00'), sv('2026-11-29 12:01:00'));
    pause.run(BETO, 'operator', sv('2026-11-30 11:00:00'), sv('2026-11-30 11:00:00'));
    pause.run(ZOE, 'handoff', sv('2026-11-27 23:40:00'), sv('2026-11-27 23:40:00'));

    const booking = db.prepare(
      `INSERT INTO booking_attempts (conversation_id, payment_ref, holder, state, request, amount_cents, reserva, created_at, updated_at)
       VALUES (?, ?, ?, ?, '{}', ?, ?, ?, ?)`,
    );
    booking.run(ANA, 'CC_111', ANA, 'failed', 10_000, null, sv('2026-11-30 10:00:00'), sv('2026-11-30 10:00:00'));
    booking.run(ANA, 'CC_222', ANA, 'booked', 25_000, 'R-1001', sv('2026-11-30 23:55:00'), sv('2026-11-30 23:56:00'));
    booking.run(ZOE, 'CC_999', ZOE, 'booked', 99_900, 'R-0999', sv('2026-11-27 23:45:00'), sv('2026-11-27 23:46:00'));

    const followUp = db.prepare(
      `INSERT INTO payment_follow_ups (conversation_id, payment_key, kind, payload, state, attempts, created_at, updated_at)
       VALUES (?, ?, ?, '{}', ?, ?, ?, ?)`,
    );
    followUp.run(CARLA, 'BANK_20261129_15000', 'bank', 'escalated', 3, sv('2026-11-29 12:00:30'), sv('2026-11-29 18:00:00'));
    followUp.run(ANA, 'CC_222', 'card', 'booked', 1, sv('2026-11-30 10:05:00'), sv('2026-11-30 23:56:00'));

    const job = db.prepare(
      `INSERT INTO jobs (kind, conversation_id, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
       VALUES (?, ?, '{}', ?, 1, 1, ?, ?, ?)`,
    );
    job.run('payment.follow-up', CARLA, 'done', sv('2026-11-29 12:10:00'), sv('2026-11-29 12:00:30'), sv('2026-11-29 12:10:00'));
    job.run('payment.follow-up', CARLA, 'failed', sv('2026-11-29 18:00:00'), sv('2026-11-29 12:10:00'), sv('2026-11-29 18:00:00'));
    job.run('payment.follow-up', ANA, 'done', sv('2026-11-30 10:06:00'), sv('2026-11-30 10:05:00'), sv('2026-11-30 10:06:00'));
    job.run('staff.alert', CARLA, 'done', sv('2026-11-29 12:02:00'), sv('2026-11-29 12:01:00'), sv('2026-11-29 12:02:00'));
  })();
  return db;
}
