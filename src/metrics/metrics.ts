// The service's Prometheus metrics: one prom-client Registry per service (never prom-client's global one,
// so services built side by side — tests — do not collide), the process's default metrics, the counters and
// histograms the components record through ServiceMetrics, and gauges read from SQLite at scrape time.
//
// Cardinality is bounded by construction: every label value is checked against a fixed set (our own error
// classes, tool and job kind names, the configured models, the channels) and anything else becomes `other`.
// No conversation id, phone number or free text ever reaches a label.
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { Channel } from '../core/conversation-id.js';
import type { ModelUsage } from '../core/usage.js';
import type { MetricsRepository } from '../store/metrics-repository.js';
import type { JobRunOutcome, ServiceMetrics, TurnOutcome } from './service-metrics.js';
import type { ModelConfigName } from '../core/model-config.js';

export const METRICS_PREFIX = 'watibot3_';
const OTHER = 'other';
/** A turn that did not fail has no error class: the label reads `none`. */
const NONE = 'none';

const CHANNELS: readonly Channel[] = ['whatsapp', 'facebook', 'instagram'];
export const WEBHOOK_ROUTES: readonly string[] = ['/webhook', '/manychat/webhook'];
const TURN_OUTCOMES: readonly TurnOutcome[] = ['answered', 'failed', 'undelivered', 'held'];
const JOB_RUN_OUTCOMES: readonly JobRunOutcome[] = ['done', 'retried', 'failed'];
const JOB_STATES = ['pending', 'running', 'done', 'failed'] as const;

/** Classes of a failed model call (agent/errors.ts classifyError and the model APIs' ModelResponseError). */
export const MODEL_ERROR_CLASSES: readonly string[] = [
  'aborted',
  'timeout',
  'connection_error',
  'context_length_exceeded',
  'quota_exceeded',
  'rate_limited',
  'server_error',
  'conflict',
  'auth_error',
  // A provider's access token could not be obtained (Vertex AI's service account).
  'auth_unavailable',
  'not_found',
  'bad_request',
  'client_error',
  'internal_error',
  'invalid_response',
];

/** Classes of a failed or undelivered turn: a model call's, the turn loop's and agent's, the runner's, a delivery's. */
export const TURN_ERROR_CLASSES: readonly string[] = [
  ...MODEL_ERROR_CLASSES,
  'turn_timeout',
  'tool_rounds_exhausted',
  'incomplete_response',
  'tool_call_imitation',
  'instructions_unavailable',
  'not_configured',
  'agent_exception',
  'interrupted_repeatedly',
  // turn-runner: `delivery_${ChannelErrorCode}` (or UNEXPECTED), lower-cased
  ...['channel_disabled', 'rate_limited', 'upstream_unavailable', 'rejected', 'unsupported', 'unexpected'].map((c) => `delivery_${c}`),
];

/** Outcomes of a tool call: ok, or ToolErrorKind (tools/registry.ts). */
const TOOL_OUTCOMES: readonly string[] = ['ok', 'unknown_tool', 'invalid_json', 'invalid_arguments', 'handler_error', 'timeout'];

/** BookingOutcome kinds (hotel/booking-service.ts), `repeated` (a payment booked before) and `error` (it threw). */
const BOOKING_OUTCOMES: readonly string[] = [
  'booked',
  'repeated',
  'pending',
  'payment_in_use',
  'payment_held',
  'payment_rejected',
  'deposit_too_small',
  'rates_missing',
  'sold_out',
  'failed',
  'error',
];

const TURN_DURATION_BUCKETS = [1, 2.5, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600];
const MODEL_CALL_BUCKETS = [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 90, 120];
const TOOL_CALL_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface MetricsDeps {
  repository: MetricsRepository;
  /** The models the configuration names (the agent's, the canary's, payment proofs', transcription's). */
  models: readonly string[];
  /** The tool names the agent offers (read at each call: the registry is built after the metrics). */
  tools?: (() => Iterable<string>) | undefined;
  /** The job kinds the worker runs (read at each call: the worker is built after the metrics). */
  jobKinds: () => Iterable<string>;
  /** BOT_PAUSE_HOURS in ms: a pause past it is not counted as paused. */
  pauseMs: number;
  now: () => number;
  log: Logger;
}

export interface Metrics extends ServiceMetrics {
  readonly registry: Registry;
  /** The Prometheus text exposition of every metric, gauges computed now. */
  scrape(): Promise<string>;
  /** The Content-Type of scrape()'s text. */
  readonly contentType: string;
}

/**
 * The process's default metrics (CPU, memory, event loop, GC, handles) are one set per process: collecting
 * them sets up an event-loop monitor and a GC observer that cannot be removed, so they are built once, in a
 * private registry, and their metric objects are registered into every service registry.
 */
let processMetrics: Metric[] | undefined;
function defaultProcessMetrics(): Metric[] {
  if (!processMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
    processMetrics = registry.getMetricsAsArray().flatMap(({ name }) => registry.getSingleMetric(name) ?? []);
  }
  return processMetrics;
}

/** A value from `allowed`, or `other`. */
function clip(value: string | undefined, allowed: ReadonlySet<string>): string {
  return value !== undefined && allowed.has(value) ? value : OTHER;
}

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  for (const metric of defaultProcessMetrics()) registry.registerMetric(metric);
  const registers = [registry];

  const routes = new Set(WEBHOOK_ROUTES);
  const channels = new Set<string>(CHANNELS);
  const turnOutcomes = new Set<string>(TURN_OUTCOMES);
  const turnErrorClasses = new Set([...TURN_ERROR_CLASSES, NONE]);
  const modelOutcomes = new Set(['ok', ...MODEL_ERROR_CLASSES]);
  const models = new Set(deps.models);
  /** The model configuration label: canary, or primary for anything else (unset included). Two values, no more. */
  const configOf = (name: ModelConfigName | undefined): ModelConfigName => (name === 'canary' ? 'canary' : 'primary');
  const toolOutcomes = new Set(TOOL_OUTCOMES);
  const jobOutcomes = new Set<string>(JOB_RUN_OUTCOMES);
  const bookingOutcomes = new Set(BOOKING_OUTCOMES);
  const knownTool = (name: string) => (deps.tools ? new Set(deps.tools()).has(name) : /^[a-zA-Z0-9_-]{1,64}$/.test(name));
  const jobKinds = () => new Set(deps.jobKinds());

  const webhooks = new Counter({
    name: `${METRICS_PREFIX}webhooks_total`,
    help: 'Webhook requests answered, by route and HTTP status.',
    labelNames: ['route', 'status'],
    registers,
  });
  const accepted = new Counter({
    name: `${METRICS_PREFIX}messages_accepted_total`,
    help: 'Guest messages stored for a turn, by channel.',
    labelNames: ['channel'],
    registers,
  });
  const deduplicated = new Counter({
    name: `${METRICS_PREFIX}messages_deduplicated_total`,
    help: 'Guest messages recognised as a repeated delivery and not stored again, by channel.',
    labelNames: ['channel'],
    registers,
  });
  const turns = new Counter({
    name: `${METRICS_PREFIX}turns_total`,
    help: 'Turns ended: answered, failed (the fallback was sent), undelivered (the channel refused the reply), held (bot paused); error_class for failed and undelivered; config: the model configuration of the conversation (primary or canary, LLM_CANARY_PERCENT).',
    labelNames: ['outcome', 'error_class', 'config'],
    registers,
  });
  const turnDuration = new Histogram({
    name: `${METRICS_PREFIX}turn_duration_seconds`,
    help: "Time from the guest's last message of a batch to the reply's first part handed to the channel (the quiet period included).",
    buckets: TURN_DURATION_BUCKETS,
    registers,
  });
  const modelCalls = new Counter({
    name: `${METRICS_PREFIX}model_calls_total`,
    help: 'Model call attempts, by model, outcome (ok or the error class) and model configuration (primary or canary).',
    labelNames: ['model', 'outcome', 'config'],
    registers,
  });
  const modelDuration = new Histogram({
    name: `${METRICS_PREFIX}model_call_duration_seconds`,
    help: 'Latency of one model call attempt, by model.',
    labelNames: ['model'],
    buckets: MODEL_CALL_BUCKETS,
    registers,
  });
  const modelTokens = new Counter({
    name: `${METRICS_PREFIX}model_tokens_total`,
    help: 'Tokens of successful model calls, by model and kind: input (cached included), cached, output (reasoning included), reasoning.',
    labelNames: ['model', 'kind'],
    registers,
  });
  const toolCalls = new Counter({
    name: `${METRICS_PREFIX}tool_calls_total`,
    help: 'Tool calls, by tool and outcome (ok or the error kind).',
    labelNames: ['tool', 'outcome'],
    registers,
  });
  const toolDuration = new Histogram({
    name: `${METRICS_PREFIX}tool_call_duration_seconds`,
    help: 'Duration of one tool call, by tool.',
    labelNames: ['tool'],
    buckets: TOOL_CALL_BUCKETS,
    registers,
  });
  const channelSends = new Counter({
    name: `${METRICS_PREFIX}channel_sends_total`,
    help: 'Send attempts of reply parts to a channel (each retry counts), by channel and outcome: ok, error, in_doubt (no answer within the timeout; the platform may have taken it).',
    labelNames: ['channel', 'outcome'],
    registers,
  });
  const jobsFinished = new Counter({
    name: `${METRICS_PREFIX}jobs_finished_total`,
    help: 'Job runs ended, by kind and outcome: done, retried (failed, rescheduled), failed (for good).',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const bookings = new Counter({
    name: `${METRICS_PREFIX}bookings_total`,
    help: 'Booking requests, by outcome (booked, repeated: the payment was booked before, pending, the refusals, failed, error).',
    labelNames: ['outcome'],
    registers,
  });

  /**
   * A gauge read from SQLite. A failed read (or a closed database, during shutdown) keeps the gauge's last value
   * rather than failing the scrape or reporting a false 0.
   */
  const fromDatabase = (what: string, read: () => void) => {
    if (!deps.repository.available) return;
    try {
      read();
    } catch (err) {
      deps.log.warn({ err }, `metrics: reading ${what} failed`);
    }
  };
  new Gauge({
    name: `${METRICS_PREFIX}pending_conversations`,
    help: 'Conversations with messages waiting for a turn.',
    registers,
    collect() {
      fromDatabase('pending conversations', () => this.set(deps.repository.pendingConversations()));
    },
  });
  new Gauge({
    name: `${METRICS_PREFIX}paused_conversations`,
    help: 'Conversations whose bot is paused (a person is handling the guest).',
    registers,
    collect() {
      fromDatabase('paused conversations', () => this.set(deps.repository.pausedConversations(deps.now(), deps.pauseMs)));
    },
  });
  new Gauge({
    name: `${METRICS_PREFIX}jobs`,
    help: 'Durable jobs by kind and state (done jobs are kept a week).',
    labelNames: ['kind', 'state'],
    registers,
    collect() {
      fromDatabase('jobs', () => {
        const rows = deps.repository.jobCounts();
        const kinds = jobKinds();
        const counts = new Map<string, number>();
        // Every known kind in every state, so a rule can compare with 0 instead of a missing series.
        for (const kind of kinds) for (const state of JOB_STATES) counts.set(`${kind}\u0000${state}`, 0);
        for (const row of rows) {
          const key = `${clip(row.kind, kinds)}\u0000${clip(row.status, new Set(JOB_STATES))}`;
          counts.set(key, (counts.get(key) ?? 0) + row.count);
        }
        this.reset();
        for (const [key, count] of counts) {
          const [kind, state] = key.split('\u0000') as [string, string];
          this.set({ kind, state }, count);
        }
      });
    },
  });

  const model = (name: string) => clip(name, models);
  const usageKinds = (usage: ModelUsage): Record<'input' | 'cached' | 'output' | 'reasoning', number> => ({
    input: usage.inputTokens,
    cached: usage.cachedTokens,
    output: usage.outputTokens,
    reasoning: usage.reasoningTokens,
  });

  return {
    registry,
    contentType: registry.contentType,
    scrape: () => registry.metrics(),
    webhook(route, status) {
      webhooks.inc({ route: clip(route, routes), status: Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : OTHER });
    },
    messages(channel, result, count) {
      if (count <= 0) return;
      (result === 'accepted' ? accepted : deduplicated).inc({ channel: clip(channel, channels) }, count);
    },
    turn(outcome, errorClass, config) {
      turns.inc({ outcome: clip(outcome, turnOutcomes), error_class: clip(errorClass ?? NONE, turnErrorClasses), config: configOf(config) });
    },
    turnDuration(seconds) {
      if (Number.isFinite(seconds)) turnDuration.observe(Math.max(0, seconds));
    },
    modelCall(name, outcome, seconds, usage, config) {
      const m = model(name);
      modelCalls.inc({ model: m, outcome: clip(outcome, modelOutcomes), config: configOf(config) });
      if (Number.isFinite(seconds)) modelDuration.observe({ model: m }, Math.max(0, seconds));
      if (!usage) return;
      for (const [kind, tokens] of Object.entries(usageKinds(usage))) {
        if (Number.isFinite(tokens) && tokens >= 0) modelTokens.inc({ model: m, kind }, tokens);
      }
    },
    toolCall(tool, outcome, seconds) {
      const name = knownTool(tool) ? tool : OTHER;
      toolCalls.inc({ tool: name, outcome: clip(outcome, toolOutcomes) });
      if (Number.isFinite(seconds)) toolDuration.observe({ tool: name }, Math.max(0, seconds));
    },
    channelSend(channel, outcome) {
      channelSends.inc({ channel: clip(channel, channels), outcome: outcome === 'ok' || outcome === 'in_doubt' ? outcome : 'error' });
    },
    jobFinished(kind, outcome) {
      jobsFinished.inc({ kind: clip(kind, jobKinds()), outcome: clip(outcome, jobOutcomes) });
    },
    booking(outcome) {
      bookings.inc({ outcome: clip(outcome, bookingOutcomes) });
    },
  };
}
