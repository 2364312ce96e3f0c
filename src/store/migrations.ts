// Versioned schema. Append new migrations; never edit one that has shipped.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'durable inbound buffer and delivery',
    sql: `
      -- Every accepted guest message, committed before the webhook is acknowledged.
      CREATE TABLE inbound_messages (
        -- rowid alias: increasing (rows are never deleted from the top), without AUTOINCREMENT's extra write
        seq                 INTEGER PRIMARY KEY,
        conversation_id     TEXT    NOT NULL,
        channel             TEXT    NOT NULL,
        external_user_id    TEXT    NOT NULL,
        platform_message_id TEXT,
        kind                TEXT    NOT NULL,
        text                TEXT    NOT NULL DEFAULT '',
        media_ref           TEXT,
        reply_context_id    TEXT,
        sender_name         TEXT,
        received_at         INTEGER NOT NULL,
        -- pending → claimed (in a batch) → done
        status              TEXT    NOT NULL DEFAULT 'pending',
        batch_id            INTEGER REFERENCES batches(id),
        -- how many times a turn has been started with this message (bounds crash loops)
        claim_count         INTEGER NOT NULL DEFAULT 0
      );
      -- Partial indexes keep each insert to one index write: only pending rows, only claimed rows.
      CREATE INDEX inbound_pending ON inbound_messages (conversation_id, seq) WHERE status = 'pending';
      CREATE INDEX inbound_by_batch ON inbound_messages (batch_id) WHERE batch_id IS NOT NULL;

      -- Idempotency keys of accepted messages. Platform ids are kept 48 h (WATI re-delivers for 24 h);
      -- content keys for 60 s.
      CREATE TABLE inbound_dedupe (
        key        TEXT    PRIMARY KEY,
        -- 'id' for platform message ids; for content keys, whether the message that set it had an id
        source     TEXT    NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID; -- no index on expires_at: the periodic purge scans, inserts stay cheap

      -- One row per turn: the batch of messages claimed together and what became of its reply.
      CREATE TABLE batches (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT    NOT NULL,
        -- running → delivering → delivered | failed | undelivered ; abandoned (crash before a reply)
        status          TEXT    NOT NULL,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        -- JSON array of the text parts to send, fixed once the agent has answered
        reply_parts     TEXT,
        delivered_parts INTEGER NOT NULL DEFAULT 0,
        -- agent outcome: answered | failed
        outcome         TEXT,
        error_class     TEXT
      );
      CREATE INDEX batches_by_status ON batches (status);
      CREATE INDEX batches_by_conversation ON batches (conversation_id, id);

      -- Every message part actually handed to a channel, with the platform's id when returned.
      CREATE TABLE outbound_messages (
        id                  INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id     TEXT    NOT NULL,
        batch_id            INTEGER REFERENCES batches(id),
        part_index          INTEGER,
        kind                TEXT    NOT NULL,
        text                TEXT    NOT NULL,
        platform_message_id TEXT,
        sent_at             INTEGER NOT NULL
      );
      CREATE INDEX outbound_by_conversation ON outbound_messages (conversation_id, id);
      CREATE INDEX outbound_by_platform_id ON outbound_messages (platform_message_id);
    `,
  },
  {
    version: 2,
    name: 'conversation store: conversations, transcript items, agent turns, model calls',
    sql: `
      -- One row per conversation the agent has answered (same key as inbound_messages.conversation_id).
      CREATE TABLE conversations (
        id               TEXT    PRIMARY KEY,
        channel          TEXT    NOT NULL,
        wa_id            TEXT,
        subscriber_id    TEXT,
        guest_name       TEXT,
        created_at       INTEGER NOT NULL,
        last_activity_at INTEGER NOT NULL,
        -- running sum of transcript_items.tokens; the history budget cuts on it without reading items
        total_tokens     INTEGER NOT NULL DEFAULT 0,
        item_count       INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;

      -- One row per agent turn (one batch of guest messages), written when the turn ends.
      CREATE TABLE agent_turns (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT    NOT NULL REFERENCES conversations(id),
        started_at      INTEGER NOT NULL,
        ended_at        INTEGER NOT NULL,
        model           TEXT    NOT NULL,
        api             TEXT    NOT NULL,
        -- tool rounds executed
        rounds          INTEGER NOT NULL,
        -- answered | failed
        status          TEXT    NOT NULL,
        error_class     TEXT,
        history_items   INTEGER NOT NULL DEFAULT 0,
        history_tokens  INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX agent_turns_by_conversation ON agent_turns (conversation_id, id);

      -- The local transcript replayed to the model. data is the item as JSON (provider items kept verbatim).
      CREATE TABLE transcript_items (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT    NOT NULL REFERENCES conversations(id),
        turn_id         INTEGER NOT NULL REFERENCES agent_turns(id),
        -- user | developer | assistant | function_call | function_output | reasoning
        kind            TEXT    NOT NULL,
        call_id         TEXT,
        -- where history may start: 2 = start of a turn, 1 = start of a model response or the user item, 0 = no
        boundary        INTEGER NOT NULL,
        -- o200k token count of the item, computed once at insert
        tokens          INTEGER NOT NULL,
        -- sum of tokens of all earlier items of the conversation (monotonic within a conversation)
        cum_tokens      INTEGER NOT NULL,
        data            TEXT    NOT NULL,
        created_at      INTEGER NOT NULL
      );
      CREATE INDEX transcript_by_conversation ON transcript_items (conversation_id, cum_tokens);

      -- Every model call attempt (including failed ones), with the usage the provider reported.
      CREATE TABLE model_calls (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        turn_id          INTEGER NOT NULL REFERENCES agent_turns(id),
        conversation_id  TEXT    NOT NULL,
        -- order within the turn
        seq              INTEGER NOT NULL,
        -- tools | final_no_tools | reask_no_tools
        purpose          TEXT    NOT NULL,
        started_at       INTEGER NOT NULL,
        duration_ms      INTEGER NOT NULL,
        -- ok | error
        status           TEXT    NOT NULL,
        error_class      TEXT,
        http_status      INTEGER,
        request_id       TEXT,
        response_id      TEXT,
        input_tokens     INTEGER,
        cached_tokens    INTEGER,
        output_tokens    INTEGER,
        reasoning_tokens INTEGER
      );
      CREATE INDEX model_calls_by_turn ON model_calls (turn_id, seq);
      CREATE INDEX model_calls_by_started ON model_calls (started_at);
    `,
  },
  {
    version: 3,
    name: 'human handoff: bot pause per conversation, operator messages',
    sql: `
      -- Whether the bot is silent in a conversation because a person is handling it.
      CREATE TABLE conversation_pauses (
        conversation_id        TEXT    PRIMARY KEY,
        paused                 INTEGER NOT NULL DEFAULT 0,
        -- handoff | operator | assigned | admin
        reason                 TEXT,
        paused_at              INTEGER,
        -- the pause ends BOT_PAUSE_HOURS after this (refreshed by every human action)
        last_human_at          INTEGER,
        operator_name          TEXT,
        resumed_at             INTEGER,
        -- expired | admin | solved
        resume_reason          TEXT,
        -- WhatsApp first-contact import from WATI done (or not needed)
        history_imported_at    INTEGER
      ) WITHOUT ROWID;

      -- Messages a human operator sent to the guest (WATI owner:true events not sent by the bot).
      CREATE TABLE operator_messages (
        id                  INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id     TEXT    NOT NULL,
        platform_message_id TEXT,
        operator_name       TEXT,
        text                TEXT    NOT NULL,
        sent_at             INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX operator_messages_by_platform_id ON operator_messages (platform_message_id)
        WHERE platform_message_id IS NOT NULL;
      CREATE INDEX operator_messages_by_conversation ON operator_messages (conversation_id, id);
    `,
  },
  {
    version: 4,
    name: 'media received from guests: downloaded once, kept under the data directory',
    sql: `
      -- One row per media item a guest sent, keyed by conversation + source ref (WATI data/… path or the
      -- ManyChat CDN URL). Only successful downloads are recorded; the bytes live in files under the media
      -- directory, named by id (no phone numbers in paths).
      CREATE TABLE media (
        id               TEXT    PRIMARY KEY,   -- m_<hex>, the id the model cites (analyze_payment_proof)
        conversation_id  TEXT    NOT NULL,
        source_ref       TEXT    NOT NULL,
        content_type     TEXT    NOT NULL,
        size_bytes       INTEGER NOT NULL,
        sha256           TEXT    NOT NULL,
        file_name        TEXT    NOT NULL,      -- relative to the media directory
        transcript       TEXT,                  -- voice notes, once transcribed
        created_at       INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX media_by_source ON media (conversation_id, source_ref);
      CREATE INDEX media_by_created ON media (created_at);
    `,
  },
  {
    version: 5,
    name: 'instance lock: one server process per database',
    sql: `
      -- The process that owns the database (timers and single flight are per process).
      CREATE TABLE instance_lock (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        instance_id  TEXT    NOT NULL,
        pid          INTEGER NOT NULL,
        hostname     TEXT    NOT NULL,
        started_at   INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'installation secret for log masking; content dedupe that pairs the flow and event copies',
    sql: `
      -- Values that belong to this installation. 'log_mask_key' keys the HMAC that masks guest ids in logs:
      -- stable for one installation, useless to anyone who has the logs but not the database.
      CREATE TABLE installation (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO installation (name, value) VALUES ('log_mask_key', lower(hex(randomblob(32))));

      -- Content keys now say which route stored them ('wati_flow' or 'wati_event') and how many copies from
      -- that route are still waiting for their twin from the other route.
      ALTER TABLE inbound_dedupe ADD COLUMN unmatched INTEGER NOT NULL DEFAULT 1;
    `,
  },
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
  {
    version: 15,
    name: 'origin of each guest message (live or migrated from the Python service)',
    sql: `
      -- live: received through a webhook; legacy-import: a message the Python service had received and not
      -- answered, written by npm run migrate-legacy (its received_at is the old service's). The hours such a
      -- message waited there are not our reply time, and its conversation is not new at the switch: the
      -- service figures (monitor, report, /metrics) count live messages only. Rows before this version are live.
      ALTER TABLE inbound_messages ADD COLUMN origin TEXT NOT NULL DEFAULT 'live' CHECK (origin IN ('live', 'legacy-import'));
      -- The report asks, per conversation, whether a migrated message came before its first live turn; only
      -- the import writes to this index.
      CREATE INDEX inbound_migrated ON inbound_messages (conversation_id, received_at) WHERE origin = 'legacy-import';
    `,
  },
  {
    version: 16,
    name: 'several bookings per payment',
    sql: `
      -- A payment may pay several bookings while its unused balance covers each (src/hotel-rules/payment-rule.ts):
      -- what stays unique is the attempt in flight. Booked attempts of one payment are its bookings, each
      -- with its ledger row, amount and reserva (the ledger row's codreser names them all).
      DROP INDEX booking_attempts_live_payment;
      CREATE UNIQUE INDEX booking_attempts_in_flight ON booking_attempts (payment_ref)
        WHERE state IN ('reserving', 'posting', 'in_doubt', 'staff');
      CREATE INDEX booking_attempts_by_payment ON booking_attempts (payment_ref, state);
    `,
  },
  {
    version: 17,
    name: 'legacy import: Conversations API ids done',
    sql: `
      -- npm run migrate-legacy --fetch-openai: the conv_… ids of the conversation whose items are imported, or
      -- that the API answered 404 (gone), as a JSON array; a later run does not request them again.
      ALTER TABLE legacy_import_progress ADD COLUMN api_done TEXT NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 18,
    name: 'service tier of each model call (Flex)',
    sql: `
      -- The service tier of the call (FLEX_ENABLED): the one the response reported (default, flex, …), else the
      -- one asked for; cost_usd is at that tier's list price. NULL: the default tier (calls before this version,
      -- providers that report none).
      ALTER TABLE model_calls ADD COLUMN service_tier TEXT;
    `,
  },
  {
    version: 19,
    name: 'reply parts delivered in doubt',
    sql: `
      -- 1: the platform did not answer the send in time and has no history to look in (ManyChat): the part is
      -- taken as delivered and not sent again, but nothing confirms the guest got it.
      ALTER TABLE outbound_messages ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 20,
    name: 'model of each model call (tiered models)',
    sql: `
      -- The model the call went to when it is not the turn's (agent_turns.model): OPENAI_LIGHT_MODEL's calls, which
      -- answer a turn or hand it to the turn's model; cost_usd is at this model's price. NULL: the turn's model.
      ALTER TABLE model_calls ADD COLUMN model TEXT;
    `,
  },
];
