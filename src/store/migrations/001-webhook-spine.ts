// Migrations 1–6, the first service: the durable inbound buffer and delivery, the conversation store, human
// handoff, guests' media, the instance lock and the log-masking secret.
import type { Migration } from './migration.js';

export const WEBHOOK_SPINE_MIGRATIONS: Migration[] = [
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
];
