// Entry point: read configuration, build the app, listen, shut down gracefully (`--migrate`: only migrate).
import 'dotenv/config';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { PathError } from './core/file-paths.js';

const SHUTDOWN_TIMEOUT_MS = 20_000;

// BSD sysexits: systemd does not restart on EX_CONFIG (RestartPreventExitStatus=78); EX_TEMPFAIL it retries.
const EX_TEMPFAIL = 75;
const EX_CONFIG = 78;

function exitWith(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** Exits EX_CONFIG on a configuration error (an unusable CONVERSATION_DB_PATH or MEDIA_DIR included). */
function exitOnConfigError(err: unknown): void {
  if (err instanceof ConfigError) exitWith(EX_CONFIG, err.message);
  if (err instanceof PathError) exitWith(EX_CONFIG, new ConfigError([`CONVERSATION_DB_PATH: ${err.message}`]).message);
}

/** What a failed listen means for the settings: which variable, why, and the exit code; undefined when unknown. */
function listenProblem(err: unknown, host: string, port: number): { code: number; issue: string } | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return { code: EX_CONFIG, issue: `HOST: ${host} does not resolve to an address (${code}): give an IP address of this machine, 0.0.0.0 or 127.0.0.1` };
    case 'EADDRNOTAVAIL':
      return { code: EX_CONFIG, issue: `HOST: ${host} is not an address of this machine (EADDRNOTAVAIL)` };
    case 'EACCES':
      return { code: EX_CONFIG, issue: `PORT: listening on ${port} needs privileges this user lacks (EACCES): use a port of 1024 or more behind the proxy` };
    case 'EADDRINUSE':
      return { code: EX_TEMPFAIL, issue: `PORT: ${host}:${port} is already in use by another process (EADDRINUSE)` };
    default:
      return undefined;
  }
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    exitOnConfigError(err);
    throw err;
  }

  if (process.argv.includes('--migrate')) {
    const { runMigrations } = await import('./cli/migrate.js');
    let outcome;
    try {
      outcome = runMigrations(config.dbPath);
    } catch (err) {
      exitOnConfigError(err);
      throw err;
    }
    const { from, to } = outcome;
    process.stdout.write(from === to ? `database already at schema ${to}\n` : `database migrated from schema ${from} to ${to}\n`);
    return;
  }

  let app;
  try {
    app = await buildApp({ config });
  } catch (err) {
    exitOnConfigError(err);
    throw err;
  }
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    const problem = listenProblem(err, config.host, config.port);
    if (!problem) throw err;
    // The services hold the database lock: release it before exiting.
    await app.close().catch(() => undefined);
    exitWith(problem.code, `Cannot listen:\n  - ${problem.issue}`);
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`watibot3 failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
