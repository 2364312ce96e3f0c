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

/**
 * `work`, or its rejection with the signal's reason as soon as the signal aborts: for a step that takes no
 * signal itself (a Playwright action, a nodemailer send). The abandoned work goes on to its own end; its
 * later rejection is caught, since nobody awaits it any more.
 */
export function abandonOnAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  const ignoreLater = () => void work.catch(() => undefined);
  if (signal.aborted) {
    ignoreLater();
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      ignoreLater();
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
