// Bad settings end the real server (src/server.ts) with exit 78 (EX_CONFIG, which systemd does not restart) and a
// line naming the variable and why — not a stack trace with exit 1, and never a hang: Node's recursive mkdir
// loops at full CPU on CONVERSATION_DB_PATH=/proc/1/nope/w.db (issue 22 §5). A file that is not our database is
// left byte-identical.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/core/logger.js';
import { startHarness } from './support/app-harness.js';
import { runEntryPoint } from './support/run-entry-point.js';
import { createTestAgent } from './support/test-agent.js';
import { tempDbPath, testEnv } from './support/test-config.js';

const SERVER = 'src/server.ts';
// Each child compiles every source file on two cores that other work shares: a few at a time, generous bounds
// (a real hang runs forever, so any bound catches it).
const CHILDREN_AT_ONCE = 3;
const CHILD_TIMEOUT_MS = 120_000;
const TEST_TIMEOUT_MS = 600_000;

async function inBatches<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += CHILDREN_AT_ONCE) results.push(...(await Promise.all(items.slice(i, i + CHILDREN_AT_ONCE).map(run))));
  return results;
}

function serverEnv(overrides: Record<string, string>): Record<string, string | undefined> {
  return testEnv({ LOG_LEVEL: 'warn', ...overrides });
}

/** A text file shaped like /etc/passwd (not the real one: nothing under test may risk writing a system file). */
function systemLikeFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'watibot3-passwd-')), 'passwd');
  writeFileSync(path, 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n');
  return path;
}

describe('the server refuses unusable settings with exit 78 (a port in use: 75), naming the variable', () => {
  it(
    'CONVERSATION_DB_PATH under /proc, /dev/null, a system file, a folder; HOST not a host; MEDIA_DIR under /proc; a weak ADMIN_TOKEN; a port in use',
    async () => {
      const passwd = systemLikeFile();
      const before = readFileSync(passwd);
      const folder = mkdtempSync(join(tmpdir(), 'watibot3-folder-'));
            // A port another process holds: EX_TEMPFAIL (75), which systemd retries (the holder may be a server stopping).
      const holder = createServer();
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
      const heldPort = String((holder.address() as AddressInfo).port);
      const cases: { env: Record<string, string>; args?: string[]; stderr: RegExp; code?: number }[] = [
        { env: { CONVERSATION_DB_PATH: '/proc/1/nope/w.db' }, stderr: /CONVERSATION_DB_PATH: \/proc\/1\/nope\/w\.db: cannot create the folder \/proc\/1\/nope \(ENOENT/ },
        { env: { CONVERSATION_DB_PATH: '/proc/1/nope/w.db' }, args: ['--migrate'], stderr: /CONVERSATION_DB_PATH: \/proc\/1\/nope\/w\.db: cannot create the folder/ },
        { env: { CONVERSATION_DB_PATH: '/dev/null' }, stderr: /CONVERSATION_DB_PATH: \/dev\/null: is a character device, not a file/ },
        { env: { CONVERSATION_DB_PATH: passwd }, stderr: /CONVERSATION_DB_PATH: .*passwd: is not a SQLite database/ },
        { env: { CONVERSATION_DB_PATH: folder }, stderr: /CONVERSATION_DB_PATH: .*: is a folder: give the path of the database file in it/ },
        { env: { HOST: 'not a host!' }, stderr: /HOST: must be an IP address/ },
        { env: { HOST: 'nosuchhost.invalid' }, stderr: /HOST: nosuchhost\.invalid does not resolve to an address/ },
        { env: { MEDIA_DIR: '/proc/1/nope/media' }, stderr: /MEDIA_DIR.*: \/proc\/1\/nope\/media: cannot create the folder \/proc\/1\/nope/ },
        // Weak secrets (issue 22 §4): the admin token guessable, a passkey of spaces.
        { env: { ADMIN_TOKEN: 'a' }, stderr: /ADMIN_TOKEN: is 1 character long; it needs at least 24: generate one with `openssl rand -hex 32`/ },
        { env: { PORT: heldPort }, stderr: new RegExp(`PORT: 127\\.0\\.0\\.1:${heldPort} is already in use by another process`), code: 75 },
      ];
      const outcomes = await inBatches(cases, (c) => runEntryPoint(SERVER, c.args ?? [], serverEnv({ CONVERSATION_DB_PATH: tempDbPath(), ...c.env }), CHILD_TIMEOUT_MS)).finally(
        () => holder.close(),
      );
      outcomes.forEach((outcome, i) => {
        const what = `${JSON.stringify(cases[i]!.env)}: ${outcome.stderr}`;
        expect(outcome.hung, what).toBe(false);
        expect(outcome.code, what).toBe(cases[i]!.code ?? 78);
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
      expect(warning?.msg).toMatch(/^WEBHOOK_PASSKEY is 1 character long: .*at least 16/);
      expect((await h.post('/webhook?passkey=x', { eventType: 'message' })).status).not.toBe(401);
    } finally {
      await h.close();
    }
  });
});
