// `npm run compare`: replays recorded guest turns through two model configurations, offline from production —
// the database read-only (openReadonlyDatabase), nothing written, no message sent, tools in dry-run mode
// (src/compare/dry-run-tools.ts) — and reports both sides per turn and in total, as a table, `--json` or a
// side-by-side `--html` page. Reads the server's configuration (`.env`, loadConfig) for the backends the read
// tools use and for each side's defaults.
//
//   npm run compare -- --last 20 --b 'model=gpt-5-mini'
//   npm run compare -- --sample 50 --seed 7 --a 'model=gpt-5' --b '{"model":"gemini-2.5-pro","api":"chat_completions",
//     "baseUrl":"https://generativelanguage.googleapis.com/v1beta/openai","apiKeyEnv":"GEMINI_API_KEY"}' --max-cost 2 --html cmp.html
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { config as loadDotenv } from 'dotenv';
import pino from 'pino';
import { systemClock } from '../core/clock.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { useLogMaskKey } from '../core/conversation-id.js';
import { loggerOptions } from '../core/logger.js';
import { DEFAULT_RESOURCES_DIR } from '../core/resources.js';
import { formatHtml, formatJson, formatText } from '../compare/format.js';
import type { CompareDeps } from '../compare/runner.js';
import { SelectionError, selectTurns } from '../compare/selection.js';
import { parseSideSpec, resolveSide, SideSpecError } from '../compare/side-spec.js';
import { CompareRepository } from '../store/compare-repository.js';
import { DatabaseNotReadyError, openReadonlyDatabase } from '../store/database.js';
import type { ToolDefinition } from '../tools/types.js';
import { EX_USAGE, EX_NOINPUT, EX_CONFIG, parseCliArgs } from './cli-args.js';

const USAGE = `Usage: npm run compare -- [which turns] [--a SPEC] [--b SPEC] [options]

Which turns (recorded guest turns of CONVERSATION_DB_PATH, replayed against the history each one had):
  --conversations <id,id>  every guest turn of these conversations (narrowed by --last / --sample)
  --last <N>               the N newest guest turns
  --sample <N>             N guest turns drawn at random; --seed <n> (default 1) draws the same ones again

The two sides, each a JSON object or key=value,… over the server's configuration (OPENAI_MODEL, LLM_API, …):
  --a, --b <spec>          model, api (responses|chat_completions), baseUrl, reasoningEffort (effort),
                           instructions (a file), apiKeyEnv (the variable holding its key; default
                           OPENAI_API_KEY), label. Default: the server's configuration.

Options:
  --concurrency <N>        turns replayed at a time (default 2)
  --max-cost <US$>         start no new turn once the estimated spend reaches this
  --json                   print one JSON document instead of the table
  --html <file>            also write a side-by-side HTML page
  --db <path>              the database to read (default CONVERSATION_DB_PATH)
  -h, --help               this text

Nothing is written to the database and nothing is sent: tools with side effects (bookings, payment
follow-ups, portal syncs, payment links, e-mail, staff alerts, handoff, pictures and menus) are not executed
and answer the original turn's output for the same call, or a neutral "simulated" output.
`;


export interface CompareCliIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Tests: replaces the assembled tools (given them, returns the list to offer). */
  tools?: ((assembled: ToolDefinition[]) => ToolDefinition[]) | undefined;
  clientFor?: CompareDeps['clientFor'];
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new SelectionError(`${name} must be a whole number ≥ 1: ${value}`);
  return Number(value);
}

/** Runs the command with `args` (without node and the script); resolves to the exit code. */
export async function runCompareCli(args: string[], io: CompareCliIo): Promise<number> {
  const values = parseCliArgs(
    args,
    {
      conversations: { type: 'string' },
      last: { type: 'string' },
      sample: { type: 'string' },
      seed: { type: 'string' },
      a: { type: 'string' },
      b: { type: 'string' },
      concurrency: { type: 'string' },
      'max-cost': { type: 'string' },
      json: { type: 'boolean', default: false },
      html: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
    io,
  );
  if (typeof values === 'number') return values;

  let config: Config;
  try {
    config = loadConfig({ ...io.env, ...(values.db !== undefined ? { CONVERSATION_DB_PATH: values.db } : {}) });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`${err.message}\n`);
    return EX_CONFIG;
  }

  let selection;
  let sides;
  let concurrency: number;
  let maxCostUsd: number | undefined;
  try {
    selection = {
      conversations: values.conversations?.split(',').map((s) => s.trim()).filter((s) => s !== ''),
      last: positiveInt('--last', values.last),
      sample: positiveInt('--sample', values.sample),
      seed: values.seed === undefined ? undefined : Number(values.seed),
    };
    if (selection.seed !== undefined && !Number.isInteger(selection.seed)) throw new SelectionError(`--seed must be an integer: ${values.seed}`);
    concurrency = positiveInt('--concurrency', values.concurrency) ?? 2;
    if (values['max-cost'] !== undefined) {
      maxCostUsd = Number(values['max-cost']);
      if (!Number.isFinite(maxCostUsd) || maxCostUsd <= 0) throw new SelectionError(`--max-cost must be a positive number of US$: ${values['max-cost']}`);
    }
    sides = {
      a: resolveSide(parseSideSpec(values.a), 'A', config, io.env),
      b: resolveSide(parseSideSpec(values.b), 'B', config, io.env),
    };
  } catch (err) {
    if (err instanceof SideSpecError) {
      io.stderr(`bad side spec: ${err.message}\n`);
      return EX_USAGE;
    }
    if (err instanceof SelectionError) {
      io.stderr(`${err.message}\n`);
      return EX_USAGE;
    }
    throw err;
  }

  let db;
  try {
    db = openReadonlyDatabase(config.dbPath);
  } catch (err) {
    if (err instanceof DatabaseNotReadyError) {
      io.stderr(`${values.db !== undefined ? '--db' : 'CONVERSATION_DB_PATH'}: ${err.message}\n`);
      return EX_NOINPUT;
    }
    throw err;
  }
  // The model client and the tools with their backends are loaded only now: `--help` answers at once.
  const [{ CompareSetupError, runComparison }, { assembleCompareTools }] = await Promise.all([import('../compare/runner.js'), import('../compare/tools.js')]);
  // Warnings and errors only, on stderr: stdout is the table or the JSON.
  const log = pino(loggerOptions('warn'), pino.destination({ fd: 2, sync: true }));
  const assembled = assembleCompareTools({ config, db, resourcesDir: resolve(DEFAULT_RESOURCES_DIR), clock: systemClock, log });
  try {
    const repo = new CompareRepository(db);
    const key = repo.logMaskKey();
    if (key) useLogMaskKey(key);
    let turns;
    try {
      turns = selectTurns(repo, selection);
    } catch (err) {
      if (!(err instanceof SelectionError)) throw err;
      io.stderr(`${err.message}\n`);
      return EX_USAGE;
    }
    io.stderr(`replaying ${turns.length} turns through A and B (concurrency ${concurrency}${maxCostUsd !== undefined ? `, max US$ ${maxCostUsd}` : ''})\n`);
    let report;
    try {
      report = await runComparison(
        { config, db, repo, tools: io.tools ? io.tools(assembled.tools) : assembled.tools, log, clientFor: io.clientFor },
        {
          ...sides,
          turns,
          concurrency,
          maxCostUsd,
          onTurn: (done, total, t) => io.stderr(`  ${done}/${total} turn #${t.turnId}\n`),
        },
      );
    } catch (err) {
      if (!(err instanceof CompareSetupError)) throw err;
      io.stderr(`${err.message}\n`);
      return EX_CONFIG;
    }
    if (assembled.jobs.held.length > 0) io.stderr(`${assembled.jobs.held.length} jobs the tools asked for were not enqueued\n`);
    if (values.html !== undefined) {
      const path = resolve(values.html);
      writeFileSync(path, formatHtml(report));
      io.stderr(`comparison written to ${path}\n`);
    }
    io.stdout(values.json ? formatJson(report) : formatText(report));
    if (report.stopped) io.stderr(`stopped early: ${report.stopped.reason}\n`);
    return 0;
  } finally {
    await assembled.close();
    db.close();
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  loadDotenv({ quiet: true });
  runCompareCli(process.argv.slice(2), {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then(
    (code) => process.stdout.write('', () => process.exit(code)),
    (err: unknown) => {
      process.stderr.write(`compare failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
