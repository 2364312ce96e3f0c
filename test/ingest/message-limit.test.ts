// What one guest message may carry (issue 22 §1): the platform's limit, a marker where a text was cut, and no
// control characters.
import { describe, expect, it } from 'vitest';
import { capMessageText, cutMarker, guestText, MANYCHAT_TEXT_MAX_CHARS, WHATSAPP_TEXT_MAX_CHARS } from '../../src/ingest/message-limit.js';
import { firstVisible, wellFormed } from '../../src/ingest/text.js';

describe('capMessageText', () => {
  it('keeps a text at its platform limit whole, and cuts a longer one after the limit with the marker', () => {
    const atLimit = 'a'.repeat(WHATSAPP_TEXT_MAX_CHARS);
    expect(capMessageText(atLimit, 'whatsapp')).toEqual({ text: atLimit, omitted: 0 });
    const longer = `${'a'.repeat(WHATSAPP_TEXT_MAX_CHARS)}bcd`;
    expect(capMessageText(longer, 'whatsapp')).toEqual({ text: `${atLimit}\n[… mensaje recortado: 3 caracteres omitidos]`, omitted: 3 });
  });

  it('uses Messenger and Instagram limits for ManyChat channels', () => {
    const text = 'b'.repeat(MANYCHAT_TEXT_MAX_CHARS + 10);
    for (const channel of ['facebook', 'instagram'] as const) {
      const capped = capMessageText(text, channel);
      expect(capped.omitted).toBe(10);
      expect(capped.text).toBe(`${'b'.repeat(MANYCHAT_TEXT_MAX_CHARS)}\n${cutMarker(10)}`);
    }
    expect(capMessageText(text, 'whatsapp').omitted).toBe(0);
  });

  it('never splits a surrogate pair at the cut', () => {
    const text = `${'a'.repeat(MANYCHAT_TEXT_MAX_CHARS - 1)}😀tail`;
    const capped = capMessageText(text, 'facebook');
    expect(capped.text.startsWith(`${'a'.repeat(MANYCHAT_TEXT_MAX_CHARS - 1)}\n`)).toBe(true);
    expect(capped.omitted).toBe(6);
    expect(wellFormed(capped.text)).toBe(capped.text);
  });
});

describe('control characters in guest text', () => {
  it('NUL and the other C0/C1 controls and DEL are removed; tab and line breaks stay', () => {
    expect(wellFormed('a\u0000b\u0007c\u001bd\u007fe\u0085f\u009fg')).toBe('abcdefg');
    expect(wellFormed('línea 1\r\nlínea\t2\n')).toBe('línea 1\r\nlínea\t2\n');
    expect(guestText('ho\u0000la', 'whatsapp')).toEqual({ text: 'hola', omitted: 0 });
  });

  it('a text of nothing but controls is blank: the next value is taken', () => {
    expect(firstVisible('\u0000\u0000', ' ', 'sí')).toBe('sí');
    expect(firstVisible('\u0000')).toBeUndefined();
  });
});
