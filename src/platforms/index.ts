// Builds the platform adapters from the config and finds a conversation's adapter by its channel.
import type { ChannelClientOptions } from '../channels/http.js';
import type { ManychatConfig } from './manychat/config.js';
import type { WatiConfig } from './wati/config.js';
import { parseConversationId, type Channel } from '../core/conversation-id.js';
import { createManychatAdapter } from './manychat/adapter.js';
import type { PlatformAdapter, Platforms } from './types.js';
import { createWatiAdapter } from './wati/adapter.js';

/** The registry over some adapters; each channel is served by the first adapter that lists it. */
export function platformsOf(adapters: readonly PlatformAdapter[]): Platforms {
  const byChannel = new Map<Channel, PlatformAdapter>();
  for (const adapter of adapters) {
    for (const channel of adapter.channels) if (!byChannel.has(channel)) byChannel.set(channel, adapter);
  }
  const forChannel = (channel: Channel): PlatformAdapter => {
    const adapter = byChannel.get(channel);
    if (!adapter) throw new Error(`no platform serves channel ${channel}`);
    return adapter;
  };
  return {
    all: adapters,
    channels: [...byChannel.keys()],
    forChannel,
    forConversation: (conversationId) => forChannel(parseConversationId(conversationId).channel),
    disabledReason: (channel) => {
      const adapter = byChannel.get(channel);
      return adapter ? adapter.disabledReason(channel) : `No platform handles channel ${channel}`;
    },
    jobKinds: adapters.flatMap((a) => a.jobKinds),
  };
}

export function createPlatforms(config: { wati: WatiConfig; manychat: ManychatConfig }, opts: ChannelClientOptions = {}): Platforms {
  return platformsOf([createWatiAdapter(config.wati, opts), createManychatAdapter(config.manychat, opts)]);
}

export type { HandoffStepOptions, HistoryItem, HistoryQuery, InboundParseResult, MediaSource, OutgoingMessageEvent, PlatformAdapter, PlatformInbound, PlatformHistory, PlatformName, Platforms, TicketStatus } from './types.js';
