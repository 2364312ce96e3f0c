// Debounce timers and single flight per conversation. The database is the source of truth: a timer only
// says "look at this conversation at time T", so after a restart scheduling every conversation with work
// again is all the recovery needed. Memory holds only conversations with a timer armed, a turn due or a
// turn running: one that cannot run (no credentials, agent not ready) is forgotten, its messages stay
// pending in the database, and a single recheck timer asks the database again later.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { loggableConversationId } from '../core/conversation-id.js';
import type { BufferStore } from '../store/buffer-store.js';

export interface SchedulerTiming {
  quietMs: number;
  mediaQuietMs: number;
  maxWaitMs: number;
  maxConcurrentTurns: number;
}

export interface SchedulerDeps {
  store: BufferStore;
  timing: SchedulerTiming;
  clock: Clock;
  log: Logger;
  /** Runs one turn (resume delivery, claim, agent, deliver). Must not throw for expected failures. */
  runTurn: (conversationId: string, signal: AbortSignal) => Promise<void>;
  /** False while the turn could not complete (no API key, channel without credentials): work stays pending. */
  canRun: (conversationId: string) => boolean;
  /** How long after a turn was postponed (canRun false) the database is asked again (default 60 s). */
  recheckMs?: number;
  /**
   * How often the database is swept for conversations with work and no timer (default 5 s; 0 turns it off):
   * messages another process wrote (`npm run migrate-legacy` beside the server), and a safety net for our own.
   */
  sweepMs?: number;
}

export const DEFAULT_RECHECK_MS = 60_000;
export const DEFAULT_SWEEP_MS = 5_000;

/** How many conversations the scheduler holds state for (tests, diagnostics). */
export interface SchedulerFootprint {
  timers: number;
  windows: number;
  ready: number;
  running: number;
}

export class TurnScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /**
   * The pending window of conversations waiting for their turn, so a message that arrives re-arms the timer
   * without reading every pending row again. Dropped when a turn starts; rebuilt from the store when missing.
   */
  private readonly windows = new Map<string, { oldestAt: number; newestAt: number; hasMedia: boolean }>();
  private readonly readyQueue = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  /**
   * One signal per running turn, aborted at close. Not one shared shutdown signal: each turn's model calls,
   * deadlines and sends listen on their turn's signal, and on a shared one those listeners add up with the
   * number of turns in flight (MaxListenersExceededWarning at 11).
   */
  private readonly turnAborts = new Set<AbortController>();
  /** One timer for every postponed conversation: they are not remembered, the store knows which wait. */
  private recheckTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Schedules every conversation left with pending messages or an unfinished delivery. */
  start(): void {
    for (const conversationId of this.deps.store.conversationsWithWork()) this.schedule(conversationId);
    const sweepMs = this.deps.sweepMs ?? DEFAULT_SWEEP_MS;
    if (sweepMs > 0 && !this.sweepTimer && !this.closed) {
      // One indexed query per interval (pending rows, delivering batches); unref'd, so it never holds the process.
      this.sweepTimer = setInterval(() => {
        try {
          this.recheck();
        } catch (err) {
          this.deps.log.warn({ err }, 'sweep for pending conversations failed');
        }
      }, sweepMs);
      this.sweepTimer.unref();
    }
  }

  /** A message was committed: extends the known pending window (if any) and re-arms the timer. */
  noteAccepted(conversationId: string, receivedAt: number, hasMedia: boolean): void {
    const window = this.windows.get(conversationId);
    if (window) {
      window.newestAt = Math.max(window.newestAt, receivedAt);
      window.hasMedia ||= hasMedia;
    }
    this.schedule(conversationId);
  }

  /**
   * (Re)computes when the conversation's pending batch is due: once it has been quiet for the quiet period
   * (longer when it holds media), and never later than the max wait after its oldest message.
   */
  schedule(conversationId: string): void {
    if (this.closed || this.running.has(conversationId) || this.readyQueue.has(conversationId)) return;
    const { timing, clock, store } = this.deps;
    let pending = this.windows.get(conversationId);
    if (!pending) {
      const summary = store.pendingSummary(conversationId);
      if (summary) {
        pending = { oldestAt: summary.oldestAt, newestAt: summary.newestAt, hasMedia: summary.hasMedia };
        this.windows.set(conversationId, pending);
      }
    }
    const now = clock.now();
    this.clearTimer(conversationId);
    let dueAt: number;
    if (pending) {
      const quietMs = pending.hasMedia ? timing.mediaQuietMs : timing.quietMs;
      dueAt = Math.min(pending.newestAt + quietMs, pending.oldestAt + timing.maxWaitMs);
    } else if (store.hasUnfinishedDelivery(conversationId)) {
      dueAt = now; // a reply whose delivery was interrupted: resume it now
    } else {
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(conversationId);
      this.readyQueue.add(conversationId);
      this.pump();
    }, Math.max(0, dueAt - now));
    this.timers.set(conversationId, timer);
  }

  /** Number of turns in flight (for readiness and tests). */
  get activeTurns(): number {
    return this.running.size;
  }

  footprint(): SchedulerFootprint {
    return { timers: this.timers.size, windows: this.windows.size, ready: this.readyQueue.size, running: this.running.size };
  }

  /** Stops timers, asks running turns to stop and waits for them up to `graceMs`. */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    clearTimeout(this.recheckTimer);
    this.recheckTimer = undefined;
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    for (const id of [...this.timers.keys()]) this.clearTimer(id);
    this.readyQueue.clear();
    this.windows.clear();
    for (const abort of this.turnAborts) abort.abort();
    const inFlight = Promise.allSettled([...this.running.values()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([inFlight, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  private pump(): void {
    const { maxConcurrentTurns } = this.deps.timing;
    for (const conversationId of this.readyQueue) {
      if (this.running.size >= maxConcurrentTurns) return;
      this.readyQueue.delete(conversationId);
      // The turn claims every pending message; what arrives later forms a new window, read afresh.
      this.windows.delete(conversationId);
      if (!this.deps.canRun(conversationId)) {
        this.deps.log.warn({ conversationId: loggableConversationId(conversationId) }, 'turn postponed: not configured to answer');
        this.armRecheck();
        continue;
      }
      this.launch(conversationId);
    }
  }

  private armRecheck(): void {
    if (this.closed || this.recheckTimer) return;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      try {
        this.recheck();
      } catch (err) {
        // A timer callback must not throw (it would end the process); try again at the next interval.
        this.deps.log.warn({ err }, 'recheck of postponed conversations failed');
        this.armRecheck();
      }
    }, this.deps.recheckMs ?? DEFAULT_RECHECK_MS);
    this.recheckTimer.unref();
  }

  /**
   * Conversations with work that the scheduler does not track were postponed, or written by another process
   * (the sweep): schedule those that can run now, and look again later if some still can't.
   */
  private recheck(): void {
    if (this.closed) return;
    let stillWaiting = false;
    for (const conversationId of this.deps.store.conversationsWithWork()) {
      if (this.timers.has(conversationId) || this.readyQueue.has(conversationId) || this.running.has(conversationId)) continue;
      if (this.deps.canRun(conversationId)) this.schedule(conversationId);
      else stillWaiting = true;
    }
    if (stillWaiting) this.armRecheck();
  }

  private launch(conversationId: string): void {
    const abort = new AbortController();
    this.turnAborts.add(abort);
    const turn = this.deps
      .runTurn(conversationId, abort.signal)
      .catch((err: unknown) => {
        this.deps.log.error({ err, conversationId: loggableConversationId(conversationId) }, 'turn crashed');
      })
      .finally(() => {
        this.turnAborts.delete(abort);
        this.running.delete(conversationId);
        // Messages that arrived during the turn form the next one, after their own quiet period.
        this.schedule(conversationId);
        this.pump();
      });
    this.running.set(conversationId, turn);
  }

  private clearTimer(conversationId: string): void {
    const timer = this.timers.get(conversationId);
    if (timer) clearTimeout(timer);
    this.timers.delete(conversationId);
  }
}
