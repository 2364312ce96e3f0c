import { describe, expect, it } from 'vitest';
import { MANYCHAT_TEXT_LIMIT, WHATSAPP_TEXT_LIMIT, splitText } from '../../src/channels/split-text.js';

const words = (s: string) => s.split(/\s+/).filter(Boolean);

function expectWellFormed(text: string, chunks: string[], limit: number): void {
  for (const c of chunks) {
    expect(c.length).toBeLessThanOrEqual(limit);
    expect(c).toBe(c.trim());
    expect(c).not.toBe('');
  }
  // Only whitespace at cut points is dropped: the words survive unchanged and in order.
  expect(words(chunks.join(' '))).toEqual(words(text));
}

describe('splitText', () => {
  it('exports the platform limits', () => {
    expect(WHATSAPP_TEXT_LIMIT).toBe(4096);
    expect(MANYCHAT_TEXT_LIMIT).toBe(2000);
  });

  it('returns [] for empty or whitespace-only text', () => {
    expect(splitText('', 10)).toEqual([]);
    expect(splitText('  \n\t \n', 10)).toEqual([]);
  });

  it('does not split text of exactly the limit, and trims short text', () => {
    const exact = 'a'.repeat(2000);
    expect(splitText(exact, 2000)).toEqual([exact]);
    expect(splitText('  hola  \n', 2000)).toEqual(['hola']);
  });

  it('prefers the last blank line beyond half the limit', () => {
    const text = 'First paragraph line one.\nline two, more\n\nSecond paragraph here';
    // the first 45 chars hold "\n\n" at 40 (> 22.5) and a newline at 25.
    expect(splitText(text, 45)).toEqual(['First paragraph line one.\nline two, more', 'Second paragraph here']);
  });

  it('ignores a blank line in the first half and falls back to the last newline', () => {
    const text = 'Intro\n\nThis is a longer line of text\nand the rest of it goes on';
    const chunks = splitText(text, 40);
    expect(chunks[0]).toBe('Intro\n\nThis is a longer line of text');
    expectWellFormed(text, chunks, 40);
  });

  it('falls back to the last sentence end', () => {
    const text = 'Hola amigo. Bienvenido al hotel! Tenemos piscina? Claro que si tenemos';
    const chunks = splitText(text, 50);
    expect(chunks[0]).toBe('Hola amigo. Bienvenido al hotel! Tenemos piscina?');
    expect(chunks[1]).toBe('Claro que si tenemos');
  });

  it('falls back to the last comma or semicolon', () => {
    const text = 'uno dos tres cuatro cinco seis, siete ocho; nueve diez once doce';
    const chunks = splitText(text, 50);
    expect(chunks[0]).toBe('uno dos tres cuatro cinco seis, siete ocho;');
    expectWellFormed(text, chunks, 50);
  });

  it('uses the last space only beyond 70 % of the limit', () => {
    const text = 'aaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb cccccccc';
    // limit 50: last space in the window is at 47 (> 35) → word cut
    expect(splitText(text, 50)).toEqual(['aaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'cccccccc']);
  });

  it('hard-cuts when there is no acceptable break', () => {
    const text = `ab ${'x'.repeat(100)}`;
    const chunks = splitText(text, 40);
    expect(chunks).toEqual([`ab ${'x'.repeat(37)}`, 'x'.repeat(40), 'x'.repeat(23)]);
  });

  it('never separates a surrogate pair on a hard cut', () => {
    const text = `a${'😀'.repeat(30)}`; // 61 UTF-16 units; unit 10 is a high surrogate
    const chunks = splitText(text, 10);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(10);
      expect(c).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
    }
    expect(chunks.join('')).toBe(text);
    expect(chunks[0]).toBe(`a${'😀'.repeat(4)}`);
  });

  it('keeps every chunk within the limit and every word on realistic text', () => {
    const para =
      'Las Hojas Resort ofrece habitaciones frente al mar, piscina y restaurante. ' +
      '¿Desea reservar? ¡Con gusto le ayudamos! Precios: $120 por noche; desayuno incluido 🌴🏖️.\n';
    const text = Array.from({ length: 60 }, (_, i) => (i % 7 === 6 ? `${para}\n` : para)).join('');
    for (const limit of [MANYCHAT_TEXT_LIMIT, WHATSAPP_TEXT_LIMIT, 333, 97]) {
      const chunks = splitText(text, limit);
      expect(chunks.length).toBeGreaterThan(1);
      expectWellFormed(text, chunks, limit);
    }
  });

  it('rejects a nonsensical limit', () => {
    expect(() => splitText('abc', 0)).toThrow(RangeError);
  });
});
