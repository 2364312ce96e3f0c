// A scriptable stand-in for the agent, for tests of the buffer and delivery (the seam of src/agent/types.ts).
import type { Agent, AgentResult, AgentTurn } from '../../src/agent/types.js';

export interface RecordedTurn {
  conversationId: string;
  channel: AgentTurn['channel'];
  guest: AgentTurn['guest'];
  texts: string[];
  kinds: string[];
  mediaRefs: (string | undefined)[];
  /** The turn's missed-messages block (missed / held / imported messages), if any. */
  missedMessagesBlock: string | undefined;
}

export interface TestAgent extends Agent {
  turns: RecordedTurn[];
  /** Resolves once `count` turns have started. */
  waitForTurns(count: number, timeoutMs?: number): Promise<RecordedTurn[]>;
}

export type Responder = (turn: AgentTurn, index: number) => AgentResult | string | Promise<AgentResult | string>;

/** By default echoes the batch: "Recibido: <text1> | <text2> …". */
export function createTestAgent(respond?: Responder): TestAgent {
  const turns: RecordedTurn[] = [];
  const waiters: (() => void)[] = [];
  const responder: Responder = respond ?? ((turn) => `Recibido: ${turn.messages.map((m) => m.text).join(' | ')}`);

  return {
    turns,
    readiness: () => ({ ready: true, reasons: [] }),
    async respond(turn) {
      turns.push({
        conversationId: turn.conversationId,
        channel: turn.channel,
        guest: turn.guest,
        texts: turn.messages.map((m) => m.text),
        kinds: turn.messages.map((m) => m.kind),
        mediaRefs: turn.messages.map((m) => m.mediaRef),
        missedMessagesBlock: turn.missedMessagesBlock,
      });
      for (const w of waiters.splice(0)) w();
      const result = await responder(turn, turns.length - 1);
      return typeof result === 'string' ? { outcome: 'answered', reply: result } : result;
    },
    async waitForTurns(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (turns.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} turns, saw ${turns.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return turns.slice(0, count);
    },
  };
}
