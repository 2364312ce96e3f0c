// Deadlines as abort signals. Node's `AbortSignal.any([signal, AbortSignal.timeout(ms)])` can lose the
// timeout: the timeout signal is held only weakly and may be garbage-collected before it fires
// (nodejs/node#57736), so a bounded step would hang under memory pressure. A plain timer holds its
// controller strongly until it fires or is cleared.

export interface Deadline {
  /** Aborts with a TimeoutError after the time, or with the parent's reason when the parent aborts. */
  signal: AbortSignal;
  /** Whether it was the time, not the parent, that aborted it. */
  readonly timedOut: boolean;
  /** Stops the timer and lets go of the parent; call it when the bounded step ends. */
  clear(): void;
}

export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const onParentAbort = () => controller.abort(parent?.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
  }, Math.max(0, ms));
  // The timer alone must not keep the process alive (shutdown waits for work, not for deadlines).
  timer.unref();
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
