// `npm run bench`: runs every test/bench/*-bench.ts one after another (each in its own
// `node --import tsx` process, output streamed), then exits non-zero if any of them did.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..', '..');

function runScript(file: string): Promise<number> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const done = (code: number) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolveRun(code);
    };
    child.once('error', (err) => {
      console.error(`could not start ${file}: ${err.message}`);
      done(1);
    });
    child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const scripts = readdirSync(BENCH_DIR)
    .filter((name) => name.endsWith('-bench.ts'))
    .sort()
    .map((name) => join(BENCH_DIR, name));
  if (scripts.length === 0) {
    console.error(`no *-bench.ts scripts in ${relative(ROOT, BENCH_DIR)}`);
    return 1;
  }
  const results: { script: string; code: number; seconds: number }[] = [];
  for (const script of scripts) {
    const name = relative(ROOT, script);
    console.log(`\n▶ ${name}`);
    const started = Date.now();
    const code = await runScript(script);
    results.push({ script: name, code, seconds: (Date.now() - started) / 1000 });
  }
  console.log('\nbench summary:');
  for (const r of results) console.log(`  ${r.code === 0 ? 'ok    ' : 'FAILED'} ${r.script} (${r.seconds.toFixed(1)} s${r.code === 0 ? '' : `, exit ${r.code}`})`);
  return results.some((r) => r.code !== 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench runner failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
