// ConversationHistoryRepository.lastMessages: the newest guest and bot messages of one conversation, oldest
// first, whether the guest's are in a turn (batch) or still waiting for one.
import { describe, expect, it } from 'vitest';
import type { InboundMessage, MessageKind } from '../../src/core/messages.js';
import { BufferStore } from '../../src/store/buffer-store.js';
import { ConversationHistoryRepository } from '../../src/store/conversation-history-repository.js';
import { tempDbPath } from '../support/test-config.js';
import { openMigratedDatabase } from '../support/test-db.js';

const WA = '50370000099';
const T0 = Date.parse('2026-12-24T16:00:00Z');
let n = 0;
const msg = (conversationId: string, text: string, kind: MessageKind = 'text'): InboundMessage => ({
  conversationId,
  channel: 'whatsapp',
  externalUserId: conversationId,
  platformMessageId: `wamid.${++n}`,
  kind,
  text,
  mediaRef: kind === 'text' ? undefined : 'data/images/x.jpg',
  replyContextId: undefined,
  senderName: undefined,
});

describe('lastMessages', () => {
  it('returns the newest guest and bot messages, oldest first, including messages waiting for a turn', () => {
    const db = openMigratedDatabase(tempDbPath());
    const store = new BufferStore(db);
    const history = new ConversationHistoryRepository(db);
    expect(history.lastMessages(WA, 8)).toEqual([]);

    store.accept([msg(WA, 'Hola')], T0);
    store.accept([msg('50370000011', 'otra conversación')], T0 + 500);
    store.accept([msg(WA, '', 'image')], T0 + 1_000);
    store.claimBatch(WA, T0 + 2_000);
    store.recordNotice(WA, '¡Hola! ¿En qué le ayudo?', 'wamid.out1', T0 + 3_000);
    store.accept([msg(WA, 'Quiero un reembolso')], T0 + 4_000);
    store.claimBatch(WA, T0 + 5_000);
    store.recordNotice(WA, 'Permítame revisar.', 'wamid.out2', T0 + 6_000);
    store.accept([msg(WA, 'Nadie me responde', 'text')], T0 + 7_000); // pending: no turn yet
    store.accept([msg(WA, 'comprobante', 'document')], T0 + 7_000);

    expect(history.lastMessages(WA, 10)).toEqual([
      { role: 'guest', text: 'Hola', at: T0 },
      { role: 'guest', text: '[image]', at: T0 + 1_000 },
      { role: 'bot', text: '¡Hola! ¿En qué le ayudo?', at: T0 + 3_000 },
      { role: 'guest', text: 'Quiero un reembolso', at: T0 + 4_000 },
      { role: 'bot', text: 'Permítame revisar.', at: T0 + 6_000 },
      { role: 'guest', text: 'Nadie me responde', at: T0 + 7_000 },
      { role: 'guest', text: '[document] comprobante', at: T0 + 7_000 },
    ]);
    expect(history.lastMessages(WA, 3).map((m) => m.text)).toEqual(['Permítame revisar.', 'Nadie me responde', '[document] comprobante']);
    expect(history.lastMessages(WA, 0)).toEqual([]);
    db.close();
  });
});
