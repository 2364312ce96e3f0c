import { describe, expect, it } from 'vitest';
import type { TurnRecord } from '../../src/store/conversation-records.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { countItemTokens } from '../../src/store/item-tokens.js';
import type { NewTranscriptItem } from '../../src/core/transcript.js';
import { guestTextTokens } from '../../src/core/token-count.js';
import { LATEST_SCHEMA_VERSION } from '../../src/store/database.js';
import { openMigratedDatabase } from '../support/test-db.js';

const ID = '50370001234';

/** One turn: date note, user message, a tool round, the answer (5 items). */
function turnItems(i: number, words = 10): NewTranscriptItem[] {
  const filler = ' palabra'.repeat(words);
  return [
    { item: { kind: 'developer', text: `Contexto ${i}` }, boundary: 2 },
    { item: { kind: 'user', text: `Pregunta ${i}${filler}` }, boundary: 1 },
    { item: { kind: 'function_call', callId: `c${i}`, name: 'check_office_status', arguments: '{}' }, boundary: 1 },
    { item: { kind: 'function_output', callId: `c${i}`, output: `{"office_status":"open"}${filler}` }, boundary: 0 },
    { item: { kind: 'assistant', text: `Respuesta ${i}${filler}` }, boundary: 1 },
  ];
}

function record(i: number, items = turnItems(i)): TurnRecord {
  return {
    conversationId: ID,
    channel: 'whatsapp',
    guest: { waId: ID, name: i === 0 ? 'Ana' : undefined },
    startedAt: 1000 + i,
    endedAt: 2000 + i,
    model: 'gpt-5-mini',
    api: 'responses',
    rounds: 1,
    status: 'answered',
    historyItems: 0,
    historyTokens: 0,
    items,
    calls: [
      {
        purpose: 'tools',
        startedAt: 1000 + i,
        durationMs: 12.6,
        status: 'ok',
        requestId: 'req_1',
        responseId: 'resp_1',
        usage: { inputTokens: 1200, cachedTokens: 1024, outputTokens: 30, reasoningTokens: 10 },
      },
      { purpose: 'tools', startedAt: 1100 + i, durationMs: 3, status: 'error', errorClass: 'rate_limited', httpStatus: 429 },
    ],
  };
}

function setup() {
  const db = openMigratedDatabase(':memory:');
  return { db, store: new ConversationStore(db) };
}

describe('ConversationStore', () => {
  it('is created by migration 2', () => {
    const { db } = setup();
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['conversations', 'agent_turns', 'transcript_items', 'model_calls']),
    );
  });

  it('commits a turn: conversation, items with cached token counts, turn and calls', () => {
    const { store } = setup();
    const turnId = store.commitTurn(record(0));
    store.commitTurn(record(1));
    const conv = store.getConversation(ID);
    expect(conv).toMatchObject({ channel: 'whatsapp', waId: ID, guestName: 'Ana', createdAt: 2000, lastActivityAt: 2001, itemCount: 10 });

    const items = store.listItems(ID);
    expect(items).toHaveLength(10);
    let cum = 0;
    for (const s of items) {
      expect(s.tokens).toBe(countItemTokens(s.item));
      expect(s.cumTokens).toBe(cum);
      cum += s.tokens;
    }
    expect(conv?.totalTokens).toBe(cum);
    expect(items[2]?.item).toEqual({ kind: 'function_call', callId: 'c0', name: 'check_office_status', arguments: '{}' });

    expect(store.listTurns(ID)[0]).toMatchObject({ id: turnId, status: 'answered', model: 'gpt-5-mini', api: 'responses', rounds: 1 });
    expect(store.listCalls(turnId)).toEqual([
      expect.objectContaining({ seq: 0, durationMs: 13, inputTokens: 1200, cachedTokens: 1024, outputTokens: 30, reasoningTokens: 10, responseId: 'resp_1' }),
      expect.objectContaining({ seq: 1, status: 'error', errorClass: 'rate_limited', httpStatus: 429, inputTokens: null }),
    ]);
  });

  it('keeps provider items verbatim', () => {
    const { store } = setup();
    const raw = { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAA…', extra: { nested: [1, null, 'ñ'] } };
    store.commitTurn(
      record(0, [
        { item: { kind: 'developer', text: 'x' }, boundary: 2 },
        { item: { kind: 'reasoning', summary: '', responsesItem: raw }, boundary: 1 },
      ]),
    );
    expect(store.listItems(ID)[1]?.item).toEqual({ kind: 'reasoning', summary: '', responsesItem: raw });
  });

  it('loads everything when the conversation fits the budget', () => {
    const { store } = setup();
    for (let i = 0; i < 3; i++) store.commitTurn(record(i));
    const h = store.loadHistory(ID, 100_000);
    expect(h.items).toHaveLength(15);
    expect(h.droppedTokens).toBe(0);
    expect(h.tokens).toBe(store.getConversation(ID)?.totalTokens);
    expect(store.loadHistory('unknown', 1000)).toEqual({ items: [], tokens: 0, droppedTokens: 0 });
  });

  it('trims in quarter-budget chunks, starting at a turn boundary, within the budget', () => {
    const { store } = setup();
    // Turns of ~75 tokens against chunks of 500.
    const budget = 2000;
    const starts: number[] = [];
    for (let i = 0; i < 80; i++) {
      store.commitTurn(record(i));
      const h = store.loadHistory(ID, budget);
      expect(h.tokens).toBeLessThanOrEqual(budget);
      expect(h.items[0]?.item.kind).toBe('developer');
      expect(h.items[0]?.boundary).toBe(2);
      starts.push(h.items[0]?.id ?? 0);
      // Every output has its call.
      const calls = new Set(h.items.flatMap((s) => (s.item.kind === 'function_call' ? [s.item.callId] : [])));
      for (const s of h.items) if (s.item.kind === 'function_output') expect(calls.has(s.item.callId)).toBe(true);
      expect(h.droppedTokens + h.tokens).toBe(store.getConversation(ID)?.totalTokens);
    }
    // The first item moves by whole chunks, not every turn: consecutive turns share the prefix.
    const moves = starts.filter((s, i) => i > 0 && s !== starts[i - 1]).length;
    expect(moves).toBeGreaterThan(0);
    expect(moves).toBeLessThan(starts.length / 2);
    // After a cut the history still holds a good part of the budget.
    expect(store.loadHistory(ID, budget).tokens).toBeGreaterThan(budget / 2);
  });

  it('falls back to a model-response boundary when one turn is larger than the budget', () => {
    const { store } = setup();
    store.commitTurn(record(0, turnItems(0, 100)));
    const assistant = store.listItems(ID)[4];
    expect(assistant?.tokens).toBeGreaterThan(100);
    // The whole turn is ~340 tokens; with 150 only its last model response fits.
    const h = store.loadHistory(ID, 150);
    expect(h.tokens).toBeLessThanOrEqual(150);
    expect(h.items.map((s) => s.item.kind)).toEqual(['assistant']);
  });

  it('writes nothing when the surrounding transaction rolls back', () => {
    const { db, store } = setup();
    expect(() =>
      db.transaction(() => {
        store.commitTurn(record(0));
        throw new Error('rollback');
      })(),
    ).toThrow('rollback');
    expect(store.listItems(ID)).toEqual([]);
    expect(store.getConversation(ID)).toBeUndefined();
  });

  it('counts special-token text as plain text', () => {
    expect(guestTextTokens('hola <|endoftext|>')).toBeGreaterThan(3);
    expect(guestTextTokens('')).toBe(0);
  });
});
