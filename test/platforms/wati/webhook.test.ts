import { describe, expect, it } from 'vitest';
import { normalizeWatiMediaPath, parseWatiBody } from '../../../src/platforms/wati/webhook.js';
import { fixture } from '../../support/app-harness.js';

function message(body: unknown) {
  const r = parseWatiBody(body);
  if (r.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(r)}`);
  return r.message;
}

describe('parseWatiBody', () => {
  it('reads the production flow body', () => {
    expect(message(fixture('wati_text.json'))).toMatchObject({
      conversationId: '50355550101',
      channel: 'whatsapp',
      kind: 'text',
      text: 'Buenas tardes, quisiera cotizar una noche para 2 adultos y 1 niño el 14 de junio',
      platformMessageId: undefined,
    });
  });

  it('reads the standard event, with its message id and sender name', () => {
    expect(message(fixture('wati_event_text.json'))).toMatchObject({
      conversationId: '50355550104',
      platformMessageId: 'wamid.TESTONLY0000000000000000000000C1',
      senderName: 'Carlos Prueba',
      kind: 'text',
    });
  });

  it('marks the route each message came by, for content dedupe: flow body (no id) or standard event (id)', () => {
    expect(message(fixture('wati_text.json')).dedupeRoute).toBe('wati_flow');
    expect(message(fixture('wati_event_text.json')).dedupeRoute).toBe('wati_event');
    expect(message({ waId: '50312345678', userMessage: 'data/images/x.jpg' }).dedupeRoute).toBe('wati_flow');
  });

  it('reads a standard voice event as audio with its data path', () => {
    expect(message(fixture('wati_event_voice.json'))).toMatchObject({
      kind: 'audio',
      text: '',
      mediaRef: 'data/audios/7d0a3e52-9b1c-4a8e-b7f0-5e2c9d4a1b36.opus',
    });
  });

  it('keeps the caption of flow media and detects media sent as a bare showFile URL', () => {
    expect(message(fixture('wati_image.json'))).toMatchObject({ kind: 'image', text: 'Le envío el comprobante de la transferencia' });
    expect(message(fixture('wati_audio.json'))).toMatchObject({
      kind: 'audio',
      text: '',
      mediaRef: 'data/audios/9c41d2aa-5e60-4b7f-8f13-2d0e6c7b1a44.opus',
    });
  });

  it('treats a guest who merely mentions a .pdf as text', () => {
    expect(message({ waId: '50312345678', userMessage: 'le mando el archivo reserva.pdf' })).toMatchObject({ kind: 'text' });
  });

  it('ignores outgoing and non-message events', () => {
    expect(parseWatiBody(fixture('wati_outgoing_owner.json'))).toEqual({
      kind: 'ignored',
      reason: 'outgoing_message',
      outgoing: {
        conversationId: '50355550101',
        platformMessageIds: ['wamid.TESTONLY000000000000000000000001', '6650a1b2c3d4e5f601234567'],
        text: 'Con gusto, la tarifa para esa fecha es de $120 por noche.',
        operatorName: 'Bot',
        sentAt: 1763739601000,
      },
    });
    expect(parseWatiBody(fixture('wati_event_operator_reply.json'))).toMatchObject({
      kind: 'ignored',
      outgoing: { conversationId: '50355550104', operatorName: 'María Operadora' },
    });
    // `_v2` names mean the same as the base name.
    expect(parseWatiBody({ ...fixture('wati_event_text.json'), eventType: 'templateMessageSent_v2' })).toEqual({
      kind: 'ignored',
      reason: 'event_type_templateMessageSent',
      conversationId: '50355550104',
    });
    expect(parseWatiBody({ ...fixture('wati_event_text.json'), type: 'reaction', text: null })).toMatchObject({ kind: 'ignored' });
  });

  it('uses button and list replies as text', () => {
    const body = { ...fixture('wati_event_text.json'), type: 'button', text: null, buttonReply: { text: 'Sí, reservar' } };
    expect(message(body)).toMatchObject({ kind: 'text', text: 'Sí, reservar' });
  });

  it('names the problem in invalid bodies', () => {
    expect(parseWatiBody(null)).toEqual({ kind: 'invalid', problems: ['body: must be a JSON object'] });
    expect(parseWatiBody([1])).toMatchObject({ kind: 'invalid' });
    const noId = parseWatiBody({ userMessage: 'hola' });
    expect(noId.kind === 'invalid' && noId.problems[0]).toMatch(/^waId/);
    const wrongType = parseWatiBody({ waId: '50312345678', text: ['hola'] });
    expect(wrongType.kind === 'invalid' && wrongType.problems[0]).toMatch(/^text/);
  });
});

describe('normalizeWatiMediaPath', () => {
  it('reduces WATI URLs to the data/ path', () => {
    expect(normalizeWatiMediaPath('https://live-mt-server.wati.io/1/api/file/showFile?fileName=data%2Fimages%2Fa.jpg')).toBe('data/images/a.jpg');
    expect(normalizeWatiMediaPath('https://x.test/some/data/images/b.png')).toBe('data/images/b.png');
    expect(normalizeWatiMediaPath('data/documents/c.pdf')).toBe('data/documents/c.pdf');
  });
});
