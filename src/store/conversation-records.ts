// What the conversation store reads and writes: a conversation's row, a turn to commit with its model calls,
// and a stored turn and model call as the admin views and the usage report read them back.
import type { Channel } from '../core/conversation-id.js';
import type { ModelConfigName } from '../core/model-config.js';
import type { NewTranscriptItem } from '../core/transcript.js';
import type { ModelUsage } from '../core/usage.js';

export interface ConversationRow {
  id: string;
  channel: Channel;
  waId: string | null;
  subscriberId: string | null;
  guestName: string | null;
  createdAt: number;
  lastActivityAt: number;
  totalTokens: number;
  itemCount: number;
}

export type CallPurpose = 'tools' | 'final_no_tools' | 'reask_no_tools';

export interface ModelCallRecord {
  purpose: CallPurpose;
  startedAt: number;
  durationMs: number;
  status: 'ok' | 'error';
  errorClass?: string | undefined;
  httpStatus?: number | undefined;
  requestId?: string | undefined;
  responseId?: string | undefined;
  usage?: ModelUsage | undefined;
  /**
   * The service tier: the one the response reported (default, flex, …), else the one asked for (flex), else
   * none (the default tier). A failed attempt has the tier it asked for.
   */
  serviceTier?: string | undefined;
  /** The model the call went to when it is not the turn's `model` (OPENAI_LIGHT_MODEL's calls); priced at it. */
  model?: string | undefined;
}

export interface TurnRecord {
  conversationId: string;
  channel: Channel;
  guest: { waId?: string | undefined; subscriberId?: string | undefined; name?: string | undefined };
  startedAt: number;
  endedAt: number;
  model: string;
  api: 'responses' | 'chat_completions';
  /** The model configuration that answered (agent/canary.ts); default 'primary' (notices, older callers). */
  config?: ModelConfigName | undefined;
  rounds: number;
  status: 'answered' | 'failed';
  errorClass?: string | undefined;
  historyItems: number;
  historyTokens: number;
  items: NewTranscriptItem[];
  calls: ModelCallRecord[];
}

export interface StoredTurn {
  id: number;
  conversationId: string;
  startedAt: number;
  endedAt: number;
  model: string;
  api: string;
  /** primary | canary */
  config: string;
  rounds: number;
  status: string;
  errorClass: string | null;
  historyItems: number;
  historyTokens: number;
}

export interface StoredModelCall {
  id: number;
  turnId: number;
  seq: number;
  purpose: string;
  startedAt: number;
  durationMs: number;
  status: string;
  errorClass: string | null;
  httpStatus: number | null;
  requestId: string | null;
  responseId: string | null;
  inputTokens: number | null;
  cachedTokens: number | null;
  outputTokens: number | null;
  reasoningTokens: number | null;
  /** US$, from the usage and the store's price table; null when unpriced or without usage. */
  costUsd: number | null;
  /** The service tier (migration 18): flex, default, …; null before that version or when none was reported or asked. */
  serviceTier: string | null;
  /** The call's model when it is not the turn's (migration 20, OPENAI_LIGHT_MODEL); null: the turn's model. */
  model: string | null;
}
