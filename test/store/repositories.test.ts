// The repositories that took over the SQL of handoff/, media/ and the admin routes. Rows are seeded with
// plain SQL so these tests do not depend on how the buffer writes them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationHistoryRepository } from '../../src/store/conversation-history-repository.js';
import { hasTable, schemaVersion, LATEST_SCHEMA_VERSION, openDatabase, type Db } from '../../src/store/database.js';
import { MediaRepository } from '../../src/store/media-repository.js';
import { PauseRepository } from '../../src/store/pause-repository.js';
import { openMigratedDatabase } from '../support/test-db.js';

const WA = '50312345678';
let db: Db;
beforeEach(() => {
  db = openMigratedDatabase(':memory:');
});
afterEach(() => db.close());

function seedBatch(status: string, createdAt: number, messages: { text: string; id?: string; at: number; kind?: string }[], replyParts?: unknown[]) {
  const batchId = Number(
    db
      .prepare('INSERT INTO batches (conversation_id, status, created_at, updated_at, reply_parts) VALUES (?, ?, ?, ?, ?)')
      .run(WA, status, createdAt, createdAt + 1, replyParts ? JSON.stringify(replyParts) : null).lastInsertRowid,
  );
  for (const m of messages) {
    db.prepare(
      `INSERT INTO inbound_messages (conversation_id, channel, external_user_id, platform_message_id, kind, text, received_at, status, batch_id)
       VALUES (?, 'whatsapp', ?, ?, ?, ?, ?, 'done', ?)`,
    ).run(WA, WA, m.id ?? null, m.kind ?? 'text', m.text, m.at, batchId);
  }
  return batchId;
}

function seedOutbound(batchId: number, text: string, platformMessageId: string | null, sentAt: number) {
  db.prepare(
    `INSERT INTO outbound_messages (conversation_id, batch_id, part_index, kind, text, platform_message_id, sent_at)
     VALUES (?, ?, 0, 'text', ?, ?, ?)`,
  ).run(WA, batchId, text, platformMessageId, sentAt);
}

describe('schemaVersion, hasTable', () => {
  it('read the schema of a new and of a migrated database', () => {
    const fresh = openDatabase(':memory:');
    expect([schemaVersion(fresh), hasTable(fresh, 'instance_lock')]).toEqual([0, false]);
    fresh.close();
    expect([schemaVersion(db), hasTable(db, 'instance_lock'), hasTable(db, 'no_such_table')]).toEqual([LATEST_SCHEMA_VERSION, true, false]);
  });
});

describe('PauseRepository', () => {
  it('keeps the start and reason of a running pause, refreshes its clock, and resumes once', () => {
    const pauses = new PauseRepository(db);
    expect(pauses.get(WA)).toBeUndefined();
    pauses.pause(WA, 'handoff', 1_000, null);
    pauses.pause(WA, 'operator', 5_000, 'Ana');
    expect(pauses.get(WA)).toEqual({
      conversationId: WA,
      paused: true,
      reason: 'handoff',
      pausedAt: 1_000,
      lastHumanAt: 5_000,
      operatorName: 'Ana',
      resumedAt: null,
      resumeReason: null,
      historyImportedAt: null,
    });
    expect(pauses.resume(WA, 'admin', 6_000)).toBe(true);
    expect(pauses.resume(WA, 'admin', 7_000)).toBe(false);
    pauses.markHistoryImported(WA, 8_000);
    expect(pauses.get(WA)).toMatchObject({ paused: false, resumedAt: 6_000, resumeReason: 'admin', historyImportedAt: 8_000 });
  });

  it('records an operator message once per platform id and lists those after a time', () => {
    const pauses = new PauseRepository(db);
    const m = { platformMessageId: 'w1', operatorName: 'Ana', text: 'Hola', sentAt: 10 };
    expect(pauses.insertOperatorMessage(WA, m)).toBe(true);
    expect(pauses.insertOperatorMessage(WA, { ...m, text: 'otra vez' })).toBe(false);
    expect(pauses.insertOperatorMessage(WA, { platformMessageId: null, operatorName: null, text: 'sin id', sentAt: 20 })).toBe(true);
    expect(pauses.operatorMessagesSince(WA, 10)).toEqual([{ platformMessageId: null, operatorName: null, text: 'sin id', sentAt: 20 }]);
    expect([pauses.isOperatorMessageId('w1'), pauses.isOperatorMessageId('w2')]).toEqual([true, false]);
  });
});

describe('ConversationHistoryRepository', () => {
  it('answers for a conversation with no history', () => {
    const history = new ConversationHistoryRepository(db);
    expect(history.messageCounts(WA)).toEqual({ total: 0, pending: 0 });
    expect(history.recentTurns(WA, 10)).toEqual([]);
    expect(history.lastReplyAt(WA)).toBeUndefined();
    expect(history.isKnownConversation(WA)).toBe(false);
  });

  it('lists turns newest first with their guest messages and reply, and the messages around a cutoff', () => {
    const history = new ConversationHistoryRepository(db);
    const first = seedBatch('delivered', 100, [{ text: 'Hola', id: 'in1', at: 90 }], ['Buenas', 'tardes']);
    seedOutbound(first, 'Buenas', 'out1', 110);
    seedOutbound(first, 'tardes', 'out2', 120);
    seedBatch('held', 200, [{ text: 'sigo aquí', at: 190 }, { text: 'foto', at: 195, kind: 'image' }]);

    expect(history.recentTurns(WA, 10)).toEqual([
      {
        batchId: first + 1,
        status: 'held',
        outcome: null,
        errorClass: null,
        createdAt: 200,
        updatedAt: 201,
        guest: [
          { kind: 'text', text: 'sigo aquí', receivedAt: 190 },
          { kind: 'image', text: 'foto', receivedAt: 195 },
        ],
        replyParts: [],
      },
      expect.objectContaining({ batchId: first, status: 'delivered', replyParts: [{ type: 'text', text: 'Buenas' }, { type: 'text', text: 'tardes' }] }),
    ]);
    expect(history.recentTurns(WA, 1)).toHaveLength(1);
    expect(history.messageCounts(WA)).toEqual({ total: 3, pending: 0 });
    expect(history.lastReplyAt(WA)).toBe(120);
    expect(history.heldMessagesSince(WA, 190).map((m) => [m.kind, m.text])).toEqual([['image', 'foto']]);
    // No order promised: the caller builds sets from these.
    expect(history.inboundSince(WA, 100).sort((x, y) => x.text.localeCompare(y.text))).toEqual([
      { platformMessageId: null, text: 'foto' },
      { platformMessageId: null, text: 'sigo aquí' },
    ]);
    expect(history.outboundTextsSince(WA, 120)).toEqual(['tardes']);
    expect([history.isOwnMessageId('out1'), history.isOwnMessageId('in1')]).toEqual([true, false]);
    expect([history.outboundTextById('out2'), history.outboundTextById('nope')]).toEqual(['tardes', undefined]);
    expect(history.isKnownConversation(WA)).toBe(true);
  });
});

describe('MediaRepository', () => {
  it('records media once per conversation and source, and deletes by age', () => {
    const media = new MediaRepository(db);
    const item = { id: 'm_1', conversationId: WA, sourceRef: 'data/images/a.jpg', contentType: 'image/jpeg', sizeBytes: 3, sha256: 'ab', fileName: 'm_1.jpg', createdAt: 10 };
    expect(media.insert(item)).toBe(true);
    expect(media.insert({ ...item, id: 'm_2', fileName: 'm_2.jpg' })).toBe(false);
    media.setTranscript('m_1', 'hola');
    expect(media.findBySource(WA, 'data/images/a.jpg')).toEqual({ ...item, transcript: 'hola' });
    expect([media.get(WA, 'm_1')?.id, media.get('50399999999', 'm_1')]).toEqual(['m_1', undefined]);
    expect(media.filesCreatedBefore(11)).toEqual([{ id: 'm_1', fileName: 'm_1.jpg' }]);
    expect([media.deleteCreatedBefore(10), media.deleteCreatedBefore(11)]).toEqual([0, 1]);
    expect(media.get(WA, 'm_1')).toBeUndefined();
  });
});
