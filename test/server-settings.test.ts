// Bad settings end the real server (src/server.ts) with exit 78 (EX_CONFIG, which systemd does not restart) and a
// line naming the variable and why — not a stack trace with exit 1, and never a hang: Node's recursive mkdir
// loops at full CPU on CONVERSATION_DB_PATH=/proc/1/nope/w.db (issue 22 §5). A file that is not our database is
// left byte-identical.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { startHarness } from './support/app-harness.js';
import { runEntryPoint } from './support/run-entry-point.js';
import { createTestAgent } from './support/test-agent.js';
import { tempDbPath, testEnv } from './support/test-config.js';

const SERVER = 'src/server.ts';
// Several children load every source file at once on two shared cores.
const TEST_TIMEOUT_MS = 180_000;

function serverEnv(overrides: Record<string, string>): Record<string, string | undefined> {
  return testEnv({ LOG_LEVEL: 'warn', ...overrides });
}

/** A text file shaped like /etc/passwd (not the real one: nothing under test may risk writing a system file). */
function systemLikeFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'watibot3-passwd-')), 'passwd');
  writeFileSync(path, 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n');
  return path;
}

describe('the server refuses unusable settings with exit 78, naming the variable', () => {
  it(
    'CONVERSATION_DB_PATH under /proc, /dev/null, a system file, a folder; HOST not a host; MEDIA_DIR under /proc; a weak ADMIN_TOKEN, a blank passkey',
    async () => {
      const passwd = systemLikeFile();
      const before = readFileSync(passwd);
      const folder = mkdtempSync(join(tmpdir(), 'watibot3-folder-'));
      const cases: { env: Record<string, string>; args?: string[]; stderr: RegExp }[] = [
        { env: { CONVERSATION_DB_PATH: '/proc/1/nope/w.db' }, stderr: /CONVERSATION_DB_PATH: \/proc\/1\/nope\/w\.db: cannot create the folder \/proc\/1\/nope \(ENOENT/ },
        { env: { CONVERSATION_DB_PATH: '/proc/1/nope/w.db' }, args: ['--migrate'], stderr: /CONVERSATION_DB_PATH: \/proc\/1\/nope\/w\.db: cannot create the folder/ },
        { env: { CONVERSATION_DB_PATH: '/dev/null' }, stderr: /CONVERSATION_DB_PATH: \/dev\/null: is a character device, not a file/ },
        { env: { CONVERSATION_DB_PATH: passwd }, stderr: /CONVERSATION_DB_PATH: .*passwd: is not a SQLite database/ },
        { env: { CONVERSATION_DB_PATH: folder }, stderr: /CONVERSATION_DB_PATH: .*: is a folder: give the path of the database file in it/ },
        { env: { HOST: 'not a host!' }, stderr: /HOST: must be an IP address/ },
        { env: { HOST: 'nosuchhost.invalid' }, stderr: /HOST: nosuchhost\.invalid does not resolve to an address/ },
        { env: { MEDIA_DIR: '/proc/1/nope/media' }, stderr: /MEDIA_DIR.*: \/proc\/1\/nope\/media: cannot create the folder \/proc\/1\/nope/ },
        // Weak secrets (issue 22 §4): the admin token guessable, a passkey of spaces.
        { env: { ADMIN_TOKEN: 'a' }, stderr: /ADMIN_TOKEN: is 1 characters long; it needs at least 24: generate one with `openssl rand -hex 32`/ },
        { env: { WEBHOOK_PASSKEY: ' ' }, stderr: /WEBHOOK_PASSKEY: is only spaces/ },
      ];
      const outcomes = await Promise.all(cases.map((c) => runEntryPoint(SERVER, c.args ?? [], serverEnv({ CONVERSATION_DB_PATH: tempDbPath(), ...c.env }))));
      outcomes.forEach((outcome, i) => {
        const what = `${JSON.stringify(cases[i]!.env)}: ${outcome.stderr}`;
        expect(outcome.hung, what).toBe(false);
        expect(outcome.code, what).toBe(78);
        expect(outcome.stderr, what).toMatch(cases[i]!.stderr);
        expect(outcome.stderr, what).not.toMatch(/\n\s+at /); // no stack trace
      });
      expect(readFileSync(passwd).equals(before)).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('a short WEBHOOK_PASSKEY (WATI\'s to choose) is accepted with a warning at start', () => {
  it('logs which variable, how long, and what to use; the webhook still works', async () => {
    let out = '';
    const logger = createLogger('warn', { write: (line: string) => void (out += line) });
    const h = await startHarness({ agent: createTestAgent(), logger, env: { WEBHOOK_PASSKEY: 'x' } });
    try {
      const warning = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; variable?: string; msg: string }).find((l) => l.variable === 'WEBHOOK_PASSKEY');
      expect(warning?.level).toBe(40);
      expect(warning?.msg).toMatch(/^WEBHOOK_PASSKEY is 1 characters long: .*at least 16/);
      expect((await h.post('/webhook?passkey=x', { eventType: 'message' })).status).not.toBe(401);
    } finally {
      await h.close();
    }
  });
});
