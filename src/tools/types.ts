// What a tool module exports and what the server hands it. The model chooses only the arguments;
// identities (conversation, channel, waId, subscriber id) always come from the context. A tool module is a
// factory that receives exactly the services it needs (createXTool({ rates })); the context carries only
// what belongs to the call. What a tool asks of the server (handoff, media for the guest, a job) goes
// through `effects`, never through a service it calls itself.
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Channel } from '../core/conversation-id.js';
import type { TranscriptItem } from '../core/transcript.js';
import type { ToolDoes, ToolNeed } from './declaration.js';
import type { EffectsCollector } from './effects.js';

export interface ToolContext {
  conversationId: string;
  channel: Channel;
  /** WhatsApp waId (digits) when the conversation is on WhatsApp. */
  waId: string | undefined;
  /** ManyChat subscriber id when the conversation is on Messenger or Instagram. */
  subscriberId: string | undefined;
  guestName: string | undefined;
  /** Bound to the conversation (redacted id) and the tool name. */
  logger: Logger;
  clock: Clock;
  /** Aborted when the tool times out or the turn is aborted. */
  signal: AbortSignal;
  /** Effects for the server, applied with the reply; dropped if this call fails. */
  effects: EffectsCollector;
  /**
   * What the model sees of the conversation in this call: the kept history and this turn's items so far
   * (read-only; e.g. to tell what a module loaded earlier already put in front of the model).
   */
  transcript: readonly TranscriptItem[];
  /**
   * The conversation's loaded instruction modules, which the agent puts in every call's instructions
   * (agent/loaded-modules.ts); undefined where loaded modules go into the transcript (the earlier placement).
   */
  loadedModules?: LoadedModulesContext | undefined;
}

/** What load_additional_modules sees and changes of the conversation's loaded modules. */
export interface LoadedModulesContext {
  /** The loaded path that holds `path`: itself, or one of its `ancestors`; undefined when none is loaded. */
  holding(path: string, ancestors: readonly string[]): string | undefined;
  /** Adds `sections`, marks `touched` as used; returns the paths taken out to stay within the budget. */
  add(sections: readonly { path: string; segments: readonly string[]; text: string }[], touched: readonly string[]): { removed: string[] };
}

/**
 * A tool. `parameters` must be a zod object: unknown keys are stripped, so identifiers the model adds to
 * the arguments never reach the handler. The handler's return value becomes the output the model sees:
 * strings as they are, anything else as JSON. `does` and `needs` are its declaration (declaration.ts): never
 * sent to the model, read by whatever must know what the tool does (the comparison, the console, /ready).
 */
export interface ToolDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  /** What a call does to the world; required, so a tool that acts cannot be left unmarked. */
  does: ToolDoes;
  /** The services it cannot work without (declaration.ts TOOL_NEEDS); none when omitted. */
  needs?: readonly ToolNeed[] | undefined;
  description: string;
  parameters: S;
  handler(context: ToolContext, args: z.output<S>): unknown;
  /** Overrides the default handler timeout (TOOL_TIMEOUT_SECONDS). */
  timeoutMs?: number;
  /** Sends `strict: true` (OpenAI structured arguments); the schema must then be strict-compatible. */
  strict?: boolean;
}

/** Keeps the schema's type for the handler's args while producing a plain ToolDefinition. */
export function defineTool<S extends z.ZodType>(tool: ToolDefinition<S>): ToolDefinition {
  return tool as unknown as ToolDefinition;
}

/** JSON-schema key marking an object the model is shown as a one-line summary of its keys (see summarizeForModel). */
export const MODEL_SUMMARY_KEY = 'x-model-summary';

/**
 * Shows the model this object as its description and its keys (`{a, b?, c?: [{d}]}`) instead of the full nested
 * schema; zod still validates every field and names the wrong one. For an object another tool's parameters
 * already spell out (a follow-up's booking_data is make_booking's fields), so its schema is not sent twice.
 */
export function summarizeForModel<S extends z.ZodType>(schema: S): S {
  return schema.meta({ [MODEL_SUMMARY_KEY]: true });
}

/** A file a tool hands the model (a menu's PDF). */
export interface ToolFile {
  fileName: string;
  contentType: string;
  base64: string;
}

/**
 * A tool output that carries files. APIs whose function outputs may hold content parts (Responses) get
 * `note` and the files; text-only APIs (Chat Completions) get `text`, which is also what the transcript
 * keeps for later turns.
 */
export class ToolOutputWithFiles {
  constructor(
    readonly text: string,
    readonly note: string,
    readonly files: readonly ToolFile[],
  ) {}
}

/** A handler error whose message is safe to show to the model (never to the guest). */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}
