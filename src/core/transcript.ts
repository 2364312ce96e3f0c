// The transcript's vocabulary: the items of a conversation as the agent replays them to the model and the
// store keeps them. Types only, so every layer above (store, agent, tools, compare) speaks the same items.
import type { JsonObject } from './json.js';

/**
 * This turn's user content with media, in arrival order. Only ever in memory: the transcript stores the
 * item's `text` (short references with media ids), never the bytes.
 */
export type UserContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; mediaId: string; contentType: string; base64: string }
  | { type: 'file'; mediaId: string; contentType: string; fileName: string; base64: string };

/**
 * What a tool gave the model besides its text output (a menu's PDF), for this turn's calls on the Responses
 * API. Only ever in memory, like UserContentPart: the transcript keeps the output's text.
 */
export type FunctionOutputPart =
  | { type: 'text'; text: string }
  | { type: 'file'; fileName: string; contentType: string; base64: string };

/**
 * One transcript item, API-neutral so a conversation survives a switch of LLM_API. Items produced by
 * a provider keep the provider's own object (`responsesItem`, `chatToolCall`, `chatMessageExtra`) so
 * they replay byte-for-byte on that API (encrypted reasoning, Gemini thought signatures, …).
 */
export type TranscriptItem =
  | { kind: 'user'; text: string; parts?: UserContentPart[] }
  /** Per-turn context (date, time, channel) or another server note. */
  | { kind: 'developer'; text: string }
  | {
      kind: 'assistant';
      text: string;
      /** True for text the server wrote (e.g. the fallback sent after a failed turn). */
      synthetic?: boolean;
      /** The Responses output message as received. */
      responsesItem?: JsonObject;
      /** Chat Completions: message-level fields to replay (e.g. `extra_content`, `reasoning_content`). */
      chatMessageExtra?: JsonObject;
    }
  | {
      kind: 'function_call';
      callId: string;
      name: string;
      /** JSON text exactly as the model produced it. */
      arguments: string;
      responsesItem?: JsonObject;
      /** Chat Completions: the tool call object as received (incl. unknown fields such as `extra_content`). */
      chatToolCall?: JsonObject;
      chatMessageExtra?: JsonObject;
    }
  | { kind: 'function_output'; callId: string; output: string; parts?: FunctionOutputPart[] }
  | {
      kind: 'reasoning';
      /** Summary text, only used for token counting. */
      summary: string;
      responsesItem: JsonObject;
    };

export type TranscriptKind = TranscriptItem['kind'];

/**
 * Where a history may start. 2: the first item of a turn; 1: the start of a model response or the user
 * item; 0: anywhere else (a function output, or the second item of a model response). Starting only at
 * boundaries guarantees that no function output is separated from its call and no reasoning item from
 * the item it precedes.
 */
export type Boundary = 0 | 1 | 2;

export interface NewTranscriptItem {
  item: TranscriptItem;
  boundary: Boundary;
  /** Token count when already known; computed here otherwise. */
  tokens?: number;
}

export interface StoredTranscriptItem {
  id: number;
  boundary: Boundary;
  tokens: number;
  cumTokens: number;
  item: TranscriptItem;
}

/** A transcript item with the turn that wrote it. */
export interface TurnTranscriptItem extends StoredTranscriptItem {
  turnId: number;
}

export interface History {
  items: StoredTranscriptItem[];
  /** Sum of the items' tokens. */
  tokens: number;
  /** Tokens of the conversation left out by the budget. */
  droppedTokens: number;
  /** How many of `items`, at their start, are loaded modules kept from before the budget (turn-loop.ts loadHistoryWithModules). */
  pinnedItems?: number;
}
