// The one place an OpenAI SDK client is built (the primary model, whose client the light model shares, the
// canary, Vertex AI, the comparison's sides and the payment-proof tool): SDK retries are always off, because the
// turn loop retries model calls itself, bounded by the turn's budget (errors.ts); a second layer of retries would
// multiply the wait.
import OpenAI, { type ClientOptions } from 'openai';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAiClientOptions {
  /** A key, or (Vertex AI) a function giving a fresh access token per request; absent, the SDK's own rule (OPENAI_API_KEY). */
  apiKey: ClientOptions['apiKey'];
  /** OPENAI_BASE_URL or a side's own; default api.openai.com. */
  baseUrl?: string | undefined;
  /** Per request; the SDK's default when absent. */
  timeoutMs?: number | undefined;
  fetch?: ClientOptions['fetch'];
}

export function createOpenAiClient(opts: OpenAiClientOptions): OpenAI {
  return new OpenAI({
    apiKey: opts.apiKey,
    baseURL: opts.baseUrl ?? OPENAI_BASE_URL,
    maxRetries: 0,
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
}
