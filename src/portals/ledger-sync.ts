// Bringing the payment ledgers up to date from the portals: one sync per portal at a time (callers that
// arrive while one runs share it), none repeated within PORTAL_SYNC_COOLDOWN_SECONDS of the last one that
// finished (its result is answered again), each bounded by the portal session's own timeout.
import type { Logger } from 'pino';

export type PortalName = 'compraclick' | 'bac';

export interface SyncCounts {
  inserted: number;
  skipped: number;
}

/** The original's result keys, which the hotel's instructions mention. */
export interface SyncResult {
  rows_inserted: number;
  rows_skipped: number;
  last_sync_timestamp: string;
  /** true when this is the last sync's result, answered again within the cooldown. */
  from_cooldown: boolean;
}

export type Syncer = (signal?: AbortSignal) => Promise<SyncCounts>;

export interface LedgerSyncDeps {
  syncers: Partial<Record<PortalName, Syncer>>;
  cooldownMs: number;
  now: () => number;
  log: Logger;
}

export class LedgerSync {
  private readonly running = new Map<PortalName, Promise<SyncResult>>();
  private readonly last = new Map<PortalName, { at: number; result: SyncResult }>();

  constructor(private readonly deps: LedgerSyncDeps) {}

  /** The portals that can be synced (configured). */
  get portals(): PortalName[] {
    return (Object.keys(this.deps.syncers) as PortalName[]).filter((p) => this.deps.syncers[p] !== undefined);
  }

  has(portal: PortalName): boolean {
    return this.deps.syncers[portal] !== undefined;
  }

  /** Syncs one portal's ledger (or answers the last result within the cooldown). Throws the portal's error. */
  async sync(portal: PortalName, signal?: AbortSignal): Promise<SyncResult> {
    const syncer = this.deps.syncers[portal];
    if (!syncer) throw new Error(`the ${portal} portal is not configured`);
    const last = this.last.get(portal);
    if (last && this.deps.now() - last.at < this.deps.cooldownMs) return { ...last.result, from_cooldown: true };
    const inFlight = this.running.get(portal);
    if (inFlight) return inFlight;
    const run = (async () => {
      const started = this.deps.now();
      const counts = await syncer(signal);
      const at = this.deps.now();
      const result: SyncResult = {
        rows_inserted: counts.inserted,
        rows_skipped: counts.skipped,
        last_sync_timestamp: new Date(at).toISOString(),
        from_cooldown: false,
      };
      this.last.set(portal, { at, result });
      this.deps.log.info({ portal, ...counts, ms: at - started }, 'ledger synced from the portal');
      return result;
    })();
    this.running.set(portal, run);
    try {
      return await run;
    } finally {
      this.running.delete(portal);
    }
  }
}
