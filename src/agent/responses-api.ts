// Responses API adapter: stateless (store false, full replay from the local transcript), encrypted
// reasoning requested and replayed with the output items it came with, ids and order kept.
import type OpenAI from 'openai';
import type {
  FunctionTool,
  ResponseCreateParamsNonStreaming,
  ResponseFunctionCallOutputItem,
  ResponseInputContent,
  ResponseInputItem,
} from 'openai/resources/responses/responses.js';
import type { ReasoningEffort } from 'openai/resources/shared.js';
import { z } from 'zod';
import type { JsonObject } from '../core/json.js';
import type { FunctionOutputPart, TranscriptItem, UserContentPart } from '../core/transcript.js';
import type { ModelUsage } from '../core/usage.js';
import type { ToolSpec } from '../tools/registry.js';
import { ModelResponseError } from './errors.js';
import { withoutProviderId } from './history.js';
import type { ModelApi, ModelCallOptions, ModelFunctionCall, ModelRequest, ModelResult } from './model-api.js';

export interface ResponsesApiOptions {
  model: string;
  maxOutputTokens: number;
  /** Undefined for models that take no reasoning effort. */
  reasoningEffort: ReasoningEffort | undefined;
  tools: readonly ToolSpec[];
}

const OutputItem = z.looseObject({ type: z.string() });
const FunctionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string(),
  arguments: z.string(),
});
const MessageItem = z.looseObject({
  type: z.literal('message'),
  content: z.array(
    z.looseObject({ type: z.string(), text: z.string().optional(), refusal: z.string().optional() }),
  ),
});
const ReasoningItem = z.looseObject({
  type: z.literal('reasoning'),
  summary: z.array(z.looseObject({ text: z.string().optional() })).optional(),
  encrypted_content: z.string().nullish(),
});
const Usage = z.looseObject({
  input_tokens: z.number(),
  input_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  output_tokens: z.number(),
  output_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
});
const ResponseBody = z.looseObject({
  id: z.string(),
  status: z.string().nullish(),
  output: z.array(OutputItem),
  usage: Usage.nullish(),
  incomplete_details: z.looseObject({ reason: z.string().nullish() }).nullish(),
  error: z.looseObject({ code: z.string().nullish() }).nullish(),
  service_tier: z.string().nullish(),
});

/**
 * One stored item as Responses input. Provider items are replayed exactly as received — reasoning,
 * messages and function calls keep their ids — which is how the API takes back a stateless (store
 * false) conversation. Whether a reasoning item may travel at all is decided by buildResponsesInput.
 */
export function toResponsesInput(item: TranscriptItem): ResponseInputItem {
  switch (item.kind) {
    case 'user':
      return item.parts
        ? { type: 'message', role: 'user', content: item.parts.map(toResponsesContent) }
        : { type: 'message', role: 'user', content: item.text };
    case 'developer':
      return { type: 'message', role: 'developer', content: item.text };
    case 'assistant':
      return item.responsesItem
        ? (item.responsesItem as unknown as ResponseInputItem)
        : { type: 'message', role: 'assistant', content: item.text };
    case 'function_call':
      return item.responsesItem
        ? (item.responsesItem as unknown as ResponseInputItem)
        : { type: 'function_call', call_id: item.callId, name: item.name, arguments: item.arguments };
    case 'function_output':
      return item.parts
        ? { type: 'function_call_output', call_id: item.callId, output: item.parts.map(toFunctionOutputContent) }
        : { type: 'function_call_output', call_id: item.callId, output: item.output };
    case 'reasoning':
      return item.responsesItem as unknown as ResponseInputItem;
  }
}

/** The provider id of a stored message or function call, when it has one. */
function outputIdOf(item: TranscriptItem | undefined): string | undefined {
  if (item?.kind !== 'assistant' && item?.kind !== 'function_call') return undefined;
  const id = item.responsesItem?.id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Whether a stored reasoning item can be replayed. The API rejects one without `encrypted_content`
 * (with store false there is nothing to look its id up in: 404) and one not immediately followed by
 * the item that followed it in the output (400). The transcript keeps a response's items together and
 * in order (history starts only at a response boundary; drops go through dropItems), so that item is
 * the next one — when it was stored with its id. Transcripts whose messages and calls have no ids
 * cannot satisfy the API, so their reasoning is left out.
 */
function replayable(item: Extract<TranscriptItem, { kind: 'reasoning' }>, next: TranscriptItem | undefined): boolean {
  return (
    typeof item.responsesItem.id === 'string' &&
    typeof item.responsesItem.encrypted_content === 'string' &&
    outputIdOf(next) !== undefined
  );
}

/**
 * The history, this turn's items and the notes as Responses input. A reasoning item that cannot be
 * replayed (see replayable; all of them when the model takes no reasoning) is dropped, and the
 * messages and calls that followed it go without their ids: the API refuses an item replayed with its
 * id but without the reasoning that preceded it, and takes it as a plain item without one.
 */
export function buildResponsesInput(request: ModelRequest, replayReasoning: boolean): ResponseInputItem[] {
  const items = [...request.history, ...request.turnItems];
  const input: ResponseInputItem[] = [];
  let orphaned = false;
  items.forEach((item, i) => {
    if (item.kind === 'reasoning') {
      orphaned = !replayReasoning || !replayable(item, items[i + 1]);
      if (!orphaned) input.push(toResponsesInput(item));
    } else if (item.kind === 'assistant' || item.kind === 'function_call') {
      input.push(toResponsesInput(orphaned ? withoutProviderId(item) : item));
    } else {
      orphaned = false;
      input.push(toResponsesInput(item));
    }
  });
  for (const note of request.notes) input.push({ type: 'message', role: 'developer', content: note });
  return input;
}

/** A tool's file (a menu's PDF) inside its function output: function outputs may be content arrays. */
function toFunctionOutputContent(part: FunctionOutputPart): ResponseFunctionCallOutputItem {
  return part.type === 'text'
    ? { type: 'input_text', text: part.text }
    : { type: 'input_file', filename: part.fileName, file_data: `data:${part.contentType};base64,${part.base64}` };
}

/** This turn's media, given natively: images as input_image, PDFs as input_file (data URLs). */
function toResponsesContent(part: UserContentPart): ResponseInputContent {
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: part.text };
    case 'image':
      return { type: 'input_image', image_url: `data:${part.contentType};base64,${part.base64}`, detail: 'auto' };
    case 'file':
      return { type: 'input_file', filename: part.fileName, file_data: `data:${part.contentType};base64,${part.base64}` };
  }
}

function usageOf(body: z.infer<typeof ResponseBody>): ModelUsage | undefined {
  const u = body.usage;
  if (!u) return undefined;
  return {
    inputTokens: u.input_tokens,
    cachedTokens: u.input_tokens_details?.cached_tokens ?? 0,
    outputTokens: u.output_tokens,
    reasoningTokens: u.output_tokens_details?.reasoning_tokens ?? 0,
  };
}

/** Converts the response's output into stored items, the calls to run and the text. */
export function parseResponsesOutput(raw: unknown): Omit<ModelResult, 'requestId'> {
  const parsed = ResponseBody.safeParse(raw);
  if (!parsed.success) throw new ModelResponseError('invalid_response', 'Responses body did not match the expected shape');
  const body = parsed.data;
  if (body.status === 'failed') {
    throw new ModelResponseError('server_error', `response failed (${body.error?.code ?? 'no code'})`, true);
  }
  const items: TranscriptItem[] = [];
  const calls: ModelFunctionCall[] = [];
  const texts: string[] = [];
  for (const out of body.output) {
    const json = out as unknown as JsonObject;
    if (out.type === 'function_call') {
      const call = FunctionCallItem.safeParse(out);
      if (!call.success) throw new ModelResponseError('invalid_response', 'function_call item without call_id/name/arguments');
      const c = { callId: call.data.call_id, name: call.data.name, arguments: call.data.arguments };
      calls.push(c);
      items.push({ kind: 'function_call', ...c, responsesItem: json });
    } else if (out.type === 'message') {
      const msg = MessageItem.safeParse(out);
      if (!msg.success) throw new ModelResponseError('invalid_response', 'message item without content');
      const text = msg.data.content
        .map((part) => (part.type === 'output_text' ? (part.text ?? '') : part.type === 'refusal' ? (part.refusal ?? '') : ''))
        .join('');
      texts.push(text);
      items.push({ kind: 'assistant', text, responsesItem: json });
    } else if (out.type === 'reasoning') {
      const r = ReasoningItem.safeParse(out);
      if (!r.success) throw new ModelResponseError('invalid_response', 'malformed reasoning item');
      const summary = (r.data.summary ?? []).map((s) => s.text ?? '').join('\n');
      items.push({ kind: 'reasoning', summary, responsesItem: json });
    }
    // Other item types (built-in tools) are never requested; they are not replayable, so skipped.
  }
  const reason = body.status === 'incomplete' ? (body.incomplete_details?.reason ?? 'incomplete') : undefined;
  return {
    items,
    calls,
    text: texts.filter((t) => t !== '').join('\n\n'),
    usage: usageOf(body),
    responseId: body.id,
    incompleteReason: reason,
    serviceTier: body.service_tier ?? undefined,
  };
}

export function createResponsesApi(client: OpenAI, options: ResponsesApiOptions): ModelApi {
  // Built once: the tool list is part of the cached prefix and must not change between calls.
  const tools: FunctionTool[] = options.tools.map((t) => ({
    type: 'function',
    name: t.name,
    description: t.description,
    parameters: t.parameters,
    strict: t.strict,
  }));
  const replayReasoning = options.reasoningEffort !== undefined;

  return {
    api: 'responses',
    async call(request: ModelRequest, callOptions: ModelCallOptions): Promise<ModelResult> {
      const body: ResponseCreateParamsNonStreaming = {
        model: options.model,
        instructions: request.instructions,
        input: buildResponsesInput(request, replayReasoning && request.withoutReasoning !== true),
        store: false,
        max_output_tokens: options.maxOutputTokens,
        prompt_cache_key: request.promptCacheKey,
      };
      if (tools.length > 0) {
        body.tools = tools;
        body.tool_choice = request.toolChoice;
      }
      if (replayReasoning) {
        body.reasoning = { effort: options.reasoningEffort };
        body.include = ['reasoning.encrypted_content'];
      }
      if (callOptions.serviceTier) body.service_tier = callOptions.serviceTier;
      const { data, request_id } = await client.responses
        .create(body, { maxRetries: 0, timeout: callOptions.timeoutMs, signal: callOptions.signal })
        .withResponse();
      return { ...parseResponsesOutput(data), requestId: request_id ?? undefined };
    },
  };
}
