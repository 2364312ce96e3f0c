import { describe, expect, it } from 'vitest';
import { parseManychatBody } from '../../../src/platforms/manychat/webhook.js';
import { fixture } from '../../support/app-harness.js';

function messages(body: unknown) {
  const r = parseManychatBody(body);
  if (r.kind !== 'messages') throw new Error(`expected messages, got ${JSON.stringify(r)}`);
  return r.messages;
}

describe('parseManychatBody', () => {
  it('reads a Messenger text with the prefixed conversation id', () => {
    expect(messages(fixture('manychat_fb_text.json'))).toEqual([
      expect.objectContaining({
        conversationId: 'facebook:7100000000000001',
        channel: 'facebook',
        externalUserId: '7100000000000001',
        kind: 'text',
        senderName: 'Ana Prueba',
      }),
    ]);
  });

  it('reads Instagram when ig_id is present and keeps the text as the caption', () => {
    const [m] = messages(fixture('manychat_ig_image.json'));
    expect(m).toMatchObject({ conversationId: 'instagram:1900000002', kind: 'image', text: '¿Esta habitación tiene vista al mar?' });
  });

  it('detects a voice note sent as a bare CDN link', () => {
    const [m] = messages({
      platform: 'manychat',
      subscriber: { id: '5' },
      message: { text: 'https://cdn.fbsbx.com/v/t59.3654-21/audioclip-123.mp4?x=1' },
    });
    expect(m).toMatchObject({ kind: 'audio', text: '' });
  });

  it('treats links to hosts other than Meta\'s CDN as text, so the server never fetches them', () => {
    for (const text of ['http://scontent.evil.test/x.png', 'https://notfbcdn.net/a.jpg', 'http://169.254.169.254/latest.jpg']) {
      const [m] = messages({ platform: 'manychat', subscriber: { id: '5' }, message: { text } });
      expect(m, text).toMatchObject({ kind: 'text', mediaRef: undefined });
    }
    const [img] = messages({ platform: 'manychat', subscriber: { id: '5' }, message: { text: 'https://scontent.xx.fbcdn.net/v/t1/photo.jpg?x=1' } });
    expect(img).toMatchObject({ kind: 'image' });
  });

  it('names the problem in invalid bodies', () => {
    const r = parseManychatBody({ platform: 'manychat', subscriber: {}, message: { text: 'x' } });
    expect(r.kind === 'invalid' && r.problems.join()).toMatch(/subscriber\.id/);
    const notObject = parseManychatBody({ platform: 'manychat', subscriber: { id: '1' }, message: 'hola' });
    expect(notObject.kind === 'invalid' && notObject.problems.join()).toMatch(/^message/);
  });
});
