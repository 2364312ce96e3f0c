// Token counts in bounded time (issue 22 §1): exactly the tokenizer's for prose of any length, near it for text no
// person writes (a run of letters without a space), and never long for a guest's text, whatever it is.
import { randomBytes } from 'node:crypto';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { countTextTokens, EXACT_COUNT_MAX_CHARS, guestTextTokens } from '../../src/core/token-count.js';
import { startStallProbe } from '../support/event-loop-stall.js';

const library = (text: string) => countTokens(text, { disallowedSpecial: new Set<string>() });

function unbrokenLetters(n: number): string {
  return Buffer.from(randomBytes(n).map((b) => 97 + (b % 26))).toString('latin1');
}

/** Text of many kinds a guest or the hotel writes: words, numbers, punctuation, line breaks, runs of spaces, emoji, CJK. */
function mixedProse(chars: number, seed: number): string {
  const parts = [
    'Hola', 'buenas', 'tardes', '¿tienen', 'habitación', 'disponible', 'para', 'el', '12/05/2026?', 'Somos', '2', 'adultos',
    'y', '1', 'niño', 'de', '7', 'años.', '$145.50', 'USD', 'por', 'noche', '—', 'gracias!!!', '😀', '👍🏽', '東京', 'ñandú',
    "it's", "we'll", 'I\'M', 'HOTEL', 'PlayaSol', 'e-mail:', 'reservas@hotel.example', 'https://hotel.example/menu?x=1',
    '<|endoftext|>', '```json', '{"a": [1, 2, 3]}', '\t', '…', '«comillas»', '1234567', 'N°', '(503)', '2222-3333',
  ];
  const seps = [' ', ' ', ' ', ' ', '\n', '\n\n', '  ', ', ', '. ', '\r\n', ' \n', '   '];
  let s = seed;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  let out = '';
  while (out.length < chars) out += parts[next() % parts.length]! + seps[next() % seps.length]!;
  return out;
}

describe('countTextTokens (exact, in pieces)', () => {
  it('is exactly the tokenizer count for prose of every size, across many piece boundaries', () => {
    for (const [chars, seed] of [[0, 1], [1, 2], [50, 3], [4_000, 4], [4_097, 5], [9_000, 6], [30_000, 7]] as const) {
      const text = mixedProse(chars, seed);
      expect(countTextTokens(text), `${chars} chars`).toBe(library(text));
    }
  });

  it('is exact for the texts it replaces the tokenizer for: special-token text counted as plain text, the empty text 0', () => {
    expect(countTextTokens('hola <|endoftext|>')).toBe(library('hola <|endoftext|>'));
    expect(countTextTokens('')).toBe(0);
  });

  it('a run of letters without a space is counted near the tokenizer (within 2 %), in pieces', () => {
    const letters = unbrokenLetters(6_000);
    const exact = library(letters);
    expect(Math.abs(countTextTokens(letters) - exact) / exact).toBeLessThan(0.02);
  });
});

describe('guestTextTokens (bounded)', () => {
  it('is exact up to EXACT_COUNT_MAX_CHARS', () => {
    const text = mixedProse(EXACT_COUNT_MAX_CHARS, 8).slice(0, EXACT_COUNT_MAX_CHARS);
    expect(guestTextTokens(text)).toBe(library(text));
  });

  it('beyond, estimates prose within 5 %', () => {
    for (const [chars, seed] of [[EXACT_COUNT_MAX_CHARS + 1, 9], [20_000, 10], [65_536, 11], [200_000, 12]] as const) {
      const text = mixedProse(chars, seed);
      const exact = library(text);
      const estimate = guestTextTokens(text);
      expect(Math.abs(estimate - exact) / exact, `${chars} chars: ${estimate} for ${exact}`).toBeLessThan(0.05);
    }
  });

  it('estimates 65,536 letters without a space near their count in pieces (within 5 %)', () => {
    const letters = unbrokenLetters(65_536);
    const pieces = countTextTokens(letters);
    expect(Math.abs(guestTextTokens(letters) - pieces) / pieces).toBeLessThan(0.05);
  });

  it('holds the event loop well under 100 ms for 65,536 and 1,000,000 letters without a space (the tokenizer alone: seconds)', () => {
    guestTextTokens(mixedProse(3_000, 13)); // the tokenizer's code compiled, as in a running server
    for (const n of [65_536, 1_000_000]) {
      const letters = unbrokenLetters(n);
      const probe = startStallProbe();
      guestTextTokens(letters);
      // Synchronous: the probe's timer could not tick meanwhile, so its last gap is the whole count.
      expect(probe.stop().maxHeldMs, `${n} letters`).toBeLessThan(100);
    }
  });
});
