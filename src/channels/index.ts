// The channel plumbing every platform shares: the client interface, its errors, send retries, text splitting.
export type { ChannelClientOptions } from './http.js';
export { ChannelError } from './types.js';
export type { ChannelClient, ChannelErrorCode, OutboundMedia, SentMessage, SentMessageQuery } from './types.js';
export { DEFAULT_SEND_RETRY, withRetry, type RetryPolicy } from './retry.js';
export { MANYCHAT_TEXT_LIMIT, WHATSAPP_TEXT_LIMIT, splitText } from './split-text.js';
