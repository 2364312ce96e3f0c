// Builds the channel clients from the config and routes a conversation's channel to its client.
import type { Config } from '../config.js';
import type { Channel } from '../conversation-id.js';
import type { ChannelClientOptions } from './http.js';
import { createManychatClient, manychatChannelDisabledReason } from './manychat-client.js';
import type { ChannelClient } from './types.js';
import { createWatiClient } from './wati-client.js';

export interface ChannelClients {
  whatsapp: ChannelClient;
  manychat: ChannelClient;
  forChannel(channel: Channel): ChannelClient;
  /** Why this channel cannot send (its credentials are missing), or undefined when it can. */
  disabledReason(channel: Channel): string | undefined;
}

export function createChannelClients(config: Config, opts: ChannelClientOptions = {}): ChannelClients {
  const whatsapp = createWatiClient(config.wati, opts);
  const manychat = createManychatClient(config.manychat, opts);
  return {
    whatsapp,
    manychat,
    forChannel: (channel) => (channel === 'whatsapp' ? whatsapp : manychat),
    disabledReason: (channel) =>
      channel === 'whatsapp' ? whatsapp.disabledReason : manychatChannelDisabledReason(config.manychat, channel),
  };
}

export type { ChannelClientOptions } from './http.js';
export { ChannelError } from './types.js';
export type { ChannelClient, ChannelErrorCode, OutboundMedia, SentMessage, SentMessageQuery } from './types.js';
export { DEFAULT_SEND_RETRY, withRetry, type RetryPolicy } from './retry.js';
export { MANYCHAT_TEXT_LIMIT, WHATSAPP_TEXT_LIMIT, splitText } from './split-text.js';
