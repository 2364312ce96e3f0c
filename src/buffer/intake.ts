// Intake of webhook deliveries: stores them durably and wakes the scheduler. Deliveries whose bodies
// arrive in the same event-loop turn share one SQLite transaction (group commit: one WAL write instead of
// one per request); each webhook is still acknowledged only after the commit that holds its messages.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { loggableConversationId } from '../core/conversation-id.js';
import { capMessageText, MESSAGE_MAX_CHARS } from '../ingest/message-limit.js';
import { noopMetrics, type ServiceMetrics } from '../metrics/service-metrics.js';
import type { AcceptResult, BufferStore } from '../store/buffer-store.js';
import { MEDIA_KINDS, type InboundMessage } from '../core/messages.js';

interface PendingDelivery {
  messages: InboundMessage[];
  resolve: (result: AcceptResult) => void;
  reject: (err: unknown) => void;
}

export class Intake {
  private queue: PendingDelivery[] = [];

  constructor(
    private readonly store: BufferStore,
    private readonly clock: Clock,
    private readonly onAccepted: (conversationId: string, receivedAt: number, hasMedia: boolean) => void,
    private readonly metrics: Pick<ServiceMetrics, 'messages'> = noopMetrics,
    private readonly log?: Logger,
  ) {}

  /**
   * Resolves once the delivery is committed (or recognised as a repeat); rejects if the commit failed. A text
   * longer than its platform lets a person send is cut here, for every platform (src/ingest/message-limit.ts).
   */
  accept(messages: InboundMessage[]): Promise<AcceptResult> {
    const capped = messages.map((m) => this.capped(m));
    return new Promise((resolve, reject) => {
      if (this.queue.push({ messages: capped, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private capped(message: InboundMessage): InboundMessage {
    const { text, omitted } = capMessageText(message.text, message.channel);
    if (omitted === 0) return message;
    this.log?.warn(
      { conversationId: loggableConversationId(message.conversationId), kind: message.kind, limit: MESSAGE_MAX_CHARS[message.channel], omitted },
      'message longer than its platform allows: cut, with a marker for the model',
    );
    return { ...message, text };
  }

  private flush(): void {
    const group = this.queue;
    this.queue = [];
    const now = this.clock.now();
    let results: AcceptResult[];
    try {
      results = this.store.acceptMany(
        group.map((d) => d.messages),
        now,
      );
    } catch (err) {
      // Nothing was stored: every webhook of the group gets a 500 and its platform delivers it again.
      for (const d of group) d.reject(err);
      return;
    }
    group.forEach((delivery, i) => {
      const result = results[i] as AcceptResult;
      const conversationId = delivery.messages[0]?.conversationId;
      const channel = delivery.messages[0]?.channel;
      if (channel) this.metrics.messages(channel, result.accepted ? 'accepted' : 'deduplicated', delivery.messages.length);
      if (result.accepted && conversationId) {
        this.onAccepted(conversationId, now, delivery.messages.some((m) => MEDIA_KINDS.has(m.kind)));
      }
      delivery.resolve(result);
    });
  }
}
