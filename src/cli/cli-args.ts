// What the command-line tools share: BSD sysexits codes, and reading `--flags` with node's util.parseArgs
// (a bad flag prints the message and the usage; --help prints the usage), so each command states only its
// own options.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { serverConfig } from '../config.js';

export const EX_USAGE = 64;
export const EX_DATAERR = 65;
export const EX_NOINPUT = 66;
export const EX_TEMPFAIL = 75;
export const EX_CONFIG = 78;

export interface CliOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** The flag declarations parseArgs takes. */
type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

type Values<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'];

/**
 * The parsed flags, or the exit code to return: EX_USAGE after a bad flag (message and usage on stderr), 0 after
 * `--help` (usage on stdout; `options` must declare `help`).
 */
export function parseCliArgs<const O extends ParseArgsOptionsConfig>(args: string[], options: O, usage: string, io: CliOutput): Values<O> | number {
  let values: Values<O>;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
    return EX_USAGE;
  }
  if ((values as { help?: unknown }).help === true) {
    io.stdout(usage);
    return 0;
  }
  return values;
}

/** The server's own slice of the configuration (CONVERSATION_DB_PATH, TIMEZONE…), or EX_CONFIG with its issues on stderr. */
export function readServerSettings(env: Record<string, string | undefined>, io: CliOutput): ReturnType<typeof serverConfig.parse> | number {
  const config = serverConfig.safeParse(env);
  if (config.success) return config.data;
  io.stderr(`Invalid configuration:\n  - ${config.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`).join('\n  - ')}\n`);
  return EX_CONFIG;
}
