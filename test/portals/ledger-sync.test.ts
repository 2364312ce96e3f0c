import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LedgerSync, type SyncCounts } from '../../src/portals/ledger-sync.js';

const log = pino({ level: 'silent' });

describe('ledger sync', () => {
  it('shares a sync in flight, answers the last result within the cooldown, and syncs again after it', async () => {
    let now = 0;
    let calls = 0;
    let release!: () => void;
    const sync = new LedgerSync({
      syncers: {
        bac: () => {
          calls++;
          return new Promise<SyncCounts>((resolve) => (release = () => resolve({ inserted: 2, skipped: 5 })));
        },
      },
      cooldownMs: 60_000,
      now: () => now,
      log,
    });
    const a = sync.sync('bac');
    const b = sync.sync('bac');
    await Promise.resolve();
    release();
    expect(await a).toEqual({ rows_inserted: 2, rows_skipped: 5, last_sync_timestamp: '1970-01-01T00:00:00.000Z', from_cooldown: false });
    expect(await b).toEqual(await a);
    now = 30_000;
    expect(await sync.sync('bac')).toMatchObject({ rows_inserted: 2, from_cooldown: true });
    expect(calls).toBe(1);
    now = 61_000;
    const c = sync.sync('bac');
    await Promise.resolve();
    release();
    expect(await c).toMatchObject({ from_cooldown: false, last_sync_timestamp: '1970-01-01T00:01:01.000Z' });
    expect(calls).toBe(2);
    expect(sync.portals).toEqual(['bac']);
    await expect(sync.sync('compraclick')).rejects.toThrow(/not configured/);
  });

  it('a failed sync is not remembered: the next call tries again', async () => {
    let calls = 0;
    const sync = new LedgerSync({
      syncers: { compraclick: async () => (++calls === 1 ? Promise.reject(new Error('portal down')) : { inserted: 1, skipped: 0 }) },
      cooldownMs: 60_000,
      now: () => 0,
      log,
    });
    await expect(sync.sync('compraclick')).rejects.toThrow('portal down');
    expect(await sync.sync('compraclick')).toMatchObject({ rows_inserted: 1 });
  });
});
