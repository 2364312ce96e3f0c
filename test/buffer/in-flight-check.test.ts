// A resumed delivery's first part may already be on the platform: the turn runner asks the channel (only a
// channel that can look, and only for that part), records what it finds, and sends when the look fails.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/types.js';
import type { OutboxPart } from '../../src/core/outbox-parts.js';
import { createTurnRunner } from '../../src/buffer/turn-runner.js';
import type { ChannelClient, SentMessage, SentMessageQuery } from '../../src/channels/index.js';
import { ChannelError } from '../../src/channels/types.js';
import type { Platforms } from '../../src/platforms/types.js';
import { BufferStore } from '../../src/store/buffer-store.js';
import { type Db } from '../../src/store/database.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { whatsappPlatforms } from '../support/whatsapp-platforms.js';

const WA_ID = '50379000001';
const RETRY = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 };

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

interface Lookup {
  externalId: string;
  text: string | undefined;
  media: SentMessageQuery['media'];
  since: number;
  isRecorded: SentMessageQuery['isRecorded'];
}

/** A WhatsApp-like client: sends get ids `sent-N`; `find` answers the in-flight look-up (omit it: no history API). */
function stubClient(find?: (q: SentMessageQuery) => Promise<SentMessage | undefined>, failures: ChannelError[] = []) {
  const sends: string[] = [];
  const attempts: string[] = [];
  const lookups: Lookup[] = [];
  const client: ChannelClient = {
    channels: ['whatsapp'],
    textLimit: 4096,
    disabledReason: undefined,
    sendText(_channel, _id, text) {
      attempts.push(text);
      const failure = failures.shift();
      if (failure) return Promise.reject(failure);
      sends.push(text);
      return Promise.resolve({ platformMessageId: `sent-${sends.length}` });
    },
    sendMedia: () => Promise.reject(new ChannelError('UNSUPPORTED', 'no media here')),
    ...(find
      ? {
          findSentMessage: (_channel: unknown, externalId: string, q: SentMessageQuery) => {
            lookups.push({ externalId, text: q.text, media: q.media, since: q.since, isRecorded: q.isRecorded });
            return find(q);
          },
        }
      : {}),
  };
  const channels = whatsappPlatforms(client);
  return { client, channels, sends, attempts, lookups };
}

function setup(channels: Platforms, opts: { reply?: string; inFlightCheckTimeoutMs?: number } = {}) {
  db = openMigratedDatabase(':memory:');
  const store = new BufferStore(db);
  let now = 1_000_000;
  const clock = { now: () => now };
  const agentCalls: number[] = [];
  const agent: Agent = {
    readiness: () => ({ ready: true, reasons: [] }),
    respond: () => {
      agentCalls.push(now);
      return Promise.resolve({ outcome: 'answered', reply: opts.reply ?? 'Hola' });
    },
  };
  const runTurn = createTurnRunner({
    store,
    agent,
    platforms: channels,
    clock,
    log: pino({ level: 'silent' }),
    fallbackReply: 'Disculpe',
    sendRetry: RETRY,
    media: { resourcesDir: '/nonexistent', publicMediaBaseUrl: undefined },
    inFlightCheckTimeoutMs: opts.inFlightCheckTimeoutMs,
  });
  /** A batch whose reply (these parts) was recorded at `recordedAt`, with `delivered` parts delivered at +1000 each. */
  function interruptedBatch(parts: (string | OutboxPart)[], delivered: number, recordedAt = 2_000_000) {
    now = recordedAt - 10;
    store.accept(
      [
        {
          conversationId: WA_ID,
          channel: 'whatsapp',
          externalUserId: WA_ID,
          platformMessageId: `in-${recordedAt}`,
          kind: 'text',
          text: 'Hola',
          mediaRef: undefined,
          replyContextId: undefined,
          senderName: undefined,
        },
      ],
      now,
    );
    const batch = store.claimBatch(WA_ID, now)!;
    const outbox = parts.map((p): OutboxPart => (typeof p === 'string' ? { type: 'text', text: p } : p));
    store.recordReply(batch.batchId, { parts: outbox, outcome: 'answered' }, recordedAt);
    for (let i = 0; i < delivered; i++) store.recordPartDelivered(batch, i, outbox[i]!, `earlier-${i}`, recordedAt + 1000 * (i + 1));
    now = recordedAt + 60_000; // the restart
    return batch.batchId;
  }
  const outbound = () =>
    db!.prepare('SELECT batch_id, part_index, text, platform_message_id FROM outbound_messages ORDER BY id').all() as {
      batch_id: number;
      part_index: number;
      text: string;
      platform_message_id: string | null;
    }[];
  const status = (batchId: number) => (db!.prepare('SELECT status FROM batches WHERE id = ?').get(batchId) as { status: string }).status;
  const setNow = (t: number) => void (now = t);
  return { store, runTurn, interruptedBatch, outbound, status, agentCalls, setNow };
}

describe('resumed delivery: the part that may have been in flight', () => {
  it('records the part found on the platform, with its id, and sends only the parts after it', async () => {
    const stub = stubClient(() => Promise.resolve({ platformMessageId: 'wamid.FOUND' }));
    const t = setup(stub.channels);
    const batchId = t.interruptedBatch(['uno', 'dos', 'tres'], 1);

    await t.runTurn(WA_ID, new AbortController().signal);

    // Asked once, for part 2, since part 1 was delivered (not since the reply was recorded).
    expect(stub.lookups.map((l) => [l.externalId, l.text, l.since])).toEqual([[WA_ID, 'dos', 2_001_000]]);
    expect(stub.sends).toEqual(['tres']);
    expect(t.outbound().map((o) => [o.part_index, o.text, o.platform_message_id])).toEqual([
      [0, 'uno', 'earlier-0'],
      [1, 'dos', 'wamid.FOUND'],
      [2, 'tres', 'sent-1'],
    ]);
    expect(t.status(batchId)).toBe('delivered');
    expect(t.agentCalls).toHaveLength(0);
  });

  it('looks for a media part too, by its kind and caption, and does not upload it again when found', async () => {
    const stub = stubClient(() => Promise.resolve({ platformMessageId: 'wamid.PICTURE' }));
    const t = setup(stub.channels);
    const picture: OutboxPart = { type: 'media', kind: 'image', source: { type: 'resource', path: 'pictures/terraza.jpg' }, caption: 'Terraza' };
    const batchId = t.interruptedBatch([picture, 'Así es la terraza.'], 0);

    await t.runTurn(WA_ID, new AbortController().signal);

    expect(stub.lookups.map((l) => [l.text, l.media, l.since])).toEqual([[undefined, { kind: 'image', caption: 'Terraza' }, 2_000_000]]);
    expect(stub.sends).toEqual(['Así es la terraza.']); // sendMedia would have failed: it was never called
    expect(t.outbound().map((o) => [o.part_index, o.platform_message_id])).toEqual([
      [0, 'wamid.PICTURE'],
      [1, 'sent-1'],
    ]);
    expect(t.status(batchId)).toBe('delivered');
  });

  it('looks from the time the reply was recorded when no part was delivered, and knows the ids already recorded', async () => {
    const stub = stubClient(() => Promise.resolve(undefined));
    const t = setup(stub.channels);
    t.interruptedBatch(['¡Con gusto!'], 1, 1_500_000); // an earlier reply, delivered as earlier-0
    t.interruptedBatch(['¡Con gusto!'], 0, 2_000_000);

    await t.runTurn(WA_ID, new AbortController().signal);

    expect(stub.lookups.map((l) => [l.text, l.since])).toEqual([['¡Con gusto!', 2_000_000]]);
    expect(stub.lookups[0]!.isRecorded('earlier-0')).toBe(true);
    expect(stub.lookups[0]!.isRecorded('wamid.OTHER')).toBe(false);
    expect(stub.sends).toEqual(['¡Con gusto!']);
  });

  it('sends the part when the look-up fails', async () => {
    const stub = stubClient(() => Promise.reject(new ChannelError('UPSTREAM_UNAVAILABLE', 'WATI getMessages: HTTP 500', { retryable: true })));
    const t = setup(stub.channels);
    const batchId = t.interruptedBatch(['uno', 'dos'], 0);

    await t.runTurn(WA_ID, new AbortController().signal);

    expect(stub.lookups).toHaveLength(1);
    expect(stub.sends).toEqual(['uno', 'dos']);
    expect(t.status(batchId)).toBe('delivered');
  });

  it('sends the part when the look-up does not answer within its bound', async () => {
    const stub = stubClient(
      (q) => new Promise((_resolve, reject) => q.signal.addEventListener('abort', () => reject(q.signal.reason as Error), { once: true })),
    );
    const t = setup(stub.channels, { inFlightCheckTimeoutMs: 50 });
    t.interruptedBatch(['uno'], 0);

    const started = Date.now();
    await t.runTurn(WA_ID, new AbortController().signal);

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(stub.sends).toEqual(['uno']);
  });

  it('sends nothing when shutdown cuts the look-up short: the part is looked for again after restart', async () => {
    const shutdown = new AbortController();
    const stub = stubClient((q) => {
      shutdown.abort();
      return Promise.reject(q.signal.reason as Error);
    });
    const t = setup(stub.channels);
    const batchId = t.interruptedBatch(['uno'], 0);

    await t.runTurn(WA_ID, shutdown.signal);

    expect(stub.sends).toEqual([]);
    expect(t.status(batchId)).toBe('delivering');
  });

  it('sends as before on a channel without a history to look in', async () => {
    const stub = stubClient(undefined);
    const t = setup(stub.channels);
    t.interruptedBatch(['uno', 'dos'], 1);

    await t.runTurn(WA_ID, new AbortController().signal);

    expect(stub.client.findSentMessage).toBeUndefined();
    expect(stub.sends).toEqual(['dos']);
  });

  it('does not look for anything in a fresh delivery', async () => {
    const stub = stubClient(() => Promise.resolve({ platformMessageId: 'wamid.NEVER' }));
    const t = setup(stub.channels, { reply: 'Bienvenido' });
    t.setNow(3_000_000);
    t.store.accept(
      [
        {
          conversationId: WA_ID,
          channel: 'whatsapp',
          externalUserId: WA_ID,
          platformMessageId: 'in-fresh',
          kind: 'text',
          text: 'Hola',
          mediaRef: undefined,
          replyContextId: undefined,
          senderName: undefined,
        },
      ],
      3_000_000,
    );

    await t.runTurn(WA_ID, new AbortController().signal);

    expect(t.agentCalls).toHaveLength(1);
    expect(stub.lookups).toHaveLength(0);
    expect(stub.sends).toEqual(['Bienvenido']);
  });
});

describe('a send that timed out: the platform may have taken it', () => {
  const timeout = () => new ChannelError('UPSTREAM_UNAVAILABLE', 'WATI sendSessionMessage: no response within 15000 ms', { retryable: true, inDoubt: true });
  const unavailable = () => new ChannelError('UPSTREAM_UNAVAILABLE', 'WATI sendSessionMessage: HTTP 503', { retryable: true });
  const fresh = (t: ReturnType<typeof setup>, at: number) => {
    t.setNow(at);
    t.store.accept(
      [
        {
          conversationId: WA_ID,
          channel: 'whatsapp',
          externalUserId: WA_ID,
          platformMessageId: `in-${at}`,
          kind: 'text',
          text: 'Hola',
          mediaRef: undefined,
          replyContextId: undefined,
          senderName: undefined,
        },
      ],
      at,
    );
  };

  it('looks in the history before the retry, from when the timed-out attempt started, and records what it finds', async () => {
    const stub = stubClient(() => Promise.resolve({ platformMessageId: 'wamid.LATE' }), [timeout()]);
    const t = setup(stub.channels, { reply: 'Bienvenido' });
    fresh(t, 3_000_000);

    await t.runTurn(WA_ID, new AbortController().signal);

    expect(stub.attempts).toEqual(['Bienvenido']); // one attempt, not sent again
    expect(stub.lookups.map((l) => [l.text, l.since])).toEqual([['Bienvenido', 3_000_000]]);
    expect(t.outbound().map((o) => o.platform_message_id)).toEqual(['wamid.LATE']);
  });

  it('sends again when the history does not have it', async () => {
    const stub = stubClient(() => Promise.resolve(undefined), [timeout()]);
    const t = setup(stub.channels, { reply: 'Bienvenido' });
    fresh(t, 3_000_000);

    await t.runTurn(WA_ID, new AbortController().signal);

    expect(stub.attempts).toEqual(['Bienvenido', 'Bienvenido']);
    expect(stub.lookups).toHaveLength(1);
    expect(t.outbound().map((o) => o.platform_message_id)).toEqual(['sent-1']);
  });

  it('does not look after a failure that is not in doubt (a 503)', async () => {
    const stub = stubClient(() => Promise.resolve({ platformMessageId: 'wamid.NEVER' }), [unavailable()]);
    const t = setup(stub.channels, { reply: 'Bienvenido' });
    fresh(t, 3_000_000);

    await t.runTurn(WA_ID, new AbortController().signal);

    expect(stub.attempts).toEqual(['Bienvenido', 'Bienvenido']);
    expect(stub.lookups).toHaveLength(0);
    expect(t.outbound().map((o) => o.platform_message_id)).toEqual(['sent-1']);
  });

  it('looks once more when the attempts run out after a timeout, so the reply is not left undelivered when it is out', async () => {
    let looks = 0;
    const stub = stubClient(() => Promise.resolve(++looks === 2 ? { platformMessageId: 'wamid.SLOW' } : undefined), [timeout(), unavailable()]);
    const t = setup(stub.channels, { reply: 'Bienvenido' }); // RETRY: 2 attempts
    fresh(t, 3_000_000);

    await t.runTurn(WA_ID, new AbortController().signal);

    expect(stub.attempts).toEqual(['Bienvenido', 'Bienvenido']);
    expect(t.outbound().map((o) => o.platform_message_id)).toEqual(['wamid.SLOW']);
  });

  it('on a channel without a history, takes the part as delivered in doubt, not sent again', async () => {
    const stub = stubClient(undefined, [timeout()]);
    const t = setup(stub.channels, { reply: 'Bienvenido' });
    fresh(t, 3_000_000);

    await t.runTurn(WA_ID, new AbortController().signal);

    expect(stub.attempts).toEqual(['Bienvenido']);
    const rows = db!.prepare('SELECT platform_message_id, in_doubt FROM outbound_messages').all();
    expect(rows).toEqual([{ platform_message_id: null, in_doubt: 1 }]);
  });
});
