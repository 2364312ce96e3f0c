import { describe, expect, it } from 'vitest';
import { bearerToken, isLoopbackAddress } from '../../src/metrics/access.js';

describe('metrics access helpers', () => {
  it('isLoopbackAddress: 127.0.0.0/8, ::1 and IPv4-mapped 127.x only', () => {
    for (const a of ['127.0.0.1', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::FFFF:127.9.9.9', '::ffff:7f00:1', '0:0:0:0:0:ffff:127.0.0.3']) {
      expect(isLoopbackAddress(a), a).toBe(true);
    }
    for (const a of [undefined, '', '10.0.0.5', '128.0.0.1', '1.127.0.0', '::ffff:10.0.0.5', '::ffff:a00:5', '::2', 'fe80::1', '0.0.0.0', '::', 'localhost']) {
      expect(isLoopbackAddress(a), String(a)).toBe(false);
    }
  });

  it('bearerToken: the token of a Bearer header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
