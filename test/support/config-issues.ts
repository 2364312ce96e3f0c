// What loadConfig refuses an environment for: its issue lines (each names the variable), or the test fails
// when the environment is accepted.
import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

export function issuesOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  return expect.unreachable('loadConfig accepted the environment');
}
