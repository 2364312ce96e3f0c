// Chat Completions adapter, for OpenAI-compatible servers (Gemini's compat endpoint, Ollama, vLLM).
// Same neutral items as the Responses adapter; unknown fields on tool calls (Gemini's
// extra_content.google.thought_signature) are kept and replayed unchanged.
import { randomUUID } from 'node:crypto';
import type OpenAI from 'openai';
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionContentPart,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionFunctionTool,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions/completions.js';
import type { ReasoningEffort } from 'openai/resources/shared.js';
import { z } from 'zod';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { TranscriptItem, UserContentPart } from '../core/transcript.js';
import type { ModelUsage } from '../core/usage.js';
import type { ToolSpec } from '../tools/registry.js';
import { ModelResponseError } from './errors.js';
import type { ModelApi, ModelCallOptions, ModelFunctionCall, ModelRequest, ModelResult } from './model-api.js';

export interface ChatCompletionsApiOptions {
  model: string;
  maxOutputTokens: number;
  reasoningEffort: ReasoningEffort | undefined;
  /** Send OpenAI-only fields (store, prompt_cache_key, max_completion_tokens). */
  openaiDialect: boolean;
  tools: readonly ToolSpec[];
}

/** Message-level fields replayed unchanged when a provider sends them. */
const MESSAGE_EXTRA_KEYS = ['extra_content', 'reasoning_content'] as const;

const ToolCall = z.looseObject({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string(), arguments: z.string().nullish() }),
});
const Message = z.looseObject({
  content: z.string().nullish(),
  refusal: z.string().nullish(),
  tool_calls: z.array(ToolCall).nullish(),
});
const Usage = z.looseObject({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
});
const CompletionBody = z.looseObject({
  id: z.string().nullish(),
  choices: z.array(z.looseObject({ message: Message, finish_reason: z.string().nullish() })),
  usage: Usage.nullish(),
  service_tier: z.string().nullish(),
});

interface AssistantGroup {
  texts: string[];
  toolCalls: ChatCompletionMessageFunctionToolCall[];
  extra: JsonObject | undefined;
}

function toolCallOf(item: Extract<TranscriptItem, { kind: 'function_call' }>): ChatCompletionMessageFunctionToolCall {
  if (item.chatToolCall) return item.chatToolCall as unknown as ChatCompletionMessageFunctionToolCall;
  return { id: item.callId, type: 'function', function: { name: item.name, arguments: item.arguments } };
}

export const PDF_NOT_SUPPORTED_NOTE =
  '(This model cannot open the PDF above here. If it matters, ask the guest kindly to send a screenshot of it as an image.)';

/**
 * This turn's media as chat content parts: images as image_url (data URL). PDFs as a `file` part when
 * the provider takes files (OpenAI dialect), otherwise a note asking for a screenshot.
 */
function toChatContent(parts: readonly UserContentPart[], pdfAsFile: boolean): ChatCompletionContentPart[] {
  return parts.map((part): ChatCompletionContentPart => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'image':
        return { type: 'image_url', image_url: { url: `data:${part.contentType};base64,${part.base64}` } };
      case 'file':
        return pdfAsFile
          ? { type: 'file', file: { filename: part.fileName, file_data: `data:${part.contentType};base64,${part.base64}` } }
          : { type: 'text', text: PDF_NOT_SUPPORTED_NOTE };
    }
  });
}

/**
 * Stored items as chat messages. Consecutive assistant texts and function calls are one model response
 * and become one assistant message; reasoning items are Responses-only and skipped; developer notes
 * become system messages (the role every compatible server knows).
 */
export function buildChatMessages(request: ModelRequest, pdfAsFile = true): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: request.instructions }];
  let group: AssistantGroup | undefined;
  const flush = () => {
    if (!group) return;
    const msg: ChatCompletionAssistantMessageParam = {
      ...(group.extra ?? {}),
      role: 'assistant',
      content: group.texts.length > 0 ? group.texts.join('\n\n') : null,
    };
    if (group.toolCalls.length > 0) msg.tool_calls = group.toolCalls;
    messages.push(msg);
    group = undefined;
  };
  const add = (item: TranscriptItem) => {
    switch (item.kind) {
      case 'user':
        flush();
        messages.push({ role: 'user', content: item.parts ? toChatContent(item.parts, pdfAsFile) : item.text });
        return;
      case 'developer':
        flush();
        messages.push({ role: 'system', content: item.text });
        return;
      case 'assistant':
        group ??= { texts: [], toolCalls: [], extra: item.chatMessageExtra };
        if (item.text !== '') group.texts.push(item.text);
        return;
      case 'function_call':
        group ??= { texts: [], toolCalls: [], extra: item.chatMessageExtra };
        group.toolCalls.push(toolCallOf(item));
        return;
      case 'function_output':
        flush();
        messages.push({ role: 'tool', tool_call_id: item.callId, content: item.output });
        return;
      case 'reasoning':
        return;
    }
  };
  for (const item of request.history) add(item);
  for (const item of request.turnItems) add(item);
  flush();
  for (const note of request.notes) messages.push({ role: 'system', content: note });
  return messages;
}

function pickExtra(message: Record<string, unknown>): JsonObject | undefined {
  let extra: JsonObject | undefined;
  for (const key of MESSAGE_EXTRA_KEYS) {
    const value = message[key];
    if (value !== undefined && value !== null) (extra ??= {})[key] = value as JsonValue;
  }
  return extra;
}

function usageOf(u: z.infer<typeof Usage> | null | undefined): ModelUsage | undefined {
  if (!u) return undefined;
  return {
    inputTokens: u.prompt_tokens,
    cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
    outputTokens: u.completion_tokens,
    reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

export function parseChatCompletion(raw: unknown): Omit<ModelResult, 'requestId'> {
  const parsed = CompletionBody.safeParse(raw);
  if (!parsed.success) throw new ModelResponseError('invalid_response', 'chat completion did not match the expected shape');
  const choice = parsed.data.choices[0];
  if (!choice) throw new ModelResponseError('invalid_response', 'chat completion without choices');
  const message = choice.message;
  const extra = pickExtra(message);
  const items: TranscriptItem[] = [];
  const calls: ModelFunctionCall[] = [];
  const text = message.content ?? message.refusal ?? '';
  if (text !== '') items.push({ kind: 'assistant', text, ...(extra ? { chatMessageExtra: extra } : {}) });
  for (const tc of message.tool_calls ?? []) {
    if (tc.type && tc.type !== 'function') continue;
    // Some servers omit ids; the pairing of outputs needs one.
    const callId = tc.id ?? `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const { index: _index, ...rest } = tc as Record<string, unknown>;
    const raw = { ...rest, id: callId } as JsonObject;
    const c = { callId, name: tc.function.name, arguments: tc.function.arguments ?? '' };
    calls.push(c);
    items.push({
      kind: 'function_call',
      ...c,
      chatToolCall: raw,
      ...(extra && items.length === 0 ? { chatMessageExtra: extra } : {}),
    });
  }
  const finish = choice.finish_reason ?? undefined;
  return {
    items,
    calls,
    text,
    usage: usageOf(parsed.data.usage),
    responseId: parsed.data.id ?? undefined,
    incompleteReason: finish === 'length' || finish === 'content_filter' ? finish : undefined,
    serviceTier: parsed.data.service_tier ?? undefined,
  };
}

export function createChatCompletionsApi(client: OpenAI, options: ChatCompletionsApiOptions): ModelApi {
  const tools: ChatCompletionFunctionTool[] = options.tools.map((t) => ({
    type: 'function',
    function: {
      name: t.name,
      description: t.description,
      parameters: t.parameters,
      ...(t.strict ? { strict: true } : {}),
    },
  }));

  return {
    api: 'chat_completions',
    async call(request: ModelRequest, callOptions: ModelCallOptions): Promise<ModelResult> {
      const body: ChatCompletionCreateParamsNonStreaming = {
        model: options.model,
        messages: buildChatMessages(request, options.openaiDialect),
      };
      if (tools.length > 0) {
        body.tools = tools;
        body.tool_choice = request.toolChoice;
      }
      if (options.openaiDialect) {
        body.max_completion_tokens = options.maxOutputTokens;
        body.store = false;
        body.prompt_cache_key = request.promptCacheKey;
      } else {
        body.max_tokens = options.maxOutputTokens;
      }
      if (options.reasoningEffort !== undefined) body.reasoning_effort = options.reasoningEffort;
      if (callOptions.serviceTier) body.service_tier = callOptions.serviceTier;
      const { data, request_id } = await client.chat.completions
        .create(body, { maxRetries: 0, timeout: callOptions.timeoutMs, signal: callOptions.signal })
        .withResponse();
      return { ...parseChatCompletion(data), requestId: request_id ?? undefined };
    },
  };
}
