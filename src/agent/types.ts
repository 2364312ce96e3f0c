// The seam between the buffer and the agent: one call per batch of guest messages.
import type { Logger } from 'pino';
import type { BufferedMessage, Guest } from '../core/messages.js';
import type { Channel } from '../core/conversation-id.js';
import type { ToolEffect } from '../tools/effects.js';
import type { ModelConfigName } from '../core/model-config.js';
import type { InstructionsCheck } from './instruction-sources.js';

export interface AgentTurn {
  conversationId: string;
  channel: Channel;
  guest: Guest;
  /** All messages of the batch, in arrival order. */
  messages: BufferedMessage[];
  /**
   * What happened while the bot was not listening (guest and staff messages it did not answer), as a Spanish
   * block. Placed in this turn's input after the history, never before it.
   */
  missedMessagesBlock?: string;
  /** Logger already bound to this conversation (redacted id). */
  log: Logger;
  /** Aborted when the server shuts down; the batch is then resumed after restart. */
  signal: AbortSignal;
}

export type AgentResult =
  | {
      outcome: 'answered';
      /** Text for the guest; empty means nothing to send. */
      reply: string;
      /**
       * Writes the turn's transcript. Called synchronously inside the same SQLite transaction that
       * records the reply for delivery, so a crash never leaves one without the other.
       */
      commit?: () => void;
      /** What the turn's tool calls asked of the server (handoff, media for the guest, jobs), in order. */
      effects?: readonly ToolEffect[];
      /** The model configuration that answered (canary.ts); absent when no model ran. */
      config?: ModelConfigName;
    }
  | {
      outcome: 'failed';
      /** Stable error class for logs and the batch record (e.g. `rate_limited`, `server_error`). */
      errorClass: string;
      commit?: () => void;
      /** Effects of the tool calls that ran before the turn failed. */
      effects?: readonly ToolEffect[];
      config?: ModelConfigName;
    };

export interface Readiness {
  ready: boolean;
  reasons: string[];
  /** Problems staff should see that do not stop turns (e.g. instruction modules that cannot be read). */
  warnings?: string[];
  /** The instructions in use, for /ready's checks (path, form, token counts, short hash). */
  instructions?: InstructionsCheck;
}

export interface Agent {
  /** Whether turns can run at all (e.g. an API key is configured). */
  readiness(): Readiness;
  respond(turn: AgentTurn): Promise<AgentResult>;
  /** The model configuration a conversation's turns go to now (canary.ts); without it, the primary. */
  configFor?(conversationId: string): ModelConfigName;
  /** The names of the tools the model is offered (for /ready: the original's tools that are not). */
  offeredTools?(): readonly string[];
}
