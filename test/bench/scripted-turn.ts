// One guest turn of a cost bench: the scripted model steps queued on the fake model, the guest's text run
// through the real agent, the turn committed, and the model requests it made returned — shared by the cost
// benches so each only says what its conversation is and what it measures.
import type { Logger } from 'pino';
import type { Agent } from '../../src/agent/types.js';
import type { BufferedMessage } from '../../src/core/messages.js';
import type { FakeOpenAI, FakeStep, RecordedRequest } from '../support/fake-openai.js';

/** A guest's WhatsApp text as the buffer hands it to the agent. */
export function guestMessage(conversationId: string, text: string, seq: number, at: number): BufferedMessage {
  return {
    seq,
    receivedAt: at,
    conversationId,
    channel: 'whatsapp',
    externalUserId: conversationId,
    platformMessageId: `wamid.bench.${seq}`,
    kind: 'text',
    text,
    mediaRef: undefined,
    replyContextId: undefined,
    senderName: 'Ana',
  };
}

/** Plays one turn; throws (naming `label`) when it is not answered or makes other calls than scripted. */
export async function playScriptedTurn(
  deps: { agent: Agent; fake: FakeOpenAI; log: Logger },
  turn: { label: string; conversationId: string; text: string; seq: number; at: number; steps: FakeStep[] },
): Promise<RecordedRequest[]> {
  deps.fake.queue(...turn.steps);
  const first = deps.fake.requests.length;
  const result = await deps.agent.respond({
    conversationId: turn.conversationId,
    channel: 'whatsapp',
    guest: { waId: turn.conversationId },
    messages: [guestMessage(turn.conversationId, turn.text, turn.seq, turn.at)],
    log: deps.log,
    signal: new AbortController().signal,
  });
  if (result.outcome !== 'answered') throw new Error(`${turn.label} failed: ${result.errorClass}`);
  result.commit?.();
  const requests = deps.fake.requests.slice(first);
  if (requests.length !== turn.steps.length) throw new Error(`${turn.label} made ${requests.length} calls, ${turn.steps.length} scripted`);
  return requests;
}
