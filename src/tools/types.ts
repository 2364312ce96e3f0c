// What a tool module exports and what the server hands it. The model chooses only the arguments;
// identities (conversation, channel, waId, subscriber id) always come from the context.
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ChannelClients } from '../channels/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Channel } from '../conversation-id.js';

export interface ToolContext {
  conversationId: string;
  channel: Channel;
  /** WhatsApp waId (digits) when the conversation is on WhatsApp. */
  waId: string | undefined;
  /** ManyChat subscriber id when the conversation is on Messenger or Instagram. */
  subscriberId: string | undefined;
  guestName: string | undefined;
  /** Channel clients for tools that deliver media themselves; absent in setups without delivery. */
  channels: ChannelClients | undefined;
  /** Bound to the conversation (redacted id) and the tool name. */
  logger: Logger;
  clock: Clock;
  config: Config;
  /** Aborted when the tool times out or the turn is aborted. */
  signal: AbortSignal;
}

/**
 * A tool. `parameters` must be a zod object: unknown keys are stripped, so identifiers the model adds to
 * the arguments never reach the handler. The handler's return value becomes the output the model sees:
 * strings as they are, anything else as JSON.
 */
export interface ToolDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
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

/** A handler error whose message is safe to show to the model (never to the guest). */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}
