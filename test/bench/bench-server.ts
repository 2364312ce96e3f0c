// Child process for the ingest benchmark: one server under test per process, so the load generator in the
// parent does not share its event loop. Run with `node --import tsx test/bench/bench-server.ts <mode>`.
//   durable — the real app (buildApp) on a fresh SQLite database given by CONVERSATION_DB_PATH. WATI and the
//             LLM are left unconfigured and the agent reports not ready, so no turn ever runs: the
//             measurement is validation + durable commit + debounce scheduling only.
//   bare    — a bare Fastify app whose POST /webhook returns the same JSON body without doing anything.
// Both also answer GET /__bench/stats with this process's CPU time and its event-loop delay since the last
// call (p99/max, ms), so the parent can compute CPU per request and see how long the loop was blocked; and
// the main thread's own CPU time (the event loop, without helper threads such as the WAL checkpointer).
// GET /__bench/memory answers process.memoryUsage() before and after a full GC (run with --expose-gc).
// Knobs (env): BUFFER_QUIET_SECONDS / BUFFER_MEDIA_QUIET_SECONDS / BUFFER_MAX_WAIT_SECONDS shorten the debounce
// (durable); BENCH_REAL_AGENT=1 uses the real OpenAI agent (unconfigured, so not ready) instead of the idle
// one; BENCH_APP=dist runs the compiled app from dist/ (build first); BENCH_SNAPSHOT_DIR=<dir> enables
// POST /__bench/heapsnapshot.
// Prints "LISTENING <url>" once ready; on SIGTERM closes the app (the database is closed cleanly) and exits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Agent } from '../../src/agent/types.js';
import type * as AppModule from '../../src/app.js';
import type * as ConfigModule from '../../src/config.js';

const WEBHOOK_REPLY = { ai_response: 'Gathering questions for the assistant' };

const mode = process.argv[2];

async function build(): Promise<FastifyInstance> {
  if (mode === 'bare') {
    const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
    app.post('/webhook', async () => WEBHOOK_REPLY);
    return app;
  }
  if (mode === 'durable') {
    // BENCH_APP=dist runs the compiled app (what `npm start` runs: `npm run build` first) instead of src/ through tsx.
    const from = process.env.BENCH_APP === 'dist' ? '../../dist' : '../../src';
    const { buildApp } = (await import(`${from}/app.js`)) as typeof AppModule;
    const { loadConfig } = (await import(`${from}/config.js`)) as typeof ConfigModule;
    const dbPath = process.env.CONVERSATION_DB_PATH;
    if (!dbPath) throw new Error('CONVERSATION_DB_PATH is required in durable mode');
    // Production defaults for everything else (buffer timing included); no WATI/ManyChat/OpenAI credentials.
    const config = loadConfig({
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      CONVERSATION_DB_PATH: dbPath,
      WEBHOOK_PASSKEY: process.env.WEBHOOK_PASSKEY,
      // Debounce timing may be shortened (soak phase) so the timers fire while the load runs.
      BUFFER_QUIET_SECONDS: process.env.BUFFER_QUIET_SECONDS,
      BUFFER_MEDIA_QUIET_SECONDS: process.env.BUFFER_MEDIA_QUIET_SECONDS,
      BUFFER_MAX_WAIT_SECONDS: process.env.BUFFER_MAX_WAIT_SECONDS,
    });
    const idleAgent: Agent = {
      readiness: () => ({ ready: false, reasons: ['benchmark: ingest only'] }),
      respond: () => Promise.reject(new Error('the ingest benchmark never runs turns')),
    };
    return buildApp({ config, ...(process.env.BENCH_REAL_AGENT ? {} : { agent: idleAgent }), shutdownGraceMs: 1_000 });
  }
  throw new Error(`usage: bench-server.ts durable|bare (got ${String(mode)})`);
}

const app = await build();
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
/** CPU time of the main thread alone (the event loop), from the kernel's scheduler statistics; Linux only. */
function mainThreadCpuMicros(): number | null {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    return null;
  }
}

app.get('/__bench/stats', async () => {
  const { user, system } = process.cpuUsage();
  const stats = {
    cpuMicros: user + system,
    mainThreadCpuMicros: mainThreadCpuMicros(),
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
  };
  loopDelay.reset();
  return stats;
});
// Memory as the OS sees it now (`before`), then after full collections when the process runs with --expose-gc
// (`after`: what is still referenced, plus what V8 and the allocators keep mapped).
app.get('/__bench/memory', async () => {
  const before = process.memoryUsage();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return { before, after: process.memoryUsage(), collected: Boolean(gc) };
});
// Diagnosis only: with BENCH_SNAPSHOT_DIR set, POST /__bench/heapsnapshot writes a heap snapshot there.
const snapshotDir = process.env.BENCH_SNAPSHOT_DIR;
if (snapshotDir) {
  app.post('/__bench/heapsnapshot', async () => ({ path: writeHeapSnapshot(join(snapshotDir, `${Date.now()}.heapsnapshot`)) }));
}
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`LISTENING ${url}\n`);

let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  app.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench-server: close failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
