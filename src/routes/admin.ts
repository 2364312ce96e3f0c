// Admin API (only registered when ADMIN_TOKEN is set): a conversation's state, pausing / resuming the
// bot in it, and the durable jobs (those that failed for good, and retrying one). Bearer token compared in constant time. The id is the conversation key: WhatsApp digits or
// `facebook:<id>` / `instagram:<id>` (the colon may be sent as is or URL-encoded).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError, describeIssues } from '../core/errors.js';
import type { JobQueue, JobRecord } from '../jobs/types.js';
import type { Handoff } from '../handoff/handoff.js';
import type { Clock } from '../core/clock.js';
import { partSummary } from '../core/outbox-parts.js';
import type { ConversationHistoryRepository } from '../store/conversation-history-repository.js';
import { loggableConversationId } from '../core/conversation-id.js';
import type { LedgerSync } from '../portals/ledger-sync.js';
import { passkeyMatches } from './webhook-auth.js';
import { maskedClient, type SignInLimiter } from './sign-in-limiter.js';

export interface AdminRoutesOptions {
  token: string;
  handoff: Handoff;
  /** Batches and messages of a conversation, read-only. */
  history: ConversationHistoryRepository;
  clock: Clock;
  jobs: JobQueue;
  /** A job was made due: run it now rather than at the next poll. */
  wakeJobs: () => void;
  /** Cancels a pending job (and what it stands for); false when it is not pending. */
  cancelJob: (id: number) => boolean;
  /** The portal syncs of the payment ledgers, when a portal is configured. */
  ledgerSync?: LedgerSync | undefined;
  /** Wrong tokens per client: too many and the client gets 429 for a while (shared with the dashboard). */
  signIns: SignInLimiter;
}

const syncBody = z.object({ portal: z.enum(['compraclick', 'bac']).optional() }).default({});

const jobsQuery = z.object({
  status: z.enum(['pending', 'running', 'done', 'failed']).optional(),
  kind: z.string().regex(/^[a-z0-9_.]{1,64}$/, { error: 'must be a job kind such as wati.assign_operator' }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const jobIdParams = z.object({ id: z.coerce.number({ error: 'must be a job id' }).int().positive() });

function parseOrBadRequest<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues, 'query');
    throw new HttpError(400, 'BAD_REQUEST', problems.join('; '), { problems });
  }
  return parsed.data;
}

/** A job as staff see it (its payload is internal and left out). */
function jobView(job: JobRecord) {
  return {
    id: job.id,
    kind: job.kind,
    conversationId: job.conversationId,
    status: job.status,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    lastErrorClass: job.lastErrorClass,
    nextRunAt: job.status === 'pending' ? iso(job.runAt) : null,
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
  };
}

const CONVERSATION_ID = /^(?:\d{6,20}|(?:facebook|instagram):[A-Za-z0-9_-]{1,64})$/;
const LAST_TURNS = 10;

function assertAdmin(request: FastifyRequest, token: string, signIns: SignInLimiter, now: number): void {
  const header = request.headers.authorization;
  const provided = typeof header === 'string' && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
  // A missing token is no guess: not counted.
  if (!provided) throw new HttpError(401, 'UNAUTHORIZED', 'Authentication required: bearer token missing');
  if (!passkeyMatches(provided, token)) {
    if (signIns.fail(request.ip, now).lockedOut) {
      request.log.warn({ client: maskedClient(request.ip), failures: signIns.limits.maxFailures, lockoutSeconds: signIns.limits.lockoutMs / 1000 }, 'admin API: too many wrong tokens; client locked out');
    }
    throw new HttpError(401, 'UNAUTHORIZED', 'Authentication failed: wrong token');
  }
  signIns.succeed(request.ip);
}

function conversationIdOf(request: FastifyRequest): string {
  const raw = (request.params as { id?: string }).id ?? '';
  let id = raw;
  try {
    id = decodeURIComponent(raw);
  } catch {
    // keep raw; it will fail the pattern
  }
  if (!CONVERSATION_ID.test(id)) {
    throw new HttpError(400, 'BAD_REQUEST', 'Conversation id must be WhatsApp digits or facebook:<id> / instagram:<id>');
  }
  return id;
}

export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, opts) => {
  const { handoff, clock } = opts;
  const { history } = opts;

  app.addHook('onRequest', async (request, reply) => {
    const now = clock.now();
    // A locked-out client is refused whatever token it sends (a right one would tell the guesser so).
    // Answered here, not thrown: the error handler would log every refused request.
    const verdict = opts.signIns.check(request.ip, now);
    if (!verdict.allowed) {
      return reply
        .code(429)
        .header('retry-after', String(verdict.retryAfterSeconds))
        .send({ error: 'TOO_MANY_FAILED_ATTEMPTS', message: `Too many wrong admin tokens from this client: retry after ${verdict.retryAfterSeconds} s`, retryAfterSeconds: verdict.retryAfterSeconds });
    }
    assertAdmin(request, opts.token, opts.signIns, now);
  });

  app.get('/admin/conversations/:id', async (request) => {
    const id = conversationIdOf(request);
    const pause = handoff.pauses.get(id);
    const paused = handoff.isPaused(id);
    const counts = history.messageCounts(id);
    return {
      conversationId: id,
      paused,
      pause: pause
        ? {
            reason: pause.reason,
            pausedAt: iso(pause.pausedAt),
            lastHumanActivityAt: iso(pause.lastHumanAt),
            until: paused ? iso(pause.until) : null,
            operatorName: pause.operatorName,
            resumedAt: iso(pause.resumedAt),
            resumeReason: pause.resumeReason,
          }
        : null,
      messages: counts,
      lastTurns: history.recentTurns(id, LAST_TURNS).map((t) => ({
        batchId: t.batchId,
        status: t.status,
        outcome: t.outcome,
        errorClass: t.errorClass,
        startedAt: iso(t.createdAt),
        updatedAt: iso(t.updatedAt),
        guest: t.guest.map((m) => ({ kind: m.kind, text: m.text, at: iso(m.receivedAt) })),
        reply: t.replyParts.map(partSummary),
      })),
    };
  });

  app.post('/admin/conversations/:id/pause', async (request) => {
    const id = conversationIdOf(request);
    handoff.pause(id, 'admin');
    request.log.info({ conversationId: loggableConversationId(id) }, 'admin: bot paused');
    return { conversationId: id, paused: true, until: iso(handoff.pauses.get(id)?.until ?? null) };
  });

  app.get('/admin/jobs', async (request) => {
    const query = parseOrBadRequest(jobsQuery, request.query);
    return { jobs: opts.jobs.list(query).map(jobView) };
  });

  app.post('/admin/jobs/:id/retry', async (request) => {
    const { id } = parseOrBadRequest(jobIdParams, request.params);
    const job = opts.jobs.get(id);
    if (!job) throw new HttpError(404, 'NOT_FOUND', `Job ${id} not found`);
    if (!opts.jobs.retry(id, clock.now())) {
      throw new HttpError(409, 'CONFLICT', `Job ${id} is ${job.status}; only a job that failed for good can be retried`);
    }
    opts.wakeJobs();
    request.log.info({ jobId: id, job: job.kind }, 'admin: job retried');
    return { job: jobView(opts.jobs.get(id) as JobRecord) };
  });

  app.post('/admin/jobs/:id/cancel', async (request) => {
    const { id } = parseOrBadRequest(jobIdParams, request.params);
    const job = opts.jobs.get(id);
    if (!job) throw new HttpError(404, 'NOT_FOUND', `Job ${id} not found`);
    if (!opts.cancelJob(id)) throw new HttpError(409, 'CONFLICT', `Job ${id} is ${job.status}; only a pending job can be cancelled`);
    request.log.info({ jobId: id, job: job.kind }, 'admin: job cancelled');
    return { job: jobView(opts.jobs.get(id) as JobRecord) };
  });

  // For staff and cron: starts the syncs and answers at once (a portal session may take two minutes).
  app.post('/admin/payments/sync', async (request, reply) => {
    const { portal } = parseOrBadRequest(syncBody, request.body ?? {});
    const sync = opts.ledgerSync;
    const portals = portal ? [portal] : (sync?.portals ?? []);
    if (!sync || portals.length === 0 || portals.some((p) => !sync.has(p))) {
      throw new HttpError(409, 'NOT_CONFIGURED', portal ? `the ${portal} portal is not configured` : 'no payment portal is configured');
    }
    for (const p of portals) {
      sync.sync(p).then(
        (result) => request.log.info({ portal: p, inserted: result.rows_inserted, fromCooldown: result.from_cooldown }, 'admin: ledger sync finished'),
        (err: unknown) => request.log.warn({ portal: p, err }, 'admin: ledger sync failed'),
      );
    }
    return reply.code(202).send({ started: portals });
  });

  app.post('/admin/conversations/:id/resume', async (request) => {
    const id = conversationIdOf(request);
    const was = handoff.pauses.resume(id, 'admin', clock.now());
    request.log.info({ conversationId: loggableConversationId(id), wasPaused: was }, 'admin: bot resumed');
    return { conversationId: id, paused: false, wasPaused: was };
  });
};

function iso(ms: number | null | undefined): string | null {
  return ms == null ? null : new Date(ms).toISOString();
}
