// ManyChat Live Chat: marks a subscriber's conversation as open so the page's staff see it in their inbox.
import type { Channel } from '../../core/conversation-id.js';
import { postJson } from '../../channels/http.js';
import { ChannelError } from '../../channels/types.js';
import type { ManychatClientConfig } from './client.js';

export interface ManychatLiveChat {
  markConversationAsOpen(channel: Channel, subscriberId: string, signal?: AbortSignal): Promise<void>;
}

export function createManychatLiveChat(config: ManychatClientConfig): ManychatLiveChat {
  const url = `${config.baseUrl.replace(/\/+$/, '')}/fb/page/markConversationAsOpen`;
  return {
    async markConversationAsOpen(channel, subscriberId, signal) {
      const key = channel === 'facebook' ? config.facebookApiKey : channel === 'instagram' ? config.instagramApiKey : undefined;
      if (!key) throw new ChannelError('CHANNEL_DISABLED', `ManyChat markConversationAsOpen: no key for ${channel}`);
      // subscriber_id stays a string: ManyChat ids can exceed Number.MAX_SAFE_INTEGER.
      const res = await postJson(url, { subscriber_id: subscriberId }, {
        headers: { authorization: `Bearer ${key}` },
        timeoutMs: 10_000,
        label: `ManyChat markConversationAsOpen (${channel})`,
        ...(signal ? { signal } : {}),
      });
      const status = (res.json as { status?: unknown } | undefined)?.status;
      if (status !== undefined && status !== 'success') {
        throw new ChannelError('REJECTED', `ManyChat markConversationAsOpen (${channel}): status ${String(status)}`);
      }
    },
  };
}
