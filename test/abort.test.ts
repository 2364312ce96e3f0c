import { describe, expect, it } from 'vitest';
import { abandonOnAbort, deadline } from '../src/core/abort.js';

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

describe('abandonOnAbort', () => {
  it('settles with the work, or rejects with the reason at the abort and swallows the late rejection', async () => {
    expect(await abandonOnAbort(Promise.resolve(7), new AbortController().signal)).toBe(7);
    const controller = new AbortController();
    let failLater: (err: Error) => void = () => undefined;
    const work = new Promise<number>((_, reject) => (failLater = reject));
    const abandoned = abandonOnAbort(work, controller.signal);
    controller.abort(new Error('shutdown'));
    await expect(abandoned).rejects.toThrow('shutdown');
    // Rejecting afterwards must not surface as an unhandled rejection (vitest would fail the run).
    failLater(new Error('late'));
    await sleep(10);
    await expect(abandonOnAbort(Promise.resolve(1), AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });
});
