#!/usr/bin/env node
// Compiles src/ into dist/ only when dist/ is missing or older than its sources, so `npm start` and every
// command start at once on an unchanged checkout (a full `tsc` takes 15–40 s). Run by the npm scripts and by
// bin/watibot3.mjs before they start anything; `--force` always compiles (`npm run build`).
// Stale means: no dist/.build-stamp, no dist/server.js, or a file or folder under src/ (a folder's time
// changes when a file in it is added, removed or renamed), tsconfig.json or package-lock.json modified after
// the stamp, which is dated when its build started, so an edit made during a build is compiled next time.
// Messages go to stderr: `npm run -s report -- --json` keeps stdout for the report.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';

const STAMP = join('dist', '.build-stamp');
const INPUT_FILES = ['tsconfig.json', 'package-lock.json'];

/** The latest modification time (ms) of src/ (files and folders) and the build's input files. */
export function newestInputMtimeMs(root) {
  let newest = 0;
  const walk = (dir) => {
    newest = Math.max(newest, statSync(dir).mtimeMs);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(root, 'src'));
  for (const file of INPUT_FILES) {
    const path = join(root, file);
    if (existsSync(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Why dist/ must be compiled again, or undefined when it is up to date. */
export function staleReason(root) {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp) || !existsSync(join(root, 'dist', 'server.js'))) return 'dist/ has not been built';
  return newestInputMtimeMs(root) > statSync(stamp).mtimeMs ? 'src/ changed since the last build' : undefined;
}

/**
 * Compiles when stale (or always with `force`); returns 'fresh' (nothing done) or 'built'. Throws when the
 * compiler is missing (a production install pruned of devDependencies) or the build fails.
 */
export function buildIfStale(root, { force = false, write = (line) => process.stderr.write(line) } = {}) {
  const reason = force ? 'build requested' : staleReason(root);
  if (reason === undefined) return 'fresh';
  let tsc;
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    throw new Error(`${reason}, and the TypeScript compiler is not installed (devDependencies pruned?): run \`npm ci && npm run build\``);
  }
  write(`watibot3: ${reason}; compiling src/ into dist/ (tsc -p tsconfig.json)…\n`);
  const startedSeconds = Date.now() / 1000;
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
  if (result.error) throw new Error(`could not run the TypeScript compiler: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`the TypeScript build failed (exit ${result.status ?? result.signal}); dist/ was not updated`);
  const stamp = join(root, STAMP);
  writeFileSync(stamp, 'dist/ was compiled from src/ at this file\'s modification time (scripts/build-if-stale.mjs)\n');
  utimesSync(stamp, startedSeconds, startedSeconds);
  return 'built';
}

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    buildIfStale(PROJECT_ROOT, { force: process.argv.includes('--force') });
  } catch (err) {
    process.stderr.write(`watibot3: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
