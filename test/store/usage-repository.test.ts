import { describe, expect, it } from 'vitest';
import { costOfUsage, DEFAULT_MODEL_PRICES } from '../../src/core/model-prices.js';
import type { ModelCallRecord, TurnRecord } from '../../src/store/conversation-records.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { LATEST_SCHEMA_VERSION, migrate, openDatabase, schemaVersion } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { localDate, UsageRepository } from '../../src/store/usage-repository.js';
import { openMigratedDatabase } from '../support/test-db.js';

const ZONE = 'America/El_Salvador'; // UTC−6, no daylight saving
const ANA = '50370001111';
const LUIS = '50370002222';

/** A local wall-clock time in El Salvador as epoch ms. */
const sv = (date: string, time: string) => Date.parse(`${date}T${time}:00-06:00`);

function call(startedAt: number, input: number, cached: number, output: number): ModelCallRecord {
  return {
    purpose: 'tools',
    startedAt,
    durationMs: 800,
    status: 'ok',
    usage: { inputTokens: input, cachedTokens: cached, outputTokens: output, reasoningTokens: Math.floor(output / 2) },
  };
}

function turn(conversationId: string, startedAt: number, calls: ModelCallRecord[], model = 'gpt-5'): TurnRecord {
  return {
    conversationId,
    channel: 'whatsapp',
    guest: { waId: conversationId },
    startedAt,
    endedAt: startedAt + 5_000,
    model,
    api: 'responses',
    rounds: calls.length - 1,
    status: 'answered',
    historyItems: 0,
    historyTokens: 0,
    items: [
      { item: { kind: 'user', text: 'Hola' }, boundary: 2 },
      { item: { kind: 'assistant', text: '¡Hola!' }, boundary: 1 },
    ],
    calls,
  };
}

const gpt5 = (input: number, cached: number, output: number) =>
  costOfUsage('gpt-5', { inputTokens: input, cachedTokens: cached, outputTokens: output, reasoningTokens: 0 }, DEFAULT_MODEL_PRICES) as number;

/**
 * Four turns over two local days (2026-03-03 and 2026-03-04 in El Salvador), placed where the UTC date
 * differs from the local one: 20:00 local on the 3rd is already the 4th in UTC.
 */
function seeded() {
  const db = openMigratedDatabase(':memory:');
  const store = new ConversationStore(db, { prices: DEFAULT_MODEL_PRICES });
  const t1 = sv('2026-03-03', '10:00');
  const t2 = sv('2026-03-03', '20:00'); // 02:00 UTC on the 4th
  const t3 = sv('2026-03-03', '23:59');
  const t4 = sv('2026-03-04', '00:30');
  const ids = {
    // Ana: a tool round (two calls), then a failed attempt and a retried call.
    a1: store.commitTurn(turn(ANA, t1, [call(t1, 44_000, 0, 70), call(t1 + 2_000, 44_200, 43_904, 190)])),
    a2: store.commitTurn(
      turn(ANA, t2, [
        { purpose: 'tools', startedAt: t2, durationMs: 50, status: 'error', errorClass: 'rate_limited', httpStatus: 429 },
        call(t2 + 1_000, 44_500, 44_160, 190),
      ]),
    ),
    // Luis: on a model without a price, then on gpt-5 past midnight.
    l1: store.commitTurn(turn(LUIS, t3, [call(t3, 10_000, 0, 100)], 'llama-3.3-70b')),
    l2: store.commitTurn(turn(LUIS, t4, [call(t4, 44_000, 43_520, 190)])),
  };
  // A notice: a turn without calls (not counted where calls are).
  store.recordNotice({ conversationId: ANA, channel: 'whatsapp', guest: { waId: ANA }, text: 'Reserva confirmada', at: t4, model: 'gpt-5', api: 'responses' });
  const usage = new UsageRepository(db);
  return { db, store, usage, ids, t1, t2, t3, t4 };
}

const ALL = { since: 0, until: Number.MAX_SAFE_INTEGER };

describe('model_calls.cost_usd (migration 11)', () => {
  it('adds a nullable cost column', () => {
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(11);
    expect(MIGRATIONS.find((m) => m.version === 11)).toMatchObject({ name: 'model call cost' });
    const db = openMigratedDatabase(':memory:');
    const columns = db.prepare<[], { name: string; type: string; notnull: number }>("SELECT name, type, \"notnull\" FROM pragma_table_info('model_calls')").all();
    expect(columns).toContainEqual({ name: 'cost_usd', type: 'REAL', notnull: 0 });
  });

  it('leaves the calls of a version-10 database without cost, and migrates once', () => {
    const db = openDatabase(':memory:');
    for (const m of MIGRATIONS.filter((m) => m.version <= 10)) db.exec(m.sql);
    db.pragma('user_version = 10');
    db.exec(`INSERT INTO conversations (id, channel, created_at, last_activity_at) VALUES ('${ANA}', 'whatsapp', 1, 1);
      INSERT INTO agent_turns (conversation_id, started_at, ended_at, model, api, rounds, status) VALUES ('${ANA}', 1, 2, 'gpt-5', 'responses', 0, 'answered');
      INSERT INTO model_calls (turn_id, conversation_id, seq, purpose, started_at, duration_ms, status, input_tokens, cached_tokens, output_tokens, reasoning_tokens)
        VALUES (1, '${ANA}', 0, 'tools', 1, 10, 'ok', 1000, 0, 10, 0);`);
    expect(migrate(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(migrate(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(new ConversationStore(db).listCalls(1)[0]).toMatchObject({ inputTokens: 1000, costUsd: null });
    expect(new UsageRepository(db).turn(1)).toMatchObject({ calls: 1, inputTokens: 1000, costUsd: 0, unpricedCalls: 1 });
  });

  it('commitTurn stores each call’s cost from the store’s prices; NULL without a price or without usage', () => {
    const { store, ids } = seeded();
    const a1 = store.listCalls(ids.a1);
    expect(a1.map((c) => c.costUsd)).toEqual([gpt5(44_000, 0, 70), gpt5(44_200, 43_904, 190)]);
    expect(store.listCalls(ids.a2).map((c) => c.costUsd)).toEqual([null, gpt5(44_500, 44_160, 190)]);
    expect(store.listCalls(ids.l1).map((c) => c.costUsd)).toEqual([null]);
  });

  it('uses the prices the store was built with', () => {
    const db = openMigratedDatabase(':memory:');
    const store = new ConversationStore(db, { prices: { 'llama-3.3-70b': { input: 1, cachedInput: 1, output: 1 } } });
    const id = store.commitTurn(turn(LUIS, 0, [call(0, 1_000_000, 0, 1_000_000)], 'llama-3.3-70b'));
    const gpt = store.commitTurn(turn(LUIS, 1, [call(1, 1_000, 0, 10)], 'gpt-5'));
    expect(store.listCalls(id)[0]?.costUsd).toBe(2);
    expect(store.listCalls(gpt)[0]?.costUsd).toBeNull();
  });
});

describe('UsageRepository', () => {
  it('sums a turn’s calls', () => {
    const { usage, ids, t2 } = seeded();
    expect(usage.turn(ids.a2)).toEqual({
      turnId: ids.a2,
      conversationId: ANA,
      startedAt: t2,
      endedAt: t2 + 5_000,
      model: 'gpt-5',
      status: 'answered',
      calls: 2,
      failedCalls: 1,
      inputTokens: 44_500,
      cachedTokens: 44_160,
      outputTokens: 190,
      reasoningTokens: 95,
      costUsd: gpt5(44_500, 44_160, 190),
      unpricedCalls: 0,
    });
    expect(usage.turn(9_999)).toBeUndefined();
  });

  it('lists the turns of a period, oldest first, optionally of one conversation', () => {
    const { usage, ids, t2, t4 } = seeded();
    expect(usage.turns(ALL).map((t) => t.turnId)).toEqual([ids.a1, ids.a2, ids.l1, ids.l2, ids.l2 + 1]);
    // A half-open period: t2 ≤ started_at < t4.
    expect(usage.turns({ since: t2, until: t4 }).map((t) => t.turnId)).toEqual([ids.a2, ids.l1]);
    expect(usage.turns(ALL, { conversationId: LUIS }).map((t) => [t.turnId, t.model, t.unpricedCalls])).toEqual([
      [ids.l1, 'llama-3.3-70b', 1],
      [ids.l2, 'gpt-5', 0],
    ]);
    // The notice is a turn without calls: zeros.
    expect(usage.turns(ALL, { conversationId: ANA }).at(-1)).toMatchObject({ calls: 0, inputTokens: 0, costUsd: 0 });
  });

  it('sums per conversation, most expensive first', () => {
    const { usage, t1, t2, t3, t4 } = seeded();
    const ana = gpt5(44_000, 0, 70) + gpt5(44_200, 43_904, 190) + gpt5(44_500, 44_160, 190);
    expect(usage.conversation(ANA)).toEqual({
      conversationId: ANA,
      turns: 2,
      firstTurnAt: t1,
      lastTurnAt: t2,
      calls: 4,
      failedCalls: 1,
      inputTokens: 132_700,
      cachedTokens: 88_064,
      outputTokens: 450,
      reasoningTokens: 35 + 95 + 95,
      costUsd: expect.closeTo(ana, 12) as number,
      unpricedCalls: 0,
    });
    expect(usage.conversation(LUIS)).toMatchObject({ turns: 2, firstTurnAt: t3, lastTurnAt: t4, unpricedCalls: 1, costUsd: gpt5(44_000, 43_520, 190) });
    expect(usage.conversation(ANA, { since: t2, until: t4 })).toMatchObject({ turns: 1, calls: 2, inputTokens: 44_500 });
    expect(usage.conversation('50379999999')).toBeUndefined();
    expect(usage.conversations(ALL).map((c) => c.conversationId)).toEqual([ANA, LUIS]);
    expect(usage.conversations(ALL, { limit: 1 })).toHaveLength(1);
  });

  it('sums per local date in the hotel’s time zone, not in UTC', () => {
    const { usage } = seeded();
    const days = usage.days(ALL, ZONE);
    expect(days.map((d) => [d.date, d.turns, d.calls, d.inputTokens])).toEqual([
      // 10:00, 20:00 (02:00 UTC on the 4th) and 23:59 local.
      ['2026-03-03', 3, 5, 44_000 + 44_200 + 44_500 + 10_000],
      // 00:30 local; the notice made no call.
      ['2026-03-04', 1, 1, 44_000],
    ]);
    expect(days[0]?.costUsd).toBeCloseTo(gpt5(44_000, 0, 70) + gpt5(44_200, 43_904, 190) + gpt5(44_500, 44_160, 190), 12);
    expect(days[0]?.unpricedCalls).toBe(1);
    // The same rows by UTC date: the 20:00 and 23:59 turns move to the 4th.
    expect(usage.days(ALL, 'UTC').map((d) => [d.date, d.turns])).toEqual([
      ['2026-03-03', 1],
      ['2026-03-04', 3],
    ]);
    // A zone with a non-whole-hour offset (UTC+5:45): 10:00 SV = 21:45 in Kathmandu, 20:00 SV = 07:45 next day.
    expect(usage.days(ALL, 'Asia/Kathmandu').map((d) => [d.date, d.turns])).toEqual([
      ['2026-03-03', 1],
      ['2026-03-04', 3],
    ]);
  });

  it('per-day, per-conversation and per-model figures add up to the totals', () => {
    const { usage } = seeded();
    const totals = usage.totals(ALL);
    const days = usage.days(ALL, ZONE);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(days.map((d) => d.inputTokens))).toBe(totals.inputTokens);
    expect(sum(days.map((d) => d.costUsd))).toBeCloseTo(totals.costUsd, 12);
    expect(sum(usage.conversations(ALL).map((c) => c.costUsd))).toBeCloseTo(totals.costUsd, 12);
    expect(usage.models(ALL).map((m) => [m.model, m.turns, m.calls])).toEqual([
      ['gpt-5', 3, 5],
      ['llama-3.3-70b', 1, 1],
    ]);
    expect(totals).toMatchObject({ calls: 6, failedCalls: 1, inputTokens: 186_700, cachedTokens: 131_584, unpricedCalls: 1 });
  });

  it('gives the cached share of input tokens over a period', () => {
    const { usage, t1, t2, t4 } = seeded();
    expect(usage.cachedShare(ALL)).toEqual({ inputTokens: 186_700, cachedTokens: 131_584, share: 131_584 / 186_700 });
    expect(usage.cachedShare({ since: t1, until: t2 }).share).toBeCloseTo(43_904 / 88_200, 12);
    expect(usage.cachedShare({ since: t4 + 1, until: t4 + 2 })).toEqual({ inputTokens: 0, cachedTokens: 0, share: undefined });
  });

  it("prices and counts a light model's calls at that model (OPENAI_LIGHT_MODEL), the turn's other calls at the turn's", () => {
    const db = openMigratedDatabase(':memory:');
    const store = new ConversationStore(db, { prices: DEFAULT_MODEL_PRICES });
    const t = sv('2026-03-03', '10:00');
    // One turn the light model answered, one it handed to gpt-5 (its call first, then gpt-5's two).
    store.commitTurn(turn(ANA, t, [{ ...call(t, 20_000, 19_000, 190), model: 'gpt-5-mini' }]));
    const escalated = store.commitTurn(turn(LUIS, t + 60_000, [{ ...call(t + 60_000, 20_000, 0, 70), model: 'gpt-5-mini' }, call(t + 61_000, 20_000, 19_000, 70), call(t + 62_000, 22_000, 20_000, 190)]));
    const mini = costOfUsage('gpt-5-mini', { inputTokens: 20_000, cachedTokens: 0, outputTokens: 70, reasoningTokens: 0 }, DEFAULT_MODEL_PRICES) as number;
    const calls = store.listCalls(escalated);
    expect(calls.map((c) => c.model)).toEqual(['gpt-5-mini', null, null]);
    expect(calls[0]!.costUsd).toBeCloseTo(mini, 12);
    expect(calls[1]!.costUsd).toBeCloseTo(gpt5(20_000, 19_000, 70), 12);
    const usage = new UsageRepository(db);
    expect(usage.models(ALL).map((m) => [m.model, m.turns, m.calls])).toEqual([
      ['gpt-5', 1, 2],
      ['gpt-5-mini', 2, 2],
    ]);
    db.close();
  });

  it('localDate reads the wall-clock date of an instant in a zone', () => {
    expect(localDate(sv('2026-03-03', '20:00'), ZONE)).toBe('2026-03-03');
    expect(localDate(sv('2026-03-03', '20:00'), 'UTC')).toBe('2026-03-04');
  });
});
