// `npm run report`: the operations report of a period — conversations, turns, replies, failures, handoffs,
// bookings, payment follow-ups, tokens, cost and reply times — as a text table, `--json` for machines, and
// `--html <file>` for one self-contained page with charts. It reads the database read-only and without the
// server's instance lock (openReadonlyDatabase), so it runs while the server runs.
//
//   npm run report                                  # the last 7 days (today included) in TIMEZONE
//   npm run report -- --since 2026-11-01 --until 2026-11-30 --html noviembre.html
//   npm run -s report -- --since 2026-12-01T00:00:00Z --json | jq .cost
//   npm run report -- --db /backup/watibot3.db
import 'dotenv/config';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loggableConversationId, useLogMaskKey } from '../core/conversation-id.js';
import { buildReport } from '../report/build.js';
import { formatHtml } from '../report/html.js';
import { formatJson } from '../report/json.js';
import { PeriodError, resolvePeriod } from '../report/period.js';
import { formatText } from '../report/text.js';
import { DatabaseNotReadyError, openReadonlyDatabase } from '../store/database.js';
import { ReportRepository } from '../store/report-repository.js';
import { UsageRepository } from '../store/usage-repository.js';
import { EX_USAGE, EX_NOINPUT, parseCliArgs, readServerSettings } from './cli-args.js';

const USAGE = `Usage: npm run report -- [options]

  --since <when>   start of the period: YYYY-MM-DD (a date in TIMEZONE) or an ISO instant
                   (2026-12-01T08:00:00-06:00); default: 6 days before --until's date
  --until <when>   end of the period: YYYY-MM-DD (that whole day included) or an ISO instant; default: now
  --json           print one JSON object instead of the table
  --html <file>    also write the report as one self-contained HTML page
  --db <path>      the database to read (default CONVERSATION_DB_PATH from the environment / .env)
  -h, --help       this text
`;

// sysexits.h, like the server's EX_CONFIG.

export interface ReportCliIo {
  env: Record<string, string | undefined>;
  now: () => number;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs the command with `args` (without node and the script); returns the exit code. */
export function runReportCli(args: string[], io: ReportCliIo): number {
  const values = parseCliArgs(
    args,
    {
      since: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean', default: false },
      html: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
    io,
  );
  if (typeof values === 'number') return values;

  // The server's own slice of the configuration: the same CONVERSATION_DB_PATH and TIMEZONE rules.
  const settings = readServerSettings(io.env, io);
  if (typeof settings === 'number') return settings;
  const timeZone = settings.timezone;

  let period;
  try {
    period = resolvePeriod({ since: values.since, until: values.until }, io.now(), timeZone);
  } catch (err) {
    if (err instanceof PeriodError) {
      io.stderr(`${err.message}\n`);
      return EX_USAGE;
    }
    throw err;
  }

  const dbPath = values.db ?? settings.dbPath;
  let db;
  try {
    db = openReadonlyDatabase(dbPath);
  } catch (err) {
    if (err instanceof DatabaseNotReadyError) {
      io.stderr(`${values.db !== undefined ? '--db' : 'CONVERSATION_DB_PATH'}: ${err.message}\n`);
      return EX_NOINPUT;
    }
    throw err;
  }
  try {
    const records = new ReportRepository(db);
    const key = records.logMaskKey();
    // The installation's key, so the ids match the server's logs; without one they are masked all the same.
    if (key) useLogMaskKey(key);
    const report = buildReport({ usage: new UsageRepository(db), records, timeZone, mask: loggableConversationId, now: io.now }, period);
    if (values.html !== undefined) {
      const path = resolve(values.html);
      writeFileSync(path, formatHtml(report));
      io.stderr(`report written to ${path}\n`);
    }
    io.stdout(values.json ? formatJson(report) : formatText(report));
    return 0;
  } finally {
    db.close();
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  process.exitCode = runReportCli(process.argv.slice(2), {
    env: process.env,
    now: Date.now,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
