// Which recorded guest turns a comparison replays (`--conversations`, `--last`, `--sample` with `--seed`), and
// what a replay needs of each: the history before it, its input (date note, missed-messages block, the guest's
// batch), and what the original turn did (its tool calls with their outputs, its reply).
import { isConsoleConversation } from '../core/conversation-id.js';
import type { CompareRepository, RecordedTurnRow } from '../store/compare-repository.js';
import type { NewTranscriptItem, StoredTranscriptItem } from '../core/transcript.js';
import type { RecordedCall } from './dry-run-tools.js';

export class SelectionError extends Error {
  override readonly name = 'SelectionError';
}

export interface Selection {
  /** Only these conversations (their every guest turn, unless --last / --sample narrow them). */
  conversations?: readonly string[] | undefined;
  /** The newest N guest turns. */
  last?: number | undefined;
  /** N guest turns drawn at random (reproducible with `seed`). */
  sample?: number | undefined;
  seed?: number | undefined;
}

/** A small seeded PRNG (mulberry32): the same seed draws the same sample. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The turns to replay, oldest first. Without --conversations, console conversations (`console:…`, trials of
 * the chat console) are left out. --last and --sample exclude each other; with neither, every turn of the
 * given conversations.
 */
export function selectTurns(repo: Pick<CompareRepository, 'guestTurns'>, selection: Selection): RecordedTurnRow[] {
  if (selection.last !== undefined && selection.sample !== undefined) throw new SelectionError('give --last or --sample, not both');
  if (selection.conversations === undefined && selection.last === undefined && selection.sample === undefined) {
    throw new SelectionError('say which turns: --conversations id,id, --last N or --sample N');
  }
  let pool: RecordedTurnRow[];
  if (selection.conversations !== undefined) {
    pool = [];
    for (const id of selection.conversations) {
      const turns = repo.guestTurns(id);
      if (turns.length === 0) throw new SelectionError(`conversation ${id} has no recorded guest turn`);
      pool.push(...turns);
    }
  } else {
    pool = repo.guestTurns().filter((t) => !isConsoleConversation(t.conversationId));
  }
  pool.sort((x, y) => x.startedAt - y.startedAt || x.turnId - y.turnId);
  if (selection.last !== undefined) return pool.slice(Math.max(0, pool.length - selection.last));
  if (selection.sample !== undefined) {
    const random = seededRandom(selection.seed ?? 1);
    const shuffled = [...pool];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as RecordedTurnRow, shuffled[i] as RecordedTurnRow];
    }
    return shuffled.slice(0, selection.sample).sort((x, y) => x.startedAt - y.startedAt || x.turnId - y.turnId);
  }
  return pool;
}

/** A recorded call of the original turn, for the report. */
export interface OriginalCall {
  name: string;
  arguments: string;
}

/** What a replay of one turn starts from. */
export interface ReplayTurn {
  row: RecordedTurnRow;
  /** The first item of the turn (its date note): the history is what came before it. */
  first: Pick<StoredTranscriptItem, 'id' | 'cumTokens'>;
  /** The turn's input: its developer notes and the guest's batch, as recorded. */
  input: NewTranscriptItem[];
  /** The guest's batch as the model saw it. */
  guestText: string;
  original: {
    reply: string;
    calls: OriginalCall[];
    /** The original's calls with their outputs, answered to the same calls of a side-effect tool. */
    recorded: RecordedCall[];
  };
}

/** The replay input of a turn from its stored items; undefined when it has no guest message. */
export function replayTurn(row: RecordedTurnRow, items: readonly StoredTranscriptItem[]): ReplayTurn | undefined {
  const userAt = items.findIndex((s) => s.item.kind === 'user');
  const first = items[0];
  const user = items[userAt];
  if (userAt < 0 || !first || !user || user.item.kind !== 'user') return undefined;
  const rest = items.slice(userAt + 1).map((s) => s.item);
  const outputs = new Map<string, string>();
  for (const item of rest) if (item.kind === 'function_output') outputs.set(item.callId, item.output);
  const calls: OriginalCall[] = [];
  const recorded: RecordedCall[] = [];
  for (const item of rest) {
    if (item.kind !== 'function_call') continue;
    calls.push({ name: item.name, arguments: item.arguments });
    const output = outputs.get(item.callId);
    if (output !== undefined) recorded.push({ name: item.name, arguments: item.arguments, output });
  }
  const lastTool = rest.reduce((at, item, i) => (item.kind === 'function_call' || item.kind === 'function_output' ? i : at), -1);
  const reply = rest
    .slice(lastTool + 1)
    .flatMap((item) => (item.kind === 'assistant' && item.text.trim() !== '' ? [item.text.trim()] : []))
    .join('\n\n');
  return {
    row,
    first: { id: first.id, cumTokens: first.cumTokens },
    input: items.slice(0, userAt + 1).map((s) => ({ item: s.item, boundary: s.boundary, tokens: s.tokens })),
    guestText: user.item.text,
    original: { reply, calls, recorded },
  };
}
