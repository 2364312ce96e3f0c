import { describe, expect, it } from 'vitest';
import { createPlatforms } from '../../src/platforms/index.js';
import { loadConfig } from '../../src/config.js';
import { WEBHOOK_ROUTES } from '../../src/metrics/metrics.js';

describe('createPlatforms', () => {
  it('routes channels and reports per-channel disabled reasons', () => {
    const platforms = createPlatforms(
      loadConfig({ WATI_API_URL: 'http://127.0.0.1:9/123/api/v1/', MANYCHAT_API_KEY: 'fb' }),
    );
    const [wati, manychat] = platforms.all;
    expect(platforms.forChannel('whatsapp')).toBe(wati);
    expect(platforms.forChannel('facebook')).toBe(manychat);
    expect(platforms.forChannel('instagram')).toBe(manychat);
    expect(platforms.forConversation('50312345678')).toBe(wati);
    expect(platforms.forConversation('instagram:1900000002')).toBe(manychat);
    expect(wati?.name).toBe('wati');
    expect(manychat?.name).toBe('manychat');
    expect(platforms.channels).toEqual(['whatsapp', 'facebook', 'instagram']);
    expect(platforms.disabledReason('whatsapp')).toMatch(/WATI_API_KEY/);
    expect(platforms.disabledReason('facebook')).toBeUndefined();
    expect(platforms.disabledReason('instagram')).toMatch(/MANYCHAT_INSTAGRAM_API_KEY/);
    expect(wati?.client.textLimit).toBe(4096);
    expect(manychat?.client.textLimit).toBe(2000);
  });

  it('gives each platform its own webhook path, one the metrics and the request-log filter know', () => {
    const paths = createPlatforms(loadConfig({})).all.map((p) => p.inbound.path);
    expect(paths).toEqual(['/webhook', '/manychat/webhook']);
    // An unlisted path would be counted as "other" and log Fastify's two request lines per delivery.
    expect([...WEBHOOK_ROUTES].sort()).toEqual([...paths].sort());
  });

  it('enables everything when all keys are set', () => {
    const platforms = createPlatforms(
      loadConfig({
        WATI_API_URL: 'http://127.0.0.1:9/123',
        WATI_API_KEY: 'w',
        MANYCHAT_API_KEY: 'fb',
        MANYCHAT_INSTAGRAM_API_KEY: 'ig',
      }),
    );
    for (const ch of ['whatsapp', 'facebook', 'instagram'] as const) expect(platforms.disabledReason(ch)).toBeUndefined();
  });

  it('gives each platform its guest id, media source and job kinds', () => {
    const platforms = createPlatforms(
      loadConfig({ WATI_API_URL: 'http://127.0.0.1:9/123', WATI_API_KEY: 'w', MANYCHAT_API_KEY: 'fb' }),
    );
    const wa = platforms.forChannel('whatsapp');
    const fb = platforms.forChannel('facebook');
    expect(wa.guest({ conversationId: '503', channel: 'whatsapp', externalId: '503' }, 'Ana')).toEqual({ waId: '503', name: 'Ana' });
    expect(fb.guest({ conversationId: 'facebook:7', channel: 'facebook', externalId: '7' }, undefined)).toEqual({ subscriberId: '7' });
    expect(wa.mediaSource('data/images/a b.jpg')).toEqual({
      url: 'http://127.0.0.1:9/123/api/v1/getMedia?fileName=data%2Fimages%2Fa%20b.jpg',
      headers: { authorization: 'Bearer w' },
      policed: false,
      label: 'WATI getMedia',
    });
    expect(fb.mediaSource('https://cdn.example/x.jpg')).toEqual({ url: 'https://cdn.example/x.jpg', policed: true, label: 'ManyChat attachment' });
    expect(platforms.jobKinds.map((k) => k.kind)).toEqual(['wati.assign_operator', 'wati.update_chat_status', 'manychat.mark_conversation_open']);
    expect(wa.history?.enabled).toBe(true);
    expect(fb.history).toBeUndefined();
    expect(fb.ticketStatusJob({ conversationId: 'facebook:7', channel: 'facebook', externalId: '7' }, 'SOLVED')).toBeUndefined();
    expect(wa.ticketStatusJob({ conversationId: '503', channel: 'whatsapp', externalId: '503' }, 'SOLVED')).toMatchObject({
      kind: 'wati.update_chat_status',
      payload: { waId: '503', status: 'SOLVED' },
      conversationId: '503',
    });
  });

  it('has WATI media unavailable without credentials', () => {
    expect(createPlatforms(loadConfig({})).forChannel('whatsapp').mediaSource('data/images/a.jpg')).toBeUndefined();
  });
});
