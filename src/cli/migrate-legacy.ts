// `npm run migrate-legacy`: imports the Python service's state (its SQLite files) into our database —
// conversations with their history as transcript items, pending messages to be answered after the switch,
// the history-imported flag (src/legacy/importer.ts). Idempotent and resumable; safe beside a running server
// (it never takes the server's instance lock; the server's sweep picks up the pending messages).
//
//   npm run migrate-legacy -- --threads app/thread_store.db --buffer thread_store.db --log app/conversation_log.db --dry-run --report dry.json
//   npm run migrate-legacy -- --threads app/thread_store.db --buffer thread_store.db --log app/conversation_log.db --fetch-openai --report final.json
import 'dotenv/config';
import { existsSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../config.js';
import { loggableConversationId, useLogMaskKey } from '../core/conversation-id.js';
import type { ConversationReport, ImportReport, ImporterDeps } from '../legacy/importer.js';
import { mergeReads, openLegacyFile, readConversationLog, readMessageBuffer, readThreads, readWebhookMessages, unreadTables, type LegacyRead } from '../legacy/readers.js';
import { PeriodError, parseBound } from '../report/period.js';
import { DatabaseNotReadyError, LATEST_SCHEMA_VERSION, openDatabase, prepareDatabaseFile, schemaVersion, type Db } from '../store/database.js';
import { InstanceLockError } from '../store/instance-lock.js';
import { LegacyImportRepository, openDryRunCopy } from '../store/legacy-import-repository.js';
import type { LegacySourceFile } from '../store/legacy-source-repository.js';
import { PauseRepository } from '../store/pause-repository.js';
import { runMigrations } from './migrate.js';
import { EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_TEMPFAIL, EX_CONFIG, parseCliArgs } from './cli-args.js';
import { PathError, kindOf } from '../core/file-paths.js';

const USAGE = `Usage: npm run migrate-legacy -- [options]

  --threads <file>   the Python service's app/thread_store.db (threads, archived_threads)
  --buffer <file>    its root thread_store.db (message_buffer, webhook_messages, Assistants-era threads)
  --log <file>       its app/conversation_log.db (ManyChat conversation_log)
                     (any may be left out; at least one is needed)
  --dry-run          import into an in-memory copy of the database: the report says what a run would do,
                     nothing is written
  --batch <n>        conversations per transaction (default 25)
  --since <when>     only history since then: YYYY-MM-DD (a date in TIMEZONE) or an ISO instant
  --fetch-openai     read conv_… conversations from the OpenAI Conversations API (OPENAI_API_KEY,
                     OPENAI_BASE_URL); otherwise, and for Assistants-era thread_… ids, the local logs
  --legacy-timezone <zone>  the Python server's zone, for its naive ISO timestamps (default TIMEZONE)
  --report <file>    write the JSON report there (default: stdout)
  --db <path>        our database (default CONVERSATION_DB_PATH)
  -h, --help         this text
`;


export interface MigrateLegacyIo {
  env: Record<string, string | undefined>;
  now: () => number;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Draw a progress bar (a terminal) instead of plain lines. */
  isTTY?: boolean;
  /** Tests: stop after some conversations (an interrupted run). */
  shouldStop?: (processed: number) => boolean;
  /**
   * Subscribes to the user's request to stop (the CLI wires SIGINT to it, see main below): the run stops the
   * progress bar, says it is stopping, and stops after the current conversation (exit 75). Returns the unsubscribe.
   */
  onInterrupt?: (listener: () => void) => () => void;
  /** Where the progress bar draws (default process.stderr; tests capture it). */
  progressStream?: NodeJS.WritableStream;
  /** Tests: the Conversations API retry policy and timeouts. */
  openaiOptions?: { timeoutMs?: number; retry?: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number } };
}

/** Our database for this run: the real one, or for --dry-run a migrated in-memory copy of it. */
function openTarget(dbPath: string, dryRun: boolean, now: number): Db {
  if (dryRun) {
    // Only checked, never created: a dry run writes nothing, not even a folder.
    if (existsSync(dbPath)) prepareDatabaseFile(dbPath);
    return openDryRunCopy(dbPath);
  }
  const db = openDatabase(dbPath);
  const version = schemaVersion(db);
  if (version > LATEST_SCHEMA_VERSION) {
    db.close();
    throw new DatabaseNotReadyError(`${dbPath} is at schema ${version}, newer than this version's ${LATEST_SCHEMA_VERSION}: use the newer version`);
  }
  if (version === LATEST_SCHEMA_VERSION) return db;
  db.close();
  // Only when behind: `npm run migrate`'s path (it refuses while a server holds the database).
  runMigrations(dbPath, now);
  return openDatabase(dbPath);
}

/** The file a path names once symlinks and `..` are resolved; for a file not created yet, its folder's real path. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

// Which of the Python service's tables each flag's file holds (any one suffices; with THREAD_DB_PATH set, one
// file held them all), and what that file was called, for the message when a file holds none of them.
const EXPECTED_TABLES: Record<'threads' | 'buffer' | 'log', { file: string; tables: string[] }> = {
  threads: { file: 'app/thread_store.db', tables: ['threads', 'archived_threads'] },
  buffer: { file: 'the root thread_store.db', tables: ['message_buffer', 'webhook_messages'] },
  log: { file: 'app/conversation_log.db', tables: ['conversation_log'] },
};

/**
 * Why this file cannot be the flag's legacy input, or undefined when it can: our own database (it has a schema
 * version; the Python service never set one), or a file without any of the flag's tables (an empty file, another
 * of the service's files given under the wrong flag).
 */
function wrongInput(name: 'threads' | 'buffer' | 'log', path: string, file: LegacySourceFile): string | undefined {
  const expected = EXPECTED_TABLES[name];
  const wanted = wantedFile(name);
  const version = file.schemaVersion();
  if (version > 0) return `--${name} ${path}: ${wanted}, but this is a watibot3 database (schema ${version}), not a legacy file`;
  const tables = file.tables().map((t) => t.name);
  if (expected.tables.some((t) => tables.includes(t))) return undefined;
  const found = tables.length > 0 ? `only the tables ${tables.join(', ')}` : statSync(path).size === 0 ? 'an empty file (0 bytes)' : 'a SQLite database without tables';
  return `--${name} ${path}: ${wanted}, but found ${found}`;
}

function wantedFile(name: 'threads' | 'buffer' | 'log'): string {
  const expected = EXPECTED_TABLES[name];
  return `expected the Python service's ${expected.file} (table ${expected.tables.join(' or ')})`;
}

function describe(line: ConversationReport): string {
  const what = line.status === 'imported' ? `imported ${line.items} items, ${line.pending} pending` : line.status === 'up_to_date' ? 'up to date' : `skipped (${line.skipped[0]?.reason ?? ''})`;
  return `${line.conversation} ${what}${line.items > 0 ? ` [${line.source}]` : ''}`;
}

export async function runMigrateLegacyCli(args: string[], io: MigrateLegacyIo): Promise<number> {
  const values = parseCliArgs(
    args,
    {
      threads: { type: 'string' },
      buffer: { type: 'string' },
      log: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      batch: { type: 'string' },
      since: { type: 'string' },
      'fetch-openai': { type: 'boolean', default: false },
      'legacy-timezone': { type: 'string' },
      report: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
    io,
  );
  if (typeof values === 'number') return values;
  let config;
  try {
    config = loadConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`${err.message}\n`);
      return EX_CONFIG;
    }
    throw err;
  }
  const batch = values.batch === undefined ? 25 : Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1) {
    io.stderr(`--batch ${values.batch}: expected a whole number of at least 1\n`);
    return EX_USAGE;
  }
  const legacyZone = values['legacy-timezone'] ?? config.timezone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: legacyZone });
  } catch {
    io.stderr(`--legacy-timezone ${legacyZone}: not an IANA time zone\n`);
    return EX_USAGE;
  }
  let since: number | undefined;
  if (values.since !== undefined) {
    try {
      since = parseBound(values.since, 'since', config.timezone);
    } catch (err) {
      if (err instanceof PeriodError) {
        io.stderr(`${err.message}\n`);
        return EX_USAGE;
      }
      throw err;
    }
  }
  const fetchOpenai = values['fetch-openai'];
  if (fetchOpenai && !config.llm.apiKey) {
    io.stderr('--fetch-openai needs OPENAI_API_KEY\n');
    return EX_CONFIG;
  }

  const given = { threads: values.threads, buffer: values.buffer, log: values.log };
  const present: Record<string, boolean> = {};
  for (const [name, path] of Object.entries(given)) {
    present[name] = path !== undefined && existsSync(path);
    if (path !== undefined && !present[name]) io.stderr(`--${name} ${path}: no such file; left out\n`);
  }
  if (!Object.values(present).some(Boolean)) {
    io.stderr(`no legacy file to read (give --threads, --buffer and/or --log)\n\n${USAGE}`);
    return EX_NOINPUT;
  }

  const dbPath = values.db ?? config.dbPath;
  const dbSetting = values.db !== undefined ? '--db' : 'CONVERSATION_DB_PATH';
  // Our database must not be one of the inputs: the import would write our tables into the legacy file.
  const target = dbPath === ':memory:' ? undefined : realPath(dbPath);
  for (const [name, path] of Object.entries(given)) {
    if (present[name] && path !== undefined && realPath(path) === target) {
      io.stderr(`${dbSetting} ${dbPath} is the file given as --${name} (${path}): the import would write into the legacy file. Give our own database's path instead.\n`);
      return EX_USAGE;
    }
  }

  const files: { name: string; file: LegacySourceFile }[] = [];
  let db: Db | undefined;
  try {
    // Every known table is read from every file given: with THREAD_DB_PATH set, the old service kept all its
    // tables in one file. A file given twice is read once.
    const seen = new Set<string>();
    for (const name of ['buffer', 'threads', 'log'] as const) {
      const path = given[name];
      if (!present[name] || path === undefined) continue;
      const stats = statSync(path);
      if (!stats.isFile()) {
        io.stderr(`--${name} ${path}: ${wantedFile(name)}, but it is ${kindOf(stats)}\n`);
        return EX_DATAERR;
      }
      let file: LegacySourceFile | undefined;
      try {
        file = openLegacyFile(path);
      } catch (err) {
        io.stderr(`--${name} ${path}: ${wantedFile(name)}, but it cannot be read as a SQLite database (${err instanceof Error ? err.message : String(err)})\n`);
        return EX_DATAERR;
      }
      if (!file) continue;
      const problem = wrongInput(name, path, file);
      if (problem) {
        file.close();
        io.stderr(`${problem}\n`);
        return EX_DATAERR;
      }
      const real = realpathSync(path);
      if (seen.has(real)) {
        file.close();
        continue;
      }
      seen.add(real);
      files.push({ name, file });
    }
    const each = <T>(reader: (f: LegacySourceFile, zone: string) => LegacyRead<T>) => mergeReads(...files.map((f) => reader(f.file, legacyZone)));
    const data = {
      threads: each(readThreads),
      webhookMessages: each(readWebhookMessages),
      conversationLog: each(readConversationLog),
      buffer: each(readMessageBuffer),
    };
    const tablesNotRead = files.flatMap((f) => unreadTables(f.file).map((t) => ({ file: `--${f.name}`, ...t })));

    const dryRun = values['dry-run'];
    try {
      db = openTarget(dbPath, dryRun, io.now());
    } catch (err) {
      if (err instanceof PathError) {
        io.stderr(`Invalid configuration:\n  - ${dbSetting}: ${err.message}\n`);
        return EX_CONFIG;
      }
      if (err instanceof InstanceLockError) {
        io.stderr(`${err.message}\n(the database needs migrating first: stop the server, run \`npm run migrate\`, start it again)\n`);
        return EX_TEMPFAIL;
      }
      if (err instanceof DatabaseNotReadyError) {
        io.stderr(`${err.message}\n`);
        return EX_NOINPUT;
      }
      throw err;
    }
    // The importer, its token counter (~0.2 s to load), the HTTP client and the progress bar are loaded only
    // now: `--help` and a bad option answer at once.
    const [{ ConversationStore }, { runLegacyImport }, { createConversationsClient }, { default: cliProgress }] = await Promise.all([
      import('../store/conversation-store.js'),
      import('../legacy/importer.js'),
      import('../legacy/openai-conversations.js'),
      import('cli-progress'),
    ]);
    const repo = new LegacyImportRepository(db, new ConversationStore(db, { prices: config.llm.modelPrices }), new PauseRepository(db));
    const key = repo.logMaskKey();
    if (key) useLogMaskKey(key);

    const bar = io.isTTY
      ? new cliProgress.SingleBar(
          { format: 'migrate-legacy [{bar}] {value}/{total} {what}', hideCursor: true, ...(io.progressStream ? { stream: io.progressStream } : {}) },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    let barState = 'idle' as 'idle' | 'drawing' | 'stopped';
    let stopRequested = false;
    const unsubscribe = io.onInterrupt?.(() => {
      if (stopRequested) return;
      stopRequested = true;
      // The bar first, or its next redraw overwrites the line.
      if (barState === 'drawing') bar?.stop();
      barState = 'stopped';
      io.stderr('\nstopping after the current conversation (Ctrl-C again to abort)\n');
    });
    const deps: ImporterDeps = {
      repo,
      mask: loggableConversationId,
      now: io.now,
      openai: fetchOpenai
        ? createConversationsClient({ apiKey: config.llm.apiKey as string, baseUrl: config.llm.baseUrl, ...io.openaiOptions })
        : undefined,
      since,
      batch,
      dryRun,
      inputs: present,
      onProgress: (done, total, line) => {
        if (bar && barState !== 'stopped') {
          if (barState === 'idle') {
            bar.start(total, 0, { what: '' });
            barState = 'drawing';
          }
          bar.update(done, { what: line.conversation });
        } else {
          io.stderr(`[${done}/${total}] ${describe(line)}\n`);
        }
      },
      shouldStop: (processed) => stopRequested || (io.shouldStop?.(processed) ?? false),
    };
    let report: ImportReport;
    try {
      report = { ...(await runLegacyImport(data, deps)), tablesNotRead };
    } finally {
      unsubscribe?.();
      if (barState === 'drawing') bar?.stop();
    }
    const json = `${JSON.stringify(report, null, 2)}\n`;
    if (values.report !== undefined) {
      const path = resolve(values.report);
      writeFileSync(path, json);
      io.stderr(`report written to ${path}\n`);
      io.stdout(`${JSON.stringify({ dryRun: report.dryRun, interrupted: report.interrupted, totals: report.totals })}\n`);
    } else {
      io.stdout(json);
    }
    if (report.interrupted) {
      io.stderr(`interrupted after ${report.conversations.length} of ${report.totals.conversations} conversations: run again to continue\n`);
      return EX_TEMPFAIL;
    }
    if (report.totals.historyDeferred > 0) {
      io.stderr(
        `${report.totals.historyDeferred} conversations' history left for the next run, with their pending messages (Conversations API unavailable): ` +
          'run again, or without --fetch-openai to import the local logs instead\n',
      );
      return EX_TEMPFAIL;
    }
    return 0;
  } finally {
    db?.close();
    for (const f of files) f.file.close();
  }
}

/**
 * Ctrl-C in a terminal reaches every process of the foreground group, and `npm run` forwards the SIGINT it got
 * to its child as well, so one keypress arrives here twice within milliseconds: a second SIGINT counts as
 * "abort now" only when it comes later than this.
 */
export const REPEATED_SIGINT_MS = 500;

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const listeners = new Set<() => void>();
  let firstAt: number | undefined;
  process.on('SIGINT', () => {
    const at = Date.now();
    if (firstAt === undefined) {
      firstAt = at;
      for (const l of listeners) l();
      return;
    }
    if (at - firstAt < REPEATED_SIGINT_MS) return;
    process.stderr.write('\naborted: conversations committed so far are kept; run again to continue\n');
    process.exit(130);
  });
  runMigrateLegacyCli(process.argv.slice(2), {
    env: process.env,
    now: Date.now,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
    onInterrupt: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  }).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`migrate-legacy failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
