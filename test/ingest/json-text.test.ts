import { describe, expect, it } from 'vitest';
import { quoteUnsafeIntegers } from '../../src/ingest/json-text.js';

const parse = (text: string): unknown => JSON.parse(quoteUnsafeIntegers(text));

describe('quoteUnsafeIntegers', () => {
  it('keeps integers above 2^53 as their exact digits, sign included', () => {
    expect(parse('{"id":10209876543210987654,"n":-90071992547409930}')).toEqual({ id: '10209876543210987654', n: '-90071992547409930' });
    expect(parse('[9007199254740993, 9007199254740991]')).toEqual(['9007199254740993', 9007199254740991]);
  });

  it('leaves safe integers, decimals, exponents and strings alone', () => {
    const text = '{"a":9007199254740991,"b":12345678901234567.5,"c":1.2345678901234567e3,"d":"10209876543210987654","e":"x\\"10209876543210987654"}';
    expect(quoteUnsafeIntegers(text)).toBe(text);
    expect(parse(text)).toEqual(JSON.parse(text));
  });

  it('does not make invalid JSON valid', () => {
    expect(() => parse('{"id":10209876543210987654')).toThrow();
    expect(() => parse('{"id":0010209876543210987654}')).toThrow();
  });
});
