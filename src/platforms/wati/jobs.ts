// WATI's handoff steps as durable jobs (operator assignment, ticket status); the schedule and the error
// mapping they share with ManyChat's are in ../step-jobs.ts.
import { z } from 'zod';
import { defineJobKind } from '../../jobs/types.js';
import { HANDOFF_STEP_RETRY_DELAYS_MS, step, STEP_TIMEOUT_MS } from '../step-jobs.js';
import type { WatiTickets } from './tickets.js';

const waId = z.string().regex(/^\d{6,20}$/);

export function createWatiJobKinds(wati: WatiTickets) {
  const assignOperator = defineJobKind({
    kind: 'wati.assign_operator',
    payload: z.object({ waId, email: z.string().min(3).max(254) }),
    retryDelaysMs: HANDOFF_STEP_RETRY_DELAYS_MS,
    timeoutMs: STEP_TIMEOUT_MS,
    run: (p, ctx) => step(() => wati.assignOperator(p.waId, p.email, ctx.signal)),
  });
  const updateChatStatus = defineJobKind({
    kind: 'wati.update_chat_status',
    payload: z.object({ waId, status: z.enum(['OPEN', 'PENDING', 'SOLVED']) }),
    retryDelaysMs: HANDOFF_STEP_RETRY_DELAYS_MS,
    timeoutMs: STEP_TIMEOUT_MS,
    run: (p, ctx) => step(() => wati.updateChatStatus(p.waId, p.status, ctx.signal)),
  });
  return { assignOperator, updateChatStatus };
}

export type WatiJobKinds = ReturnType<typeof createWatiJobKinds>;
