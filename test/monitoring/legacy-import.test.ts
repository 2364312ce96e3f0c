// The switch from the Python service: the messages still pending in its buffer are imported (npm run
// migrate-legacy) and answered by our server hours after the guest wrote them. That wait is the old service's,
// not ours: it is no reply time, so the monitor fires no reply-time alert (it did: 19,136 s at the switch).
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { evaluateChecks, type CheckResult } from '../../src/monitoring/checks.js';
import { createMonitor } from '../../src/monitoring/monitor.js';
import type { StaffAlert } from '../../src/staff/staff-alerts.js';
import type { Db } from '../../src/store/database.js';
import { MonitoringRepository } from '../../src/store/monitoring-repository.js';
import { answerPending, importLegacy, liveExchange } from '../support/legacy-switch.js';
import { openMigratedDatabase } from '../support/test-db.js';

const SWITCH = Date.parse('2026-12-01T20:00:00Z');
const WAITED_MS = 19_136_000;
const guests = Array.from({ length: 8 }, (_, i) => `5037000${String(1000 + i)}`);

let db: Db;
beforeEach(() => {
  db = openMigratedDatabase(':memory:');
});
afterEach(() => db.close());

/** Eight guests whose last message waited in the old service's buffer for 19,136 s, answered at the switch. */
function switchWithMigratedPending(): void {
  importLegacy(
    db,
    guests.map((id, i) => ({
      conversationId: id,
      history: [
        { role: 'user', text: 'Hola', at: SWITCH - 86_400_000 },
        { role: 'assistant', text: '¡Hola! ¿En qué le ayudo?', at: SWITCH - 86_399_000 },
      ],
      pending: [{ text: `¿Tienen habitación el sábado? (${i})`, at: SWITCH - WAITED_MS }],
    })),
    SWITCH - 60_000,
  );
  guests.forEach((id, i) => answerPending(db, id, SWITCH + i * 5_000, 3_000));
}

const replyTime = (checks: CheckResult[]) => checks.find((c) => c.name === 'reply_time') as CheckResult;

describe('reply time at the switch from the Python service', () => {
  it('migrated pending messages answered hours later are no reply time; live ones are', () => {
    switchWithMigratedPending();
    const repo = new MonitoringRepository(db);
    const now = SWITCH + 2 * 60_000;
    expect(repo.replyTimesMs(now - 15 * 60_000, now + 1)).toEqual([]);
    expect(replyTime(evaluateChecks(repo, loadConfig({ ALERT_MIN_SAMPLES: '1' }).monitoring, now))).toMatchObject({ status: 'insufficient', value: null, samples: 0 });

    // Live guests after the switch: their reply times are measured as always.
    for (let i = 0; i < 5; i++) liveExchange(db, `5037100${String(1000 + i)}`, 'Buenas', SWITCH + 3 * 60_000 + i * 1_000, 3_000);
    // A guest whose migrated message is answered together with a live one: the live one's time counts.
    importLegacy(db, [{ conversationId: '50372009999', pending: [{ text: 'Viejo', at: SWITCH - WAITED_MS }] }], SWITCH);
    liveExchange(db, '50372009999', 'Nuevo', SWITCH + 4 * 60_000, 5_000);
    const later = SWITCH + 6 * 60_000;
    expect(repo.replyTimesMs(later - 15 * 60_000, later + 1).toSorted((a, b) => a - b)).toEqual([4_000, 4_000, 4_000, 4_000, 4_000, 6_000]);
  });

  it('the monitor sends no reply-time alert for them', async () => {
    switchWithMigratedPending();
    for (let i = 0; i < 5; i++) liveExchange(db, `5037100${String(1000 + i)}`, 'Buenas', SWITCH + i * 1_000, 3_000);
    const alerts: StaffAlert[] = [];
    const monitor = createMonitor({
      config: loadConfig({}).monitoring,
      repository: new MonitoringRepository(db),
      alertStaff: (a) => void alerts.push(a),
      clock: { now: () => SWITCH + 2 * 60_000 },
      log: pino({ level: 'silent' }),
    });
    try {
      const evaluation = await monitor.evaluate();
      expect(replyTime(evaluation.checks)).toMatchObject({ status: 'ok', value: 4, samples: 5 });
      expect(evaluation.level).toBe('ok');
      expect(evaluation.notified).toBeUndefined();
      expect(alerts).toEqual([]);
    } finally {
      await monitor.stop();
    }
  });
});
