// One handler per platform's webhook (POST /webhook for WATI, POST /manychat/webhook): the platform's
// `inbound` says where it is posted, reads the body and words the acknowledgement. Each only validates,
// stores durably and acknowledges: nothing slow or networked happens before the reply.
import type { FastifyPluginAsync } from 'fastify';
import type { InboundMessage } from '../core/messages.js';
import { HttpError } from '../core/errors.js';
import type { OutgoingMessageEvent, PlatformInbound } from '../platforms/types.js';
import type { AcceptResult } from '../store/buffer-store.js';
import { assertWebhookPasskey } from './webhook-auth.js';
import { loggableConversationId } from '../core/conversation-id.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';

export interface WebhookRoutesOptions {
  /** The platforms' webhooks, one route each. */
  inbounds: readonly PlatformInbound[];
  passkey: string | undefined;
  /** Resolves once the messages are committed (or recognised as a repeat). */
  accept: (messages: InboundMessage[]) => Promise<AcceptResult>;
  /** Records a business-side send the webhook reports (bot's own or a human operator's); synchronous, local only. */
  onOutgoing?: ((event: OutgoingMessageEvent) => string) | undefined;
  /** A guest message the platform reports as assigned to an operator (by name). */
  onGuestOperator?: ((conversationId: string, operatorName: string) => void) | undefined;
  /**
   * WhatsApp numbers whose messages are not a guest's (the staff numbers alerts go to): a staff member answering
   * an alert must not be answered by the bot. Checked on the webhooks whose platform says staff can write there.
   */
  notGuests?: ReadonlySet<string> | undefined;
  /** Counts each answered webhook by route and status. */
  metrics?: Pick<ServiceMetrics, 'webhook'> | undefined;
}

function badRequest(problems: string[]): HttpError {
  return new HttpError(400, 'BAD_REQUEST', `Invalid webhook body: ${problems.join('; ')}`, { problems });
}

export const webhookRoutes: FastifyPluginAsync<WebhookRoutesOptions> = async (app, opts) => {
  // Scoped to this plugin: only the webhook routes are counted (401s and 400s included).
  const { metrics } = opts;
  if (metrics) app.addHook('onResponse', async (request, reply) => metrics.webhook(request.routeOptions.url ?? 'other', reply.statusCode));

  for (const inbound of opts.inbounds) {
    app.post(inbound.path, async (request) => {
      assertWebhookPasskey(request, opts.passkey);
      const parsed = inbound.parse(request.body);
      if (parsed.kind === 'invalid') throw badRequest(parsed.problems);
      if (parsed.kind === 'ignored') {
        if (parsed.outgoing && opts.onOutgoing) {
          const outcome = opts.onOutgoing(parsed.outgoing);
          request.log.info({ conversationId: loggableConversationId(parsed.outgoing.conversationId), sender: outcome }, 'outgoing message recorded');
        } else {
          const conversationId = parsed.conversationId ? loggableConversationId(parsed.conversationId) : undefined;
          request.log.info({ conversationId, reason: parsed.reason }, inbound.ignoredLogMessage);
        }
        return { status: 'ignored', reason: parsed.reason };
      }
      const messages = parsed.kind === 'message' ? [parsed.message] : parsed.messages;
      const first = messages[0];
      const logId = loggableConversationId(first?.conversationId ?? '');
      if (inbound.staffCanWrite && first && opts.notGuests?.has(first.externalUserId)) {
        request.log.info({ conversationId: logId, reason: 'staff_number' }, inbound.ignoredLogMessage);
        return { status: 'ignored', reason: 'staff_number' };
      }
      if (parsed.kind === 'messages' && parsed.droppedAttachments > 0) {
        request.log.warn({ conversationId: logId, kept: messages.length, dropped: parsed.droppedAttachments }, 'too many attachments; the rest were dropped');
      }
      const result = await opts.accept(messages);
      if (result.accepted && parsed.kind === 'message' && parsed.operatorName) opts.onGuestOperator?.(parsed.message.conversationId, parsed.operatorName);
      // The one line per delivered message (Fastify's request lines are off for webhooks, see app.ts).
      request.log.info(inbound.bufferedLogFields(logId, messages, !result.accepted), result.accepted ? 'message buffered' : 'duplicate delivery ignored');
      return inbound.acknowledgement;
    });
  }
};
