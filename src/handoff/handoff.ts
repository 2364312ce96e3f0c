// Human handoff: the pause, the notice the guest gets, and the platform steps (WATI operator and ticket
// status, ManyChat Live Chat). The steps are durable jobs that the conversation's platform adapter builds
// (platforms/*/jobs.ts), enqueued with the reply, each retried on its own schedule. Nothing here is sent to
// the guest except the configured texts.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { HandoffConfig } from './config.js';
import type { JobQueue } from '../jobs/types.js';
import { loggableConversationId, type ConversationRef } from '../core/conversation-id.js';
import type { OfficeCalendar } from '../office/schedule.js';
import type { OutgoingMessageEvent, Platforms, TicketStatus } from '../platforms/types.js';
import type { PauseReason, PauseStore } from './pause-store.js';

export interface HandoffDeps {
  config: { handoff: HandoffConfig };
  /** Whether the office is open now picks the notice's wording. */
  office: OfficeCalendar;
  pauses: PauseStore;
  jobs: JobQueue;
  /** Each conversation's platform builds its handoff and ticket jobs. */
  platforms: Pick<Platforms, 'forChannel'>;
  clock: Clock;
  log: Logger;
}

export type OutgoingOutcome = 'bot' | 'operator' | 'duplicate' | 'unusable';

export class Handoff {
  constructor(private readonly deps: HandoffDeps) {}

  get pauses(): PauseStore {
    return this.deps.pauses;
  }

  /** Whether a bot operator name (BOT_OPERATOR_NAMES) is this one. */
  isBotOperator(name: string | undefined): boolean {
    return name !== undefined && this.deps.config.handoff.botOperatorNames.includes(name.trim().toLowerCase());
  }

  /**
   * A WATI `owner: true` event. The bot's own sends (a message id we recorded, or a bot operator name) are
   * ignored; anything else is a person writing to the guest: recorded as context and the bot pauses.
   */
  recordOutgoing(event: OutgoingMessageEvent): OutgoingOutcome {
    const now = this.deps.clock.now();
    if (event.platformMessageIds.some((id) => this.deps.pauses.isOwnMessage(id))) return 'bot';
    if (this.isBotOperator(event.operatorName)) return 'bot';
    const conversationId = event.conversationId;
    const recorded = this.deps.pauses.recordOperatorMessage(conversationId, {
      platformMessageId: event.platformMessageIds[0] ?? null,
      operatorName: event.operatorName ?? null,
      text: event.text,
      sentAt: now,
    });
    if (!recorded) return 'duplicate';
    const wasPaused = this.deps.pauses.pause(conversationId, 'operator', now, event.operatorName);
    this.deps.log.info(
      { conversationId: loggableConversationId(conversationId), refreshed: wasPaused },
      wasPaused ? 'operator activity: pause extended' : 'operator wrote to the guest: bot paused',
    );
    return 'operator';
  }

  /** A guest message that WATI says is assigned to a human operator pauses (or keeps pausing) the bot. */
  noteGuestOperator(conversationId: string, operatorName: string | undefined): void {
    if (!operatorName || this.isBotOperator(operatorName)) return;
    const wasPaused = this.deps.pauses.pause(conversationId, 'assigned', this.deps.clock.now(), operatorName);
    if (!wasPaused) {
      this.deps.log.info({ conversationId: loggableConversationId(conversationId) }, 'guest is assigned to a person: bot paused');
    }
  }

  isPaused(conversationId: string): boolean {
    return this.deps.pauses.isPaused(conversationId, this.deps.clock.now());
  }

  pause(conversationId: string, reason: PauseReason): void {
    this.deps.pauses.pause(conversationId, reason, this.deps.clock.now());
  }

  /** The notice for the guest: its wording depends on whether the office is open now (check_office_status). */
  handoverNotice(): string {
    const { config, clock, office } = this.deps;
    return office.isOpen(clock.now()) ? config.handoff.messageOpen : config.handoff.messageClosed;
  }

  goodbyeMessage(): string {
    return this.deps.config.handoff.goodbyeMessage;
  }

  /**
   * Enqueues the platform steps of a handoff: WATI operator + ticket PENDING, or ManyChat Live Chat open.
   * Call inside the transaction that records the notice, so the steps happen with it or not at all.
   */
  enqueueHandoffSteps(ref: ConversationRef, log: Logger): void {
    const { jobs, platforms, clock, config } = this.deps;
    const steps = platforms.forChannel(ref.channel).handoffJobs(ref, { operatorEmail: config.handoff.operatorEmail, log });
    for (const job of steps) jobs.enqueue(job, clock.now());
    this.enqueueTicketStatus(ref, 'PENDING');
  }

  /**
   * Enqueues setting the ticket status, on platforms with tickets (WATI). A status still waiting to be set is
   * dropped: the newest one is what staff should see, whenever the retries of the older one would have landed.
   */
  enqueueTicketStatus(ref: ConversationRef, status: TicketStatus): void {
    const { jobs, platforms, clock } = this.deps;
    const job = platforms.forChannel(ref.channel).ticketStatusJob(ref, status);
    if (!job) return;
    jobs.supersedePending(job.kind, ref.conversationId, clock.now());
    jobs.enqueue(job, clock.now());
  }

  /** The ticket is solved: the bot is no longer paused. */
  solved(conversationId: string): void {
    this.deps.pauses.resume(conversationId, 'solved', this.deps.clock.now());
  }
}
