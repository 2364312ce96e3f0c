// One adapter per messaging platform (WATI for WhatsApp, ManyChat for Messenger and Instagram), in the
// spirit of vercel/chat's `Adapter`: what differs between platforms lives behind this interface, and the
// rest of the code asks the conversation's adapter instead of testing the channel.
import type { Logger } from 'pino';
import type { Guest, InboundMessage } from '../core/messages.js';
import type { ChannelClient } from '../channels/types.js';
import type { Channel, ConversationRef } from '../core/conversation-id.js';
import type { JobKind, NewJob } from '../jobs/types.js';
import type { SleepFn } from '../core/retry.js';

export type PlatformName = 'wati' | 'manychat';

/** The status of the conversation's ticket in the platform's staff inbox. */
export type TicketStatus = 'OPEN' | 'PENDING' | 'SOLVED';

/** Where to download a guest's media from. */
export interface MediaSource {
  url: string;
  headers?: Record<string, string>;
  /**
   * The URL came from a webhook body (whoever posted it chose it): it is fetched only under the remote-media
   * policy (https, allowed hosts, public addresses).
   */
  policed: boolean;
  /** Names the source in logs. */
  label: string;
}

/** One message of the platform's conversation history. */
export interface HistoryItem {
  /** The platform's id of the message (WATI `whatsappMessageId`, else its `id`). */
  platformMessageId: string | undefined;
  /** Every id the item carries (any may be what a webhook gave us). */
  ids: string[];
  text: string;
  /** Epoch ms, undefined when the item has no parsable time. */
  at: number | undefined;
  /** true when sent from the business side (bot or operator). */
  fromBusiness: boolean;
  operatorName: string | undefined;
  eventType: string | undefined;
  type: string | undefined;
  /** A media item's caption (WATI `media.caption`; its `text` then holds WATI's path of the file). */
  caption?: string | undefined;
}

export interface HistoryQuery {
  /** Stop after this many pages (each up to `pageSize` items). */
  maxPages: number;
  pageSize?: number;
  /** Stop paging once a page holds an item older than this (epoch ms); the page's items are still returned. */
  notBefore?: number;
  /** Stop once this many items were collected. */
  maxItems?: number;
  /** Retries of one page answered 429, each after Retry-After (capped by maxRetryWaitMs). */
  max429Retries?: number;
  maxRetryWaitMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  sleep?: SleepFn;
}

/** A platform's message history (WATI has one; ManyChat has none). */
export interface PlatformHistory {
  /** Whether the history can be read (credentials configured). */
  readonly enabled: boolean;
  /** Messages newest first. Bounded by the query; throws when the history cannot be read. */
  getMessages(externalId: string, query: HistoryQuery): Promise<HistoryItem[]>;
}

export interface HandoffStepOptions {
  /** HANDOVER_OPERATOR_EMAIL: who the conversation is assigned to, where the platform assigns. */
  operatorEmail: string | undefined;
  log: Logger;
}

/**
 * A message sent from the business side that the platform's webhook reports (WATI's `owner: true` events):
 * the bot's own send or a person writing to the guest.
 */
export interface OutgoingMessageEvent {
  /** The conversation it was sent in. */
  conversationId: string;
  platformMessageIds: string[];
  text: string;
  operatorName: string | undefined;
  /** Epoch ms, when the event says. */
  sentAt: number | undefined;
}

/** What one webhook body is, as the platform's parser reads it. */
export type InboundParseResult =
  | { kind: 'invalid'; problems: string[] }
  /** Acknowledged and not buffered; `conversationId` names whose event it was in the log line. */
  | { kind: 'ignored'; reason: string; outgoing?: OutgoingMessageEvent; conversationId?: string }
  /** One guest message; `operatorName` when the platform says a person is assigned to the conversation. */
  | { kind: 'message'; message: InboundMessage; operatorName?: string }
  /** Several messages of one body (a text with attachments); `droppedAttachments` over the limit, not kept. */
  | { kind: 'messages'; messages: InboundMessage[]; droppedAttachments: number };

/**
 * The platform's webhook (vercel/chat's `handleWebhook`): where it is posted and how its body is read. The
 * route (routes/webhooks.ts) is one handler over these; what differs is data here, built once, not per request.
 */
export interface PlatformInbound {
  /** The route's path (also its metrics label). */
  readonly path: string;
  parse(body: unknown): InboundParseResult;
  /** The staff's WhatsApp numbers can write through this webhook: their messages are not a guest's. */
  readonly staffCanWrite: boolean;
  /** The log line of an acknowledged and ignored body. */
  readonly ignoredLogMessage: string;
  /** The 200 body once the messages are buffered (or recognised as a repeat), as the platform expects it. */
  readonly acknowledgement: Readonly<Record<string, string>>;
  /** The fields of the one log line per buffered delivery. */
  bufferedLogFields(loggableId: string, messages: readonly InboundMessage[], duplicate: boolean): Record<string, unknown>;
}

export interface PlatformAdapter {
  readonly name: PlatformName;
  /** The channels this platform serves. */
  readonly channels: readonly Channel[];
  /** Sends texts and media (and finds a send in flight, where the platform has a history). */
  readonly client: ChannelClient;
  /** Why this channel cannot send (its credentials are missing), or undefined when it can. */
  disabledReason(channel: Channel): string | undefined;
  /** The guest as the agent sees them: the platform's id for them, and their name when known. */
  guest(ref: ConversationRef, name: string | undefined): Guest;
  /** Where a message's media reference is downloaded from; undefined when it cannot be (not configured). */
  mediaSource(mediaRef: string): MediaSource | undefined;
  /** The platform's handoff steps (operator assignment, Live Chat), as jobs to enqueue with the notice. */
  handoffJobs(ref: ConversationRef, opts: HandoffStepOptions): NewJob[];
  /** The job that sets the conversation's ticket status, on platforms that have tickets. */
  ticketStatusJob(ref: ConversationRef, status: TicketStatus): NewJob | undefined;
  /** The job kinds this platform's jobs need the worker to know. */
  readonly jobKinds: readonly JobKind<unknown>[];
  /** The conversation history, on platforms that have one (missed messages, first-contact import). */
  readonly history?: PlatformHistory | undefined;
  /** The platform's webhook. */
  readonly inbound: PlatformInbound;
}

/** The adapters of one service, found by a conversation's channel. */
export interface Platforms {
  readonly all: readonly PlatformAdapter[];
  /** Every channel some platform serves, in the adapters' order. */
  readonly channels: readonly Channel[];
  forChannel(channel: Channel): PlatformAdapter;
  forConversation(conversationId: string): PlatformAdapter;
  /** Why this channel cannot send, or undefined when it can. */
  disabledReason(channel: Channel): string | undefined;
  /** Every adapter's job kinds, for the worker. */
  readonly jobKinds: readonly JobKind<unknown>[];
}
