// The handoff's platform steps as durable jobs, enqueued in the transaction that records the reply: a
// crash after the notice no longer skips them, and a WATI or ManyChat outage is retried on a schedule
// instead of only logged. Each step is idempotent (assigning the same operator or setting the same status
// twice changes nothing), as jobs must be.
import { z } from 'zod';
import type { ManychatLiveChat } from '../channels/manychat-live-chat.js';
import { ChannelError } from '../channels/types.js';
import type { WatiTickets } from '../channels/wati-tickets.js';
import { defineJobKind, JobError, type JobKind } from '../jobs/types.js';

/** 10 s, 1 min, 5 min, 30 min, 2 h: a short WATI hiccup is absorbed at once, an outage within hours. */
export const HANDOFF_STEP_RETRY_DELAYS_MS = [10_000, 60_000, 300_000, 1_800_000, 7_200_000] as const;
const STEP_TIMEOUT_MS = 30_000;

/** 5xx, timeouts and 429 are worth retrying; any other refusal (4xx, missing credentials) is final. */
function asJobError(err: unknown): JobError {
  if (err instanceof ChannelError) {
    const final = !err.retryable;
    return new JobError(err.code.toLowerCase(), err.message, final);
  }
  return new JobError('exception', err instanceof Error ? err.message : String(err));
}

async function step(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    throw asJobError(err);
  }
}

const waId = z.string().regex(/^\d{6,20}$/);

export interface HandoffJobDeps {
  wati: WatiTickets;
  manychat: ManychatLiveChat;
}

export function createHandoffJobKinds(deps: HandoffJobDeps) {
  const assignOperator = defineJobKind({
    kind: 'wati.assign_operator',
    payload: z.object({ waId, email: z.string().min(3).max(254) }),
    retryDelaysMs: HANDOFF_STEP_RETRY_DELAYS_MS,
    timeoutMs: STEP_TIMEOUT_MS,
    run: (p, ctx) => step(() => deps.wati.assignOperator(p.waId, p.email, ctx.signal)),
  });
  const updateChatStatus = defineJobKind({
    kind: 'wati.update_chat_status',
    payload: z.object({ waId, status: z.enum(['OPEN', 'PENDING', 'SOLVED']) }),
    retryDelaysMs: HANDOFF_STEP_RETRY_DELAYS_MS,
    timeoutMs: STEP_TIMEOUT_MS,
    run: (p, ctx) => step(() => deps.wati.updateChatStatus(p.waId, p.status, ctx.signal)),
  });
  const markConversationOpen = defineJobKind({
    kind: 'manychat.mark_conversation_open',
    payload: z.object({ channel: z.enum(['facebook', 'instagram']), subscriberId: z.string().regex(/^\d{1,32}$/) }),
    retryDelaysMs: HANDOFF_STEP_RETRY_DELAYS_MS,
    timeoutMs: STEP_TIMEOUT_MS,
    run: (p, ctx) => step(() => deps.manychat.markConversationAsOpen(p.channel, p.subscriberId, ctx.signal)),
  });
  return { assignOperator, updateChatStatus, markConversationOpen };
}

export type HandoffJobKinds = ReturnType<typeof createHandoffJobKinds>;

export function handoffJobKindList(kinds: HandoffJobKinds): JobKind<unknown>[] {
  return [kinds.assignOperator, kinds.updateChatStatus, kinds.markConversationOpen] as JobKind<unknown>[];
}
