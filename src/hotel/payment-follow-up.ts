// The durable follow-up of a payment that is not in the ledger yet: one follow-up per payment, each
// attempt a job that checks (sync, validate, book — the booking path never books a payment twice) and, in
// the same SQLite transaction as its outcome, schedules the next attempt or tells the guest. It survives
// restarts and kill -9 because nothing lives outside the database: the original kept these in threads and
// /tmp files, and a restart dropped every one.
import type { Logger } from 'pino';
import { z } from 'zod';
import { defineJobKind, jobOf, type JobKind, type JobQueue } from '../jobs/types.js';
import type { FollowUp, FollowUpKind, PaymentFollowUpsRepository } from '../store/payment-follow-ups-repository.js';
import { delayBeforeAttempt, isEndOfFirstStage } from './follow-up-schedule.js';

export type AttemptOutcome =
  | { kind: 'booked'; reserva: string }
  /** The booking's own path took over (its answer was lost: its reconciliation tells the guest). */
  | { kind: 'delegated' }
  | { kind: 'not_yet' }
  | { kind: 'give_up'; reason: string };

/** What the guest (and staff) are told; each runs inside the transaction that records the outcome. */
export interface FollowUpNotifier {
  confirmed(followUp: FollowUp, reserva: string): void;
  /** Bank transfers, at the end of the first stage: "¿Transferencia 365 o UNI?". */
  askTransferType(followUp: FollowUp): void;
  /** After the last attempt (or when the attempt gives up): an apology and a person takes over. */
  escalate(followUp: FollowUp, reason: string): void;
}

export interface PaymentFollowUpsDeps {
  followUps: PaymentFollowUpsRepository;
  jobs: JobQueue;
  /** One check: sync the ledger, validate, book. Must be idempotent (it may run again after a crash). */
  attempt(followUp: FollowUp, signal: AbortSignal): Promise<AttemptOutcome>;
  /** A conversation handed to a person stops its follow-ups. */
  isHandedOff(conversationId: string): boolean;
  notifier: FollowUpNotifier;
  now: () => number;
  /** Bounds one attempt (a portal sync plus a booking). */
  attemptTimeoutMs?: number;
}

const payload = z.object({ followUpId: z.number().int().positive(), attempt: z.number().int().min(1) });
type Payload = z.output<typeof payload>;

export const FOLLOW_UP_JOB = 'payment.follow-up';

export class PaymentFollowUps {
  readonly jobKind: JobKind<Payload>;

  constructor(private readonly deps: PaymentFollowUpsDeps) {
    this.jobKind = defineJobKind<Payload>({
      kind: FOLLOW_UP_JOB,
      payload,
      // The schedule itself is the retry: a failed check counts as "not there yet" (see run).
      retryDelaysMs: [],
      timeoutMs: deps.attemptTimeoutMs ?? 300_000,
      run: (p, ctx) => this.run(p, ctx.signal, ctx.log),
      // Staff cancelled the next attempt: the follow-up ends (a new one may be started for the payment).
      onCancel: (p) => void deps.followUps.finish(p.followUpId, 'cancelled', deps.now()),
    });
  }

  /**
   * Starts the follow-up of a payment (its first attempt at `firstAt`), or returns the live one for the same
   * payment. Joins the caller's transaction, if any.
   */
  start(input: { conversationId: string; paymentKey: string; kind: FollowUpKind; payload: unknown; firstAt: number }): { created: boolean; followUp: FollowUp } {
    const { deps } = this;
    return deps.followUps.atomically(() => {
      const started = deps.followUps.start({ ...input, nextAt: input.firstAt }, deps.now());
      if (started.created) deps.jobs.enqueue(jobOf(this.jobKind, { followUpId: started.followUp.id, attempt: 1 }, input.conversationId, input.firstAt), deps.now());
      return started;
    });
  }

  /**
   * The guest is with a person, or answered in a way that ends them: the conversation's follow-ups stop,
   * their waiting checks with them (one transaction; joins the caller's, e.g. the handoff's pause).
   */
  cancelFor(conversationId: string): number {
    const { deps } = this;
    return deps.followUps.atomically(() => {
      const now = deps.now();
      const stopped = deps.followUps.activeFor(conversationId).filter((f) => deps.followUps.finish(f.id, 'cancelled', now)).length;
      if (stopped > 0) deps.jobs.supersedePending(FOLLOW_UP_JOB, conversationId, now);
      return stopped;
    });
  }

  activeFor(conversationId: string): FollowUp[] {
    return this.deps.followUps.activeFor(conversationId);
  }

  private async run({ followUpId, attempt }: Payload, signal: AbortSignal, log: Logger): Promise<void> {
    const { deps } = this;
    const followUp = deps.followUps.get(followUpId);
    // Already decided, or this attempt already recorded (the job ran again after a crash): nothing to do.
    if (!followUp || followUp.state !== 'active' || followUp.attempts >= attempt) return;
    if (deps.isHandedOff(followUp.conversationId)) {
      deps.followUps.finish(followUpId, 'cancelled', deps.now());
      log.info({ followUpId }, 'payment follow-up stopped: the guest is with a person');
      return;
    }
    let outcome: AttemptOutcome;
    try {
      outcome = await deps.attempt(followUp, signal);
    } catch (err) {
      log.warn({ err, followUpId, attempt }, 'payment check failed; counted as not found yet');
      outcome = { kind: 'not_yet' };
    }
    const now = deps.now();
    deps.followUps.atomically(() => {
      if (outcome.kind === 'booked') {
        deps.followUps.recordAttempt(followUpId, attempt, null, now);
        if (deps.followUps.finish(followUpId, 'booked', now, outcome.reserva)) deps.notifier.confirmed(followUp, outcome.reserva);
        return;
      }
      if (outcome.kind === 'delegated') {
        deps.followUps.recordAttempt(followUpId, attempt, null, now);
        deps.followUps.finish(followUpId, 'booked', now);
        return;
      }
      const delay = outcome.kind === 'not_yet' ? delayBeforeAttempt(attempt + 1) : undefined;
      if (delay === undefined) {
        deps.followUps.recordAttempt(followUpId, attempt, null, now);
        const reason = outcome.kind === 'give_up' ? outcome.reason : 'payment_not_found';
        if (deps.followUps.finish(followUpId, 'escalated', now)) deps.notifier.escalate(followUp, reason);
        return;
      }
      if (!deps.followUps.recordAttempt(followUpId, attempt, now + delay, now)) return;
      deps.jobs.enqueue(jobOf(this.jobKind, { followUpId, attempt: attempt + 1 }, followUp.conversationId, now + delay), now);
      if (followUp.kind === 'bank' && isEndOfFirstStage(attempt)) deps.notifier.askTransferType(followUp);
    });
    log.info({ followUpId, attempt, outcome: outcome.kind }, 'payment follow-up attempt');
  }
}
