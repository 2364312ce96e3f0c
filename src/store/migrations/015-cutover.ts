// Migrations 15 on, the cutover from the Python service and after: message origin, several bookings per
// payment, the legacy import's Conversations API ids, the Flex tier, reply parts in doubt, tiered models.
// Append new migrations here (migrations.ts lists the eras in order).
import type { Migration } from './migration.js';

export const CUTOVER_MIGRATIONS: Migration[] = [
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
