// Messenger and Instagram through ManyChat: sends (client.ts), the webhook body (webhook.ts, `inbound`: the route's
// path and parser), media from the attachment's CDN URL (chosen by whoever posts the webhook, so policed), and the
// handoff as opening the conversation in Live Chat (jobs.ts). ManyChat has no tickets and no history API.
import type { ChannelClientOptions } from '../../channels/http.js';
import type { Channel } from '../../core/conversation-id.js';
import { jobOf, type JobKind } from '../../jobs/types.js';
import type { PlatformAdapter } from '../types.js';
import { manychatInbound } from './webhook.js';
import { createManychatClient, manychatChannelDisabledReason, type ManychatClientConfig } from './client.js';
import { createManychatJobKinds } from './jobs.js';
import { createManychatLiveChat } from './live-chat.js';

type ManychatChannel = 'facebook' | 'instagram';
const isManychatChannel = (channel: Channel): channel is ManychatChannel => channel === 'facebook' || channel === 'instagram';

export function createManychatAdapter(config: ManychatClientConfig, opts: ChannelClientOptions = {}): PlatformAdapter {
  const client = createManychatClient(config, opts);
  const kinds = createManychatJobKinds(createManychatLiveChat(config));
  return {
    name: 'manychat',
    channels: client.channels,
    client,
    disabledReason: (channel) => manychatChannelDisabledReason(config, channel),
    guest: (ref, name) => (name ? { subscriberId: ref.externalId, name } : { subscriberId: ref.externalId }),
    mediaSource: (mediaRef) => ({ url: mediaRef, policed: true, label: 'ManyChat attachment' }),

    handoffJobs(ref) {
      if (!isManychatChannel(ref.channel)) return [];
      return [jobOf(kinds.markConversationOpen, { channel: ref.channel, subscriberId: ref.externalId }, ref.conversationId)];
    },

    ticketStatusJob: () => undefined,
    jobKinds: [kinds.markConversationOpen] as JobKind<unknown>[],
    inbound: manychatInbound,
  };
}
