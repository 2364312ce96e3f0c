// GET /metrics at the switch from the Python service: a message migrated from its buffer (npm run
// migrate-legacy) waited there for hours; our server answers it within seconds, and the reply-time histogram
// (watibot3_turn_duration_seconds) records no sample for it. The turn itself is counted.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { importLegacy } from '../support/legacy-switch.js';
import { createTestAgent } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';
import { until } from '../support/wait.js';
import { parseSamples, valueOf } from './prometheus-text.js';

const MIGRATED = '50370008001';
const LIVE = '50370008002';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('GET /metrics: reply time at the switch', () => {
  it('a migrated pending message answered by the server is a turn but no reply-time sample; a live one is both', async () => {
    const agent = createTestAgent();
    h = await startHarness({ agent, schedulerSweepMs: 200 });
    const harness = h;
    const db = openDatabase(harness.config.dbPath);
    try {
      importLegacy(db, [{ conversationId: MIGRATED, pending: [{ text: '¿Tienen habitación?', at: Date.now() - 19_136_000 }] }], Date.now());
    } finally {
      db.close();
    }
    await harness.wati.waitForTexts(1, 10_000, MIGRATED);
    const scrape = async () => parseSamples(((await harness.get('/metrics')).body as Buffer).toString('utf8'));
    let samples = await scrape();
    await until(async () => {
      samples = await scrape();
      return valueOf(samples, 'watibot3_turns_total', { outcome: 'answered' }) === 1;
    }, 'the turn to be counted');
    expect(valueOf(samples, 'watibot3_turn_duration_seconds_count') ?? 0).toBe(0);

    // A live guest afterwards: one sample, seconds long, not hours.
    expect((await harness.post('/webhook', { waId: LIVE, senderName: 'Ana', userMessage: 'Hola', passkey: TEST_PASSKEY })).status).toBe(200);
    await harness.wati.waitForTexts(1, 10_000, LIVE);
    await until(async () => {
      samples = await scrape();
      return valueOf(samples, 'watibot3_turn_duration_seconds_count') === 1;
    }, 'the live reply to be measured');
    expect(valueOf(samples, 'watibot3_turn_duration_seconds_sum')).toBeLessThan(60);
  });
});
