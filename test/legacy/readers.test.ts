// Legacy timestamps in both formats, the readers over files with the exact legacy schemas, and the grouping
// of legacy keys (waId, channel:id, bare ManyChat ids with their channel from the logs).
import { describe, expect, it } from 'vitest';
import { groupLegacyConversations } from '../../src/legacy/legacy-conversations.js';
import { turnsOf } from '../../src/legacy/legacy-records.js';
import { mergeReads, openLegacyFile, readConversationLog, readMessageBuffer, readThreads, readWebhookMessages } from '../../src/legacy/readers.js';
import { parseLegacyTime } from '../../src/legacy/time.js';
import { whatsappConversation } from '../../src/core/conversation-id.js';
import { FB, IG, WA1, WA2, WA3, buildLegacyFiles } from './legacy-fixtures.js';

const TZ = 'America/El_Salvador'; // UTC−6, no daylight saving

describe('legacy timestamps', () => {
  it('reads SQLite UTC text, naive local ISO, zoned ISO and epoch numbers', () => {
    expect(parseLegacyTime('2026-11-15 09:30:12', TZ)).toBe(Date.UTC(2026, 10, 15, 9, 30, 12));
    expect(parseLegacyTime('2026-11-15T09:30:12.345678', TZ)).toBe(Date.UTC(2026, 10, 15, 15, 30, 12, 346));
    expect(parseLegacyTime('2026-11-15T09:30:12', 'UTC')).toBe(Date.UTC(2026, 10, 15, 9, 30, 12));
    expect(parseLegacyTime('2026-11-15T09:30:12Z', TZ)).toBe(Date.UTC(2026, 10, 15, 9, 30, 12));
    expect(parseLegacyTime('2026-11-15T09:30:12-06:00', 'UTC')).toBe(Date.UTC(2026, 10, 15, 15, 30, 12));
    expect(parseLegacyTime(1763199012, TZ)).toBe(1763199012000);
    expect(parseLegacyTime('1763199012', TZ)).toBe(1763199012000);
    for (const bad of [null, '', 'ayer', '2026-02-30 10:00:00', '2026-11-15 25:00:00']) expect(parseLegacyTime(bad, TZ)).toBeUndefined();
  });
});

describe('legacy readers', () => {
  const files = buildLegacyFiles();
  const threadsFile = openLegacyFile(files.threads);
  const rootFile = openLegacyFile(files.buffer);
  const logFile = openLegacyFile(files.log);

  it('reads threads (both created_at formats, rows without conversation_id, archived) and the root file’s thread_ rows', () => {
    const threads = readThreads(threadsFile, TZ);
    expect(threads.invalid).toBe(0);
    const wa2 = threads.rows.find((t) => t.key === WA2);
    expect(wa2).toMatchObject({ threadId: WA2, conversationId: undefined, historyImported: true, createdAt: Date.UTC(2026, 10, 15, 15, 30, 12, 346) });
    expect(threads.rows.find((t) => t.archived)).toMatchObject({ key: WA1, threadId: 'conv_OLD', conversationId: 'conv_OLD' });
    expect(threads.rows.map((t) => t.key)).toEqual(expect.arrayContaining([`facebook:${FB}`, FB]));
    expect(readThreads(rootFile, TZ).rows).toEqual([expect.objectContaining({ key: WA3, threadId: 'thread_abc123', conversationId: undefined })]);
  });

  it('reads messages oldest first, with ManyChat channels, and counts rows it cannot use', () => {
    const wm = readWebhookMessages(rootFile, TZ);
    expect(wm.invalid).toBe(1);
    const wa1 = wm.rows.filter((m) => m.key === WA1).map((m) => m.text);
    expect(wa1.slice(0, 5)).toEqual(['Hola, quiero reservar', '¡Hola! ¿Para qué fechas?', 'Del 20 al 22', 'somos dos', 'Perfecto, le cotizo.']);
    expect(readConversationLog(logFile, TZ).rows.map((m) => m.channel)).toEqual(['facebook', 'facebook', 'instagram', 'instagram', 'instagram']);
    expect(readMessageBuffer(rootFile, TZ).rows.map((b) => [b.key, b.type])).toEqual([
      [WA2, 'text'],
      [WA1, 'text'],
    ]);
    // A file without a table reads as empty.
    expect(readMessageBuffer(logFile, TZ).rows).toEqual([]);
  });

  it('groups legacy keys under our conversation ids', () => {
    const data = {
      threads: mergeReads(readThreads(rootFile, TZ), readThreads(threadsFile, TZ)),
      webhookMessages: readWebhookMessages(rootFile, TZ),
      conversationLog: readConversationLog(logFile, TZ),
      buffer: readMessageBuffer(rootFile, TZ),
    };
    const { conversations, unrecognised } = groupLegacyConversations(data);
    expect([...conversations.keys()].sort()).toEqual([WA1, WA2, WA3, `facebook:${FB}`, `instagram:${IG}`].sort());
    expect([...(conversations.get(`facebook:${FB}`)?.keys ?? [])].sort()).toEqual([FB, `facebook:${FB}`].sort());
    expect(unrecognised).toBe(0);
  });

  it('makes one turn per exchange; the guest’s first message of each starts it', () => {
    const turns = turnsOf(whatsappConversation(WA1), [
      { role: 'user', text: 'a', at: 1, key: '1' },
      { role: 'user', text: 'b', at: 2, key: '2' },
      { role: 'assistant', text: 'c', at: 3, key: '3' },
      { role: 'user', text: 'd', at: 4, key: '4' },
    ]);
    expect(turns.map((t) => t.items.map((i) => [i.item.kind, i.boundary]))).toEqual([
      [
        ['user', 2],
        ['user', 1],
        ['assistant', 1],
      ],
      [['user', 2]],
    ]);
    expect(turns.map((t) => [t.startedAt, t.endedAt, t.model, t.calls.length])).toEqual([
      [1, 3, 'legacy-import', 0],
      [4, 4, 'legacy-import', 0],
    ]);
  });
});
