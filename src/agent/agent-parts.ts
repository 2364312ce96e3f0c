// The OpenAI agent's parts, built outside it: the transcript store, the instructions' sources, the model client
// (Vertex AI's token source when LLM_PROVIDER=vertex), the media service and the tool registry. The composition
// root gives what it already built (platforms, media store, office calendar, the hotel's and the tools'
// services); a part not given is built here from the configuration (tests, benchmarks), never inside the agent.
import type OpenAI from 'openai';
import type { Clock } from '../core/clock.js';
import type { HotelConfig } from '../hotel/config.js';
import type { MediaConfig } from '../media/config.js';
import type { OfficeConfig } from '../office/config.js';
import type { AgentConfig } from '../core/llm-config.js';
import type { Logger } from '../core/logger.js';
import { createOpenAiTranscriber, MediaService } from '../media/media-service.js';
import { MediaStore } from '../media/media-store.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { createOfficeCalendar, type OfficeCalendar } from '../office/schedule.js';
import { createPlatforms } from '../platforms/index.js';
import type { Platforms } from '../platforms/types.js';
import type { RetryPolicy, SleepFn } from '../core/retry.js';
import { ConversationHistoryRepository } from '../store/conversation-history-repository.js';
import { ConversationStore } from '../store/conversation-store.js';
import type { Db } from '../store/database.js';
import type { HotelToolDeps } from '../tools/booking/hotel-tool-deps.js';
import { createTools, type ToolServices } from '../tools/index.js';
import { ToolRegistry } from '../tools/registry.js';
import type { ToolDefinition } from '../tools/types.js';
import { bookingCallBudgetMs } from './booking-budget.js';
import { openInstructionSources, type InstructionSources } from './instruction-sources.js';
import { createOpenAiClient } from './openai-client.js';
import type { ReplyContextLookup } from './turn-input.js';
import { createVertexClient, ServiceAccountTokens } from './vertex.js';

/**
 * What the agent reads of the configuration: its own slice, and for the parts it builds when not given them the
 * media, office and hotel slices, the platforms' and the server's time zone and fallback text.
 */
export type AgentServiceConfig = {
  llm: AgentConfig;
  media: MediaConfig;
  office: OfficeConfig;
  hotel: HotelConfig;
  timezone: string;
  fallbackReply: string;
} & Parameters<typeof createPlatforms>[0];

export interface OpenAiAgentDeps {
  config: AgentServiceConfig;
  db: Db;
  clock: Clock;
  /** Service logger, for events outside a turn. Turn events use the turn's own logger. */
  log: Logger;
  /** Defaults to createTools() from tools/index.ts. */
  tools?: readonly ToolDefinition[] | undefined;
  /** Which of the tools are offered, by what they declare (the chat console withholds real actions); default all. */
  offers?: ((tool: ToolDefinition) => boolean) | undefined;
  /** The service's office calendar, for check_office_status; by default one built from config. */
  office?: OfficeCalendar | undefined;
  /** The hotel's systems for the booking tools; without it those tools are not offered. */
  hotel?: HotelToolDeps | undefined;
  /** Pictures and menus, e-mail and staff alerts for their tools (each left out when absent). */
  toolServices?: ToolServices | undefined;
  /** Guest media kept under the data directory; by default one on config.media.dir. */
  mediaStore?: MediaStore | undefined;
  /** Download/transcription of the batch's media; by default built from the store and the client. */
  media?: MediaService | undefined;
  /**
   * Where media is downloaded from, per channel, and which channels can answer guests (the shipped example
   * prompt is then refused); by default the adapters built from config.
   */
  platforms?: Pick<Platforms, 'forChannel' | 'channels' | 'disabledReason'> | undefined;
  /** The chat console: no real guest is answered, so the shipped example prompt may be tried. */
  exampleInstructionsAllowed?: boolean | undefined;
  /** A ready client (tests); by default one is built from config.llm. SDK retries are always off. */
  openai?: OpenAI | undefined;
  /** Retry policy for model calls (tests shrink the delays). */
  retry?: Partial<RetryPolicy> | undefined;
  sleep?: SleepFn | undefined;
  random?: (() => number) | undefined;
  /** Model and tool calls for GET /metrics; none recorded without it. */
  metrics?: ServiceMetrics | undefined;
}

export interface OpenAiAgentParts {
  store: ConversationStore;
  sources: InstructionSources;
  /** Undefined without a key (turns fail as not_configured, /ready says why). */
  client: OpenAI | undefined;
  /** LLM_PROVIDER=vertex: the service account's access tokens, the client's bearer token per request. */
  vertexTokens: ServiceAccountTokens | undefined;
  media: MediaService;
  registry: ToolRegistry;
  /** What the bot sent with a platform message id, for a guest's reply that quotes it. */
  replyLookup: ReplyContextLookup;
  /** Whether some channel can send replies: then the shipped example prompt must not answer. */
  answersGuests: boolean;
}

/** The model client of config.llm: Vertex AI's (tokens from the service account) or OpenAI-compatible with the key. */
export function createModelClient(deps: Pick<OpenAiAgentDeps, 'config' | 'clock' | 'log'>): { client: OpenAI | undefined; vertexTokens: ServiceAccountTokens | undefined } {
  const { llm } = deps.config;
  const vertexTokens = llm.vertex ? new ServiceAccountTokens({ keyFile: llm.vertex.credentialsFile, clock: deps.clock, log: deps.log }) : undefined;
  const client =
    vertexTokens && llm.baseUrl
      ? createVertexClient(vertexTokens, { baseUrl: llm.baseUrl, timeoutMs: llm.timeoutMs })
      : llm.apiKey
        ? createOpenAiClient({ apiKey: llm.apiKey, baseUrl: llm.baseUrl, timeoutMs: llm.timeoutMs })
        : undefined;
  return { client, vertexTokens };
}

export function openAiAgentParts(deps: OpenAiAgentDeps): OpenAiAgentParts {
  const { config } = deps;
  const store = new ConversationStore(deps.db, { prices: config.llm.modelPrices });
  const sources = openInstructionSources(config.llm);
  const modules = sources.modules;
  if (modules) deps.log.info({ form: modules.form, modules: modules.names }, 'instruction modules available');
  const platforms = deps.platforms ?? createPlatforms(config);
  const answersGuests = !deps.exampleInstructionsAllowed && platforms.channels.some((c) => platforms.disabledReason(c) === undefined);
  const history = new ConversationHistoryRepository(deps.db);
  const { client, vertexTokens } = deps.openai ? { client: deps.openai, vertexTokens: undefined } : createModelClient(deps);
  const mediaStore = deps.media?.store ?? deps.mediaStore ?? new MediaStore(deps.db, config.media.dir, config.media.retentionMs);
  const media =
    deps.media ??
    new MediaService({
      config,
      store: mediaStore,
      clock: deps.clock,
      // Vertex AI has no audio transcription endpoint: voice notes are then answered as not understood.
      transcriber: client && !vertexTokens ? createOpenAiTranscriber(client, config) : undefined,
      platforms: deps.platforms,
    });
  const registry = new ToolRegistry(
    (
      deps.tools ??
      createTools({
        office: deps.office ?? createOfficeCalendar({ hours: config.office.hours, closures: config.office.closures, timezone: config.timezone }),
        paymentProof: client ? { client, store: mediaStore, config } : undefined,
        hotel: deps.hotel,
        bookingTimeoutMs: bookingCallBudgetMs(config),
        instructionModules: modules,
        ...deps.toolServices,
      })
    ).filter((tool) => deps.offers?.(tool) ?? true),
    { defaultTimeoutMs: config.llm.toolTimeoutMs },
  );
  return { store, sources, client, vertexTokens, media, registry, replyLookup: (id) => history.outboundTextById(id), answersGuests };
}
