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
        seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
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
      CREATE INDEX inbound_by_conversation ON inbound_messages (conversation_id, status, seq);
      CREATE INDEX inbound_by_status ON inbound_messages (status);

      -- Idempotency keys of accepted messages. Platform ids are kept 48 h (WATI re-delivers for 24 h);
      -- content keys for 60 s.
      CREATE TABLE inbound_dedupe (
        key        TEXT    PRIMARY KEY,
        -- 'id' for platform message ids; for content keys, whether the message that set it had an id
        source     TEXT    NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX inbound_dedupe_expiry ON inbound_dedupe (expires_at);

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
];
