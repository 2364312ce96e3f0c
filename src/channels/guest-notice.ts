// A text for the guest outside a turn (a booking confirmed after its answer was lost, or handed to staff),
// as a durable job: sent through the conversation's platform, retried on the handoff steps' schedule, and
// recorded as the bot's own message.
import { z } from 'zod';
import { parseConversationId } from '../conversation-id.js';
import { defineJobKind, jobOf, JobError, type JobKind, type NewJob } from '../jobs/types.js';
import type { Platforms } from '../platforms/types.js';
import { HANDOFF_STEP_RETRY_DELAYS_MS, STEP_TIMEOUT_MS, step } from '../platforms/step-jobs.js';
import type { BufferStore } from '../store/buffer-store.js';
import { splitText } from './split-text.js';

const payload = z.object({ text: z.string().min(1).max(4000) });
export type GuestNoticePayload = z.output<typeof payload>;

export const GUEST_NOTICE_JOB = 'guest.notice';

export function createGuestNoticeJobKind(deps: {
  platforms: Pick<Platforms, 'forChannel'>;
  store: Pick<BufferStore, 'recordNotice'>;
  now: () => number;
}): JobKind<GuestNoticePayload> {
  return defineJobKind({
    kind: GUEST_NOTICE_JOB,
    payload,
    retryDelaysMs: HANDOFF_STEP_RETRY_DELAYS_MS,
    timeoutMs: STEP_TIMEOUT_MS,
    async run({ text }, ctx) {
      if (!ctx.conversationId) throw new JobError('no_conversation', 'a guest notice needs its conversation', true);
      const ref = parseConversationId(ctx.conversationId);
      const client = deps.platforms.forChannel(ref.channel).client;
      for (const part of splitText(text, client.textLimit)) {
        await step(async () => {
          const sent = await client.sendText(ref.channel, ref.externalId, part);
          deps.store.recordNotice(ref.conversationId, part, sent.platformMessageId, deps.now());
        });
      }
    },
  });
}

/** The job that sends `text` to the guest of `conversationId`. */
export function guestNotice(kind: JobKind<GuestNoticePayload>, conversationId: string, text: string): NewJob {
  return jobOf(kind, { text }, conversationId);
}
