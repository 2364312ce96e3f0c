// Ingest benchmark (issue 2 §7): POST /webhook with durable SQLite writes against a bare Fastify route that
// returns the same body, in the same run. Each server runs in its own child process (bench-server.ts); the
// load generator (undici Pool, pipelining 1) runs here.
//   1. max throughput: closed loop, CONNECTIONS requests in flight. After a warm-up, ROUNDS rounds that
//      alternate bare / durable (ROUND_MS each), so a noisy neighbour on this small machine hits both servers
//      alike; the ratio is the median of the per-round (adjacent in time) ratios.
//   2. fixed rate: open loop at RATE req/s, RATE_ROUNDS alternating rounds of RATE_ROUND_MS per server,
//      latency counted from each request's scheduled send time (queueing in client or server included).
//   3. soak (issue 8 §8): a fresh durable server run with --expose-gc takes SOAK_ROUNDS rounds of
//      SOAK_MESSAGES webhooks over CONVERSATIONS conversations (closed loop). No turn can run, so every message
//      stays pending; the debounce is shortened (SOAK_QUIET_SECONDS / SOAK_MAX_WAIT_SECONDS) so that timers
//      fire and conversations are postponed during the load, as they would over hours at production timing.
//      It logs at info (the production level) and its stdout is read at a bounded rate, like a busy journald:
//      log output that cannot be written at once is buffered in the server, up to a bound (src/core/logger.ts).
//      After each round it prints RSS and heapUsed after a full GC (and RSS before it, what `ps` shows);
//      the figure is RSS after the last round / RSS after the second round (the first round includes the
//      warm-up of code, caches and allocator arenas), target ≤ 1.15.
// Every request is a distinct WATI "message" event (distinct whatsappMessageId, waIds spread over
// CONVERSATIONS conversations) so idempotency never short-circuits. Afterwards the durable server's database
// must hold exactly one inbound_messages row per 200 it answered.
// Targets are informational: the exit code is 0 unless the run itself broke (a server failed, non-200
// answers, or acknowledged messages missing from the database).
// Run: npx tsx test/bench/ingest-bench.ts
// Knobs (env): BENCH_CONNECTIONS, BENCH_WARMUP_MS, BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_RATE, BENCH_RATE_ROUNDS,
// BENCH_RATE_ROUND_MS, BENCH_CONVERSATIONS, BENCH_SOAK_ROUNDS, BENCH_SOAK_MESSAGES, BENCH_SOAK_MAX_MS (the soak
// stops after the round that passes it), BENCH_SOAK_QUIET_SECONDS, BENCH_SOAK_MAX_WAIT_SECONDS, BENCH_SOAK_LOG_LEVEL (info),
// BENCH_SOAK_LOG_BYTES_PER_S (how fast the soak server's log is read; default 1 MB/s); BENCH_SOAK=0 skips
// the soak, BENCH_SOAK=only runs nothing else; BENCH_CPU_PROF_DIR=<dir> runs the children with --cpu-prof;
// BENCH_KEEP_DB=1 keeps the temp databases; BENCH_LOG_LEVEL=info logs the throughput phases' durable server at
// production level (default silent), its stdout read as fast as it comes; BENCH_APP=dist runs the compiled app
// (`npm run build` first) instead of src/ through tsx.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Pool } from 'undici';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVER_SCRIPT = join(ROOT, 'test', 'bench', 'bench-server.ts');

function intEnv(name: string, def: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
}

const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 32);
const WARMUP_MS = intEnv('BENCH_WARMUP_MS', 1_000);
const ROUNDS = intEnv('BENCH_ROUNDS', 3);
const ROUND_MS = intEnv('BENCH_ROUND_MS', 1_500);
const RATE = intEnv('BENCH_RATE', 1_000);
const RATE_ROUNDS = intEnv('BENCH_RATE_ROUNDS', 2);
const RATE_ROUND_MS = intEnv('BENCH_RATE_ROUND_MS', 2_500);
const CONVERSATIONS = intEnv('BENCH_CONVERSATIONS', 2_000);
const SOAK = process.env.BENCH_SOAK ?? '1';
const SOAK_ROUNDS = intEnv('BENCH_SOAK_ROUNDS', 5);
const SOAK_MESSAGES = intEnv('BENCH_SOAK_MESSAGES', 20_000);
const SOAK_MAX_MS = intEnv('BENCH_SOAK_MAX_MS', 75_000);
const SOAK_QUIET_SECONDS = process.env.BENCH_SOAK_QUIET_SECONDS ?? '1';
const SOAK_MAX_WAIT_SECONDS = process.env.BENCH_SOAK_MAX_WAIT_SECONDS ?? '3';
const SOAK_LOG_LEVEL = process.env.BENCH_SOAK_LOG_LEVEL ?? 'info';
const SOAK_LOG_BYTES_PER_S = intEnv('BENCH_SOAK_LOG_BYTES_PER_S', 1_000_000);
/** The throughput phases' log level (silent: the bare route logs nothing either; `info` is production's). */
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'silent';
const SOAK_TARGET = 1.15;
const REQUEST_TIMEOUT_MS = 10_000;
const WATCHDOG_MS = 240_000;
const PASSKEY = 'BENCH_PASSKEY_not_a_secret';
const EXPECTED_BODY = JSON.stringify({ ai_response: 'Gathering questions for the assistant' });

type Mode = 'bare' | 'durable';
const MODES: Mode[] = ['bare', 'durable'];

// ---------------------------------------------------------------------------------------------------------
// Request bodies: a WATI standard "message" event, as in test/fixtures/payloads/wati_event_text.json.

function bodyFactory(runTag: string): (i: number) => string {
  const template = JSON.stringify({
    id: '@@ID@@', // WATI's own message id: also a dedupe key (an alias of whatsappMessageId), so distinct too
    created: '2026-11-20T15:40:01.123Z',
    whatsappMessageId: '@@MID@@',
    conversationId: '6650a1b2c3d4e5f6000000aa',
    ticketId: '6650a1b2c3d4e5f6000000bb',
    text: '@@TEXT@@',
    type: 'text',
    data: null,
    sourceId: null,
    sourceUrl: null,
    timestamp: '1763653201',
    owner: false,
    eventType: 'message',
    statusString: 'SENT',
    avatarUrl: null,
    assignedId: null,
    operatorName: null,
    operatorEmail: null,
    waId: '@@WAID@@',
    messageContact: null,
    senderName: 'Huésped Benchmark',
    listReply: null,
    interactiveButtonReply: null,
    buttonReply: null,
    replyContextId: null,
    sourceType: 0,
    frequentlyForwarded: false,
    forwarded: false,
    passkey: PASSKEY,
  });
  const [pre, rest0] = split2(template, '"@@ID@@"');
  const [a, rest1] = split2(rest0, '"@@MID@@"');
  const [b, rest2] = split2(rest1, '@@TEXT@@');
  const [c, d] = split2(rest2, '"@@WAID@@"');
  return (i) => {
    const waId = `50370${String(i % CONVERSATIONS).padStart(6, '0')}`;
    return `${pre}"${runTag}${i.toString(16).padStart(16, '0')}"${a}"wamid.BENCH.${runTag}.${i}"${b}Hola, ¿tienen disponibilidad para el sábado? (mensaje ${i})${c}"${waId}"${d}`;
  };
}

function split2(s: string, marker: string): [string, string] {
  const at = s.indexOf(marker);
  if (at < 0) throw new Error(`template marker ${marker} missing`);
  return [s.slice(0, at), s.slice(at + marker.length)];
}

// ---------------------------------------------------------------------------------------------------------
// Child servers.

interface Tally {
  ok: number; // 200 with the expected body
  bad: number; // any other status or body
  errors: number; // network errors / timeouts
  firstProblem?: string;
}

interface Server {
  mode: Mode;
  url: string;
  /** Keep-alive connections reused by every phase against this server. */
  pool: Pool;
  makeBody: () => string;
  tally: Tally;
  /** Bytes of stdout read so far, and the log lines the server reported dropping. */
  log: { bytes: number; droppedLines: number };
  stop(): Promise<number | null>;
}

const liveChildren = new Set<ChildProcess>();

interface StartOptions {
  nodeArgs?: string[];
  /** Read the child's stdout (its log) at most this fast, like a busy journald or a slow terminal. */
  stdoutBytesPerSecond?: number;
}

async function startServer(mode: Mode, env: Record<string, string>, opts: StartOptions = {}): Promise<Server> {
  const nodeArgs = [...(opts.nodeArgs ?? []), '--import', 'tsx'];
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  if (profDir) {
    // One file per thread (the tsx loader runs in its own); the main thread's is the largest.
    mkdirSync(resolve(profDir, mode), { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', resolve(profDir, mode));
  }
  const child = spawn(process.execPath, [...nodeArgs, SERVER_SCRIPT, mode], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'silent', WEBHOOK_PASSKEY: PASSKEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveChildren.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
    if (stderr.length > 20_000) stderr = stderr.slice(-20_000);
  });
  const exited = new Promise<number | null>((resolveExit) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolveExit(code ?? (signal ? -1 : null));
    });
  });

  const log = { bytes: 0, droppedLines: 0 };
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    let listening = false;
    let windowStart = performance.now();
    let windowBytes = 0;
    const timer = setTimeout(() => reject(new Error(`${mode} server did not start within 20 s\n${stderr}`)), 20_000);
    const stdout = child.stdout;
    stdout?.setEncoding('utf8');
    stdout?.on('data', (chunk: string) => {
      out += chunk;
      log.bytes += Buffer.byteLength(chunk);
      if (!listening) {
        const m = /LISTENING (\S+)/.exec(out);
        if (m?.[1]) {
          listening = true;
          clearTimeout(timer);
          resolveUrl(m[1]);
        }
      }
      // The server's own count of log lines it could not write (src/core/logger.ts), from complete lines only.
      const lastNewline = out.lastIndexOf('\n');
      if (lastNewline >= 0) {
        for (const m of out.slice(0, lastNewline).matchAll(/"droppedLines":(\d+)/g)) log.droppedLines += Number(m[1]);
        out = out.slice(lastNewline + 1);
      }
      if (out.length > 65_536) out = out.slice(-4_096);
      const limit = opts.stdoutBytesPerSecond;
      if (limit && listening) {
        const now = performance.now();
        if (now - windowStart >= 100) {
          windowStart = now;
          windowBytes = 0;
        }
        windowBytes += Buffer.byteLength(chunk);
        if (windowBytes >= limit / 10) {
          stdout?.pause();
          setTimeout(() => stdout?.resume(), Math.max(0, windowStart + 100 - now));
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${mode} server exited (${String(code)}) before listening\n${stderr}`));
    });
  });

  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
  const makeRaw = bodyFactory(randomBytes(4).toString('hex'));
  let counter = 0;
  return {
    mode,
    url,
    pool,
    makeBody: () => makeRaw(counter++),
    tally: { ok: 0, bad: 0, errors: 0 },
    log,
    async stop() {
      await pool.close();
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      if (code !== 0) process.stderr.write(`${mode} server exited with ${String(code)}\n${stderr}\n`);
      return code;
    },
  };
}

interface ServerStats {
  cpuMicros: number;
  /** The event loop's thread alone (null where the platform does not say). */
  mainThreadCpuMicros: number | null;
  /** The server's event-loop delay since the previous call (monitorEventLoopDelay, 1 ms resolution). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

async function serverStats(server: Server): Promise<ServerStats> {
  const res = await server.pool.request({ path: '/__bench/stats', method: 'GET' });
  return (await res.body.json()) as ServerStats;
}

// ---------------------------------------------------------------------------------------------------------
// Load generation.

async function send(server: Server): Promise<boolean> {
  const { tally } = server;
  try {
    const res = await server.pool.request({
      path: '/webhook',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: server.makeBody(),
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    const text = await res.body.text();
    if (res.statusCode === 200 && text === EXPECTED_BODY) {
      tally.ok++;
      return true;
    }
    tally.bad++;
    tally.firstProblem ??= `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
    return false;
  } catch (err) {
    tally.errors++;
    tally.firstProblem ??= `request failed: ${err instanceof Error ? err.message : String(err)}`;
    return false;
  }
}

interface ClosedRound {
  ok: number;
  throughput: number;
  latenciesMs: number[];
  cpuMicros: number;
  mainCpuMicros: number;
}

/** CONNECTIONS workers send back to back for durationMs; only 200s that start and end inside count. */
async function closedLoop(server: Server, durationMs: number): Promise<ClosedRound> {
  const before = await serverStats(server);
  const latencies: number[] = [];
  const end = performance.now() + durationMs;
  const worker = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      const ok = await send(server);
      const t1 = performance.now();
      if (ok && t1 <= end) latencies.push(t1 - t0);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const after = await serverStats(server);
  return {
    ok: latencies.length,
    throughput: latencies.length / (durationMs / 1000),
    latenciesMs: latencies,
    cpuMicros: after.cpuMicros - before.cpuMicros,
    mainCpuMicros: (after.mainThreadCpuMicros ?? NaN) - (before.mainThreadCpuMicros ?? NaN),
  };
}

interface OpenRound {
  sent: number;
  ok: number;
  latenciesMs: number[];
  sendLagsMs: number[];
  achievedRate: number;
  cpuMicros: number;
  mainCpuMicros: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** Sends at a fixed rate whatever the answers do; latency is measured from each request's scheduled time. */
async function openLoop(server: Server, durationMs: number): Promise<OpenRound> {
  const total = Math.round((RATE * durationMs) / 1000);
  const intervalMs = 1000 / RATE;
  const latencies: number[] = [];
  const sendLags: number[] = [];
  const inFlight: Promise<void>[] = [];
  const before = await serverStats(server); // also resets the server's loop-delay histogram
  const t0 = performance.now() + 2;
  let next = 0;
  let ok = 0;

  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && t0 + next * intervalMs <= now) {
        const scheduledAt = t0 + next++ * intervalMs;
        sendLags.push(now - scheduledAt);
        inFlight.push(
          send(server).then((sent) => {
            if (!sent) return;
            ok++;
            latencies.push(performance.now() - scheduledAt);
          }),
        );
      }
      if (next < total) setTimeout(tick, Math.max(0, Math.min(1, t0 + next * intervalMs - performance.now())));
      else done();
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - t0) / 1000;
  const after = await serverStats(server);
  return {
    sent: total,
    ok,
    latenciesMs: latencies,
    sendLagsMs: sendLags,
    achievedRate: ok / elapsedS,
    cpuMicros: after.cpuMicros - before.cpuMicros,
    mainCpuMicros: (after.mainThreadCpuMicros ?? NaN) - (before.mainThreadCpuMicros ?? NaN),
    loopDelayP99Ms: after.loopDelayP99Ms,
    loopDelayMaxMs: after.loopDelayMaxMs,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Statistics and output.

interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] as number;
}

function summarize(values: number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN };
}

function median(values: number[]): number {
  return percentile(Float64Array.from(values).sort(), 0.5);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const pad = (s: string, w: number) => s.padStart(w);

interface Results {
  closed: Record<Mode, ClosedRound[]>;
  open: Record<Mode, OpenRound[]>;
}

function printReport(r: Results, durableOk: number, rows: number, dedupeRows: number): void {
  const line1 =
    `${'server'.padEnd(9)}${pad('req/s (median)', 15)}${pad('range', 14)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('CPU µs/req', 11)}${pad('loop µs', 9)}  │` +
    `${pad('ok/sent', 12)}${pad('req/s', 7)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('max ms', 8)}${pad('CPU µs/req', 11)}${pad('loop µs', 9)}`;
  const split = line1.indexOf('│');
  console.log('');
  console.log(
    `${'── max throughput, closed loop '.padEnd(split, '─')} ${`── ${RATE} req/s open loop, from scheduled send `.padEnd(line1.length - split - 1, '─')}`,
  );
  console.log(line1);
  console.log('─'.repeat(line1.length));
  for (const mode of MODES) {
    const closed = r.closed[mode];
    const open = r.open[mode];
    const tps = closed.map((c) => c.throughput);
    const cl = summarize(closed.flatMap((c) => c.latenciesMs));
    const ol = summarize(open.flatMap((o) => o.latenciesMs));
    const okOpen = sum(open.map((o) => o.ok));
    console.log(
      `${mode.padEnd(9)}${pad(fmt(median(tps), 0), 15)}${pad(`${fmt(Math.min(...tps), 0)}–${fmt(Math.max(...tps), 0)}`, 14)}` +
        `${pad(fmt(cl.p50, 2), 8)}${pad(fmt(cl.p99, 2), 8)}${pad(fmt(sum(closed.map((c) => c.cpuMicros)) / sum(closed.map((c) => c.ok)), 0), 11)}` +
        `${pad(fmt(sum(closed.map((c) => c.mainCpuMicros)) / sum(closed.map((c) => c.ok)), 0), 9)}  │` +
        `${pad(`${okOpen}/${sum(open.map((o) => o.sent))}`, 12)}${pad(fmt(median(open.map((o) => o.achievedRate)), 0), 7)}` +
        `${pad(fmt(ol.p50, 2), 8)}${pad(fmt(ol.p99, 2), 8)}${pad(fmt(ol.max, 1), 8)}${pad(fmt(sum(open.map((o) => o.cpuMicros)) / okOpen, 0), 11)}` +
        `${pad(fmt(sum(open.map((o) => o.mainCpuMicros)) / okOpen, 0), 9)}`,
    );
  }
  console.log('');
  const ratios = r.closed.durable.map((d, i) => d.throughput / (r.closed.bare[i]?.throughput ?? NaN));
  const ratio = median(ratios);
  const p99 = summarize(r.open.durable.flatMap((o) => o.latenciesMs)).p99;
  console.log(
    `durable/bare throughput = ${fmt(ratio, 2)} (target ≥ 0.50)  ${ratio >= 0.5 ? 'PASS' : 'FAIL'}` +
      `   [median of ${ratios.length} paired rounds: ${ratios.map((x) => fmt(x, 2)).join(', ')}]`,
  );
  console.log(`durable p99 at ${RATE} rps = ${fmt(p99, 1)} ms (target < 10 ms)  ${p99 < 10 ? 'PASS' : 'FAIL'}`);
  const lag = (mode: Mode) => summarize(r.open[mode].flatMap((o) => o.sendLagsMs));
  const loop = (mode: Mode) =>
    `p99 ${fmt(Math.max(...r.open[mode].map((o) => o.loopDelayP99Ms)), 1)} / max ${fmt(Math.max(...r.open[mode].map((o) => o.loopDelayMaxMs)), 1)} ms`;
  console.log(
    `  generator send lag at ${RATE} rps (included above): bare p99 ${fmt(lag('bare').p99, 1)} / max ${fmt(lag('bare').max, 1)} ms, ` +
      `durable p99 ${fmt(lag('durable').p99, 1)} / max ${fmt(lag('durable').max, 1)} ms`,
  );
  console.log('  CPU µs/req: the server process (all threads); loop µs: its main thread alone (the event loop)');
  console.log(`  server event-loop delay at ${RATE} rps: bare ${loop('bare')}, durable ${loop('durable')}`);
  console.log(`  load average (1/5/15 min) at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}; other processes on the machine skew results`);
  console.log(
    `correctness: durable answered 200 to ${durableOk} distinct messages; inbound_messages holds ${rows} rows ` +
      `(${dedupeRows} dedupe keys)  ${rows === durableOk ? 'OK' : 'MISMATCH'}`,
  );
}


// ---------------------------------------------------------------------------------------------------------
// Soak: memory under sustained load, messages kept pending.

interface MemoryUsage {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

interface SoakRound {
  round: number;
  ok: number;
  seconds: number;
  before: MemoryUsage;
  after: MemoryUsage;
  dbBytes: number;
}

async function serverMemory(server: Server): Promise<{ before: MemoryUsage; after: MemoryUsage; collected: boolean }> {
  const res = await server.pool.request({ path: '/__bench/memory', method: 'GET' });
  return (await res.body.json()) as { before: MemoryUsage; after: MemoryUsage; collected: boolean };
}

/** CONNECTIONS workers send `count` requests back to back; resolves with the number of 200s. */
async function sendCount(server: Server, count: number): Promise<number> {
  let left = count;
  let ok = 0;
  const worker = async () => {
    while (left > 0) {
      left--;
      if (await send(server)) ok++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return ok;
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);

async function soak(dbPath: string, problems: string[]): Promise<void> {
  console.log(
    `\n── soak: ${SOAK_ROUNDS} rounds × ${SOAK_MESSAGES} webhooks over ${CONVERSATIONS} conversations, no turn can run ` +
      `(debounce ${SOAK_QUIET_SECONDS} s quiet / ${SOAK_MAX_WAIT_SECONDS} s max wait, so conversations are postponed during the load); ` +
      `log level ${SOAK_LOG_LEVEL}, its stdout read at ≤ ${mb(SOAK_LOG_BYTES_PER_S)} MB/s ──`,
  );
  const server = await startServer(
    'durable',
    {
      CONVERSATION_DB_PATH: dbPath,
      BUFFER_QUIET_SECONDS: SOAK_QUIET_SECONDS,
      BUFFER_MAX_WAIT_SECONDS: SOAK_MAX_WAIT_SECONDS,
      LOG_LEVEL: SOAK_LOG_LEVEL,
    },
    { nodeArgs: ['--expose-gc'], stdoutBytesPerSecond: SOAK_LOG_BYTES_PER_S },
  );
  const rounds: SoakRound[] = [];
  let stoppedEarly = false;
  try {
    const start = await serverMemory(server);
    if (!start.collected) problems.push('soak: the server has no gc() (--expose-gc missing)');
    console.log(`${'round'.padEnd(7)}${pad('ok', 8)}${pad('s', 6)}${pad('req/s', 7)}${pad('RSS MB', 9)}${pad('heapUsed', 10)}${pad('external', 10)}${pad('RSS before GC', 15)}${pad('db+wal MB', 11)}`);
    const line = (r: Omit<SoakRound, 'round'> & { round: string }) =>
      console.log(
        `${r.round.padEnd(7)}${pad(String(r.ok), 8)}${pad(fmt(r.seconds, 1), 6)}${pad(r.seconds > 0 ? fmt(r.ok / r.seconds, 0) : '', 7)}` +
          `${pad(mb(r.after.rss), 9)}${pad(mb(r.after.heapUsed), 10)}${pad(mb(r.after.external), 10)}${pad(mb(r.before.rss), 15)}${pad(mb(r.dbBytes), 11)}`,
      );
    line({ round: 'start', ok: 0, seconds: 0, ...start, dbBytes: fileBytes(dbPath) + fileBytes(`${dbPath}-wal`) });
    const soakStarted = performance.now();
    for (let round = 1; round <= SOAK_ROUNDS; round++) {
      const t0 = performance.now();
      const ok = await sendCount(server, SOAK_MESSAGES);
      const seconds = (performance.now() - t0) / 1000;
      const memory = await serverMemory(server);
      const r: SoakRound = { round, ok, seconds, before: memory.before, after: memory.after, dbBytes: fileBytes(dbPath) + fileBytes(`${dbPath}-wal`) };
      rounds.push(r);
      line({ ...r, round: String(round) });
      if (round < SOAK_ROUNDS && performance.now() - soakStarted > SOAK_MAX_MS) {
        stoppedEarly = true;
        console.log(`  soak stopped after round ${round}: past BENCH_SOAK_MAX_MS (${SOAK_MAX_MS} ms)`);
        break;
      }
    }
  } finally {
    const code = await server.stop();
    if (code !== 0) problems.push(`soak server exited with code ${String(code)}`);
  }
  const t = server.tally;
  if (t.bad + t.errors > 0) problems.push(`soak: ${t.bad} unexpected answers, ${t.errors} failed requests (first: ${t.firstProblem ?? '?'})`);
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  let pending: number;
  try {
    pending = (db.prepare(`SELECT COUNT(*) AS n FROM inbound_messages WHERE status = 'pending'`).get() as { n: number }).n;
  } finally {
    db.close();
  }
  console.log(`correctness: the soak server answered 200 to ${t.ok} messages; ${pending} are pending in the database  ${pending === t.ok ? 'OK' : 'MISMATCH'}`);
  if (pending !== t.ok) problems.push(`soak: ${pending} pending rows but ${t.ok} messages were acknowledged`);

  console.log(
    `log: ${mb(server.log.bytes)} MB read from the server's stdout; the server reported ${server.log.droppedLines} log lines dropped ` +
      `(reports come ≥ 10 s after the drops, so the last ones may be missing)`,
  );
  const second = rounds[1];
  const last = rounds[rounds.length - 1];
  if (!second || !last) {
    console.log('soak: fewer than 2 rounds, no ratio');
    return;
  }
  const rssRatio = last.after.rss / second.after.rss;
  const heapRatio = last.after.heapUsed / second.after.heapUsed;
  console.log(
    `soak RSS after round ${last.round} / after round 2 = ${fmt(rssRatio, 2)} (target ≤ ${SOAK_TARGET})  ${rssRatio <= SOAK_TARGET ? 'target met' : 'target not met'}` +
      `${stoppedEarly ? ' [stopped early]' : ''}; heapUsed ratio ${fmt(heapRatio, 2)}; ` +
      `RSS before GC ranged ${mb(Math.min(...rounds.map((r) => r.before.rss)))}–${mb(Math.max(...rounds.map((r) => r.before.rss)))} MB`,
  );
}

// ---------------------------------------------------------------------------------------------------------

async function throughputPhases(dbPath: string, problems: string[]): Promise<void> {
  const servers: Partial<Record<Mode, Server>> = {};
  servers.bare = await startServer('bare', {});
  servers.durable = await startServer('durable', { CONVERSATION_DB_PATH: dbPath, LOG_LEVEL });
  const s = servers as Record<Mode, Server>;
  const results: Results = { closed: { bare: [], durable: [] }, open: { bare: [], durable: [] } };

  process.stdout.write('  warm-up…');
  for (const mode of MODES) await closedLoop(s[mode], WARMUP_MS);
  process.stdout.write(' closed loop:');
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of MODES) {
      const res = await closedLoop(s[mode], ROUND_MS);
      results.closed[mode].push(res);
      process.stdout.write(` ${mode} ${fmt(res.throughput, 0)}/s`);
    }
  }
  process.stdout.write(`; at ${RATE} req/s:`);
  for (let round = 1; round <= RATE_ROUNDS; round++) {
    for (const mode of MODES) {
      await new Promise((r) => setTimeout(r, 200));
      const res = await openLoop(s[mode], RATE_ROUND_MS);
      results.open[mode].push(res);
      process.stdout.write(` ${mode} p99 ${fmt(summarize(res.latenciesMs).p99, 1)} ms`);
    }
  }
  process.stdout.write('\n');

  for (const mode of MODES) {
    const code = await s[mode].stop();
    if (code !== 0) problems.push(`${mode} server exited with code ${String(code)}`);
    const t = s[mode].tally;
    if (t.bad + t.errors > 0) problems.push(`${mode}: ${t.bad} unexpected answers, ${t.errors} failed requests (first: ${t.firstProblem ?? '?'})`);
  }
  // The durable child has closed its database: count what it committed.
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  let rows: number;
  let dedupeRows: number;
  try {
    rows = (db.prepare('SELECT COUNT(*) AS n FROM inbound_messages').get() as { n: number }).n;
    dedupeRows = (db.prepare('SELECT COUNT(*) AS n FROM inbound_dedupe').get() as { n: number }).n;
  } finally {
    db.close();
  }
  const durableOk = s.durable.tally.ok;
  printReport(results, durableOk, rows, dedupeRows);
  if (rows !== durableOk) problems.push(`inbound_messages has ${rows} rows but ${durableOk} messages were acknowledged`);
}

async function main(): Promise<number> {
  const watchdog = setTimeout(() => {
    process.stderr.write(`ingest bench: watchdog fired after ${WATCHDOG_MS / 1000} s; stopping\n`);
    for (const c of liveChildren) c.kill('SIGKILL');
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();

  const dir = mkdtempSync(join(tmpdir(), 'watibot3-bench-'));
  const dbPath = join(dir, 'watibot3.db');
  const soakDbPath = join(dir, 'watibot3-soak.db');
  console.log(
    `Ingest benchmark, POST /webhook: ${cpus().length} CPUs, node ${process.version}; ${CONNECTIONS} connections (pipelining 1); ` +
      `warm-up ${WARMUP_MS} ms, then ${ROUNDS}×${ROUND_MS} ms closed loop and ${RATE_ROUNDS}×${RATE_ROUND_MS} ms at ${RATE} req/s per server, ` +
      `alternating bare/durable; ${CONVERSATIONS} conversations`,
  );
  const problems: string[] = [];
  try {
    if (SOAK !== 'only') await throughputPhases(dbPath, problems);
    if (SOAK !== '0') await soak(soakDbPath, problems);
    for (const p of problems) console.error(`PROBLEM: ${p}`);
    return problems.length > 0 ? 1 : 0;
  } finally {
    for (const c of liveChildren) c.kill('SIGKILL');
    if (process.env.BENCH_KEEP_DB === '1') console.log(`databases kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`ingest bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    for (const c of liveChildren) c.kill('SIGKILL');
    process.exit(1);
  },
);
