// Starting the real server in a child process (test/support/child-server.ts) and killing it with SIGKILL,
// for the crash tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Loading the sources is most of a start; on two busy cores it has taken 8 s. */
const START_TIMEOUT_MS = 45_000;

function spawnServer(env: Record<string, string | undefined>, held: boolean): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/child-server.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env, CHILD_HOLD: held ? '1' : undefined },
    stdio: [held ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the first match of `pattern` on the child's stdout; rejects if it exits or takes too long. */
function awaitLine(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const done = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onOut);
      child.stderr!.off('data', onErr);
      child.off('exit', onExit);
    };
    const onOut = (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) {
        done();
        resolve(m[1] ?? m[0]);
      }
    };
    const onErr = (d: Buffer) => void (err += d.toString());
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`child exited with ${code} before ${what}: ${err}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`child did not reach ${what} in ${START_TIMEOUT_MS} ms: ${err}`));
    }, START_TIMEOUT_MS);
    child.stdout!.on('data', onOut);
    child.stderr!.on('data', onErr);
    child.on('exit', onExit);
  });
}

export function startChild(env: Record<string, string | undefined>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnServer(env, false);
  return awaitLine(child, /LISTENING (\S+)/, 'listening').then((url) => ({ child, url }));
}

export interface StandbyChild {
  child: ChildProcess;
  /** Builds and starts the server now (the previous one must be gone); resolves once it listens. */
  start(): Promise<{ child: ChildProcess; url: string }>;
}

/**
 * A server process for a restart, spawned ahead so that loading its sources overlaps the test's first part:
 * the restart then costs only the server's own start (recovery included), not a second compile of every file.
 * It holds nothing until start(): no database, no port.
 */
export function standbyChild(env: Record<string, string | undefined>): StandbyChild {
  const child = spawnServer(env, true);
  const loaded = awaitLine(child, /LOADED/, 'loaded');
  // Awaited only by start(): an early failure must not be an unhandled rejection meanwhile.
  loaded.catch(() => undefined);
  return {
    child,
    async start() {
      await loaded;
      const listening = awaitLine(child, /LISTENING (\S+)/, 'listening');
      child.stdin!.write('go\n');
      return { child, url: await listening };
    },
  };
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

