// The API-neutral shape of one model call, implemented by the Responses and Chat Completions adapters.
import type { TranscriptItem } from '../core/transcript.js';
import type { ModelUsage } from '../core/usage.js';

export interface ModelRequest {
  /** Byte-identical every call. */
  instructions: string;
  /** Replayed history (already budgeted and paired). */
  history: readonly TranscriptItem[];
  /** This turn's items so far: date note, missed-messages block, the guest's batch, earlier rounds. */
  turnItems: readonly TranscriptItem[];
  /** Server notes sent after the turn items but not stored (e.g. "answer without tools now"). */
  notes: readonly string[];
  /** 'none' keeps the tool list (same cached prefix) but forbids calls. */
  toolChoice: 'auto' | 'none';
  promptCacheKey: string;
  /**
   * Send no reasoning items and no provider item ids (Responses API): the recovery when the API refused the
   * replayed reasoning, so a conversation is not stuck failing on its own transcript.
   */
  withoutReasoning?: boolean;
}

export interface ModelCallOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** `flex`: ask for OpenAI's Flex tier (`service_tier: "flex"`); unset: the default tier (no field sent). */
  serviceTier?: 'flex' | undefined;
}

export interface ModelFunctionCall {
  callId: string;
  name: string;
  arguments: string;
}

export interface ModelResult {
  /** Output items in order, in stored form (provider objects kept for exact replay). */
  items: TranscriptItem[];
  calls: ModelFunctionCall[];
  /** The assistant's text (all message items joined). */
  text: string;
  usage: ModelUsage | undefined;
  responseId: string | undefined;
  requestId: string | undefined;
  /** Why the output was cut short (e.g. max_output_tokens / length), when it was. */
  incompleteReason: string | undefined;
  /** The service tier the response says served it (`service_tier`: default, flex, …), when it says. */
  serviceTier: string | undefined;
}

export interface ModelApi {
  readonly api: 'responses' | 'chat_completions';
  call(request: ModelRequest, options: ModelCallOptions): Promise<ModelResult>;
}
