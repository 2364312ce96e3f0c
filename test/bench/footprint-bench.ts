// Footprint and start-up of the built service (issue 20 §3), each against a baseline measured in the same run.
//   idle RSS  — `node dist/server.js` with every hotel tool configured (hotel DB, booking API, CompraClick and
//               BAC portals, SMTP, staff WhatsApp; all pointing at 127.0.0.1 ports nobody answers, so nothing is
//               contacted), read from /proc/<pid>/status a moment after /ready first answers; the baseline is
//               a bare Fastify server (one route) started by the same node. Target ≤ 150 MB.
//   listening — time from spawning `npm start` on an unchanged checkout to /ready answering (target < 2 s);
//               the baseline is the bare Fastify server's time to listening.
//   --help    — time for each staff command to print its usage, as `watibot3 <command> --help` (bin/watibot3.mjs)
//               and as `npm run <command> -- --help` (target < 1 s); the baseline is `node -e ''`.
// Builds dist/ first when it is stale (so the start-up figures are those of an unchanged checkout); run with `node --import tsx test/bench/footprint-bench.ts`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { EVERY_BACKEND_ENV } from '../support/production-tools.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const IDLE_RSS_TARGET_MB = 150;
const LISTENING_TARGET_S = 2;
const HELP_TARGET_S = 1;
/** How long after /ready first answers the RSS is read (timers and lazy start-up work have run by then). */
const SETTLE_MS = 3_000;
const READY_TIMEOUT_MS = 90_000;
const COMMANDS = ['report', 'chat', 'compare', 'migrate-legacy', 'export-pending'] as const;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** The pid of the `node` process serving `port` (npm start runs node as a child of npm's shell). */
function listenerPid(rootPid: number): number {
  // Walk down the process tree to the deepest descendant: npm → sh → node.
  let pid = rootPid;
  for (let depth = 0; depth < 5; depth++) {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    if (children.length === 0) return pid;
    pid = Number(children[children.length - 1]);
  }
  return pid;
}

async function waitForAnswer(url: string, child: ReturnType<typeof spawn>, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) before answering:\n${output()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) }); // any status: /ready may well say 503 here
      return;
    } catch {
      await sleep(25);
    }
  }
  throw new Error(`no answer from ${url} within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

interface Started {
  seconds: number;
  rssMb: number;
}

/** Spawns a server, times it to its first answer on `path`, reads its RSS after SETTLE_MS, stops it. */
async function startAndMeasure(command: string, args: string[], env: NodeJS.ProcessEnv, port: number, path: string): Promise<Started> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    await waitForAnswer(`http://127.0.0.1:${port}${path}`, child, () => out.slice(-4_000));
    const seconds = (performance.now() - started) / 1000;
    await sleep(SETTLE_MS);
    return { seconds, rssMb: rssMb(listenerPid(child.pid!)) };
  } finally {
    if (child.exitCode === null) {
      process.kill(-child.pid!, 'SIGTERM'); // the whole group: npm and the node it started
      await Promise.race([exited, sleep(25_000)]);
    }
  }
}

/** The environment of a hotel with every tool configured; no backend is listening, none is contacted at start. */
function hotelEnv(port: number, dir: string): NodeJS.ProcessEnv {
  const instructions = join(dir, 'instructions.txt');
  writeFileSync(instructions, 'Eres el asistente del hotel. Responde en español.');
  const dead = 'http://127.0.0.1:9';
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    CONVERSATION_DB_PATH: join(dir, 'watibot3.db'),
    WEBHOOK_PASSKEY: 'BENCH_PASSKEY',
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: `${dead}/v1`,
    SYSTEM_INSTRUCTIONS_PATH: instructions,
    // Every hotel backend at a closed loopback port, as the schema-budget test configures them.
    ...EVERY_BACKEND_ENV,
  };
}

const BARE_FASTIFY = `
import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.get('/ready', async () => ({ ready: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

function timeCommand(command: string, args: string[]): { seconds: number; status: number | null; output: string } {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { seconds: (performance.now() - started) / 1000, status: result.status, output: `${result.stdout}${result.stderr}` };
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const verdict = (ok: boolean) => (ok ? 'target met' : 'target not met');

async function main(): Promise<number> {
  // An unchanged checkout: compile now if needed, outside every timed figure.
  const build = timeCommand(process.execPath, [join('scripts', 'build-if-stale.mjs')]);
  if (build.status !== 0) {
    console.error(`footprint bench: the build failed:\n${build.output}`);
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'wb3-footprint-'));

  const barePort = await freePort();
  const bare = await startAndMeasure(process.execPath, ['--input-type=module', '-e', BARE_FASTIFY], { PATH: process.env.PATH, PORT: String(barePort) }, barePort, '/ready');

  const directPort = await freePort();
  const direct = await startAndMeasure(process.execPath, ['dist/server.js'], hotelEnv(directPort, dir), directPort, '/ready');

  const npmPort = await freePort();
  const npm = await startAndMeasure('npm', ['start', '--silent'], { ...hotelEnv(npmPort, dir), CONVERSATION_DB_PATH: join(dir, 'npm-start.db') }, npmPort, '/ready');

  console.log('footprint (every hotel tool configured, backends unreachable; RSS read 3 s after /ready answers):');
  console.log(`  bare Fastify server        RSS ${fmt(bare.rssMb).padStart(6)} MB   listening in ${fmt(bare.seconds, 2)} s`);
  console.log(`  node dist/server.js        RSS ${fmt(direct.rssMb).padStart(6)} MB   listening in ${fmt(direct.seconds, 2)} s`);
  console.log(`  npm start (unchanged tree) RSS ${fmt(npm.rssMb).padStart(6)} MB   listening in ${fmt(npm.seconds, 2)} s`);
  console.log(
    `  idle RSS ${fmt(direct.rssMb)} MB = ${fmt(direct.rssMb / bare.rssMb, 2)}× a bare Fastify server (target ≤ ${IDLE_RSS_TARGET_MB} MB)  ${verdict(direct.rssMb <= IDLE_RSS_TARGET_MB)}`,
  );
  console.log(
    `  npm start listening in ${fmt(npm.seconds, 2)} s = ${fmt(npm.seconds / bare.seconds, 1)}× a bare Fastify server (target < ${LISTENING_TARGET_S} s)  ${verdict(npm.seconds < LISTENING_TARGET_S)}`,
  );

  const baseline = timeCommand(process.execPath, ['-e', '']);
  console.log(`\ncommand --help, as staff type it (baseline \`node -e ''\` ${fmt(baseline.seconds, 2)} s; target < ${HELP_TARGET_S} s):`);
  let failed = false;
  for (const command of COMMANDS) {
    const viaBin = timeCommand(process.execPath, [join('bin', 'watibot3.mjs'), command, '--help']);
    const viaNpm = timeCommand('npm', ['run', '--silent', command, '--', '--help']);
    const line = [`  ${command.padEnd(16)}`];
    for (const [label, run] of [['watibot3', viaBin], ['npm run', viaNpm]] as const) {
      const answered = run.status === 0 && /usage/i.test(run.output);
      if (!answered) failed = true;
      line.push(
        answered
          ? `${label} ${fmt(run.seconds, 2)} s (${fmt(run.seconds / baseline.seconds, 1)}×, ${run.seconds < HELP_TARGET_S ? 'met' : 'NOT met'})`
          : `${label}: no usage (exit ${run.status}): ${run.output.slice(0, 200)}`,
      );
    }
    console.log(line.join('   '));
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`footprint bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
