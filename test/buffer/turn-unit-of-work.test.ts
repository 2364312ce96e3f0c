// The turn runner owns the turn's unit of work: the reply, the agent's transcript and the jobs its tools asked
// for commit together. A write that fails part-way leaves none of them, and the batch is answered again later,
// once, with everything recorded once.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/types.js';
import { createTurnRunner } from '../../src/buffer/turn-runner.js';
import type { ChannelClient } from '../../src/channels/index.js';
import type { NewJob } from '../../src/jobs/types.js';
import { BufferStore } from '../../src/store/buffer-store.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { type Db } from '../../src/store/database.js';
import { SqliteJobQueue } from '../../src/store/jobs-repository.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { whatsappPlatforms } from '../support/whatsapp-platforms.js';

const WA_ID = '50379000002';

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

function setup() {
  db = openMigratedDatabase(':memory:');
  const store = new BufferStore(db);
  const transcript = new ConversationStore(db);
  const realQueue = new SqliteJobQueue(db);
  let failSecondEnqueue = true;
  let enqueues = 0;
  // The real queue, whose second enqueue of the first turn fails (a disk error mid-transaction).
  const jobs = Object.assign(Object.create(realQueue) as SqliteJobQueue, {
    enqueue(job: NewJob, now: number): number {
      enqueues += 1;
      if (failSecondEnqueue && enqueues === 2) {
        failSecondEnqueue = false;
        throw new Error('disk I/O error');
      }
      return realQueue.enqueue(job, now);
    },
  });
  const now = 1_000_000;
  const sends: string[] = [];
  const client: ChannelClient = {
    channels: ['whatsapp'],
    textLimit: 4096,
    disabledReason: undefined,
    sendText(_channel, _id, text) {
      sends.push(text);
      return Promise.resolve({ platformMessageId: `sent-${sends.length}` });
    },
    sendMedia: () => Promise.reject(new Error('no media here')),
  };
  const platforms = whatsappPlatforms(client);
  let agentCalls = 0;
  const agent: Agent = {
    readiness: () => ({ ready: true, reasons: [] }),
    respond: () => {
      agentCalls += 1;
      return Promise.resolve({
        outcome: 'answered',
        reply: 'Su reserva está en proceso',
        commit: () =>
          void transcript.commitTurn({
            conversationId: WA_ID,
            channel: 'whatsapp',
            guest: { waId: WA_ID },
            startedAt: now,
            endedAt: now,
            model: 'gpt-5',
            api: 'responses',
            rounds: 1,
            status: 'answered',
            historyItems: 0,
            historyTokens: 0,
            items: [
              { item: { kind: 'user', text: 'Quiero reservar' }, boundary: 2 },
              { item: { kind: 'assistant', text: 'Su reserva está en proceso' }, boundary: 1 },
            ],
            calls: [],
          }),
        effects: [
          { type: 'job', job: { kind: 'booking.first', payload: { n: 1 }, maxAttempts: 3 } },
          { type: 'job', job: { kind: 'booking.second', payload: { n: 2 }, maxAttempts: 3 } },
        ],
      });
    },
  };
  const runTurn = createTurnRunner({
    store,
    agent,
    platforms,
    clock: { now: () => now },
    log: pino({ level: 'silent' }),
    fallbackReply: 'Disculpe',
    sendRetry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    media: { resourcesDir: '/nonexistent', publicMediaBaseUrl: undefined },
    jobs,
  });
  store.accept(
    [
      {
        conversationId: WA_ID,
        channel: 'whatsapp',
        externalUserId: WA_ID,
        platformMessageId: 'in-1',
        kind: 'text',
        text: 'Quiero reservar',
        mediaRef: undefined,
        replyContextId: undefined,
        senderName: undefined,
      },
    ],
    now,
  );
  const count = (sql: string) => (db!.prepare(sql).get() as { n: number }).n;
  return {
    store,
    runTurn,
    sends,
    agentCalls: () => agentCalls,
    turns: () => count('SELECT COUNT(*) AS n FROM agent_turns'),
    jobKinds: () => (db!.prepare('SELECT kind FROM jobs ORDER BY id').all() as { kind: string }[]).map((r) => r.kind),
    replies: () => count('SELECT COUNT(*) AS n FROM batches WHERE reply_parts IS NOT NULL'),
  };
}

describe("the turn's unit of work", () => {
  it('rolls back the reply, the transcript and the jobs together when a write fails, and answers once on the retry', async () => {
    const t = setup();
    await t.runTurn(WA_ID, new AbortController().signal);
    // The second job could not be written: no reply, no transcript turn, not even the first job; nothing sent.
    expect(t.replies()).toBe(0);
    expect(t.turns()).toBe(0);
    expect(t.jobKinds()).toEqual([]);
    expect(t.sends).toEqual([]);
    expect(t.store.conversationsWithWork()).toEqual([WA_ID]);

    await t.runTurn(WA_ID, new AbortController().signal);
    expect(t.agentCalls()).toBe(2);
    expect(t.sends).toEqual(['Su reserva está en proceso']);
    expect(t.turns()).toBe(1);
    expect(t.jobKinds()).toEqual(['booking.first', 'booking.second']);
    expect(t.store.conversationsWithWork()).toEqual([]);
  });
});
