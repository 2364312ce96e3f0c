import { describe, expect, it } from 'vitest';
import { deadline } from '../src/abort.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('deadline', () => {
  it('aborts with a TimeoutError after its time', async () => {
    const d = deadline(20);
    await sleep(60);
    expect(d.signal.aborted).toBe(true);
    expect(d.timedOut).toBe(true);
    expect((d.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it("follows its parent's abort and reason, and is not a timeout then", () => {
    const parent = new AbortController();
    const d = deadline(10_000, parent.signal);
    parent.abort(new Error('shutdown'));
    expect(d.signal.aborted).toBe(true);
    expect(d.timedOut).toBe(false);
    expect((d.signal.reason as Error).message).toBe('shutdown');
    d.clear();
    expect(deadline(10_000, parent.signal).signal.aborted).toBe(true); // an aborted parent aborts at once
  });

  it('does nothing after clear()', async () => {
    const parent = new AbortController();
    const d = deadline(20, parent.signal);
    d.clear();
    parent.abort();
    await sleep(60);
    expect(d.signal.aborted).toBe(false);
  });
});
