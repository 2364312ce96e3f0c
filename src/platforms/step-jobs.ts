// What the platforms' handoff steps share as durable jobs (WATI operator and ticket status, ManyChat Live
// Chat): enqueued in the transaction that records the reply, so a crash after the notice no longer skips
// them, and a platform outage is retried on a schedule instead of only logged. Each step is idempotent
// (assigning the same operator or setting the same status twice changes nothing), as jobs must be.
import { ChannelError } from '../channels/types.js';
import { JobError } from '../jobs/types.js';

/** 10 s, 1 min, 5 min, 30 min, 2 h: a short WATI hiccup is absorbed at once, an outage within hours. */
export const HANDOFF_STEP_RETRY_DELAYS_MS = [10_000, 60_000, 300_000, 1_800_000, 7_200_000] as const;
export const STEP_TIMEOUT_MS = 30_000;

/** 5xx, timeouts and 429 are worth retrying; any other refusal (4xx, missing credentials) is final. */
function asJobError(err: unknown): JobError {
  if (err instanceof ChannelError) {
    const final = !err.retryable;
    return new JobError(err.code.toLowerCase(), err.message, final);
  }
  return new JobError('exception', err instanceof Error ? err.message : String(err));
}

/** Runs one platform call as a job step: its failure becomes the JobError that says whether to retry. */
export async function step(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    throw asJobError(err);
  }
}
