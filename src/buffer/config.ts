// Message buffer configuration slice: the debounce windows and how many conversations are answered at once.
import { z } from 'zod';
import { positiveInt, seconds, secondsToMs } from '../core/config-schema.js';

export const bufferConfig = z
  .object({
    BUFFER_QUIET_SECONDS: seconds(10),
    BUFFER_MEDIA_QUIET_SECONDS: seconds(30),
    BUFFER_MAX_WAIT_SECONDS: seconds(45),
    MAX_CONCURRENT_TURNS: positiveInt(8, 256),
  })
  .refine((e) => e.BUFFER_MAX_WAIT_SECONDS >= e.BUFFER_QUIET_SECONDS, {
    path: ['BUFFER_MAX_WAIT_SECONDS'],
    error: 'must be at least BUFFER_QUIET_SECONDS',
  })
  .transform((e) => ({
    quietMs: secondsToMs(e.BUFFER_QUIET_SECONDS),
    mediaQuietMs: secondsToMs(e.BUFFER_MEDIA_QUIET_SECONDS),
    maxWaitMs: secondsToMs(e.BUFFER_MAX_WAIT_SECONDS),
    maxConcurrentTurns: e.MAX_CONCURRENT_TURNS,
  }));

export type BufferConfig = z.output<typeof bufferConfig>;
