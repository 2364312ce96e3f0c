import { describe, expect, it } from 'vitest';
import { createChannelClients } from '../../src/channels/index.js';
import { loadConfig } from '../../src/config.js';

describe('createChannelClients', () => {
  it('routes channels and reports per-channel disabled reasons', () => {
    const clients = createChannelClients(
      loadConfig({ WATI_API_URL: 'http://127.0.0.1:9/123/api/v1/', MANYCHAT_API_KEY: 'fb' }),
    );
    expect(clients.forChannel('whatsapp')).toBe(clients.whatsapp);
    expect(clients.forChannel('facebook')).toBe(clients.manychat);
    expect(clients.forChannel('instagram')).toBe(clients.manychat);
    expect(clients.disabledReason('whatsapp')).toMatch(/WATI_API_KEY/);
    expect(clients.disabledReason('facebook')).toBeUndefined();
    expect(clients.disabledReason('instagram')).toMatch(/MANYCHAT_INSTAGRAM_API_KEY/);
    expect(clients.whatsapp.textLimit).toBe(4096);
    expect(clients.manychat.textLimit).toBe(2000);
  });

  it('enables everything when all keys are set', () => {
    const clients = createChannelClients(
      loadConfig({
        WATI_API_URL: 'http://127.0.0.1:9/123',
        WATI_API_KEY: 'w',
        MANYCHAT_API_KEY: 'fb',
        MANYCHAT_INSTAGRAM_API_KEY: 'ig',
      }),
    );
    for (const ch of ['whatsapp', 'facebook', 'instagram'] as const) expect(clients.disabledReason(ch)).toBeUndefined();
  });
});
