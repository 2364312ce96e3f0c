// A clock that runs at real speed from `startAt` and can be moved forward (pause expiry, context gaps).
import type { Clock } from '../../src/core/clock.js';

export interface MovableClock extends Clock {
  advance(ms: number): void;
}

export function movableClock(startAt = Date.now()): MovableClock {
  const real0 = Date.now();
  let shift = 0;
  return { now: () => startAt + (Date.now() - real0) + shift, advance: (ms) => void (shift += ms) };
}
