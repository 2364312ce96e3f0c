// ManyChat's handoff step as a durable job: open the conversation in Live Chat so the page's staff see it.
import { z } from 'zod';
import { defineJobKind } from '../../jobs/types.js';
import { HANDOFF_STEP_RETRY_DELAYS_MS, step, STEP_TIMEOUT_MS } from '../step-jobs.js';
import type { ManychatLiveChat } from './live-chat.js';

export function createManychatJobKinds(liveChat: ManychatLiveChat) {
  const markConversationOpen = defineJobKind({
    kind: 'manychat.mark_conversation_open',
    payload: z.object({ channel: z.enum(['facebook', 'instagram']), subscriberId: z.string().regex(/^\d{1,32}$/) }),
    retryDelaysMs: HANDOFF_STEP_RETRY_DELAYS_MS,
    timeoutMs: STEP_TIMEOUT_MS,
    run: (p, ctx) => step(() => liveChat.markConversationAsOpen(p.channel, p.subscriberId, ctx.signal)),
  });
  return { markConversationOpen };
}

export type ManychatJobKinds = ReturnType<typeof createManychatJobKinds>;
