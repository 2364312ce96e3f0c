#!/usr/bin/env node
// `watibot3 <command> [options]`: the staff's name for the service and its commands (package.json "bin").
// Compiles dist/ first when it is missing or older than src/ (scripts/build-if-stale.mjs), then runs the
// command's compiled module in this same process, so signals and exit codes are the command's own (Ctrl-C
// during migrate-legacy exits 75 here as with `node dist/cli/migrate-legacy.js`).
import { join } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { buildIfStale, PROJECT_ROOT } from '../scripts/build-if-stale.mjs';

/** Command → its module under dist/ and the arguments put before the user's. */
const COMMANDS = {
  start: { module: 'server.js', args: [], about: 'start the server (webhooks, /ready, /metrics)' },
  migrate: { module: 'server.js', args: ['--migrate'], about: "bring the database to this version's schema and exit" },
  chat: { module: 'cli/chat.js', args: [], about: 'a terminal chat with the real agent (try new instructions)' },
  report: { module: 'cli/report.js', args: [], about: 'the operations report of a period' },
  compare: { module: 'cli/compare.js', args: [], about: 'two model configurations replayed on recorded turns' },
  'migrate-legacy': { module: 'cli/migrate-legacy.js', args: [], about: "import the Python service's files" },
  'export-pending': { module: 'cli/export-pending.js', args: [], about: 'the guest messages of a window (rollback)' },
  build: { module: undefined, args: [], about: 'compile src/ into dist/ (done by itself when sources changed)' },
};

function usage() {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'usage: watibot3 <command> [options]   (watibot3 <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.about}`),
    '',
  ].join('\n');
}

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
  process.stdout.write(usage());
  process.exit(name === undefined ? 64 : 0);
}
const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
if (!command) {
  process.stderr.write(`watibot3: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
  process.exit(64); // EX_USAGE
}

try {
  buildIfStale(PROJECT_ROOT, { force: name === 'build' });
} catch (err) {
  process.stderr.write(`watibot3: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
if (command.module !== undefined) {
  const file = join(PROJECT_ROOT, 'dist', command.module);
  // The commands run their main when argv[1] is their own file (as with `node dist/cli/<command>.js`).
  process.argv = [process.argv[0], file, ...command.args, ...rest];
  await import(pathToFileURL(file).href);
}
