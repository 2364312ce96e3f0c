// playwright-core, loaded the first time a portal session launches the browser: it costs ~80 MB of RSS and
// ~0.7 s at start, and most hours no portal is visited. Types come from type-only imports.
import type * as Playwright from 'playwright-core';

type PlaywrightModule = typeof Playwright;

let loading: Promise<PlaywrightModule> | undefined;
let loaded: PlaywrightModule | undefined;

/** playwright-core's module, imported once on first use (a failed import is tried again next time). */
export function loadPlaywright(): Promise<PlaywrightModule> {
  loading ??= import('playwright-core').then(
    (module) => (loaded = module),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

/** Whether `err` is Playwright's step timeout; before playwright-core was loaded no such error can exist. */
export function isPlaywrightTimeout(err: unknown): err is Playwright.errors.TimeoutError {
  return loaded !== undefined && err instanceof loaded.errors.TimeoutError;
}
