// The agent's local transcript: conversations, transcript items (replayed to the model every turn),
// agent turns and per-call usage. The transcript is the only conversation state: no provider-side
// storage, no previous_response_id.
import type { Channel } from '../core/conversation-id.js';
import type { Statement } from 'better-sqlite3';
import { costOfUsage, DEFAULT_MODEL_PRICES, type ModelPrices } from '../core/model-prices.js';
import type {
  Boundary,
  History,
  StoredTranscriptItem,
  TranscriptItem,
  TranscriptKind,
  TurnTranscriptItem,
} from '../core/transcript.js';
import type { ConversationRow, StoredModelCall, StoredTurn, TurnRecord } from './conversation-records.js';
import type { Db } from './database.js';
import { countItemTokens } from './item-tokens.js';

/**
 * The item as stored: in-memory media parts are dropped — a user item's text references them, a function
 * output's text is what text-only APIs and later turns see.
 */
export function storable(item: TranscriptItem): TranscriptItem {
  if ((item.kind !== 'user' && item.kind !== 'function_output') || item.parts === undefined) return item;
  const { parts: _parts, ...rest } = item;
  return rest;
}

export interface ConversationStoreOptions {
  /**
   * The price table each model call's `cost_usd` is computed from (config.llm.modelPrices); default the
   * built-in list prices. A model missing from it gets NULL.
   */
  prices?: ModelPrices | undefined;
}

// The exact count of a text, where callers (the cost benches) have long imported it from.
export { countTextTokens } from '../core/token-count.js';

interface ItemRow {
  id: number;
  kind: string;
  boundary: number;
  tokens: number;
  cum_tokens: number;
  data: string;
}

/** History rows come as arrays (raw mode): no per-row object for up to thousands of rows per turn. */
type HistoryRow = [id: number, kind: string, boundary: number, tokens: number, cumTokens: number, data: string];
type TurnHistoryRow = [...HistoryRow, turnId: number];

interface ConversationDbRow {
  id: string;
  channel: string;
  wa_id: string | null;
  subscriber_id: string | null;
  guest_name: string | null;
  created_at: number;
  last_activity_at: number;
  total_tokens: number;
  item_count: number;
}

const KINDS: ReadonlySet<string> = new Set<TranscriptKind>([
  'user',
  'developer',
  'assistant',
  'function_call',
  'function_output',
  'reasoning',
]);

function toBoundary(n: number): Boundary {
  return n === 2 ? 2 : n === 1 ? 1 : 0;
}

function callIdOf(item: TranscriptItem): string | null {
  return item.kind === 'function_call' || item.kind === 'function_output' ? item.callId : null;
}

export class ConversationStore {
  private readonly historyStmt;
  private readonly callsBeforeStmt;
  private readonly conversationStmt;
  private readonly upsertConversationStmt;
  private readonly insertTurnStmt;
  private readonly insertItemStmt;
  private readonly insertCallStmt;
  private readonly bumpConversationStmt;
  private readonly commitTx;
  private readonly commitBeforeTx;
  private readonly shiftItemsStmt;
  private readonly prices: ModelPrices;

  constructor(
    private readonly db: Db,
    options: ConversationStoreOptions = {},
  ) {
    this.prices = options.prices ?? DEFAULT_MODEL_PRICES;
    // One indexed query: the drop threshold is computed from the conversation's running token total and
    // rounded up to whole chunks (a quarter of the budget), so the first item sent stays the same for
    // many turns and the provider's prompt cache keeps matching. (JS numbers bind as REAL, hence the CAST
    // that makes the division an integer one.)
    this.historyStmt = db.prepare<{ id: string; budget: number; chunk: number }, HistoryRow>(`
      SELECT i.id, i.kind, i.boundary, i.tokens, i.cum_tokens, i.data
      FROM transcript_items i
      WHERE i.conversation_id = @id
        AND i.cum_tokens >= (
          SELECT CASE WHEN c.total_tokens <= @budget THEN 0
                      ELSE CAST((c.total_tokens - @budget + @chunk - 1) / @chunk AS INTEGER) * @chunk END
          FROM conversations c WHERE c.id = @id)
      ORDER BY i.cum_tokens, i.id`).raw(true) as unknown as Statement<{ id: string; budget: number; chunk: number }, HistoryRow>;
    // The calls of one tool written before a point of the transcript, their outputs and their turns' user items
    // (through transcript_by_conversation; the JSON is only parsed on function calls whose text names the tool). A call and its output are
    // matched within their turn: some compatible servers number call ids afresh in every response.
    this.callsBeforeStmt = db.prepare<{ id: string; before: number; name: string; needle: string }, TurnHistoryRow>(`
      WITH calls AS (
        SELECT call_id, turn_id FROM transcript_items
        WHERE conversation_id = @id AND cum_tokens < @before AND kind = 'function_call'
          AND instr(data, @needle) > 0 AND json_extract(data, '$.name') = @name)
      SELECT i.id, i.kind, i.boundary, i.tokens, i.cum_tokens, i.data, i.turn_id
      FROM transcript_items i
      WHERE i.conversation_id = @id AND i.cum_tokens < @before
        AND ((i.kind IN ('function_call', 'function_output') AND (i.call_id, i.turn_id) IN (SELECT call_id, turn_id FROM calls))
             OR (i.kind = 'user' AND i.turn_id IN (SELECT turn_id FROM calls)))
      ORDER BY i.cum_tokens, i.id`).raw(true) as unknown as Statement<{ id: string; before: number; name: string; needle: string }, TurnHistoryRow>;
    this.conversationStmt = db.prepare<[string], ConversationDbRow>('SELECT * FROM conversations WHERE id = ?');
    this.upsertConversationStmt = db.prepare(`
      INSERT INTO conversations (id, channel, wa_id, subscriber_id, guest_name, created_at, last_activity_at)
      VALUES (@id, @channel, @waId, @subscriberId, @guestName, @now, @now)
      ON CONFLICT (id) DO UPDATE SET
        wa_id = COALESCE(excluded.wa_id, wa_id),
        subscriber_id = COALESCE(excluded.subscriber_id, subscriber_id),
        guest_name = COALESCE(excluded.guest_name, guest_name),
        last_activity_at = MAX(last_activity_at, excluded.last_activity_at)`);
    this.insertTurnStmt = db.prepare(`
      INSERT INTO agent_turns (conversation_id, started_at, ended_at, model, api, config, rounds, status, error_class,
                               history_items, history_tokens)
      VALUES (@conversationId, @startedAt, @endedAt, @model, @api, @config, @rounds, @status, @errorClass,
              @historyItems, @historyTokens)`);
    this.insertItemStmt = db.prepare(`
      INSERT INTO transcript_items (conversation_id, turn_id, kind, call_id, boundary, tokens, cum_tokens, data, created_at)
      VALUES (@conversationId, @turnId, @kind, @callId, @boundary, @tokens, @cumTokens, @data, @createdAt)`);
    this.insertCallStmt = db.prepare(`
      INSERT INTO model_calls (turn_id, conversation_id, seq, purpose, started_at, duration_ms, status, error_class,
                               http_status, request_id, response_id, input_tokens, cached_tokens, output_tokens,
                               reasoning_tokens, cost_usd, service_tier, model)
      VALUES (@turnId, @conversationId, @seq, @purpose, @startedAt, @durationMs, @status, @errorClass,
              @httpStatus, @requestId, @responseId, @inputTokens, @cachedTokens, @outputTokens, @reasoningTokens,
              @costUsd, @serviceTier, @model)`);
    this.bumpConversationStmt = db.prepare(
      'UPDATE conversations SET total_tokens = total_tokens + @tokens, item_count = item_count + @count WHERE id = @id',
    );
    this.commitTx = db.transaction((turn: TurnRecord): number => this.writeTurn(turn));
    this.shiftItemsStmt = db.prepare<{ id: string; by: number; from: number }>(
      'UPDATE transcript_items SET cum_tokens = cum_tokens + @by WHERE conversation_id = @id AND cum_tokens >= @from',
    );
    this.commitBeforeTx = db.transaction((turns: readonly TurnRecord[], beforeCum: number): number[] => {
      // Tokens counted once, so the room made and the items written agree.
      const counted = turns.map((t) => ({ ...t, items: t.items.map((e) => ({ ...e, tokens: e.tokens ?? countItemTokens(e.item) })) }));
      const room = counted.reduce((n, t) => n + t.items.reduce((m, e) => m + e.tokens, 0), 0);
      const conversationId = counted[0]?.conversationId;
      if (conversationId === undefined || room === 0) return [];
      this.shiftItemsStmt.run({ id: conversationId, by: room, from: beforeCum });
      let cum = beforeCum;
      return counted.map((t) => {
        const id = this.writeTurn(t, cum);
        cum += t.items.reduce((m, e) => m + e.tokens, 0);
        return id;
      });
    });
  }

  getConversation(id: string): ConversationRow | undefined {
    const row = this.conversationStmt.get(id);
    if (!row) return undefined;
    return {
      id: row.id,
      channel: row.channel as Channel,
      waId: row.wa_id,
      subscriberId: row.subscriber_id,
      guestName: row.guest_name,
      createdAt: row.created_at,
      lastActivityAt: row.last_activity_at,
      totalTokens: row.total_tokens,
      itemCount: row.item_count,
    };
  }

  /**
   * The newest items that fit `budgetTokens`, starting at a boundary (a turn start when one is in
   * range). Trimming drops whole chunks of a quarter of the budget, so consecutive turns usually send the
   * same first item.
   */
  loadHistory(conversationId: string, budgetTokens: number): History {
    const budget = Math.max(1, Math.floor(budgetTokens));
    const chunk = Math.max(1, Math.floor(budget / 4));
    const rows = this.historyStmt.all({ id: conversationId, budget, chunk });
    let start = rows.findIndex((r) => r[2] === 2);
    if (start < 0) start = rows.findIndex((r) => r[2] >= 1);
    if (start < 0) start = rows.length;
    const items: StoredTranscriptItem[] = [];
    let tokens = 0;
    for (let i = start; i < rows.length; i++) {
      const [id, kind, boundary, itemTokens, cumTokens, data] = rows[i] as HistoryRow;
      if (!KINDS.has(kind)) continue;
      // Our own rows: the kind column is authoritative and data was written by commitTurn.
      const item = JSON.parse(data) as TranscriptItem;
      items.push({ id, boundary: toBoundary(boundary), tokens: itemTokens, cumTokens, item });
      tokens += itemTokens;
    }
    const first = items[0];
    const last = rows[rows.length - 1];
    const total = last ? last[4] + last[3] : 0;
    return { items, tokens, droppedTokens: first ? first.cumTokens : total };
  }

  /**
   * The calls of the tool `name` that come before the item at `beforeCum` (a history's first item), with their
   * outputs and the user item of each of their turns, oldest first: what history.ts pinModuleLoads keeps in front
   * of the model once the budget has moved past them.
   */
  callsBefore(conversationId: string, beforeCum: number, name: string): TurnTranscriptItem[] {
    if (beforeCum <= 0) return [];
    return this.callsBeforeStmt.all({ id: conversationId, before: beforeCum, name, needle: JSON.stringify(name) }).map(([id, , boundary, tokens, cumTokens, data, turnId]) => ({
      id,
      boundary: toBoundary(boundary),
      tokens,
      cumTokens,
      turnId,
      item: JSON.parse(data) as TranscriptItem,
    }));
  }

  /**
   * Writes a finished turn: the conversation row, the turn, its transcript items and its model calls,
   * in one transaction (nested as a savepoint when the caller already holds one). Returns the turn id.
   */
  commitTurn(turn: TurnRecord): number {
    return this.commitTx(turn);
  }

  /**
   * A message the server sent outside a turn (a booking confirmed by a follow-up), written to the transcript
   * as the assistant's, so the model knows next turn what the guest was told.
   */
  recordNotice(notice: { conversationId: string; channel: Channel; guest: TurnRecord['guest']; text: string; at: number; model: string; api: TurnRecord['api'] }): number {
    return this.commitTx({
      conversationId: notice.conversationId,
      channel: notice.channel,
      guest: notice.guest,
      startedAt: notice.at,
      endedAt: notice.at,
      model: notice.model,
      api: notice.api,
      rounds: 0,
      status: 'answered',
      historyItems: 0,
      historyTokens: 0,
      items: [{ item: { kind: 'assistant', text: notice.text, synthetic: true }, boundary: 2 }],
      calls: [],
    });
  }

  /**
   * Writes turns older than part of the conversation (imported history, npm run migrate-legacy) so their items
   * come before the item at `beforeCum` and every later one: those move up by the tokens written, the running
   * total grows by as much. The history loader reads in that order; the provider's prompt cache of the next
   * call misses once. All turns belong to one conversation. Returns the turn ids.
   */
  commitTurnsBefore(turns: readonly TurnRecord[], beforeCum: number): number[] {
    return this.commitBeforeTx(turns, beforeCum);
  }

  private writeTurn(turn: TurnRecord, atCum?: number): number {
    const now = turn.endedAt;
    this.upsertConversationStmt.run({
      id: turn.conversationId,
      channel: turn.channel,
      waId: turn.guest.waId ?? null,
      subscriberId: turn.guest.subscriberId ?? null,
      guestName: turn.guest.name ?? null,
      now,
    });
    const turnId = Number(
      this.insertTurnStmt.run({
        conversationId: turn.conversationId,
        startedAt: turn.startedAt,
        endedAt: turn.endedAt,
        model: turn.model,
        api: turn.api,
        config: turn.config ?? 'primary',
        rounds: turn.rounds,
        status: turn.status,
        errorClass: turn.errorClass ?? null,
        historyItems: turn.historyItems,
        historyTokens: turn.historyTokens,
      }).lastInsertRowid,
    );
    // Read inside the transaction so cum_tokens stays monotonic even with another writer.
    const conv = this.conversationStmt.get(turn.conversationId);
    const start = atCum ?? (conv ? conv.total_tokens : 0);
    let cum = start;
    for (const entry of turn.items) {
      const tokens = entry.tokens ?? countItemTokens(entry.item);
      this.insertItemStmt.run({
        conversationId: turn.conversationId,
        turnId,
        kind: entry.item.kind,
        callId: callIdOf(entry.item),
        boundary: entry.boundary,
        tokens,
        cumTokens: cum,
        data: JSON.stringify(storable(entry.item)),
        createdAt: now,
      });
      cum += tokens;
    }
    this.bumpConversationStmt.run({
      id: turn.conversationId,
      tokens: cum - start,
      count: turn.items.length,
    });
    turn.calls.forEach((call, seq) => {
      this.insertCallStmt.run({
        turnId,
        conversationId: turn.conversationId,
        seq,
        purpose: call.purpose,
        startedAt: call.startedAt,
        durationMs: Math.max(0, Math.round(call.durationMs)),
        status: call.status,
        errorClass: call.errorClass ?? null,
        httpStatus: call.httpStatus ?? null,
        requestId: call.requestId ?? null,
        responseId: call.responseId ?? null,
        inputTokens: call.usage?.inputTokens ?? null,
        cachedTokens: call.usage?.cachedTokens ?? null,
        outputTokens: call.usage?.outputTokens ?? null,
        reasoningTokens: call.usage?.reasoningTokens ?? null,
        // At the list price of the model and tier that answered (a Flex call at the Flex price, a light call at its model's).
        costUsd: call.usage ? (costOfUsage(call.model ?? turn.model, call.usage, this.prices, call.serviceTier) ?? null) : null,
        serviceTier: call.serviceTier ?? null,
        model: call.model ?? null,
      });
    });
    return turnId;
  }

  /** Every item of a conversation, oldest first (admin views and tests). */
  listItems(conversationId: string): StoredTranscriptItem[] {
    return this.db
      .prepare<[string], ItemRow>(
        `SELECT id, kind, boundary, tokens, cum_tokens, data FROM transcript_items
         WHERE conversation_id = ? ORDER BY cum_tokens, id`,
      )
      .all(conversationId)
      .map((r) => ({
        id: r.id,
        boundary: toBoundary(r.boundary),
        tokens: r.tokens,
        cumTokens: r.cum_tokens,
        item: JSON.parse(r.data) as TranscriptItem,
      }));
  }

  listTurns(conversationId: string): StoredTurn[] {
    return this.db
      .prepare<[string], StoredTurn>(
        `SELECT id, conversation_id AS conversationId, started_at AS startedAt, ended_at AS endedAt, model, api,
                config, rounds, status, error_class AS errorClass, history_items AS historyItems,
                history_tokens AS historyTokens
         FROM agent_turns WHERE conversation_id = ? ORDER BY id`,
      )
      .all(conversationId);
  }

  listCalls(turnId: number): StoredModelCall[] {
    return this.db
      .prepare<[number], StoredModelCall>(
        `SELECT id, turn_id AS turnId, seq, purpose, started_at AS startedAt, duration_ms AS durationMs, status,
                error_class AS errorClass, http_status AS httpStatus, request_id AS requestId,
                response_id AS responseId, input_tokens AS inputTokens, cached_tokens AS cachedTokens,
                output_tokens AS outputTokens, reasoning_tokens AS reasoningTokens, cost_usd AS costUsd,
                service_tier AS serviceTier, model
         FROM model_calls WHERE turn_id = ? ORDER BY seq`,
      )
      .all(turnId);
  }
}
