// What the components record for GET /metrics: typed methods, no prom-client here, so a component built
// without metrics (a test, a CLI) takes noopMetrics. createMetrics() in metrics.ts is the real one; it
// clips every label to a fixed set, so callers pass what they have.
import type { Channel } from '../core/conversation-id.js';
import type { ModelUsage } from '../core/usage.js';
import type { ModelConfigName } from '../core/model-config.js';

/** How a turn ended: the reply (or the fallback, `failed`) handed to the channel, refused by it, or held (bot paused). */
export type TurnOutcome = 'answered' | 'failed' | 'undelivered' | 'held';

/** How a job run ended: done, failed and rescheduled, or failed for good. */
export type JobRunOutcome = 'done' | 'retried' | 'failed';

export interface ServiceMetrics {
  /** A webhook answered (route path as registered, HTTP status). */
  webhook(route: string, status: number): void;
  /** A delivery was stored (`count` messages) or recognised as a repeat. */
  messages(channel: Channel, result: 'accepted' | 'deduplicated', count: number): void;
  /** A turn ended; `errorClass` for failed and undelivered turns; `config` the model configuration (default primary). */
  turn(outcome: TurnOutcome, errorClass: string | undefined, config?: ModelConfigName): void;
  /** From the guest's last message of the batch to the reply's first part handed to the channel. */
  turnDuration(seconds: number): void;
  /** One model call attempt: `outcome` is `ok` or the error class; `config` the model configuration (default primary). */
  modelCall(model: string, outcome: string, seconds: number, usage: ModelUsage | undefined, config?: ModelConfigName): void;
  /** One tool call: `outcome` is `ok` or the registry's error kind; an unknown tool is named `other`. */
  toolCall(tool: string, outcome: string, seconds: number): void;
  /** One send attempt to a channel (each retry is one); `in_doubt`: no answer within the client timeout. */
  channelSend(channel: Channel, outcome: 'ok' | 'error' | 'in_doubt'): void;
  /** A job run ended. */
  jobFinished(kind: string, outcome: JobRunOutcome): void;
  /** A booking request's outcome (BookingOutcome kind, `repeated` for a payment booked before, `error` when it threw). */
  booking(outcome: string): void;
}

const nothing = (): void => undefined;

/** Records nothing: for code built without metrics. */
export const noopMetrics: ServiceMetrics = {
  webhook: nothing,
  messages: nothing,
  turn: nothing,
  turnDuration: nothing,
  modelCall: nothing,
  toolCall: nothing,
  channelSend: nothing,
  jobFinished: nothing,
  booking: nothing,
};
