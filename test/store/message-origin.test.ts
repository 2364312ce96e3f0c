// inbound_messages.origin (migration 15): messages stored before it are live, a webhook's are live, the legacy
// import's are 'legacy-import', nothing else is accepted, and a claimed batch carries each message's origin.
import { describe, expect, it } from 'vitest';
import { BufferStore } from '../../src/store/buffer-store.js';
import { openDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { importLegacy } from '../support/legacy-switch.js';
import { openMigratedDatabase } from '../support/test-db.js';

const T0 = Date.parse('2026-12-01T20:00:00Z');

describe('inbound_messages.origin', () => {
  it('is live for rows stored before schema 15', () => {
    const db = openDatabase(':memory:');
    try {
      for (const m of MIGRATIONS.filter((x) => x.version <= 14)) db.exec(m.sql);
      db.pragma('user_version = 14');
      db.prepare(`INSERT INTO inbound_messages (conversation_id, channel, external_user_id, kind, text, received_at) VALUES ('50370000001', 'whatsapp', '50370000001', 'text', 'hola', ?)`).run(T0);
      for (const m of MIGRATIONS.filter((x) => x.version > 14)) db.exec(m.sql);
      expect(db.prepare('SELECT origin FROM inbound_messages').pluck().all()).toEqual(['live']);
    } finally {
      db.close();
    }
  });

  it("is 'legacy-import' for the import's pending messages and live for a webhook's; a batch carries it", () => {
    const db = openMigratedDatabase(':memory:');
    try {
      importLegacy(db, [{ conversationId: '50370000002', pending: [{ text: 'viejo', at: T0 - 3600_000 }] }], T0);
      const buffer = new BufferStore(db);
      buffer.accept([{ conversationId: '50370000002', channel: 'whatsapp', externalUserId: '50370000002', platformMessageId: 'wamid.1', kind: 'text', text: 'nuevo', mediaRef: undefined, replyContextId: undefined, senderName: undefined }], T0);
      const batch = buffer.claimBatch('50370000002', T0 + 1_000);
      expect(batch?.messages.map((m) => [m.text, m.origin])).toEqual([
        ['viejo', 'legacy-import'],
        ['nuevo', 'live'],
      ]);
      expect(() => db.prepare(`UPDATE inbound_messages SET origin = 'other'`).run()).toThrow(/CHECK constraint/);
    } finally {
      db.close();
    }
  });
});
