// Vitest globalSetup: one private MariaDB server for the whole run, so the hotel-database tests run against
// the real engine. Its data directory, socket and pid file live in a temp dir; it listens on a free loopback
// port only. Test files reach it through test/support/mariadb.ts (inject('mariadb')).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import mysql from 'mysql2/promise';
import type { TestProject } from 'vitest/node';

export interface MariaDbServerInfo {
  host: '127.0.0.1';
  port: number;
  /** Owns `hotel\_%`.* only: tests create and drop their databases with it. */
  user: string;
  password: string;
  /** Unix socket on which root logs in without a password (for admin statements). */
  rootSocket: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** null when no MariaDB server is installed here (the MariaDB tests then skip). */
    mariadb: MariaDbServerInfo | null;
  }
}

const SKIP_NOTICE = 'MariaDB tests skipped: install mariadb-server (apt-get install mariadb-server) to run them';
const TEMP_PREFIX = 'watibot-mariadb-';
const READY_TIMEOUT_MS = 30_000;
const INSTALL_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const TEST_USER = 'watibot';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const server = await startMariaDbServer();
  if (!server) {
    // CI must exercise the real engine: a missing server there is a broken setup, not a reason to skip.
    if (process.env.CI === 'true') {
      throw new Error('mariadbd or mariadb-install-db not found, and with CI=true the MariaDB tests may not skip: install mariadb-server (apt-get install mariadb-server)');
    }
    console.log(SKIP_NOTICE);
    project.provide('mariadb', null);
    return undefined;
  }
  project.provide('mariadb', server.info);
  return server.stop;
}

/**
 * Starts a private server (temp data dir, loopback port, a user owning `hotel\_%`.*), or answers undefined
 * when MariaDB is not installed. Also used by the benchmarks, which run outside vitest.
 */
export async function startMariaDbServer(): Promise<{ info: MariaDbServerInfo; stop(): Promise<void> } | undefined> {
  const mariadbd = findBinary('mariadbd', ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']);
  const installDb = findBinary('mariadb-install-db', ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin']);
  if (!mariadbd || !installDb) return undefined;

  await reapStaleDirs();
  const dir = await mkdtemp(join(tmpdir(), TEMP_PREFIX));
  // Marks the dir as ours while this process lives; a later run removes it once we are gone (see reapStaleDirs).
  await writeFile(join(dir, 'owner.pid'), String(process.pid));
  let server: RunningServer | undefined;
  try {
    server = await startServer(mariadbd, installDb, dir);
    const password = randomBytes(18).toString('base64url');
    await createTestUser(server.rootSocket, password);
    const running = server;
    return {
      info: { host: '127.0.0.1', port: server.port, user: TEST_USER, password, rootSocket: server.rootSocket },
      async stop() {
        await running.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------

interface RunningServer {
  port: number;
  rootSocket: string;
  stop(): Promise<void>;
}

function findBinary(name: string, extraDirs: string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const d of dirs) {
    const candidate = join(d, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

async function startServer(mariadbd: string, installDb: string, dir: string): Promise<RunningServer> {
  const dataDir = join(dir, 'data');
  const rootSocket = join(dir, 'mysqld.sock');
  const osUser = userInfo().username;
  // --no-defaults: the machine's my.cnf (system socket, log paths, a running service's settings) must not leak
  // in. Small InnoDB buffers keep both the install and the start around a second on 2 cores.
  const common = ['--no-defaults', `--user=${osUser}`, `--datadir=${dataDir}`];
  const small = ['--innodb-buffer-pool-size=32M', '--innodb-log-file-size=8M'];
  await runQuietly(
    installDb,
    [...common, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve', ...small],
    INSTALL_TIMEOUT_MS,
  );

  // A port picked free can be taken before mariadbd binds it; try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeLoopbackPort();
    try {
      const stop = await launch(mariadbd, [
        ...common,
        `--socket=${rootSocket}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--pid-file=${join(dir, 'mysqld.pid')}`,
        `--log-error=${join(dir, 'error.log')}`,
        '--skip-log-bin',
        '--skip-name-resolve',
        ...small,
        // Test data is disposable: no fsync per commit keeps loading the seed per suite cheap.
        '--innodb-flush-log-at-trx-commit=0',
        '--innodb-doublewrite=0',
        // --no-defaults would leave latin1; production (and Debian's packaged config) use utf8mb4_general_ci.
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_general_ci',
      ], rootSocket, join(dir, 'error.log'));
      return { port, rootSocket, stop };
    } catch (err) {
      lastError = err;
      if (!(err instanceof PortInUseError)) throw err;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

class PortInUseError extends Error {}

// mariadbd does not die with its parent. It runs under a small shell that holds our pipe on fd 3: when this
// process exits in any way (even SIGKILL) the pipe closes, `cat` returns and the shell stops the server.
const WATCHDOG = 'exec 3<&0; "$@" 3<&- </dev/null & pid=$!; { cat <&3 >/dev/null; kill -TERM "$pid" 2>/dev/null; } & wait "$pid"';

async function launch(mariadbd: string, args: string[], socket: string, errorLog: string): Promise<() => Promise<void>> {
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'mariadb-watchdog', mariadbd, ...args], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    child.stdin?.destroy();
  });

  const stop = async () => {
    if (hasExited) return;
    child.stdin?.end(); // the watchdog sends SIGTERM: a clean shutdown
    const timer = setTimeout(() => killHard(child, socket), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  const started = Date.now();
  while (Date.now() - started < READY_TIMEOUT_MS) {
    if (hasExited) {
      const log = await readFile(errorLog, 'utf8').catch(() => '');
      const tail = `${log.split('\n').slice(-15).join('\n')}\n${stderr}`.trim();
      if (/already in use|Do you already have another/i.test(tail)) throw new PortInUseError(tail);
      throw new Error(`mariadbd exited before it was ready:\n${tail}`);
    }
    if (await pingSocket(socket)) return stop;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`mariadbd not ready within ${READY_TIMEOUT_MS} ms (log: ${errorLog})`);
}

function killHard(child: ChildProcess, socket: string): void {
  const pidFile = join(socket, '..', 'mysqld.pid');
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // no pid file or already gone
  }
  child.kill('SIGKILL');
}

async function pingSocket(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return false;
  try {
    const conn = await mysql.createConnection({ socketPath, user: 'root', connectTimeout: 1_000 });
    await conn.end();
    return true;
  } catch {
    return false;
  }
}

async function createTestUser(socketPath: string, password: string): Promise<void> {
  const conn = await mysql.createConnection({ socketPath, user: 'root' });
  try {
    await conn.query(`CREATE USER '${TEST_USER}'@'127.0.0.1' IDENTIFIED BY ?`, [password]);
    // Only the per-suite hotel_… databases: a test cannot touch the mysql schema through this user.
    await conn.query(`GRANT ALL PRIVILEGES ON \`hotel\\_%\`.* TO '${TEST_USER}'@'127.0.0.1'`);
  } finally {
    await conn.end();
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a command to completion, keeping its output only to explain a failure. */
function runQuietly(cmd: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
}

/** Removes temp dirs of earlier runs that died without their teardown (their owner process is gone). */
async function reapStaleDirs(): Promise<void> {
  const base = tmpdir();
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => n.startsWith(TEMP_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(base, name);
    try {
      // A dir younger than a minute may belong to a run that has not written its owner file yet.
      if (Date.now() - statSync(dir).mtimeMs < 60_000) continue;
      const owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue;
      await rm(dir, { recursive: true, force: true });
    } catch {
      // not ours to judge (no owner file, no permission): leave it
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
