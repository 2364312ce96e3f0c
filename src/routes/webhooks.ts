// POST /webhook (WATI) and POST /manychat/webhook. Both only validate, store durably and acknowledge:
// nothing slow or networked happens before the reply.
import type { FastifyPluginAsync } from 'fastify';
import type { InboundMessage } from '../core/messages.js';
import { HttpError } from '../core/errors.js';
import { parseManychatBody } from '../platforms/manychat/webhook.js';
import { parseWatiBody, type WatiOutgoingEvent } from '../platforms/wati/webhook.js';
import type { AcceptResult } from '../store/buffer-store.js';
import { assertWebhookPasskey } from './webhook-auth.js';
import { loggableConversationId } from '../core/conversation-id.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';

export interface WebhookRoutesOptions {
  passkey: string | undefined;
  /** Resolves once the messages are committed (or recognised as a repeat). */
  accept: (messages: InboundMessage[]) => Promise<AcceptResult>;
  /** Records a WATI `owner: true` event (bot's own send or a human operator's); synchronous, local only. */
  onOutgoing?: ((event: WatiOutgoingEvent) => string) | undefined;
  /** A guest message WATI reports as assigned to an operator (by name). */
  onGuestOperator?: ((conversationId: string, operatorName: string) => void) | undefined;
  /**
   * WhatsApp numbers whose messages are not a guest's (the staff numbers alerts go to): a staff member answering
   * an alert must not be answered by the bot.
   */
  notGuests?: ReadonlySet<string> | undefined;
  /** Counts each answered webhook by route and status. */
  metrics?: Pick<ServiceMetrics, 'webhook'> | undefined;
}

function badRequest(problems: string[]): HttpError {
  return new HttpError(400, 'BAD_REQUEST', `Invalid webhook body: ${problems.join('; ')}`, { problems });
}

export const webhookRoutes: FastifyPluginAsync<WebhookRoutesOptions> = async (app, opts) => {
  // Scoped to this plugin: only the two webhook routes are counted (401s and 400s included).
  const { metrics } = opts;
  if (metrics) app.addHook('onResponse', async (request, reply) => metrics.webhook(request.routeOptions.url ?? 'other', reply.statusCode));

  app.post('/webhook', async (request) => {
    assertWebhookPasskey(request, opts.passkey);
    const parsed = parseWatiBody(request.body);
    if (parsed.kind === 'invalid') throw badRequest(parsed.problems);
    if (parsed.kind === 'ignored') {
      if (parsed.outgoing && opts.onOutgoing) {
        const outcome = opts.onOutgoing(parsed.outgoing);
        request.log.info({ conversationId: loggableConversationId(parsed.outgoing.waId), sender: outcome }, 'outgoing message recorded');
      } else {
        const conversationId = parsed.waId ? loggableConversationId(parsed.waId) : undefined;
        request.log.info({ conversationId, reason: parsed.reason }, 'webhook event acknowledged and ignored');
      }
      return { status: 'ignored', reason: parsed.reason };
    }
    if (opts.notGuests?.has(parsed.message.externalUserId)) {
      request.log.info({ conversationId: loggableConversationId(parsed.message.conversationId), reason: 'staff_number' }, 'webhook event acknowledged and ignored');
      return { status: 'ignored', reason: 'staff_number' };
    }
    const result = await opts.accept([parsed.message]);
    if (result.accepted && parsed.operatorName) opts.onGuestOperator?.(parsed.message.conversationId, parsed.operatorName);
    // The one line per delivered message (Fastify's request lines are off for webhooks, see app.ts).
    request.log.info(
      { conversationId: loggableConversationId(parsed.message.conversationId), kind: parsed.message.kind, duplicate: !result.accepted },
      result.accepted ? 'message buffered' : 'duplicate delivery ignored',
    );
    return { ai_response: 'Gathering questions for the assistant' };
  });

  app.post('/manychat/webhook', async (request) => {
    assertWebhookPasskey(request, opts.passkey);
    const parsed = parseManychatBody(request.body);
    if (parsed.kind === 'invalid') throw badRequest(parsed.problems);
    if (parsed.kind === 'ignored') {
      request.log.info({ reason: parsed.reason }, 'webhook body acknowledged and ignored');
      return { status: 'ignored', reason: parsed.reason };
    }
    const logId = loggableConversationId(parsed.messages[0]?.conversationId ?? '');
    if (parsed.droppedAttachments > 0) {
      request.log.warn({ conversationId: logId, kept: parsed.messages.length, dropped: parsed.droppedAttachments }, 'too many attachments; the rest were dropped');
    }
    const result = await opts.accept(parsed.messages);
    request.log.info(
      { conversationId: logId, messages: parsed.messages.length, duplicate: !result.accepted },
      result.accepted ? 'message buffered' : 'duplicate delivery ignored',
    );
    return { status: 'ok', detail: 'Message buffered' };
  });
};
