// Guest notices outside a turn: sent through the conversation's platform (the real WATI client against the
// fake WATI), recorded as the bot's own, written to the transcript; outside the 24-hour window not sent at
// all, the conversation handed to staff instead.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuestNoticeJobKind, guestNotice } from '../../src/platforms/guest-notice.js';
import type { ConversationRef } from '../../src/core/conversation-id.js';
import type { JobKind } from '../../src/jobs/types.js';
import { JobWorker } from '../../src/jobs/worker.js';
import { createPlatforms } from '../../src/platforms/index.js';
import { BufferStore } from '../../src/store/buffer-store.js';
import { ConversationHistoryRepository } from '../../src/store/conversation-history-repository.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { SqliteJobQueue } from '../../src/store/jobs-repository.js';
import { startFakeWati, type FakeWati } from '../support/fake-wati.js';
import { movableClock } from '../support/movable-clock.js';
import { tempDbPath, testConfig } from '../support/test-config.js';
import { openMigratedDatabase } from '../support/test-db.js';

const log = pino({ level: 'silent' });
const HOUR = 3_600_000;

describe('guest notices', () => {
  let wati: FakeWati;
  beforeAll(async () => {
    wati = await startFakeWati();
  });
  afterAll(async () => {
    await wati.close();
  });

  it('are sent within 24 hours of the guest’s last message and written to the transcript; later, staff take over', async () => {
    const db = openMigratedDatabase(tempDbPath());
    const clock = movableClock(Date.parse('2027-02-22T12:00:00Z'));
    const store = new BufferStore(db);
    const history = new ConversationHistoryRepository(db);
    const transcript = new ConversationStore(db);
    const jobs = new SqliteJobQueue(db);
    const handedOff: string[] = [];
    const kind = createGuestNoticeJobKind({
      platforms: createPlatforms(testConfig({ WATI_API_URL: wati.url, WATI_API_KEY: wati.apiKey })),
      store,
      history,
      transcript,
      llm: { model: 'gpt-5-mini', api: 'responses' },
      toStaff: (ref: ConversationRef) => void handedOff.push(ref.conversationId),
      now: clock.now,
    });
    const worker = new JobWorker({ queue: jobs, kinds: [kind as JobKind<unknown>], clock, log, pollMs: 10 });
    const waId = '50370000099';
    store.accept(
      [{ conversationId: waId, channel: 'whatsapp', externalUserId: waId, platformMessageId: 'wamid.g1', kind: 'text', text: 'Ya pagué', mediaRef: undefined, replyContextId: undefined, senderName: undefined, dedupeRoute: 'wati_event' }],
      clock.now(),
    );

    clock.advance(3 * HOUR);
    jobs.enqueue(guestNotice(kind, waId, '¡Buenas noticias! Código de reserva: HR28611.'), clock.now());
    await worker.runDue();
    expect(wati.sentTexts(waId)).toEqual(['¡Buenas noticias! Código de reserva: HR28611.']);
    expect(transcript.listItems(waId).map((i) => i.item)).toEqual([{ kind: 'assistant', text: '¡Buenas noticias! Código de reserva: HR28611.', synthetic: true }]);
    // Recorded like a reply part, so WATI's echo of it is known as the bot's own.
    expect(history.outboundTextsSince(waId, 0)).toEqual(['¡Buenas noticias! Código de reserva: HR28611.']);
    expect(handedOff).toEqual([]);

    clock.advance(22 * HOUR); // 25 hours after the guest's message
    jobs.enqueue(guestNotice(kind, waId, 'Seguimos verificando su transferencia.'), clock.now());
    await worker.runDue();
    expect(wati.sentTexts(waId)).toHaveLength(1);
    expect(handedOff).toEqual([waId]);
    expect(jobs.list({ kind: 'guest.notice', limit: 5 }).map((j) => j.status)).toEqual(['done', 'done']);
    db.close();
  });
});
