// Shared assertion for channel tests.
import { expect } from 'vitest';
import { ChannelError } from '../../src/channels/types.js';

/** Awaits a promise that must reject with a ChannelError, and returns that error. */
export async function failure(p: Promise<unknown>): Promise<ChannelError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}
