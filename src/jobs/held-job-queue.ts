// A job queue that runs and stores nothing: what is enqueued is held in memory, for the tools that build the
// server's services without its worker (the chat console prints the jobs, the comparison counts them).
import type { JobQueue, JobRecord, NewJob } from './types.js';

export class HeldJobQueue implements JobQueue {
  readonly held: NewJob[] = [];

  /** `transaction` runs `atomically` inside the caller's database transaction (the console's writes). */
  constructor(private readonly transaction: <T>(fn: () => T) => T = (fn) => fn()) {}

  enqueue(job: NewJob): number {
    this.held.push(job);
    return -this.held.length;
  }
  claimDue(): JobRecord[] {
    return [];
  }
  complete(): void {}
  fail(): void {}
  release(): void {}
  releaseInterrupted(): number {
    return 0;
  }
  supersedePending(): number {
    return 0;
  }
  atomically<T>(fn: () => T): T {
    return this.transaction(fn);
  }
  cancel(): boolean {
    return false;
  }
  retry(): boolean {
    return false;
  }
  get(): JobRecord | undefined {
    return undefined;
  }
  list(): JobRecord[] {
    return [];
  }
  purgeDone(): number {
    return 0;
  }
}
