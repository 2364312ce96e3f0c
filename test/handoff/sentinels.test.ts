import { describe, expect, it } from 'vitest';
import { parseSentinel } from '../../src/handoff/sentinels.js';

describe('parseSentinel', () => {
  it('recognises a bare sentinel, ignoring case, spaces and final punctuation', () => {
    for (const reply of ['handover', ' Handover. ', 'HANDOVER!', '`handover`', 'handover\n']) expect(parseSentinel(reply)).toBe('handover');
    for (const reply of ['friendly_goodbye', 'Friendly_Goodbye.', ' friendly_goodbye !']) expect(parseSentinel(reply)).toBe('friendly_goodbye');
  });

  it('treats the words inside a sentence as text', () => {
    expect(parseSentinel('Le hago el handover a reservas.')).toBeUndefined();
    expect(parseSentinel('handover por favor')).toBeUndefined();
    expect(parseSentinel('friendly goodbye')).toBeUndefined();
    expect(parseSentinel('')).toBeUndefined();
  });
});
