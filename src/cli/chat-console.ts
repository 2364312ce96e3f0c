// The chat console behind `npm run chat` (src/cli/chat.ts): the real agent, instructions and tools, on a
// conversation `console:<name>`, for trying an instructions file before guests see it.
//
// It is assembled by the composition root (composition/root.ts, console mode), with what it leaves out on purpose:
//   - no instance lock, no turn scheduler, no job worker, no buffer: it may run beside a server on the same
//     database (SQLite WAL; it writes only its own conversation's transcript and what the tools record);
//   - no channel delivery: what a guest would receive (texts, media as file paths, the handover notice) is
//     printed, and nothing is applied (no pause, no handoff steps);
//   - jobs are printed, never stored: the tools' (staff alerts, e-mails) and those the hotel's services
//     enqueue themselves (follow-ups, booking reconciliation), so a running server never acts on a console
//     conversation.
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { TurnAbortedError } from '../agent/errors.js';
import { costOfUsage } from '../core/model-prices.js';
import { createOpenAiAgent, type OpenAiAgent } from '../agent/openai-agent.js';
import { loadHistoryWithModules } from '../agent/history.js';
import type { AgentResult, AgentTurn } from '../agent/types.js';
import type { OutboxPart } from '../core/outbox-parts.js';
import type { BufferedMessage } from '../core/messages.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Config } from '../config.js';
import { consoleConversation, type Channel, type ConversationRef } from '../core/conversation-id.js';
import { guestText, MESSAGE_MAX_CHARS } from '../ingest/message-limit.js';
import type { Handoff } from '../handoff/handoff.js';
import { parseSentinel } from '../handoff/sentinels.js';
import type { HeldJobQueue } from '../jobs/held-job-queue.js';
import type { NewJob } from '../jobs/types.js';
import type { MediaStore } from '../media/media-store.js';
import type { Platforms } from '../platforms/types.js';
import { DEFAULT_RESOURCES_DIR } from '../core/resources.js';
import { ConsoleConversations } from '../store/console-conversations.js';
import type { ConversationStore } from '../store/conversation-store.js';
import type { TranscriptItem } from '../core/transcript.js';
import type { ModelUsage } from '../core/usage.js';
import { PathError } from '../core/file-paths.js';
import { LATEST_SCHEMA_VERSION, openDatabase, schemaVersion, type Db } from '../store/database.js';
import { InstanceLockError } from '../store/instance-lock.js';
import { actsOnHotelSystems, type ToolDeclaration } from '../tools/declaration.js';
import { Closers } from '../composition/closers.js';
import { compose } from '../composition/root.js';
import type { ToolEffect } from '../tools/index.js';
import { clip, firstSentence, historyLine, indent, oneLine } from './chat-lines.js';
import { runMigrations } from './migrate.js';

/**
 * The guest the tools see: numbers no guest has (El Salvador's +503 followed by zeros), so a booking or a
 * lookup made from the console is recognisably a test.
 */
export const TEST_GUEST_IDS: Readonly<Record<Channel, string>> = {
  whatsapp: '50300000000',
  facebook: '5030000000000000',
  instagram: '5030000000000000',
};

/**
 * Whether the console offers a tool: one that declares it acts on the hotel's own systems (a booking, a payment
 * ledger, a payment link) only with --real-actions, since a trial typing a real payment reference would consume a
 * real guest's payment. The other actions are harmless here: their jobs are held and printed, nothing is sent.
 */
export function consoleOffers(tool: Pick<ToolDeclaration, 'does'>, realActions: boolean): boolean {
  return realActions || !actsOnHotelSystems(tool);
}

/** The tools among `declared` that act on the hotel's real systems (what the console warns about at start). */
export function realWorldTools(declared: readonly ToolDeclaration[]): string[] {
  return declared.filter(actsOnHotelSystems).map((t) => t.name);
}

/** A console name: the id is `console:<name>`; `~` is kept for the ids `/reset` archives under. */
export const CONSOLE_NAME = /^[A-Za-z0-9_.-]{1,40}$/;

/** Tool outputs longer than this are cut when shown (the model got them whole). */
const SHOWN_OUTPUT_CHARS = 1500;
const HISTORY_LINE_CHARS = 110;

/** The console cannot start (database, configuration); the message is for the person who ran it. */
export class ConsoleSetupError extends Error {
  override readonly name = 'ConsoleSetupError';
}

export interface ChatConsoleOptions {
  config: Config;
  /** The conversation is `console:<name>`. */
  name: string;
  /** Which guest identity the turn and the tools see. */
  channel: Channel;
  /**
   * Offer the tools that book and move money on the hotel's systems. Off by default: a trial typing a real
   * payment reference would otherwise consume a real guest's payment.
   */
  realActions?: boolean | undefined;
  /** Writes one line (or several) to the console's output. */
  write: (text: string) => void;
  /** Dim the tool calls and notes (ANSI; only for a terminal). */
  dim: boolean;
  log: Logger;
  clock?: Clock | undefined;
  resourcesDir?: string | undefined;
}

/** A console session: one conversation, its turns run one at a time. */
export class ChatConsole {
  readonly ref: ConversationRef;
  private readonly store: ConversationStore;
  private readonly archive: ConsoleConversations;
  private seq = 0;
  private running: AbortController | undefined;

  private constructor(
    private readonly options: ChatConsoleOptions,
    private readonly db: Db,
    readonly agent: OpenAiAgent,
    private readonly platforms: Platforms,
    private readonly handoff: Handoff,
    private readonly jobs: HeldJobQueue,
    private readonly resourcesDir: string,
    private readonly mediaStore: MediaStore,
    private readonly closers: Closers,
  ) {
    this.ref = consoleConversation(options.name, options.channel, TEST_GUEST_IDS[options.channel]);
    this.store = agent.store;
    this.archive = new ConsoleConversations(db);
  }

  /** Opens the database (migrating it only when no server holds it) and builds the agent with the server's tools. */
  static async open(options: ChatConsoleOptions): Promise<ChatConsole> {
    const { config, log } = options;
    if (!CONSOLE_NAME.test(options.name)) throw new ConsoleSetupError(`--name must be 1 to 40 letters, digits, '.', '_' or '-': ${options.name}`);
    const clock = options.clock ?? systemClock;
    const resourcesDir = resolve(options.resourcesDir ?? DEFAULT_RESOURCES_DIR);
    const closers = new Closers(log);
    try {
      const db = openConsoleDatabase(config.dbPath);
      closers.add('the console database', () => void db.close());
      // The server's parts in console mode: jobs held to be printed, never stored or run; nothing is sent.
      const { platforms, jobs, handoff, mediaStore, office, hotel, toolServices } = compose({ config, db, mode: { kind: 'console' }, clock, log, resourcesDir, closers });
      // Without --real-actions no tool that declares it acts on the hotel's systems is offered (consoleOffers).
      const realActions = options.realActions === true;
      const offers = (tool: Pick<ToolDeclaration, 'does'>) => consoleOffers(tool, realActions);
      // No real guest is answered here, so the shipped example prompt may be tried too.
      const agent = createOpenAiAgent({ config, db, clock, log, platforms, mediaStore, office, hotel: hotel.tools, toolServices, offers, exampleInstructionsAllowed: true });
      const readiness = agent.readiness();
      if (!readiness.ready) throw new ConsoleSetupError(`the agent cannot answer: ${readiness.reasons.join('; ')}`);
      return new ChatConsole({ ...options, clock }, db, agent, platforms, handoff, jobs, resourcesDir, mediaStore, closers);
    } catch (err) {
      await closers.closeAll();
      throw err;
    }
  }

  get conversationId(): string {
    return this.ref.conversationId;
  }

  /** The offered tools that act on the hotel's real systems (bookings, payment portals), if any. */
  realWorldTools(): string[] {
    return realWorldTools(this.agent.registry.declarations);
  }

  /** One line of input: a command, or a guest message answered by a turn. False once the console should end. */
  async handle(line: string): Promise<boolean> {
    const text = line.trim();
    if (text === '') return true;
    if (text.startsWith('/')) return this.command(text);
    // As a webhook's text would be: no control characters, cut at the channel's limit (issue 22 §1).
    const { text: message, omitted } = guestText(text, this.ref.channel);
    if (omitted > 0) this.out(this.dim(`(longer than a ${this.ref.channel} message may be: cut at ${MESSAGE_MAX_CHARS[this.ref.channel]} characters, ${omitted} left out)`));
    if (message.trim() === '') return true;
    await this.turn(message);
    return true;
  }

  /** Interrupts the running turn (nothing of it is recorded); false when none runs. */
  interrupt(): boolean {
    if (!this.running) return false;
    this.running.abort();
    return true;
  }

  close(): Promise<void> {
    return this.closers.closeAll();
  }

  private command(text: string): boolean {
    const [command] = text.split(/\s+/, 1);
    switch (command) {
      case '/reset':
        this.reset();
        return true;
      case '/tools':
        this.showTools();
        return true;
      case '/history':
        this.showHistory();
        return true;
      case '/help':
        this.showHelp();
        return true;
      case '/quit':
      case '/exit':
        return false;
      default:
        this.out(`unknown command ${command ?? text}; /help lists them`);
        return true;
    }
  }

  private async turn(text: string): Promise<void> {
    const { config, log } = this.options;
    const clock = this.options.clock ?? systemClock;
    const conversationId = this.conversationId;
    const lastItemId = this.store.listItems(conversationId).reduce((max, s) => Math.max(max, s.id), 0);
    const message: BufferedMessage = {
      seq: ++this.seq,
      receivedAt: clock.now(),
      conversationId,
      channel: this.ref.channel,
      externalUserId: this.ref.externalId,
      platformMessageId: undefined,
      kind: 'text',
      text,
      mediaRef: undefined,
      replyContextId: undefined,
      senderName: undefined,
    };
    const abort = new AbortController();
    const turn: AgentTurn = {
      conversationId,
      channel: this.ref.channel,
      guest: this.platforms.forChannel(this.ref.channel).guest(this.ref, undefined),
      messages: [message],
      log: log.child({ conversationId }),
      signal: abort.signal,
    };
    this.jobs.held.length = 0;
    this.running = abort;
    let result: AgentResult;
    try {
      result = await this.agent.respond(turn);
    } catch (err) {
      if (err instanceof TurnAbortedError || abort.signal.aborted) {
        this.out(this.dim('(interrupted: nothing of this turn was recorded)'));
        return;
      }
      throw err;
    } finally {
      this.running = undefined;
    }
    // The transcript, as the turn runner writes it with the reply (here there is no reply to record).
    if (result.commit) this.db.transaction(result.commit)();

    const items = this.store.listItems(conversationId).filter((s) => s.id > lastItemId);
    for (const { item } of items) this.showToolItem(item);
    this.showOutcome(result);
    this.showJobs([...(result.effects ?? []).flatMap((e) => (e.type === 'job' ? [e.job] : [])), ...this.jobs.held]);
    this.jobs.held.length = 0;
    if (items.length > 0) this.showUsage(config.llm.model);
  }

  /** A tool call or its output, and any reasoning summary, dimmed; the other items are shown elsewhere. */
  private showToolItem(item: TranscriptItem): void {
    if (item.kind === 'function_call') {
      const args = item.arguments.trim();
      this.out(this.dim(`  ⚙ ${item.name}(${args === '{}' ? '' : args})`));
    } else if (item.kind === 'function_output') {
      const output = item.output.length > SHOWN_OUTPUT_CHARS ? `${item.output.slice(0, SHOWN_OUTPUT_CHARS)}… (${item.output.length - SHOWN_OUTPUT_CHARS} more characters)` : item.output;
      this.out(this.dim(indent(`  → ${output}`, '    ')));
    } else if (item.kind === 'reasoning' && item.summary.trim() !== '') {
      this.out(this.dim(indent(`  (thinking) ${item.summary.trim()}`, '    ')));
    }
  }

  /** What a guest would receive, as the turn runner would build it (turn-runner.ts). */
  private showOutcome(result: AgentResult): void {
    const { config } = this.options;
    const effects = result.effects ?? [];
    const handoff = effects.find((e): e is Extract<ToolEffect, { type: 'handoff' }> => e.type === 'handoff');
    if (result.outcome === 'failed') {
      this.out(this.dim(`  turn failed (${result.errorClass}): the guest would get the fallback reply`));
      this.say(config.fallbackReply);
      return;
    }
    const action = handoff ? 'handover' : parseSentinel(result.reply);
    if (action === 'handover') {
      if (result.reply.trim() !== '') this.out(this.dim(indent(`  model's reply, not sent: ${result.reply.trim()}`, '    ')));
      this.say(this.handoff.handoverNotice());
      this.out(this.dim(`  handoff${handoff ? ` (${handoff.reason})` : ''}: the server would pause the bot and hand the guest to staff; not done here`));
      return;
    }
    if (action === 'friendly_goodbye') {
      this.say(this.handoff.goodbyeMessage());
      this.out(this.dim('  goodbye: the server would mark the ticket solved; not done here'));
      return;
    }
    for (const effect of effects) if (effect.type === 'outbox') this.showPart(effect.part);
    if (result.reply === '') this.out(this.dim('  (no reply)'));
    else this.say(result.reply);
  }

  private showPart(part: OutboxPart): void {
    if (part.type === 'text') return this.say(part.text);
    const { source } = part;
    const where =
      source.type === 'resource'
        ? join(this.resourcesDir, source.path)
        : source.type === 'stored'
          ? (this.mediaStore.pathOf(this.conversationId, source.mediaId) ?? `stored media ${source.mediaId} (not found)`)
          : source.url;
    this.say(`[${part.kind}] ${where}${part.caption ? `  ${part.caption}` : ''}`);
  }

  private showJobs(jobs: readonly NewJob[]): void {
    for (const job of jobs) {
      this.out(this.dim(`  job ${job.kind} (not run by the console): ${clip(oneLine(JSON.stringify(job.payload) ?? ''), 240)}`));
    }
  }

  /** The last turn's tokens over its model calls, and their cost at config.llm.modelPrices. */
  private showUsage(model: string): void {
    const turn = this.store.listTurns(this.conversationId).at(-1);
    if (!turn) return;
    const calls = this.store.listCalls(turn.id);
    const total: ModelUsage = { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 };
    let cost: number | undefined = 0;
    for (const call of calls) {
      if (call.inputTokens === null && call.outputTokens === null) continue;
      const usage: ModelUsage = {
        inputTokens: call.inputTokens ?? 0,
        cachedTokens: call.cachedTokens ?? 0,
        outputTokens: call.outputTokens ?? 0,
        reasoningTokens: call.reasoningTokens ?? 0,
      };
      total.inputTokens += usage.inputTokens;
      total.cachedTokens += usage.cachedTokens;
      total.outputTokens += usage.outputTokens;
      total.reasoningTokens += usage.reasoningTokens;
      const callCost = costOfUsage(turn.model || model, usage, this.options.config.llm.modelPrices, call.serviceTier);
      cost = cost === undefined || callCost === undefined ? undefined : cost + callCost;
    }
    const n = (x: number) => x.toLocaleString('en-US');
    const reasoning = total.reasoningTokens > 0 ? ` (${n(total.reasoningTokens)} reasoning)` : '';
    const price = cost === undefined ? `cost unknown: no price for ${turn.model} (MODEL_PRICES)` : `$${cost.toFixed(cost >= 0.01 ? 4 : 6)}`;
    this.out(
      this.dim(
        `  tokens: ${n(total.inputTokens)} input (${n(total.cachedTokens)} cached) · ${n(total.outputTokens)} output${reasoning} · ` +
          `${calls.length} model call${calls.length === 1 ? '' : 's'} · ${price}`,
      ),
    );
  }

  /** `/reset`: the transcript is archived as `console:<name>~<time>` (kept with its cost), and the conversation starts over. */
  private reset(): void {
    const clock = this.options.clock ?? systemClock;
    const stamp = new Date(clock.now()).toISOString().replace(/[-:]/g, '');
    let archivedId = `${this.conversationId}~${stamp}`;
    for (let n = 2; this.archive.has(archivedId); n++) archivedId = `${this.conversationId}~${stamp}-${n}`;
    const moved = this.archive.archive(this.conversationId, archivedId);
    this.out(
      moved === undefined
        ? `${this.conversationId} has no transcript yet: nothing to reset`
        : `new conversation: the transcript (${moved} item${moved === 1 ? '' : 's'}) is archived as ${archivedId}`,
    );
  }

  private showTools(): void {
    const specs = this.agent.registry.specs;
    this.out(`${specs.length} tools offered:`);
    for (const spec of specs) this.out(`  ${spec.name} — ${firstSentence(spec.description)}`);
  }

  /**
   * `/history`: what the model is sent of the conversation next turn (HISTORY_MAX_TOKENS, and the modules kept
   * before it, HISTORY_MODULES_MAX_TOKENS), one line per item.
   */
  private showHistory(): void {
    const { historyMaxTokens, historyModulesMaxTokens } = this.options.config.llm;
    const history = loadHistoryWithModules(this.store, this.conversationId, historyMaxTokens, historyModulesMaxTokens);
    const dropped = history.droppedTokens > 0 ? `, ${history.droppedTokens.toLocaleString('en-US')} older tokens left out` : '';
    this.out(`${this.conversationId}: ${history.items.length} items kept, ${history.tokens.toLocaleString('en-US')} tokens${dropped}`);
    for (const { item } of history.items) {
      const line = historyLine(item);
      if (line) this.out(`  ${clip(line, HISTORY_LINE_CHARS)}`);
    }
  }

  private showHelp(): void {
    this.out(
      [
        `A message is sent to the assistant as the guest ${this.ref.externalId} (${this.ref.channel}, a test identity) of ${this.conversationId}.`,
        '  /tools    the tools the model is offered',
        '  /history  the conversation the model is sent next turn',
        '  /reset    start a new conversation (the transcript is archived, not deleted)',
        '  /help     this text',
        '  Ctrl-D    leave (Ctrl-C interrupts a turn)',
      ].join('\n'),
    );
  }

  private say(text: string): void {
    this.out(`bot> ${text}`);
  }

  private out(text: string): void {
    this.options.write(text);
  }

  private dim(text: string): string {
    return this.options.dim ? text.split('\n').map((l) => `\x1b[2m${l}\x1b[22m`).join('\n') : text;
  }
}

/**
 * Opens the database for the console without the server's lock. A database behind this version's schema is
 * migrated, which takes the lock for the moment of the migration: refused while a server runs on it.
 */
export function openConsoleDatabase(path: string): Db {
  let db: Db;
  try {
    db = openDatabase(path);
  } catch (err) {
    if (err instanceof PathError) throw new ConsoleSetupError(`CONVERSATION_DB_PATH (or --db): ${err.message}`);
    throw err;
  }
  const version = schemaVersion(db);
  if (version > LATEST_SCHEMA_VERSION) {
    db.close();
    throw new ConsoleSetupError(`${path} is at schema ${version}, newer than this version's ${LATEST_SCHEMA_VERSION}: use the matching version`);
  }
  if (version < LATEST_SCHEMA_VERSION) {
    try {
      runMigrations(path);
    } catch (err) {
      db.close();
      if (err instanceof InstanceLockError) {
        throw new ConsoleSetupError(
          `${path} is at schema ${version} and this version needs ${LATEST_SCHEMA_VERSION}, but ${err.message}. ` +
            'Migrate when the server is stopped (`npm run migrate`), or try the console on another database (--db).',
        );
      }
      throw err;
    }
  }
  return db;
}
