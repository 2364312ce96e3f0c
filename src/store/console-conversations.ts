// The chat console's `/reset` (src/cli/chat.ts): a console conversation's transcript is moved aside under
// another id instead of deleted, so what the trial cost stays recorded with its model calls.
import type { Db } from './database.js';

export class ConsoleConversations {
  private readonly exists;
  private readonly archiveTx;

  constructor(db: Db) {
    this.exists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM conversations WHERE id = ?');
    const moveConversation = db.prepare<{ from: string; to: string }>('UPDATE conversations SET id = @to WHERE id = @from');
    const moveTurns = db.prepare<{ from: string; to: string }>('UPDATE agent_turns SET conversation_id = @to WHERE conversation_id = @from');
    const moveItems = db.prepare<{ from: string; to: string }>('UPDATE transcript_items SET conversation_id = @to WHERE conversation_id = @from');
    const moveCalls = db.prepare<{ from: string; to: string }>('UPDATE model_calls SET conversation_id = @to WHERE conversation_id = @from');
    this.archiveTx = db.transaction((from: string, to: string): number | undefined => {
      if (this.exists.get(from) === undefined) return undefined;
      if (this.exists.get(to) !== undefined) throw new Error(`conversation ${to} already exists`);
      // The children reference conversations(id): checked at commit, once every row has moved.
      db.pragma('defer_foreign_keys = ON');
      moveConversation.run({ from, to });
      moveTurns.run({ from, to });
      const items = moveItems.run({ from, to }).changes;
      moveCalls.run({ from, to });
      return items;
    });
  }

  has(conversationId: string): boolean {
    return this.exists.get(conversationId) !== undefined;
  }

  /**
   * Moves a conversation's transcript (its row, turns, items and model calls) to `archivedId` in one
   * transaction. Returns the number of transcript items moved; undefined when there is no such conversation.
   */
  archive(conversationId: string, archivedId: string): number | undefined {
    return this.archiveTx(conversationId, archivedId);
  }
}
