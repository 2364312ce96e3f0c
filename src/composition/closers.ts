// The one shutdown helper: each resource registers its own close as it is created, and closeAll() runs them
// in reverse order of creation (what was built last, and may use the others, is closed first). A close that
// fails is logged and the others still run.
import type { Logger } from 'pino';

export class Closers {
  private readonly stack: { what: string; close: () => void | Promise<void> }[] = [];

  constructor(private readonly log: Pick<Logger, 'error'>) {}

  /** `what` names the resource in the log line of a failed close. */
  add(what: string, close: () => void | Promise<void>): void {
    this.stack.push({ what, close });
  }

  /** Closes everything registered so far, last first; registering again afterwards starts a new stack. */
  async closeAll(): Promise<void> {
    for (const { what, close } of this.stack.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        this.log.error({ err }, `closing ${what} failed`);
      }
    }
  }
}
