// A job a tool asks for is enqueued in the transaction that records the reply: with it, or not at all.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentResult } from '../../src/agent/types.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { createTestAgent } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';
import { sleep, until } from '../support/wait.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});


function jobs(dbPath: string): { kind: string; conversation_id: string | null; status: string }[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT kind, conversation_id, status FROM jobs ORDER BY id').all() as { kind: string; conversation_id: string | null; status: string }[];
  } finally {
    db.close();
  }
}

/** What a tool's effects.enqueue() leaves in the agent's result: here, reopening the WATI ticket. */
const reopenTicket = (waId: string): AgentResult['effects'] => [
  { type: 'job', job: { kind: 'wati.update_chat_status', payload: { waId, status: 'OPEN' }, maxAttempts: 6, conversationId: undefined } },
];

describe('job effects', () => {
  it('enqueues the job with the reply, for the conversation, and runs it', async () => {
    const waId = '50378000001';
    h = await startHarness({
      jobPollMs: 25,
      agent: createTestAgent(() => ({ outcome: 'answered', reply: 'Listo, reabrí su caso.', effects: reopenTicket(waId) })),
    });
    h.wati.setHandler('updateChatStatus', () => ({ status: 200, body: { result: true } }));
    await h.post('/webhook', { waId, userMessage: 'Reabran mi caso', passkey: TEST_PASSKEY });
    expect(await h.wati.waitForTexts(1, 5_000)).toEqual(['Listo, reabrí su caso.']);
    await until(() => jobs(h!.config.dbPath)[0]?.status === 'done', 'the job to run');
    expect(h.wati.requests.find((r) => r.path.endsWith('/updateChatStatus'))?.json).toEqual({ whatsappNumber: waId, ticketStatus: 'OPEN' });
    expect(jobs(h.config.dbPath)).toEqual([{ kind: 'wati.update_chat_status', conversation_id: waId, status: 'done' }]);
  });

  it('enqueues nothing when the reply cannot be recorded', async () => {
    const waId = '50378000002';
    h = await startHarness({
      jobPollMs: 25,
      agent: createTestAgent(() => ({
        outcome: 'answered',
        reply: 'Nunca se registra',
        effects: reopenTicket(waId),
        commit: () => {
          throw new Error('disk full');
        },
      })),
    });
    await h.post('/webhook', { waId, userMessage: 'Hola', passkey: TEST_PASSKEY });
    await h.wati.waitForTexts(1, 5_000); // the fallback, after the bounded retries
    // Only the failed turn's own ticket update (PENDING) exists; the tool's OPEN never did.
    expect(jobs(h.config.dbPath).map((j) => j.kind)).toEqual(['wati.update_chat_status']);
    await sleep(100);
    const statuses = h.wati.requests.filter((r) => r.path.endsWith('/updateChatStatus')).map((r) => (r.json as { ticketStatus: string }).ticketStatus);
    expect(statuses).not.toContain('OPEN');
  });
});
