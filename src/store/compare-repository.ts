// The queries of `npm run compare` (src/compare/): the recorded guest turns, each turn's transcript items, and
// the conversation's history as the history loader (ConversationStore.loadHistory) would have given it right
// before the turn. Read-only: it is opened on openReadonlyDatabase and never writes.
import type { Statement } from 'better-sqlite3';
import type { Channel } from '../core/conversation-id.js';
import type { Boundary, History, StoredTranscriptItem, TranscriptItem } from '../core/transcript.js';
import type { Db } from './database.js';

/** A recorded turn that answered (or failed on) a guest's batch: it has a user item. */
export interface RecordedTurnRow {
  turnId: number;
  conversationId: string;
  channel: Channel;
  waId: string | null;
  subscriberId: string | null;
  guestName: string | null;
  startedAt: number;
  model: string;
  api: string;
  status: string;
  errorClass: string | null;
}

interface TurnDbRow {
  turn_id: number;
  conversation_id: string;
  channel: string;
  wa_id: string | null;
  subscriber_id: string | null;
  guest_name: string | null;
  started_at: number;
  model: string;
  api: string;
  status: string;
  error_class: string | null;
}

type ItemRow = [id: number, kind: string, boundary: number, tokens: number, cumTokens: number, data: string];

const KINDS: ReadonlySet<string> = new Set(['user', 'developer', 'assistant', 'function_call', 'function_output', 'reasoning']);

function toRow(r: TurnDbRow): RecordedTurnRow {
  return {
    turnId: r.turn_id,
    conversationId: r.conversation_id,
    channel: r.channel as Channel,
    waId: r.wa_id,
    subscriberId: r.subscriber_id,
    guestName: r.guest_name,
    startedAt: r.started_at,
    model: r.model,
    api: r.api,
    status: r.status,
    errorClass: r.error_class,
  };
}

function toItems(rows: readonly ItemRow[]): StoredTranscriptItem[] {
  const items: StoredTranscriptItem[] = [];
  for (const [id, kind, boundary, tokens, cumTokens, data] of rows) {
    if (!KINDS.has(kind)) continue;
    items.push({ id, boundary: (boundary === 2 ? 2 : boundary === 1 ? 1 : 0) as Boundary, tokens, cumTokens, item: JSON.parse(data) as TranscriptItem });
  }
  return items;
}

const TURN_COLUMNS = `t.id AS turn_id, t.conversation_id, c.channel, c.wa_id, c.subscriber_id, c.guest_name, t.started_at,
  t.model, t.api, t.status, t.error_class`;

/** Turns with a guest's message (a notice the server recorded outside a turn has none). */
const GUEST_TURN = `EXISTS (SELECT 1 FROM transcript_items u WHERE u.turn_id = t.id AND u.kind = 'user')`;

export class CompareRepository {
  private readonly byConversation: Statement<[string], TurnDbRow>;
  private readonly all: Statement<[], TurnDbRow>;
  private readonly items: Statement<[number], ItemRow>;
  private readonly before: Statement<{ id: string; cum: number; itemId: number; threshold: number }, ItemRow>;
  private readonly logMaskKeyStmt: Statement<[], { value: string }>;

  constructor(db: Db) {
    this.byConversation = db.prepare<[string], TurnDbRow>(
      `SELECT ${TURN_COLUMNS} FROM agent_turns t JOIN conversations c ON c.id = t.conversation_id
       WHERE t.conversation_id = ? AND ${GUEST_TURN} ORDER BY t.started_at, t.id`,
    );
    this.all = db.prepare<[], TurnDbRow>(
      `SELECT ${TURN_COLUMNS} FROM agent_turns t JOIN conversations c ON c.id = t.conversation_id
       WHERE ${GUEST_TURN} ORDER BY t.started_at, t.id`,
    );
    this.items = db
      .prepare<[number], ItemRow>(
        `SELECT id, kind, boundary, tokens, cum_tokens, data FROM transcript_items WHERE turn_id = ? ORDER BY cum_tokens, id`,
      )
      .raw(true) as unknown as Statement<[number], ItemRow>;
    this.before = db
      .prepare<{ id: string; cum: number; itemId: number; threshold: number }, ItemRow>(
        `SELECT id, kind, boundary, tokens, cum_tokens, data FROM transcript_items
         WHERE conversation_id = @id AND cum_tokens >= @threshold
           AND (cum_tokens < @cum OR (cum_tokens = @cum AND id < @itemId))
         ORDER BY cum_tokens, id`,
      )
      .raw(true) as unknown as Statement<{ id: string; cum: number; itemId: number; threshold: number }, ItemRow>;
    this.logMaskKeyStmt = db.prepare<[], { value: string }>("SELECT value FROM installation WHERE name = 'log_mask_key'");
  }

  /** Every guest turn, oldest first; of one conversation when `conversationId` is given. */
  guestTurns(conversationId?: string): RecordedTurnRow[] {
    return (conversationId === undefined ? this.all.all() : this.byConversation.all(conversationId)).map(toRow);
  }

  /** The turn's transcript items in order (its date note, the guest's batch, the rounds, the reply). */
  turnItems(turnId: number): StoredTranscriptItem[] {
    return toItems(this.items.all(turnId));
  }

  /**
   * The history the loader would have given the turn whose first item is `first`: the items before it, within
   * `budgetTokens`, dropped in chunks of a quarter of the budget and started at a boundary, exactly as
   * ConversationStore.loadHistory computes it from the conversation's running total (then `first.cumTokens`).
   */
  historyBefore(conversationId: string, first: Pick<StoredTranscriptItem, 'id' | 'cumTokens'>, budgetTokens: number): History {
    const budget = Math.max(1, Math.floor(budgetTokens));
    const chunk = Math.max(1, Math.floor(budget / 4));
    const total = first.cumTokens;
    const threshold = total <= budget ? 0 : Math.floor((total - budget + chunk - 1) / chunk) * chunk;
    const rows = this.before.all({ id: conversationId, cum: first.cumTokens, itemId: first.id, threshold });
    let start = rows.findIndex((r) => r[2] === 2);
    if (start < 0) start = rows.findIndex((r) => r[2] >= 1);
    if (start < 0) start = rows.length;
    const items = toItems(rows.slice(start));
    const tokens = items.reduce((sum, s) => sum + s.tokens, 0);
    const head = items[0];
    return { items, tokens, droppedTokens: head ? head.cumTokens : total };
  }

  /** The installation's log mask key (conversation ids in the output match the server's logs). */
  logMaskKey(): string | undefined {
    try {
      return this.logMaskKeyStmt.get()?.value;
    } catch {
      return undefined;
    }
  }
}
