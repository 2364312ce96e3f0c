// The OpenAI Conversations API, read only: `GET {base}/conversations/{conv_…}/items`, oldest first, paged
// with `after` / `has_more`. Bounded: a timeout per request, a few retries on 429 / 5xx / network errors
// honouring Retry-After (capped), and a page cap. Only user and assistant message texts are kept; the
// Python service's developer items (instructions, injected history blocks), tool calls and reasoning are
// not part of the guest's conversation and are counted as left out.
import { request } from 'undici';
import { z } from 'zod';
import { backoffDelayMs, parseRetryAfter, sleep, type RetryPolicy } from '../core/retry.js';

export interface ConversationItem {
  role: 'user' | 'assistant';
  text: string;
}

export interface FetchedConversation {
  items: ConversationItem[];
  /** Items that are not user/assistant text messages (developer, tool calls, reasoning, …). */
  leftOut: number;
  pages: number;
}

export interface ConversationsClientOptions {
  apiKey: string;
  /** OPENAI_BASE_URL or https://api.openai.com/v1 */
  baseUrl?: string | undefined;
  timeoutMs?: number;
  retry?: RetryPolicy;
  maxPages?: number;
  /** Waits between retries (tests shrink them through `retry`). */
  sleepFn?: (ms: number) => Promise<void>;
}

export class ConversationsApiError extends Error {
  override readonly name = 'ConversationsApiError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const DEFAULT_BASE = 'https://api.openai.com/v1';
const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 10_000, maxRetryAfterMs: 30_000 };

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const item = z.looseObject({
  type: z.string(),
  id: z.string().optional(),
  role: z.string().optional(),
  content: z.union([z.array(contentPart), z.string()]).optional(),
});
const page = z.looseObject({
  data: z.array(item),
  has_more: z.boolean().optional(),
  last_id: z.string().nullable().optional(),
});

function textOf(content: z.infer<typeof item>['content']): string {
  if (typeof content === 'string') return content;
  return (content ?? [])
    .filter((p) => (p.type === 'input_text' || p.type === 'output_text' || p.type === 'text') && typeof p.text === 'string')
    .map((p) => p.text as string)
    .join('\n');
}

export function createConversationsClient(options: ConversationsClientOptions) {
  const base = (options.baseUrl ?? DEFAULT_BASE).replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retry = options.retry ?? DEFAULT_RETRY;
  const maxPages = options.maxPages ?? 200;
  const wait = options.sleepFn ?? ((ms: number) => sleep(ms));

  async function getPage(conversationId: string, after: string | undefined): Promise<z.infer<typeof page>> {
    const query = new URLSearchParams({ limit: '100', order: 'asc' });
    if (after) query.set('after', after);
    const url = `${base}/conversations/${encodeURIComponent(conversationId)}/items?${query.toString()}`;
    for (let attempt = 1; ; attempt++) {
      let status: number | undefined;
      let retryAfter: number | undefined;
      let failure: string;
      try {
        const res = await request(url, {
          method: 'GET',
          headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' },
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs * 2),
        });
        status = res.statusCode;
        const body = await res.body.text();
        if (status >= 200 && status < 300) {
          const parsed = page.safeParse(JSON.parse(body) as unknown);
          if (!parsed.success) throw new ConversationsApiError('unexpected response shape', status);
          return parsed.data;
        }
        const header = res.headers['retry-after'];
        retryAfter = parseRetryAfter(Array.isArray(header) ? header[0] : header);
        failure = `HTTP ${status}`;
        // 404 (conversation gone), 401/403 (key): retrying does not help.
        if (status !== 429 && status < 500) throw new ConversationsApiError(failure, status);
      } catch (err) {
        if (err instanceof ConversationsApiError) throw err;
        failure = err instanceof Error ? err.name : 'network error';
      }
      if (attempt >= retry.maxAttempts) throw new ConversationsApiError(`${failure} after ${attempt} attempts`, status);
      const delay = backoffDelayMs(attempt, retry, retryAfter);
      if (delay === undefined) throw new ConversationsApiError(`${failure}: Retry-After too long`, status);
      await wait(delay);
    }
  }

  return {
    /** Every item of the conversation, oldest first. */
    async fetchItems(conversationId: string): Promise<FetchedConversation> {
      const out: FetchedConversation = { items: [], leftOut: 0, pages: 0 };
      let after: string | undefined;
      for (;;) {
        if (out.pages >= maxPages) throw new ConversationsApiError(`more than ${maxPages} pages`);
        const p = await getPage(conversationId, after);
        out.pages++;
        for (const it of p.data) {
          const role = it.role === 'user' || it.role === 'assistant' ? it.role : undefined;
          const text = it.type === 'message' && role ? textOf(it.content).trim() : '';
          if (role && text !== '') out.items.push({ role, text });
          else out.leftOut++;
        }
        const last = p.last_id ?? p.data[p.data.length - 1]?.id;
        if (!p.has_more || !last || p.data.length === 0) return out;
        after = last;
      }
    },
  };
}

export type ConversationsClient = ReturnType<typeof createConversationsClient>;
