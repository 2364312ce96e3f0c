// A text for the guest outside a turn (a booking confirmed after its answer was lost or by a payment
// follow-up, a question, an apology), as a durable job: sent through the conversation's platform, retried on
// the handoff steps' schedule, recorded as the bot's own message and written to the transcript so the model
// knows next turn what was said. The platforms only deliver messages a guest did not ask for within 24 hours
// of the guest's last message: past that, the guest is not messaged and staff take the conversation instead.
import { z } from 'zod';
import type { Logger } from 'pino';
import { parseConversationId, type ConversationRef } from '../core/conversation-id.js';
import { defineJobKind, jobOf, JobError, type JobKind, type NewJob } from '../jobs/types.js';
import type { Platforms } from './types.js';
import { HANDOFF_STEP_RETRY_DELAYS_MS, STEP_TIMEOUT_MS, step } from './step-jobs.js';
import type { BufferStore } from '../store/buffer-store.js';
import type { ConversationHistoryRepository } from '../store/conversation-history-repository.js';
import type { ConversationStore } from '../store/conversation-store.js';
import { splitText } from '../channels/split-text.js';

const payload = z.object({ text: z.string().min(1).max(4000) });
export type GuestNoticePayload = z.output<typeof payload>;

export const GUEST_NOTICE_JOB = 'guest.notice';
/** WhatsApp's customer-service window (Messenger's standard messaging window is the same). */
export const MESSAGING_WINDOW_MS = 24 * 3600_000;

export interface GuestNoticeDeps {
  platforms: Pick<Platforms, 'forChannel'>;
  store: Pick<BufferStore, 'recordNotice'>;
  history: Pick<ConversationHistoryRepository, 'lastGuestMessageAt'>;
  transcript: Pick<ConversationStore, 'recordNotice'>;
  /** The model and API the transcript is written for (config.llm). */
  llm: { model: string; api: 'responses' | 'chat_completions' };
  /** The window has closed: a person takes the conversation (pause and the platform's handoff steps). */
  toStaff(ref: ConversationRef, log: Logger): void;
  now: () => number;
}

export function createGuestNoticeJobKind(deps: GuestNoticeDeps): JobKind<GuestNoticePayload> {
  return defineJobKind({
    kind: GUEST_NOTICE_JOB,
    payload,
    retryDelaysMs: HANDOFF_STEP_RETRY_DELAYS_MS,
    timeoutMs: STEP_TIMEOUT_MS,
    async run({ text }, ctx) {
      if (!ctx.conversationId) throw new JobError('no_conversation', 'a guest notice needs its conversation', true);
      const ref = parseConversationId(ctx.conversationId);
      const last = deps.history.lastGuestMessageAt(ref.conversationId);
      if (last === undefined || deps.now() - last > MESSAGING_WINDOW_MS) {
        ctx.log.warn({ lastGuestMessageAt: last }, 'guest notice not sent: outside the 24-hour window; handed to staff');
        deps.toStaff(ref, ctx.log);
        return;
      }
      const adapter = deps.platforms.forChannel(ref.channel);
      for (const part of splitText(text, adapter.client.textLimit)) {
        await step(async () => {
          const sent = await adapter.client.sendText(ref.channel, ref.externalId, part);
          deps.store.recordNotice(ref.conversationId, part, sent.platformMessageId, deps.now());
        });
      }
      const guest = adapter.guest(ref, undefined);
      deps.transcript.recordNotice({
        conversationId: ref.conversationId,
        channel: ref.channel,
        guest: { waId: guest.waId, subscriberId: guest.subscriberId },
        text,
        at: deps.now(),
        model: deps.llm.model,
        api: deps.llm.api,
      });
    },
  });
}

/** The job that sends `text` to the guest of `conversationId`. */
export function guestNotice(kind: JobKind<GuestNoticePayload>, conversationId: string, text: string): NewJob {
  return jobOf(kind, { text }, conversationId);
}
