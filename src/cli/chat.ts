// `npm run chat`: a terminal chat with the real agent, instructions and tools, to try an instructions file
// before guests see it. Reads the server's configuration (`.env`, loadConfig); the conversation is
// `console:<name>` in CONVERSATION_DB_PATH (or --db). Nothing is delivered and no job runs: see
// chat-console.ts. With piped stdin each line is one message, answered in order, and the console exits at EOF.
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import pino from 'pino';
import type { Channel } from '../core/conversation-id.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { loggerOptions } from '../core/logger.js';
import type { ChatConsole } from './chat-console.js';
import { EX_CONFIG, EX_USAGE } from './cli-args.js';

const USAGE = `usage: npm run chat -- [--name <name>] [--db <path>] [--instructions <file>] [--channel whatsapp|facebook|instagram] [--real-actions]

  --name          the conversation is console:<name> (default: prueba)
  --db            another SQLite database (default: CONVERSATION_DB_PATH)
  --instructions  the instructions file for this run (default: SYSTEM_INSTRUCTIONS_PATH)
  --channel       the guest identity the tools see (default: whatsapp, as the test number 50300000000)
  --real-actions  also offer the tools that book and move money on the hotel's systems (make_booking, follow-ups,
                  portal syncs, payment links); without it a trial cannot consume a real guest's payment

Each line is a message from the guest; /help lists the commands; Ctrl-D leaves.
`;


/** The guest identities a console conversation may take. */
const CONSOLE_CHANNELS: readonly Channel[] = ['whatsapp', 'facebook', 'instagram'];

interface Options {
  name: string;
  db: string | undefined;
  instructions: string | undefined;
  channel: Channel;
  realActions: boolean;
}

function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string', default: 'prueba' },
      db: { type: 'string' },
      instructions: { type: 'string' },
      channel: { type: 'string', default: 'whatsapp' },
      'real-actions': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) return 'help';
  const channel = CONSOLE_CHANNELS.find((c) => c === values.channel);
  if (!channel) throw new TypeError(`--channel must be one of ${CONSOLE_CHANNELS.join(', ')}: ${values.channel}`);
  return { name: values.name, db: values.db, instructions: values.instructions, channel, realActions: values['real-actions'] };
}

function readConfig(options: Options): Config {
  loadDotenv({ quiet: true });
  return loadConfig({
    ...process.env,
    ...(options.db !== undefined ? { CONVERSATION_DB_PATH: options.db } : {}),
    ...(options.instructions !== undefined ? { SYSTEM_INSTRUCTIONS_PATH: resolve(options.instructions) } : {}),
  });
}

async function main(): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return EX_USAGE;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }

  let config: Config;
  try {
    config = readConfig(options);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return EX_CONFIG;
  }

  // Warnings and errors only, on stderr: stdout is the conversation.
  const log = pino(loggerOptions('warn'), pino.destination({ fd: 2, sync: true }));
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  // The agent, tools and their backends are loaded only now: `--help` and a bad option answer at once.
  const { ChatConsole, ConsoleSetupError } = await import('./chat-console.js');
  let chat: ChatConsole;
  try {
    chat = await ChatConsole.open({
      config,
      name: options.name,
      channel: options.channel,
      realActions: options.realActions,
      write: (text) => void process.stdout.write(`${text}\n`),
      dim: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
      log,
    });
  } catch (err) {
    if (!(err instanceof ConsoleSetupError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return EX_CONFIG;
  }

  const acting = chat.realWorldTools();
  if (acting.length > 0) {
    process.stderr.write(
      `note: ${acting.join(', ')} act on the hotel's real systems (bookings, payments) as the test guest ${chat.ref.externalId}\n`,
    );
  }
  if (interactive) {
    process.stdout.write(
      `${chat.conversationId} on ${chat.ref.channel} as ${chat.ref.externalId} (a test identity) · model ${config.llm.model} · ` +
        `instructions ${resolve(config.llm.systemInstructionsPath)} · database ${resolve(config.dbPath)}\n` +
        'Type a message; /help for the commands, Ctrl-D to leave.\n',
    );
  }

  const rl = createInterface({ input: process.stdin, ...(interactive ? { output: process.stdout } : {}), terminal: interactive });
  // Ctrl-C interrupts a running turn; with none running it leaves.
  const onInterrupt = () => {
    if (!chat.interrupt()) rl.close();
  };
  rl.on('SIGINT', onInterrupt);
  process.on('SIGINT', onInterrupt);
  if (interactive) {
    rl.setPrompt('you> ');
    rl.prompt();
  }
  let code = 0;
  try {
    for await (const line of rl) {
      let more = true;
      try {
        more = await chat.handle(line);
      } catch (err) {
        code = 1;
        process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      }
      if (!more) break;
      if (interactive) rl.prompt();
    }
  } finally {
    rl.close();
    if (interactive) process.stdout.write('\n');
    await chat.close();
  }
  return code;
}

main().then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (err: unknown) => {
    process.stderr.write(`chat failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
