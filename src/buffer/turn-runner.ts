// One turn of a conversation: finish any interrupted delivery, claim the pending batch, ask the agent once,
// fix the reply durably, then deliver it part by part. Only failed sends are retried; the agent never is.
// An interrupted delivery resumes at its first undelivered part, which may have reached the platform before
// the process stopped; a send whose answer did not come in time may have reached it too. Where the channel has
// a history (WATI), the part (text, or media by kind and caption) is looked for there before it is sent again;
// where it has none (ManyChat), a timed-out send is taken as delivered, in doubt, rather than sent twice.
import type { Logger } from 'pino';
import { deadline } from '../core/abort.js';
import { abortReason } from '../core/retry.js';
import type { JobQueue } from '../jobs/types.js';
import type { OutboxPart } from '../core/outbox-parts.js';
import { resolveOutboxMedia, type MediaLocations } from './outbox.js';
import type { Agent, AgentResult } from '../agent/types.js';
import type { ModelConfigName } from '../core/model-config.js';
import type { ChannelClient, SentMessage } from '../channels/index.js';
import type { SentContent } from '../channels/types.js';
import { withRetry, type RetryPolicy } from '../channels/retry.js';
import { splitText } from '../channels/split-text.js';
import { ChannelError } from '../channels/types.js';
import type { Clock } from '../core/clock.js';
import { loggableConversationId, parseConversationId, type ConversationRef } from '../core/conversation-id.js';
import type { Handoff } from '../handoff/handoff.js';
import { noopMetrics, type ServiceMetrics } from '../metrics/service-metrics.js';
import { redactUrl } from '../core/logger.js';
import { parseSentinel, type Sentinel } from '../handoff/sentinels.js';
import type { Platforms } from '../platforms/types.js';
import type { BufferStore, ClaimedBatch, DeliveringBatch } from '../store/buffer-store.js';
import { LEGACY_IMPORT } from '../core/origin.js';

/** A batch that has been started this many times (each start cut short by a crash) is not retried again. */
export const MAX_TURN_ATTEMPTS = 3;

/** Bound on the look at the channel's history before re-sending a part that may have been in flight. */
export const IN_FLIGHT_CHECK_TIMEOUT_MS = 5_000;

export interface TurnRunnerDeps {
  store: BufferStore;
  agent: Agent;
  /** Each conversation's platform sends its reply and names its guest. */
  platforms: Pick<Platforms, 'forChannel'>;
  clock: Clock;
  log: Logger;
  fallbackReply: string;
  sendRetry: RetryPolicy;
  /** Bot pause, handoff and sentinels; without it every batch is answered and replies are sent as they are. */
  handoff?: Handoff | undefined;
  /**
   * The missed-messages block for this turn's input (what happened while the bot was not listening).
   * Bounded by the caller; a failure just leaves the block out.
   */
  missedMessagesBlock?: ((ref: ConversationRef, batch: ClaimedBatch, log: Logger, signal: AbortSignal) => Promise<string | undefined>) | undefined;
  /** Bound on the in-flight check of a resumed delivery (default IN_FLIGHT_CHECK_TIMEOUT_MS). */
  inFlightCheckTimeoutMs?: number | undefined;
  /** Where jobs that tools ask for are enqueued, with the reply. */
  jobs?: JobQueue | undefined;
  /** Jobs were enqueued with a reply: look for due jobs now rather than at the next poll. */
  wakeJobs?: (() => void) | undefined;
  /** Where media parts' files live and are served publicly. */
  media: MediaLocations;
  /** Turn outcomes and durations, channel send attempts. */
  metrics?: Pick<ServiceMetrics, 'turn' | 'turnDuration' | 'channelSend'> | undefined;
}

export function createTurnRunner(deps: TurnRunnerDeps) {
  const { store, agent, platforms, clock } = deps;
  const metrics = deps.metrics ?? noopMetrics;
  /** The model configuration a conversation is on (the metrics' `config` label) when no agent result says it. */
  const configOf = (conversationId: string): ModelConfigName => agent.configFor?.(conversationId) ?? 'primary';

  /**
   * The part a delivery is about to (re)send, if the platform already has it: sent after `since` (the reply was
   * recorded, the previous part delivered, or the attempt that timed out started) and not recorded here.
   * Channels without a history API cannot tell. Bounded; a failure or a timeout means "not found", and the
   * part is sent again (at least once).
   */
  async function findAlreadySent(
    client: ChannelClient,
    ref: ConversationRef,
    where: { batchId: number; part: number },
    content: SentContent,
    since: number,
    log: Logger,
    signal: AbortSignal,
  ): Promise<SentMessage | undefined> {
    if (!client.findSentMessage) return undefined;
    const bound = deadline(deps.inFlightCheckTimeoutMs ?? IN_FLIGHT_CHECK_TIMEOUT_MS, signal);
    try {
      return await client.findSentMessage(ref.channel, ref.externalId, {
        ...content,
        since,
        isRecorded: (id) => store.isDeliveredMessageId(id),
        signal: bound.signal,
      });
    } catch (err) {
      if (!signal.aborted) {
        const reason = redactUrl(err instanceof Error ? err.message : String(err));
        log.warn({ ...where, code: errorCode(err), err: reason }, 'could not check whether the part was already sent; sending it');
      }
      return undefined;
    } finally {
      bound.clear();
    }
  }

  /**
   * Sends one part with the bounded retry, never twice knowingly. A timed-out attempt (the platform may have
   * taken it) is looked for in the history before the next attempt, and once more if it was the last; on a
   * channel without a history the part is taken as delivered, in doubt (there is no idempotency key either).
   */
  async function sendPart(
    client: ChannelClient,
    ref: ConversationRef,
    where: { batchId: number; part: number },
    content: SentContent,
    send: () => Promise<SentMessage>,
    log: Logger,
    signal: AbortSignal,
  ): Promise<SentMessage & { inDoubt: boolean }> {
    let inDoubtSince: number | undefined;
    const lookAfterTimeout = async () => {
      if (inDoubtSince === undefined) return undefined;
      const late = await findAlreadySent(client, ref, where, content, inDoubtSince, log, signal);
      if (signal.aborted) throw abortReason(signal);
      if (late) log.info(where, 'timed-out part had reached the channel; not sent again');
      return late;
    };
    const attempt = async (): Promise<SentMessage & { inDoubt: boolean }> => {
      const late = await lookAfterTimeout();
      if (late) return { ...late, inDoubt: false };
      const startedAt = clock.now();
      try {
        const sent = await send();
        metrics.channelSend(ref.channel, 'ok');
        return { ...sent, inDoubt: false };
      } catch (err) {
        const timedOut = err instanceof ChannelError && err.inDoubt;
        metrics.channelSend(ref.channel, timedOut ? 'in_doubt' : 'error');
        if (timedOut && !client.findSentMessage) {
          log.warn({ ...where, code: errorCode(err) }, 'no answer in time and no history to check: part taken as delivered, in doubt; not sent again');
          return { platformMessageId: undefined, inDoubt: true };
        }
        if (timedOut) inDoubtSince ??= startedAt;
        throw err;
      }
    };
    try {
      return await withRetry(attempt, deps.sendRetry, {
        signal,
        onRetry: (err, n, delayMs) => log.warn({ ...where, attempt: n, delayMs, code: errorCode(err) }, 'send failed, retrying'),
      });
    } catch (err) {
      // An attempt timed out (and no later one got through): the part may be out, and the next parts must follow it.
      const late = !signal.aborted && inDoubtSince !== undefined ? await lookAfterTimeout() : undefined;
      if (late) return { ...late, inDoubt: false };
      throw err;
    }
  }

  /**
   * `resumed`: the delivery was interrupted (crash or shutdown) and its first undelivered part may be out.
   * `lastMessageAt`: when the batch's last guest message arrived (store clock): the turn duration runs from it
   * to the first part handed to the channel (when the guest starts seeing the reply). `config`: the model
   * configuration that answered, for the turn's metric.
   */
  async function deliver(
    ref: ConversationRef,
    batch: DeliveringBatch,
    log: Logger,
    signal: AbortSignal,
    resumed: boolean,
    config: ModelConfigName,
    lastMessageAt?: number,
  ): Promise<void> {
    const client = platforms.forChannel(ref.channel).client;
    for (let i = batch.deliveredParts; i < batch.parts.length; i++) {
      const part = batch.parts[i] as OutboxPart;
      const where = { batchId: batch.batchId, part: i };
      try {
        const content: SentContent = part.type === 'text' ? { text: part.text } : { media: { kind: part.kind, caption: part.caption } };
        const found =
          resumed && i === batch.deliveredParts
            ? await findAlreadySent(client, ref, where, content, batch.lastProgressAt, log, signal)
            : undefined;
        if (signal.aborted) return; // the part is looked for again after restart
        if (found) log.info(where, 'interrupted part had reached the channel; not sent again');
        const send = () =>
          part.type === 'text'
            ? client.sendText(ref.channel, ref.externalId, part.text)
            : client.sendMedia(ref.channel, ref.externalId, resolveOutboxMedia(part, deps.media, ref.conversationId));
        const sent = found ? { ...found, inDoubt: false } : await sendPart(client, ref, where, content, send, log, signal);
        store.recordPartDelivered(batch, i, part, sent.platformMessageId, clock.now(), { inDoubt: sent.inDoubt });
        if (lastMessageAt !== undefined) metrics.turnDuration((clock.now() - lastMessageAt) / 1000);
        lastMessageAt = undefined;
      } catch (err) {
        // Shutting down: the remaining parts are sent after restart, starting with this one.
        if (signal.aborted) return;
        // A picture or document the platform refuses (file gone, a type the channel lacks) must not keep the
        // guest from the text: it is skipped. Texts, and outages, leave the reply undelivered.
        if (part.type === 'media' && !(err instanceof ChannelError && err.retryable)) {
          store.skipPart(batch.batchId, i, clock.now());
          log.warn({ batchId: batch.batchId, part: i, code: errorCode(err) }, 'media part not deliverable; skipped');
          continue;
        }
        const errorClass = `delivery_${errorCode(err).toLowerCase()}`;
        store.finishBatch(batch.batchId, 'undelivered', errorClass, clock.now());
        metrics.turn('undelivered', errorClass, config);
        log.error({ batchId: batch.batchId, part: i, parts: batch.parts.length, errorClass, err }, 'reply not delivered');
        return;
      }
    }
    const status = batch.outcome === 'failed' ? 'failed' : 'delivered';
    store.finishBatch(batch.batchId, status, undefined, clock.now());
    metrics.turn(status === 'failed' ? 'failed' : 'answered', batch.errorClass ?? undefined, config);
    log.info({ batchId: batch.batchId, parts: batch.parts.length, status }, 'turn finished');
  }

  async function askAgent(
    ref: ConversationRef,
    batch: ClaimedBatch,
    log: Logger,
    signal: AbortSignal,
    missedMessagesBlock: string | undefined,
  ): Promise<AgentResult | undefined> {
    if (batch.maxClaimCount > MAX_TURN_ATTEMPTS) {
      log.error({ batchId: batch.batchId, attempts: batch.maxClaimCount }, 'batch interrupted too often; answering with the fallback');
      return { outcome: 'failed', errorClass: 'interrupted_repeatedly' };
    }
    try {
      const result = await agent.respond({
        conversationId: ref.conversationId,
        channel: ref.channel,
        guest: platforms.forChannel(ref.channel).guest(ref, senderNameOf(batch)),
        messages: batch.messages,
        ...(missedMessagesBlock ? { missedMessagesBlock } : {}),
        log,
        signal,
      });
      // A turn cut short by shutdown is re-run after restart rather than answered with the fallback.
      if (result.outcome === 'failed' && signal.aborted) return undefined;
      return result;
    } catch (err) {
      if (signal.aborted) return undefined;
      log.error({ err, batchId: batch.batchId }, 'agent threw');
      return { outcome: 'failed', errorClass: 'agent_exception' };
    }
  }

  return async function runTurn(conversationId: string, signal: AbortSignal): Promise<void> {
    const ref = parseConversationId(conversationId);
    const log = deps.log.child({ conversationId: loggableConversationId(conversationId), channel: ref.channel });

    for (const unfinished of store.deliveringBatches(conversationId)) {
      log.info({ batchId: unfinished.batchId, from: unfinished.deliveredParts }, 'resuming interrupted delivery');
      await deliver(ref, unfinished, log, signal, true, configOf(conversationId));
      if (signal.aborted) return;
    }

    const batch = store.claimBatch(conversationId, clock.now());
    if (!batch) return;
    const { handoff } = deps;
    if (handoff?.isPaused(conversationId)) {
      // A person is handling the guest: the messages stay in the store (batch 'held') and reach the model as
      // context when the bot speaks again; nothing is sent.
      store.finishBatch(batch.batchId, 'held', undefined, clock.now());
      metrics.turn('held', undefined, configOf(conversationId));
      log.info({ batchId: batch.batchId, messages: batch.messages.length }, 'bot paused: batch kept as context, not answered');
      return;
    }
    log.info({ batchId: batch.batchId, messages: batch.messages.length }, 'turn started');

    let missedMessagesBlock: string | undefined;
    if (deps.missedMessagesBlock) {
      try {
        missedMessagesBlock = await deps.missedMessagesBlock(ref, batch, log, signal);
      } catch (err) {
        log.warn({ err: redactUrl(err instanceof Error ? err.message : String(err)) }, 'turn context unavailable; answering without it');
      }
    }
    const result = await askAgent(ref, batch, log, signal, missedMessagesBlock);
    if (!result) {
      store.releaseBatch(batch.batchId, clock.now());
      log.info({ batchId: batch.batchId }, 'turn interrupted by shutdown; batch returned to the buffer');
      return;
    }

    // A handoff asked for by a tool, or a bare sentinel reply, replaces the reply with the configured text.
    const effects = result.effects ?? [];
    let action: Sentinel | undefined;
    if (handoff) {
      const requested = effects.some((e) => e.type === 'handoff');
      action = requested ? 'handover' : result.outcome === 'answered' ? parseSentinel(result.reply) : undefined;
    }
    const text =
      action === 'handover' && handoff
        ? handoff.handoverNotice()
        : action === 'friendly_goodbye' && handoff
          ? handoff.goodbyeMessage()
          : result.outcome === 'answered'
            ? result.reply.trim()
            : deps.fallbackReply;
    // What the tools added (media, fixed texts) goes first, in the order the tools ran, then the reply's text. A failed turn (the fallback)
    // and a handoff (only the notice) show nothing else.
    const media: OutboxPart[] =
      result.outcome === 'answered' && action === undefined ? effects.flatMap((e) => (e.type === 'outbox' ? [e.part] : [])) : [];
    const texts: OutboxPart[] = text === '' ? [] : splitText(text, platforms.forChannel(ref.channel).client.textLimit).map((t) => ({ type: 'text', text: t }));
    const parts = [...media, ...texts];
    const errorClass = result.outcome === 'failed' ? result.errorClass : undefined;
    if (errorClass) log.error({ batchId: batch.batchId, errorClass }, 'turn failed; sending the fallback reply');
    const recordedAt = clock.now();
    // One unit of work, the turn runner's (the store never calls back up): the reply, the agent's transcript
    // and the reply's effects commit together or not at all. A handoff pauses the bot and enqueues its
    // platform steps; a goodbye solves the ticket; a failed turn marks it pending so staff see it.
    // The steps run as durable jobs, retried on their schedule, also after a crash.
    let enqueuedJobs = false;
    const recordTurn = () => {
      store.recordReply(batch.batchId, { parts, outcome: result.outcome, errorClass }, recordedAt);
      result.commit?.();
      for (const effect of effects) {
        if (effect.type !== 'job') continue;
        if (!deps.jobs) throw new Error('a tool enqueued a job but the turn runner has no job queue');
        deps.jobs.enqueue({ ...effect.job, conversationId: effect.job.conversationId ?? conversationId }, clock.now());
        enqueuedJobs = true;
      }
      if (!handoff) return;
      if (action === 'handover') {
        handoff.pause(conversationId, 'handoff');
        handoff.enqueueHandoffSteps(ref, log);
        enqueuedJobs = true;
      } else if (action === 'friendly_goodbye') {
        handoff.enqueueTicketStatus(ref, 'SOLVED');
        handoff.solved(conversationId);
        enqueuedJobs = true;
      } else if (result.outcome === 'failed') {
        handoff.enqueueTicketStatus(ref, 'PENDING');
        enqueuedJobs = true;
      }
    };
    try {
      store.atomically(recordTurn);
    } catch (err) {
      // Nothing was recorded: the batch goes back to the buffer and is retried, at most MAX_TURN_ATTEMPTS times.
      log.error({ err, batchId: batch.batchId }, 'could not record the reply; the batch will be retried');
      store.releaseBatch(batch.batchId, clock.now());
      return;
    }

    if (action === 'handover') log.info({ batchId: batch.batchId }, 'handoff: bot paused');
    if (enqueuedJobs) deps.wakeJobs?.();

    await deliver(
      ref,
      {
        batchId: batch.batchId,
        conversationId,
        parts,
        deliveredParts: 0,
        outcome: result.outcome,
        errorClass: errorClass ?? null,
        lastProgressAt: recordedAt,
      },
      log,
      signal,
      false,
      result.config ?? configOf(conversationId),
      lastLiveMessageAt(batch),
    );
  };
}

/**
 * When the guest's last live message of the batch arrived: the reply time's start. A message migrated from the
 * Python service (npm run migrate-legacy) waited there, not here; a batch of them only has no reply time.
 */
function lastLiveMessageAt(batch: ClaimedBatch): number | undefined {
  const live = batch.messages.filter((m) => m.origin !== LEGACY_IMPORT).map((m) => m.receivedAt);
  return live.length > 0 ? Math.max(...live) : undefined;
}

/** The guest's name as the newest message that carries one gives it. */
function senderNameOf(batch: ClaimedBatch): string | undefined {
  return batch.messages.findLast((m) => m.senderName)?.senderName;
}

function errorCode(err: unknown): string {
  return err instanceof ChannelError ? err.code : 'UNEXPECTED';
}
