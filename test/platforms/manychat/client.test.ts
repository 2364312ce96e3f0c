import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createManychatClient,
  manychatChannelDisabledReason,
} from '../../../src/platforms/manychat/client.js';
import { withRetry } from '../../../src/channels/retry.js';
import { startFakeManychat, type FakeManychat } from '../../support/fake-manychat.js';
import { failure } from '../../channels/helpers.js';

// Larger than Number.MAX_SAFE_INTEGER: Number() would corrupt it.
const FB_ID = '27118765432109876543';
const IG_ID = '1900000002';
const IMAGE_URL = 'https://media.example.test/pictures/pool.jpg';
const PDF_URL = 'https://media.example.test/files/menu.pdf';
const PDF = { kind: 'document', filePath: '/x/menu.pdf', publicUrl: PDF_URL } as const;

let mc: FakeManychat;
beforeAll(async () => {
  mc = await startFakeManychat({ facebookApiKey: 'fb-key', instagramApiKey: 'ig-key' });
});
afterEach(() => mc.reset());
afterAll(() => mc.close());

const client = () =>
  createManychatClient({
    baseUrl: `${mc.url}/`,
    facebookApiKey: mc.facebookApiKey,
    instagramApiKey: mc.instagramApiKey,
  });


describe('createManychatClient', () => {
  it('reports disabled channels per key', async () => {
    const base = { baseUrl: mc.url };
    expect(createManychatClient(base).disabledReason).toMatch(/MANYCHAT_API_KEY.*MANYCHAT_INSTAGRAM_API_KEY/);
    const fbOnly = { ...base, facebookApiKey: 'fb-key' };
    expect(createManychatClient(fbOnly).disabledReason).toBeUndefined();
    expect(manychatChannelDisabledReason(fbOnly, 'facebook')).toBeUndefined();
    expect(manychatChannelDisabledReason(fbOnly, 'instagram')).toMatch(/MANYCHAT_INSTAGRAM_API_KEY/);
    expect(manychatChannelDisabledReason({ ...base, instagramApiKey: 'ig' }, 'facebook')).toMatch(/MANYCHAT_API_KEY/);

    const err = await failure(createManychatClient(fbOnly).sendText('instagram', IG_ID, 'hola'));
    expect(err.code).toBe('CHANNEL_DISABLED');
    expect(mc.requests).toHaveLength(0);
  });

  it('sends Messenger text with the Facebook key, no content.type, string subscriber_id', async () => {
    const sent = await client().sendText('facebook', FB_ID, 'Hola desde el resort 🌴');
    expect(sent.platformMessageId).toBeUndefined();
    const req = mc.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/fb/sending/sendContent');
    expect(req.headers.authorization).toBe('Bearer fb-key');
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(req.keyUsed).toBe('facebook');
    expect(req.json).toEqual({
      subscriber_id: FB_ID,
      data: { version: 'v2', content: { messages: [{ type: 'text', text: 'Hola desde el resort 🌴' }] } },
    });
    expect(req.rawBody.toString()).toContain(`"subscriber_id":"${FB_ID}"`);
    expect(mc.sent(FB_ID)).toMatchObject([{ channel: 'facebook', keyUsed: 'facebook', subscriberIdType: 'string' }]);
    expect(mc.sentTexts(FB_ID)).toEqual(['Hola desde el resort 🌴']);
  });

  it('sends Instagram text with the Instagram key and content.type instagram', async () => {
    await client().sendText('instagram', IG_ID, 'Hola IG');
    const req = mc.requests[0]!;
    expect(req.headers.authorization).toBe('Bearer ig-key');
    expect(req.json).toEqual({
      subscriber_id: IG_ID,
      data: { version: 'v2', content: { type: 'instagram', messages: [{ type: 'text', text: 'Hola IG' }] } },
    });
    expect(mc.sent(IG_ID)).toMatchObject([{ channel: 'instagram', keyUsed: 'instagram' }]);
  });

  it('treats a reply without status success as REJECTED', async () => {
    mc.queueResponses(
      { status: 200, body: { status: 'error', message: 'Subscriber is not active' } },
      { status: 200, body: {} },
    );
    const e1 = await failure(client().sendText('facebook', FB_ID, 'x'));
    expect(e1.code).toBe('REJECTED');
    expect(e1.retryable).toBe(false);
    expect(e1.message).toContain('Subscriber is not active');
    expect((await failure(client().sendText('facebook', FB_ID, 'x'))).code).toBe('REJECTED');
  });

  it('surfaces ManyChat 400 validation errors as REJECTED, not retried', async () => {
    mc.queueResponses({ status: 400, body: { status: 'error', message: 'Validation error' } });
    const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 };
    const err = await failure(withRetry(() => client().sendText('facebook', FB_ID, 'x'), policy));
    expect(err.code).toBe('REJECTED');
    expect(err.options.status).toBe(400);
    expect(mc.requests).toHaveLength(1);
  });

  it('refuses texts over 2000 chars before calling ManyChat', async () => {
    expect((await failure(client().sendText('facebook', FB_ID, 'x'.repeat(2001)))).code).toBe('REJECTED');
    expect(mc.requests).toHaveLength(0);
    await client().sendText('facebook', FB_ID, 'x'.repeat(2000));
    expect(mc.sentTexts()).toHaveLength(1);
  });

  it('retries 429 (Retry-After) and 502, delivering once', async () => {
    mc.queueResponses({ status: 429, headers: { 'retry-after': '0' } }, { status: 502, body: 'Bad Gateway' });
    const codes: string[] = [];
    const policy = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 10 };
    await withRetry(() => client().sendText('instagram', IG_ID, 'una sola vez'), policy, {
      onRetry: (e) => codes.push(e.code),
    });
    expect(codes).toEqual(['RATE_LIMITED', 'UPSTREAM_UNAVAILABLE']);
    expect(mc.sentTexts()).toEqual(['una sola vez']);
  });

  it('sends an image with its caption as a preceding text in the same call', async () => {
    const image = { kind: 'image', filePath: '/x/pool.jpg', publicUrl: IMAGE_URL } as const;
    await client().sendMedia('facebook', FB_ID, { ...image, caption: 'La piscina' });
    expect(mc.requests).toHaveLength(1);
    expect(mc.sent()[0]!.messages).toEqual([
      { type: 'text', text: 'La piscina' },
      { type: 'image', url: IMAGE_URL },
    ]);
    mc.reset();
    await client().sendMedia('instagram', IG_ID, image);
    expect(mc.sent()[0]).toMatchObject({ channel: 'instagram', messages: [{ type: 'image', url: IMAGE_URL }] });
  });

  it('sends a document as a file on Messenger', async () => {
    await client().sendMedia('facebook', FB_ID, { ...PDF, caption: 'Menú' });
    expect(mc.sent()[0]!.messages).toEqual([
      { type: 'text', text: 'Menú' },
      { type: 'file', url: PDF_URL },
    ]);
  });

  it('sends a document on Instagram as one text with caption and link', async () => {
    await client().sendMedia('instagram', IG_ID, { ...PDF, caption: 'Nuestro menú' });
    expect(mc.sent()[0]!.messages).toEqual([{ type: 'text', text: `Nuestro menú\n${PDF_URL}` }]);
    mc.reset();
    const video = { kind: 'video', filePath: '/x/tour.mp4', publicUrl: 'https://m.test/tour.mp4' } as const;
    await client().sendMedia('instagram', IG_ID, video);
    expect(mc.sentTexts()).toEqual(['https://m.test/tour.mp4']);
  });

  it('requires a public URL for media', async () => {
    const err = await failure(client().sendMedia('facebook', FB_ID, { kind: 'image', filePath: '/x/pool.jpg' }));
    expect(err.code).toBe('UNSUPPORTED');
    expect(mc.requests).toHaveLength(0);
  });

  it('fake rejects the wrong key, and the other channel’s key', async () => {
    const wrong = createManychatClient({ baseUrl: mc.url, facebookApiKey: 'nope' });
    const e1 = await failure(wrong.sendText('facebook', FB_ID, 'x'));
    expect(e1.code).toBe('REJECTED');
    expect(e1.options.status).toBe(401);
    const swapped = createManychatClient({ baseUrl: mc.url, facebookApiKey: 'ig-key', instagramApiKey: 'fb-key' });
    expect((await failure(swapped.sendText('facebook', FB_ID, 'x'))).code).toBe('REJECTED');
    expect(mc.sends).toHaveLength(0);
  });

  it('refuses WhatsApp', async () => {
    expect((await failure(client().sendText('whatsapp', '503', 'x'))).code).toBe('UNSUPPORTED');
  });
});
