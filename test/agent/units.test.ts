import { writeFileSync } from 'node:fs';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import { describe, expect, it } from 'vitest';
import { buildChatMessages, parseChatCompletion } from '../../src/agent/chat-completions-api.js';
import { classifyError, ModelResponseError } from '../../src/agent/errors.js';
import { pairCallsAndOutputs } from '../../src/agent/history.js';
import { InstructionsFile } from '../../src/agent/instructions.js';
import { isToolCallImitation } from '../../src/agent/json-imitation.js';
import type { ModelRequest } from '../../src/agent/model-api.js';
import { promptCacheKey, takesReasoningEffort, usesOpenAiDialect } from '../../src/core/model-rules.js';
import { buildResponsesInput, parseResponsesOutput } from '../../src/agent/responses-api.js';
import { batchText, dateNote, messageLine } from '../../src/agent/turn-input.js';
import type { TranscriptItem } from '../../src/core/transcript.js';
import { tempInstructions, textMessage } from './helpers.js';

function apiError(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): APIError {
  return APIError.generate(status, { error }, undefined, new Headers({ 'x-request-id': 'req_1', ...headers }));
}

describe('classifyError', () => {
  it('classifies by class, status and code', () => {
    expect(classifyError(apiError(429, { type: 'requests', code: 'rate_limit_exceeded' }))).toMatchObject({
      errorClass: 'rate_limited',
      retryable: true,
      httpStatus: 429,
      requestId: 'req_1',
    });
    expect(classifyError(apiError(429, { type: 'insufficient_quota', code: 'insufficient_quota' }))).toMatchObject({
      errorClass: 'quota_exceeded',
      retryable: false,
    });
    expect(classifyError(apiError(500, { type: 'server_error' }))).toMatchObject({ errorClass: 'server_error', retryable: true });
    expect(classifyError(apiError(503, {}))).toMatchObject({ errorClass: 'server_error', retryable: true });
    expect(classifyError(apiError(400, { code: 'context_length_exceeded', type: 'invalid_request_error' }))).toMatchObject({
      errorClass: 'context_length_exceeded',
      contextLength: true,
      retryable: false,
    });
    expect(classifyError(apiError(400, { code: 'invalid_value' }))).toMatchObject({ errorClass: 'bad_request', retryable: false });
    expect(classifyError(apiError(401, {}))).toMatchObject({ errorClass: 'auth_error', retryable: false });
    expect(classifyError(apiError(404, {}))).toMatchObject({ errorClass: 'not_found' });
    expect(classifyError(apiError(408, {}))).toMatchObject({ errorClass: 'timeout', retryable: true });
    expect(classifyError(apiError(409, {}))).toMatchObject({ errorClass: 'conflict', retryable: true });
    expect(classifyError(apiError(418, {}))).toMatchObject({ errorClass: 'client_error', retryable: false });
    expect(classifyError(new APIConnectionTimeoutError())).toMatchObject({ errorClass: 'timeout', retryable: true });
    expect(classifyError(new APIConnectionError({ message: 'x' }))).toMatchObject({ errorClass: 'connection_error', retryable: true });
    expect(classifyError(new APIUserAbortError())).toMatchObject({ errorClass: 'aborted', retryable: false });
    expect(classifyError(new ModelResponseError('invalid_response', 'bad'))).toMatchObject({ errorClass: 'invalid_response' });
    expect(classifyError(new TypeError('boom'))).toMatchObject({ errorClass: 'internal_error', retryable: false });
  });

  it('ignores message text: a context-length wording without the code is a plain bad request', () => {
    expect(classifyError(apiError(400, { message: 'context_length_exceeded maximum context length' }))).toMatchObject({
      errorClass: 'bad_request',
      contextLength: false,
    });
  });

  it('reads Retry-After in seconds, milliseconds and as a date', () => {
    expect(classifyError(apiError(429, {}, { 'retry-after': '2' })).retryAfterMs).toBe(2000);
    expect(classifyError(apiError(429, {}, { 'retry-after-ms': '150' })).retryAfterMs).toBe(150);
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(classifyError(apiError(429, {}, { 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now).retryAfterMs).toBe(3000);
  });
});

describe('model rules', () => {
  it('knows which models take a reasoning effort', () => {
    for (const m of ['gpt-5', 'gpt-5-mini', 'gpt-5.2', 'o3', 'o4-mini', 'o1-2024-12-17', 'openai/gpt-5.1']) {
      expect(takesReasoningEffort(m), m).toBe(true);
    }
    for (const m of ['gpt-5-chat-latest', 'gpt-4.1', 'gpt-4o', 'gemini-3-flash', 'llama3.1:8b', 'gpt-oss:20b', 'o100']) {
      expect(takesReasoningEffort(m), m).toBe(false);
    }
  });

  it('decides the Chat Completions dialect from the base URL', () => {
    expect(usesOpenAiDialect({ baseUrl: undefined, openaiDialect: 'auto' })).toBe(true);
    expect(usesOpenAiDialect({ baseUrl: 'https://api.openai.com/v1', openaiDialect: 'auto' })).toBe(true);
    expect(usesOpenAiDialect({ baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai', openaiDialect: 'auto' })).toBe(false);
    expect(usesOpenAiDialect({ baseUrl: 'http://127.0.0.1:11434/v1', openaiDialect: 'on' })).toBe(true);
    expect(usesOpenAiDialect({ baseUrl: undefined, openaiDialect: 'off' })).toBe(false);
  });

  it('derives a stable cache key from the prefix hash that does not reveal the phone number', () => {
    const prefix = 'ab'.repeat(32);
    expect(promptCacheKey(prefix, '50370001234', 1)).toBe(promptCacheKey(prefix, '50370001234', 1));
    expect(promptCacheKey(prefix, '50370001234', 1)).toBe(promptCacheKey(prefix, '50370001235', 1));
    expect(promptCacheKey(prefix, '50370001234', 1)).not.toContain('1234');
  });
});

describe('isToolCallImitation', () => {
  it.each([
    '{"name": "check_office_status", "arguments": {}}',
    '```json\n{"function": "make_booking", "parameters": {"x": 1}}\n```',
    '[{"tool_calls": [{"id": "1"}]}]',
    '{"recipient_name": "functions.send_location_pin", "parameters": {}}',
  ])('detects %s', (text) => expect(isToolCallImitation(text)).toBe(true));

  it.each([
    'Claro, la oficina abre a las 8:00.',
    '{"name": "Ana"}',
    '{ no es json',
    'El formato es {"name": "x", "arguments": {}} para desarrolladores.',
  ])('accepts %s', (text) => expect(isToolCallImitation(text)).toBe(false));
});

describe('turn input', () => {
  it('writes the date note in Spanish with the zone and channel', () => {
    expect(dateNote(Date.UTC(2026, 0, 4, 3, 5), 'America/El_Salvador', 'instagram')).toBe(
      'Contexto del turno: hoy es sábado 2026-01-03, hora actual 21:05 (America/El_Salvador). Canal de la conversación: Instagram.',
    );
  });

  it('writes one line per message in the original style', () => {
    const m = textMessage('x');
    expect(messageLine({ ...m, text: '  Hola  ' })).toBe('  Hola  ');
    expect(messageLine({ ...m, kind: 'image', text: '' })).toBe('(User sent an image)');
    expect(messageLine({ ...m, kind: 'image', text: 'mi pago' })).toBe('(User sent an image with caption: mi pago)');
    expect(messageLine({ ...m, kind: 'audio', text: '' })).toBe('(User sent a voice note, but it could not be processed)');
    expect(messageLine({ ...m, kind: 'document', text: '' })).toBe('(User sent a document)');
    expect(messageLine({ ...m, kind: 'video', text: 'playa' })).toBe('(User sent a video with caption: playa)');
    expect(messageLine({ ...m, kind: 'sticker', text: '' })).toBe('(User sent a sticker)');
    expect(messageLine({ ...m, kind: 'location', text: '13.3,-89.0' })).toBe('(User sent a location: 13.3,-89.0)');
    expect(messageLine({ ...m, kind: 'other', text: '' })).toBe('(User sent a message of an unsupported type)');
  });

  it('prefixes the quoted message a guest replies to, when it is known', () => {
    const lookup = (id: string) => (id === 'wamid.out' ? 'Tenemos bungalows   para 5 personas.' : undefined);
    const reply = { ...textMessage('¿Cuánto cuesta?'), replyContextId: 'wamid.out' };
    const unknown = { ...textMessage('¿Y este?'), replyContextId: 'wamid.other' };
    expect(batchText([reply, unknown], lookup)).toBe(
      '(Customer is replying to: "Tenemos bungalows para 5 personas.") ¿Cuánto cuesta?\n¿Y este?',
    );
  });
});

const request = (history: TranscriptItem[], turnItems: TranscriptItem[] = []): ModelRequest => ({
  instructions: 'INSTR',
  history,
  turnItems,
  notes: [],
  toolChoice: 'auto',
  promptCacheKey: 'k',
});

describe('Chat Completions messages', () => {
  it('groups a response into one assistant message and replays extras unchanged', () => {
    const extra = { extra_content: { google: { thought_signature: 'sig' } } };
    const messages = buildChatMessages(
      request([
        { kind: 'developer', text: 'ctx' },
        { kind: 'user', text: 'hola' },
        { kind: 'reasoning', summary: '', responsesItem: { type: 'reasoning', id: 'rs' } },
        { kind: 'assistant', text: 'Un momento.', chatMessageExtra: extra },
        { kind: 'function_call', callId: 'a', name: 'f', arguments: '{}' },
        {
          kind: 'function_call',
          callId: 'b',
          name: 'g',
          arguments: '{"x":1}',
          chatToolCall: { id: 'b', type: 'function', function: { name: 'g', arguments: '{"x":1}' }, extra_content: { k: 1 } },
        },
        { kind: 'function_output', callId: 'a', output: 'A' },
        { kind: 'function_output', callId: 'b', output: 'B' },
        { kind: 'assistant', text: 'Listo.' },
      ]),
    );
    expect(messages).toEqual([
      { role: 'system', content: 'INSTR' },
      { role: 'system', content: 'ctx' },
      { role: 'user', content: 'hola' },
      {
        ...extra,
        role: 'assistant',
        content: 'Un momento.',
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 'b', type: 'function', function: { name: 'g', arguments: '{"x":1}' }, extra_content: { k: 1 } },
        ],
      },
      { role: 'tool', tool_call_id: 'a', content: 'A' },
      { role: 'tool', tool_call_id: 'b', content: 'B' },
      { role: 'assistant', content: 'Listo.' },
    ]);
  });

  it('parses a completion, keeping unknown tool-call fields and generating missing ids', () => {
    const r = parseChatCompletion({
      id: 'x',
      choices: [
        {
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              { index: 0, type: 'function', function: { name: 'f', arguments: '{}' }, extra_content: { g: 1 } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, prompt_tokens_details: { cached_tokens: 4 } },
    });
    expect(r.calls).toHaveLength(1);
    const id = r.calls[0]?.callId ?? '';
    expect(id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(r.items[0]).toEqual({
      kind: 'function_call',
      callId: id,
      name: 'f',
      arguments: '{}',
      chatToolCall: { id, type: 'function', function: { name: 'f', arguments: '{}' }, extra_content: { g: 1 } },
    });
    expect(r.usage).toEqual({ inputTokens: 10, cachedTokens: 4, outputTokens: 2, reasoningTokens: 0 });
    expect(() => parseChatCompletion({ choices: [] })).toThrow(ModelResponseError);
    expect(() => parseChatCompletion({ nope: 1 })).toThrow(ModelResponseError);
  });
});

describe('Responses input', () => {
  const rs = (id: string, encrypted?: string): TranscriptItem => ({
    kind: 'reasoning',
    summary: '',
    responsesItem: { type: 'reasoning', id, summary: [], ...(encrypted !== undefined ? { encrypted_content: encrypted } : {}) },
  });
  const fc = (callId: string, id?: string): TranscriptItem => ({
    kind: 'function_call',
    callId,
    name: 'f',
    arguments: '{}',
    responsesItem: { type: 'function_call', ...(id ? { id } : {}), call_id: callId, name: 'f', arguments: '{}', status: 'completed' },
  });
  const msg = (text: string, id?: string): TranscriptItem => ({
    kind: 'assistant',
    text,
    responsesItem: {
      ...(id ? { id } : {}),
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text, annotations: [] }],
    },
  });
  const out = (callId: string): TranscriptItem => ({ kind: 'function_output', callId, output: 'ok' });

  it('replays provider items exactly as received, ids included', () => {
    const history = [{ kind: 'user', text: 'hola' } as const, rs('rs_1', 'enc1'), fc('c', 'fc_1'), fc('d', 'fc_2'), out('c'), out('d'), rs('rs_2', 'enc2'), msg('Hola', 'msg_1')];
    expect(buildResponsesInput(request(history, [{ kind: 'assistant', text: 'plano', chatMessageExtra: { extra_content: {} } }]), true)).toEqual([
      { type: 'message', role: 'user', content: 'hola' },
      { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'enc1' },
      { type: 'function_call', id: 'fc_1', call_id: 'c', name: 'f', arguments: '{}', status: 'completed' },
      { type: 'function_call', id: 'fc_2', call_id: 'd', name: 'f', arguments: '{}', status: 'completed' },
      { type: 'function_call_output', call_id: 'c', output: 'ok' },
      { type: 'function_call_output', call_id: 'd', output: 'ok' },
      { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: 'enc2' },
      { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hola', annotations: [] }] },
      { type: 'message', role: 'assistant', content: 'plano' },
    ]);
  });

  it('drops reasoning it cannot replay and the ids of the items that followed it', () => {
    const input = buildResponsesInput(
      request([
        // No encrypted content: its calls lose their ids.
        rs('rs_1'),
        fc('c', 'fc_1'),
        fc('d', 'fc_2'),
        out('c'),
        out('d'),
        // Legacy: the message after it was stored without an id.
        rs('rs_2', 'enc'),
        msg('Hola'),
        // Last in the history: nothing follows it.
        rs('rs_3', 'enc'),
        { kind: 'user', text: 'u' },
        // Unaffected: an item that follows no dropped reasoning keeps its id.
        msg('Sí', 'msg_9'),
      ]),
      true,
    );
    expect(input.map((i) => [i.type, 'id' in i ? i.id : undefined])).toEqual([
      ['function_call', undefined],
      ['function_call', undefined],
      ['function_call_output', undefined],
      ['function_call_output', undefined],
      ['message', undefined],
      ['message', undefined],
      ['message', 'msg_9'],
    ]);
    // A model that takes no reasoning: none is sent, and what followed it goes without ids.
    expect(buildResponsesInput(request([rs('rs_1', 'enc'), msg('Hola', 'msg_1')]), false)).toEqual([
      { type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hola', annotations: [] }] },
    ]);
  });

  it('rejects malformed and failed responses', () => {
    expect(() => parseResponsesOutput({ id: 'r', output: 'x' })).toThrow(ModelResponseError);
    expect(() => parseResponsesOutput({ id: 'r', output: [{ type: 'function_call', name: 'f' }] })).toThrow(
      'function_call item without call_id/name/arguments',
    );
    try {
      parseResponsesOutput({ id: 'r', status: 'failed', output: [], error: { code: 'server_error' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ errorClass: 'server_error', retryable: true });
    }
    const incomplete = parseResponsesOutput({
      id: 'r',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [{ type: 'web_search_call', id: 'ws' }],
    });
    expect(incomplete).toMatchObject({ items: [], text: '', incompleteReason: 'max_output_tokens', usage: undefined });
  });
});

describe('pairCallsAndOutputs', () => {
  it('drops unpaired calls, outputs and the reasoning before a dropped call', () => {
    const items: TranscriptItem[] = [
      { kind: 'function_output', callId: 'orphan', output: 'x' },
      { kind: 'user', text: 'u' },
      { kind: 'reasoning', summary: '', responsesItem: { type: 'reasoning' } },
      { kind: 'function_call', callId: 'lonely', name: 'f', arguments: '{}' },
      { kind: 'function_call', callId: 'ok', name: 'f', arguments: '{}' },
      { kind: 'function_output', callId: 'ok', output: 'y' },
    ];
    expect(pairCallsAndOutputs(items).map((i) => i.kind)).toEqual(['user', 'function_call', 'function_output']);
    const clean = items.slice(4);
    expect(pairCallsAndOutputs(clean)).toBe(clean);
  });

  it('strips the ids of the calls left behind a dropped reasoning item', () => {
    const call = (callId: string, id: string): TranscriptItem => ({
      kind: 'function_call',
      callId,
      name: 'f',
      arguments: '{}',
      responsesItem: { type: 'function_call', id, call_id: callId, name: 'f', arguments: '{}' },
    });
    const items: TranscriptItem[] = [
      { kind: 'reasoning', summary: '', responsesItem: { type: 'reasoning', id: 'rs_1', encrypted_content: 'e' } },
      call('lonely', 'fc_1'),
      call('ok', 'fc_2'),
      { kind: 'function_output', callId: 'ok', output: 'y' },
    ];
    expect(pairCallsAndOutputs(items)).toEqual([
      { kind: 'function_call', callId: 'ok', name: 'f', arguments: '{}', responsesItem: { type: 'function_call', call_id: 'ok', name: 'f', arguments: '{}' } },
      { kind: 'function_output', callId: 'ok', output: 'y' },
    ]);
  });
});

describe('InstructionsFile', () => {
  it('reports a missing or empty file and recovers when it is fixed', () => {
    const path = tempInstructions('');
    const file = new InstructionsFile(path);
    expect(file.problem()).toMatch(/is empty$/);
    expect(() => file.load()).toThrow('is empty');
    writeFileSync(path, 'Hola');
    expect(file.problem()).toBeUndefined();
    expect(file.load().text).toBe('Hola');
    expect(file.load().tokens).toBeGreaterThan(0);
    expect(new InstructionsFile('/nonexistent/x.txt').problem()).toMatch(/cannot be read \(ENOENT\)$/);
  });
});
