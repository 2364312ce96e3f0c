// The platforms of a test that drives the turn runner directly: WhatsApp only, over the test's own channel client
// (which records or fails the sends), with nothing else the adapter could do.
import type { ChannelClient } from '../../src/channels/index.js';
import { platformsOf } from '../../src/platforms/index.js';
import type { Platforms } from '../../src/platforms/types.js';
import { watiInbound } from '../../src/platforms/wati/webhook.js';

export function whatsappPlatforms(client: ChannelClient): Platforms {
  return platformsOf([
    {
      name: 'wati',
      channels: ['whatsapp'],
      client,
      disabledReason: () => undefined,
      guest: (ref) => ({ waId: ref.externalId }),
      mediaSource: () => undefined,
      handoffJobs: () => [],
      ticketStatusJob: () => undefined,
      jobKinds: [],
      inbound: watiInbound,
    },
  ]);
}
