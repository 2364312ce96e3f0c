// WhatsApp through WATI: sends (client.ts), the webhook bodies (webhook.ts, `inbound`: the route's path and parser), media by
// WATI getMedia with the bearer key, the handoff as operator assignment plus ticket status (jobs.ts), and
// the message history (tickets.ts) for missed messages and the first-contact import.
import type { ChannelClientOptions } from '../../channels/http.js';
import { jobOf, type JobKind } from '../../jobs/types.js';
import type { PlatformAdapter } from '../types.js';
import { watiInbound } from './webhook.js';
import { createWatiClient, type WatiClientConfig } from './client.js';
import { createWatiJobKinds } from './jobs.js';
import { createWatiTickets } from './tickets.js';

export function createWatiAdapter(config: WatiClientConfig, opts: ChannelClientOptions = {}): PlatformAdapter {
  const client = createWatiClient(config, opts);
  const tickets = createWatiTickets(config);
  const kinds = createWatiJobKinds(tickets);
  return {
    name: 'wati',
    channels: client.channels,
    client,
    disabledReason: () => client.disabledReason,
    guest: (ref, name) => (name ? { waId: ref.externalId, name } : { waId: ref.externalId }),

    mediaSource(mediaRef) {
      if (!config.baseUrl || !config.apiKey) return undefined;
      return {
        url: `${config.baseUrl}/api/v1/getMedia?fileName=${encodeURIComponent(mediaRef)}`,
        headers: { authorization: `Bearer ${config.apiKey}` },
        // A `data/…` path on our own tenant: only the file name comes from the webhook.
        policed: false,
        label: 'WATI getMedia',
      };
    },

    handoffJobs(ref, { operatorEmail, log }) {
      if (!operatorEmail) {
        log.warn('HANDOVER_OPERATOR_EMAIL is not set: the conversation is not assigned to anyone');
        return [];
      }
      return [jobOf(kinds.assignOperator, { waId: ref.externalId, email: operatorEmail }, ref.conversationId)];
    },

    ticketStatusJob: (ref, status) => jobOf(kinds.updateChatStatus, { waId: ref.externalId, status }, ref.conversationId),
    jobKinds: [kinds.assignOperator, kinds.updateChatStatus] as JobKind<unknown>[],
    history: tickets,
    inbound: watiInbound,
  };
}
