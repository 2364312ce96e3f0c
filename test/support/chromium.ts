// Where the browser tests find Chromium: CHROMIUM_PATH, else the Debian binary when it is there. Without
// one the suites skip with one line saying how to enable them — except under CI=true, where a missing
// browser is a broken setup and fails the run.
import { accessSync, constants } from 'node:fs';
import { describe, it } from 'vitest';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH?.trim();
  if (configured) return executable(configured) ? configured : undefined;
  return executable('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

export const chromiumPath: string | undefined = findChromium();

const SKIP_NOTICE = 'Browser tests skipped: install chromium (apt-get install chromium) to run them';
let noticeShown = false;

/** A describe that runs only with a Chromium binary (see above for what happens without one). */
export function describeWithChromium(name: string, fn: () => void): void {
  if (chromiumPath === undefined) {
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('needs Chromium', () => {
          throw new Error('chromium not found (CHROMIUM_PATH or /usr/bin/chromium), and with CI=true the browser tests may not skip: apt-get install chromium');
        });
      });
      return;
    }
    if (!noticeShown) {
      noticeShown = true;
      console.log(SKIP_NOTICE);
    }
  }
  describe.skipIf(chromiumPath === undefined)(name, fn);
}
