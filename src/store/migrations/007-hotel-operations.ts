// Migrations 7–14, the hotel's operations: durable jobs, booking attempts, payment follow-ups and links, model
// call cost, the alert monitor, the canary's model configuration and the legacy import's progress.
import type { Migration } from './migration.js';

export const HOTEL_OPERATIONS_MIGRATIONS: Migration[] = [
  {
    version: 7,
    name: 'durable jobs',
    sql: `
      -- Side effects that must happen later or be retried (handoff steps, ticket updates, follow-ups).
      CREATE TABLE jobs (
        id               INTEGER PRIMARY KEY,
        kind             TEXT    NOT NULL,
        conversation_id  TEXT,
        payload          TEXT    NOT NULL, -- JSON, validated by the job kind before each run
        status           TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
        attempts         INTEGER NOT NULL, -- runs started, the current one included
        max_attempts     INTEGER NOT NULL,
        run_at           INTEGER NOT NULL, -- when a pending job is due
        last_error_class TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
      );
      CREATE INDEX jobs_due ON jobs (run_at) WHERE status = 'pending';
      CREATE INDEX jobs_by_status ON jobs (status, updated_at);
    `,
  },
  {
    version: 8,
    name: 'booking attempts',
    sql: `
      -- Every booking the assistant attempts, recorded before the booking API is called, so that the same
      -- payment is never booked twice (a second tool call, a turn re-run after a crash) and an attempt whose
      -- API answer was lost is reconciled instead of posted again.
      CREATE TABLE booking_attempts (
        id              INTEGER PRIMARY KEY,
        conversation_id TEXT    NOT NULL,
        payment_ref     TEXT    NOT NULL, -- booking_locks key: CC_<authorization> or BAC_<bac.id>
        holder          TEXT    NOT NULL, -- booking_locks.wa_id: the WhatsApp id or ManyChat subscriber id
        state           TEXT    NOT NULL CHECK (state IN ('reserving', 'posting', 'booked', 'failed', 'in_doubt', 'staff')),
        request         TEXT    NOT NULL, -- JSON: the validated booking (guest, dates, rooms, quote, form)
        amount_cents    INTEGER NOT NULL, -- what is taken from the ledger row
        ledger_row_id   INTEGER,          -- compraclick.id or bac.id once the money is reserved
        reserva         TEXT,             -- the booking number once known
        ledger_done     INTEGER NOT NULL DEFAULT 0, -- codreser/dateused written and the lock removed
        error           TEXT,             -- why it failed or is in doubt (for staff)
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      );
      -- One live attempt per payment: a failed attempt gave its money back, anything else holds it.
      CREATE UNIQUE INDEX booking_attempts_live_payment ON booking_attempts (payment_ref) WHERE state <> 'failed';
      CREATE INDEX booking_attempts_by_conversation ON booking_attempts (conversation_id, id);
      CREATE INDEX booking_attempts_by_state ON booking_attempts (state);
    `,
  },
  {
    version: 9,
    name: 'payment follow-ups',
    sql: `
      -- A payment not in the ledger yet, checked again on a schedule until it is booked or a person takes
      -- over. One live follow-up per payment: asking again for the same payment returns the first.
      CREATE TABLE payment_follow_ups (
        id              INTEGER PRIMARY KEY,
        conversation_id TEXT    NOT NULL,
        payment_key     TEXT    NOT NULL, -- e.g. BANK_<slip date>_<cents> or CC_<authorization>
        kind            TEXT    NOT NULL CHECK (kind IN ('bank', 'card')),
        payload         TEXT    NOT NULL, -- JSON: what to look for and the booking to make
        state           TEXT    NOT NULL CHECK (state IN ('active', 'booked', 'escalated', 'cancelled')),
        attempts        INTEGER NOT NULL DEFAULT 0, -- scheduled attempts done
        next_at         INTEGER,          -- when the next attempt is due (active only)
        reserva         TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX payment_follow_ups_live ON payment_follow_ups (payment_key) WHERE state = 'active';
      CREATE INDEX payment_follow_ups_by_conversation ON payment_follow_ups (conversation_id, state);
    `,
  },
  {
    version: 10,
    name: 'payment links',
    sql: `
      -- CompraClick links the bot created: the same conversation asking again for the same amount and name
      -- within a day gets the link it has; 'creating' guards against two portal sessions for one link.
      CREATE TABLE payment_links (
        id              INTEGER PRIMARY KEY,
        conversation_id TEXT    NOT NULL,
        description     TEXT    NOT NULL, -- the link's description in the portal: the guest's name
        amount_cents    INTEGER NOT NULL,
        state           TEXT    NOT NULL CHECK (state IN ('creating', 'created', 'failed')),
        url             TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX payment_links_creating ON payment_links (conversation_id, description, amount_cents) WHERE state = 'creating';
      CREATE INDEX payment_links_lookup ON payment_links (conversation_id, description, amount_cents, created_at);
    `,
  },
  {
    version: 11,
    name: 'model call cost',
    sql: `
      -- US$ of the call from its usage and the price table at the time (MODEL_PRICES over the list prices);
      -- NULL when the model had no price or the call reported no usage. Calls made before this version stay NULL.
      ALTER TABLE model_calls ADD COLUMN cost_usd REAL;
      -- usage-repository.ts attributes calls to the period in which their turn started.
      CREATE INDEX agent_turns_by_started ON agent_turns (started_at);
    `,
  },
  {
    version: 12,
    name: 'alert monitor state; indexes for its window queries',
    sql: `
      -- The in-process monitor's last evaluation (one row): the level it notified, which checks failed and
      -- when the last alert or reminder went out, so a restart neither alerts again nor forgets to resolve.
      CREATE TABLE monitor_state (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        level       TEXT    NOT NULL CHECK (level IN ('ok', 'warning', 'critical')),
        failing     TEXT    NOT NULL, -- JSON array of the failing checks' names
        notified_at INTEGER,          -- the last alert or reminder (NULL once resolved)
        updated_at  INTEGER NOT NULL
      );
      -- monitoring-repository.ts reads the batches finished in a window (a finished batch is not updated again)
      -- and each one's first reply part.
      CREATE INDEX batches_by_updated ON batches (updated_at);
      CREATE INDEX outbound_by_batch ON outbound_messages (batch_id, part_index) WHERE batch_id IS NOT NULL;
    `,
  },
  {
    version: 13,
    name: 'model configuration of each turn (canary)',
    sql: `
      -- Which model configuration answered the turn: primary | canary (agent/canary.ts, LLM_CANARY_*); the
      -- model actually used stays in agent_turns.model. Turns before this version, and notices, are primary.
      ALTER TABLE agent_turns ADD COLUMN config TEXT NOT NULL DEFAULT 'primary' CHECK (config IN ('primary', 'canary'));
    `,
  },
  {
    version: 14,
    name: 'legacy import progress',
    sql: `
      -- npm run migrate-legacy: one row per conversation imported from the Python service's SQLite files,
      -- written in the same transaction as its transcript items and pending messages, so an interrupted run
      -- resumes after the last committed conversation and a second run imports only what is newer.
      CREATE TABLE legacy_import_progress (
        conversation_id TEXT    PRIMARY KEY,
        -- where the history came from: openai | webhook_messages | conversation_log | none
        source          TEXT    NOT NULL,
        items           INTEGER NOT NULL, -- transcript items written by the import (all runs)
        pending         INTEGER NOT NULL, -- legacy message_buffer rows made pending inbound messages (all runs)
        watermark_at    INTEGER,          -- the newest legacy history item imported (epoch ms)
        watermark_keys  TEXT    NOT NULL, -- JSON array: keys of the items imported at exactly watermark_at
        imported_at     INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];
