// The failed sign-in limiter on its own: N wrong tokens in the window lock a client out for the lockout,
// successes are not counted, and the number of clients tracked stays bounded.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIGN_IN_LIMITS, LOCKOUT_MS, MAX_FAILURES, SignInLimiter, WINDOW_MS, maskedClient } from '../../src/routes/sign-in-limiter.js';

describe('SignInLimiter', () => {
  it(`allows ${MAX_FAILURES} wrong tokens, locks out on the last of them (said once), and refuses until the lockout ends`, () => {
    const limiter = new SignInLimiter();
    const t0 = 1_000_000;
    const locks: boolean[] = [];
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect(limiter.check('203.0.113.7', t0 + i)).toEqual({ allowed: true });
      locks.push(limiter.fail('203.0.113.7', t0 + i).lockedOut);
    }
    expect(locks.filter(Boolean)).toHaveLength(1);
    expect(locks[MAX_FAILURES - 1]).toBe(true);
    const last = t0 + MAX_FAILURES - 1;
    expect(limiter.check('203.0.113.7', last)).toEqual({ allowed: false, retryAfterSeconds: LOCKOUT_MS / 1000 });
    // Another client is not affected.
    expect(limiter.check('198.51.100.9', last)).toEqual({ allowed: true });
    expect(limiter.check('203.0.113.7', last + LOCKOUT_MS - 1500)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    // After the lockout: a fresh window, the full count again.
    expect(limiter.check('203.0.113.7', last + LOCKOUT_MS)).toEqual({ allowed: true });
    expect(limiter.fail('203.0.113.7', last + LOCKOUT_MS).lockedOut).toBe(false);
    expect(limiter.check('203.0.113.7', last + LOCKOUT_MS + 1)).toEqual({ allowed: true });
  });

  it('failures spread beyond the window do not add up; a success forgets the failures', () => {
    const limiter = new SignInLimiter();
    let now = 0;
    for (let i = 0; i < 3 * MAX_FAILURES; i++) {
      expect(limiter.fail('a', now).lockedOut).toBe(false);
      now += Math.ceil(WINDOW_MS / (MAX_FAILURES - 1));
    }
    expect(limiter.check('a', now)).toEqual({ allowed: true });
    for (let i = 0; i < MAX_FAILURES - 1; i++) limiter.fail('b', i);
    limiter.succeed('b');
    expect(limiter.fail('b', MAX_FAILURES).lockedOut).toBe(false);
    expect(limiter.check('b', MAX_FAILURES)).toEqual({ allowed: true });
  });

  it('tracks at most maxClients addresses, forgetting the one that failed least recently', () => {
    const limiter = new SignInLimiter({ maxFailures: 2, maxClients: 100 });
    limiter.fail('locked', 0);
    limiter.fail('locked', 0);
    for (let i = 0; i < 5_000; i++) {
      limiter.fail(`10.0.${i >> 8}.${i & 255}`, 1);
      expect(limiter.size).toBeLessThanOrEqual(100);
    }
    expect(limiter.size).toBe(100);
    // The most recent clients are still tracked; the early ones (the locked one too) are forgotten.
    expect(limiter.fail('10.0.19.135', 2).lockedOut).toBe(true);
    expect(limiter.check('10.0.0.1', 2)).toEqual({ allowed: true });
    expect(limiter.check('locked', 2)).toEqual({ allowed: true });
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => new SignInLimiter({ maxFailures: 0 })).toThrow(/maxFailures must be a positive integer/);
    expect(new SignInLimiter().limits).toEqual(DEFAULT_SIGN_IN_LIMITS);
  });

  it('masks client addresses for the logs', () => {
    expect(maskedClient('203.0.113.7')).toBe('203.0.113.x');
    expect(maskedClient('::ffff:203.0.113.7')).toBe('203.0.113.x');
    expect(maskedClient('2001:db8:85a3:1:2:3:4:5')).toBe('2001:db8:85a3:1::x');
    expect(maskedClient('2001:db8::5')).toBe('2001:db8::x');
    expect(maskedClient('::1')).toBe('::1');
  });
});
