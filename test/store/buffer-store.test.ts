import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/core/messages.js';
import { inboundMessage } from '../support/inbound-message.js';
import { BufferStore, CONTENT_DEDUPE_WINDOW_MS, PLATFORM_ID_RETENTION_MS } from '../../src/store/buffer-store.js';
import { type Db } from '../../src/store/database.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { tempDbPath } from '../support/test-config.js';

const text = (t: string) => ({ type: 'text' as const, text: t });

const msg = (over: Partial<InboundMessage> = {}): InboundMessage => {
  const m = inboundMessage({ externalUserId: '50312345678', ...over });
  // As the WATI parser marks it: an id means the standard event, none the flow body.
  return 'dedupeRoute' in over ? m : { ...m, dedupeRoute: m.platformMessageId ? 'wati_event' : 'wati_flow' };
};

let db: Db;
let store: BufferStore;
beforeEach(() => {
  db = openMigratedDatabase(tempDbPath());
  store = new BufferStore(db);
});
afterEach(() => db.close());

describe('BufferStore.accept', () => {
  it('keeps platform ids for 48 hours', () => {
    const m = msg({ platformMessageId: 'wamid.1' });
    expect(store.accept([m], 0).accepted).toBe(true);
    expect(store.accept([m], PLATFORM_ID_RETENTION_MS - 1).accepted).toBe(false);
    store.purgeExpiredDedupeKeys(PLATFORM_ID_RETENTION_MS);
    expect(store.accept([m], PLATFORM_ID_RETENTION_MS).accepted).toBe(true);
  });

  it('pairs a flow body (no id) with a standard event (id) of the same normalised content within 60 seconds only', () => {
    expect(store.accept([msg({ text: 'Hola  mundo' })], 0).accepted).toBe(true);
    expect(store.accept([msg({ text: 'hola mundo ', platformMessageId: 'w1' })], 59_000).accepted).toBe(false);
    // That event is now known by its id: its re-delivery is a repeat too.
    expect(store.accept([msg({ text: 'hola mundo ', platformMessageId: 'w1' })], 59_500).accepted).toBe(false);
    expect(store.accept([msg({ text: 'hola mundo' })], 100_000).accepted).toBe(true);
    expect(store.accept([msg({ text: 'hola mundo', platformMessageId: 'w2' })], 100_000 + CONTENT_DEDUPE_WINDOW_MS + 1).accepted).toBe(true);
    expect(store.accept([msg({ text: 'hola mundo', conversationId: '50399999999', platformMessageId: 'w3' })], 100_001).accepted).toBe(true);
  });

  it('never dedupes content within one route, and pairs copies one for one across the two', () => {
    const flow = (t: number) => store.accept([msg({ text: 'sí' })], t).accepted;
    const event = (id: string, t: number) => store.accept([msg({ text: 'sí', platformMessageId: id })], t).accepted;
    expect([flow(0), flow(1), event('a', 2), event('b', 3), event('c', 4)]).toEqual([true, true, false, false, true]);
    expect([flow(5), flow(6)]).toEqual([false, true]);
  });

  it('applies no content dedupe to ManyChat, which has a single route', () => {
    const mc = msg({ conversationId: 'facebook:77', channel: 'facebook', externalUserId: '77', text: 'ok', dedupeRoute: undefined });
    expect([store.accept([mc], 0).accepted, store.accept([mc], 1).accepted]).toEqual([true, true]);
  });

  it('treats a message as a repeat when any of its ids (the wamid or WATI\'s own id) was seen', () => {
    expect(store.accept([msg({ platformMessageId: 'wamid.9', platformMessageAliases: ['wati-9'] })], 0).accepted).toBe(true);
    expect(store.accept([msg({ platformMessageId: 'wati-9', text: 'otra' })], 1).accepted).toBe(false);
  });

  it('accepts two distinct platform messages with the same text', () => {
    expect(store.accept([msg({ platformMessageId: 'a', text: 'ok' })], 0).accepted).toBe(true);
    expect(store.accept([msg({ platformMessageId: 'b', text: 'ok' })], 1_000).accepted).toBe(true);
  });
});

describe('BufferStore.acceptMany (group commit)', () => {
  it('applies the same dedupe rules within one group as across groups', () => {
    const results = store.acceptMany(
      [[msg({ platformMessageId: 'w1', text: 'a' })], [msg({ platformMessageId: 'w1', text: 'a' })], [msg({ text: 'b' })], [msg({ text: 'B ', platformMessageId: 'w2' })]],
      0,
    );
    expect(results.map((r) => r.accepted)).toEqual([true, false, true, false]);
    expect(store.pendingSummary('50312345678')?.count).toBe(2);
  });

  it('stores nothing of the group when the transaction fails', () => {
    db.exec(`CREATE TRIGGER fail_on_boom BEFORE INSERT ON inbound_messages WHEN NEW.text = 'boom'
             BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    expect(() => store.acceptMany([[msg({ text: 'ok' })], [msg({ text: 'boom' })]], 0)).toThrow('boom');
    expect(store.pendingSummary('50312345678')).toBeUndefined();
    expect(store.accept([msg({ text: 'ok' })], 1).accepted).toBe(true);
  });
});

describe('BufferStore batches', () => {
  it('claims every pending message in arrival order, atomically', () => {
    store.accept([msg({ text: 'uno' })], 1);
    store.accept([msg({ text: 'dos' })], 2);
    const batch = store.claimBatch('50312345678', 3)!;
    expect(batch.messages.map((m) => m.text)).toEqual(['uno', 'dos']);
    expect(batch.maxClaimCount).toBe(1);
    expect(store.claimBatch('50312345678', 4)).toBeUndefined();
    expect(store.pendingSummary('50312345678')).toBeUndefined();
  });

  it('returns interrupted batches to the buffer on restart, counting the attempt', () => {
    store.accept([msg({ text: 'uno' })], 1);
    store.claimBatch('50312345678', 2);
    expect(store.releaseInterruptedBatches(3)).toBe(1);
    expect(store.conversationsWithWork()).toEqual(['50312345678']);
    expect(store.claimBatch('50312345678', 4)!.maxClaimCount).toBe(2);
  });

  it('records the reply and the transcript commit together, or neither', () => {
    store.accept([msg()], 1);
    const batch = store.claimBatch('50312345678', 2)!;
    expect(() =>
      store.atomically(() => {
        store.recordReply(batch.batchId, { parts: [text('hola')], outcome: 'answered' }, 3);
        throw new Error('transcript write failed');
      }),
    ).toThrow('transcript write failed');
    expect(store.hasUnfinishedDelivery('50312345678')).toBe(false);

    const picture = { type: 'media' as const, kind: 'image' as const, source: { type: 'resource' as const, path: 'pictures/a.jpg' }, caption: 'Vista' };
    store.recordReply(batch.batchId, { parts: [picture, text('a'), text('b')], outcome: 'answered' }, 4);
    store.recordPartDelivered(batch, 0, picture, 'wamid.x', 5);
    expect(store.deliveringBatches('50312345678')).toEqual([
      expect.objectContaining({ parts: [picture, text('a'), text('b')], deliveredParts: 1, outcome: 'answered' }),
    ]);
    expect(db.prepare('SELECT kind, text FROM outbound_messages').all()).toEqual([{ kind: 'image', text: 'Vista [pictures/a.jpg]' }]);
    store.finishBatch(batch.batchId, 'delivered', undefined, 6);
    expect(store.conversationsWithWork()).toEqual([]);
  });
});
