// The report over the days of the switch from the Python service. Conversations whose first item is imported
// history (or a message migrated from its buffer) were not new at the switch, and the hours a migrated message
// waited in the old service are no reply time of ours: only conversations that began with a live message in the
// period are "nuevas", and only live messages start the reply-time clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildReport, type Report } from '../../src/report/build.js';
import { resolvePeriod } from '../../src/report/period.js';
import { formatText } from '../../src/report/text.js';
import type { Db } from '../../src/store/database.js';
import { ReportRepository } from '../../src/store/report-repository.js';
import { UsageRepository } from '../../src/store/usage-repository.js';
import { answerPending, importLegacy, liveExchange } from '../support/legacy-switch.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { sv, TZ } from './seed.js';

const SWITCH = sv('2026-12-02 14:00:00');
const HOUR = 3_600_000;
const WITH_HISTORY = '50370005001'; // history in the period, a pending message answered at the switch
const OLD_HISTORY = '50370005002'; // history from last month, a pending message answered at the switch
const ONLY_HISTORY = '50370005003'; // history in the period, nothing after the switch
const ONLY_PENDING = '50370005004'; // no history, one pending message answered at the switch
const WROTE_FIRST = '50370005005'; // wrote to our server before the import ran; its older history imported before
const NEW_GUEST = '50370005006'; // a guest who writes for the first time after the switch
const NEW_MESSENGER = 'facebook:5006';

let db: Db;
beforeEach(() => {
  db = openMigratedDatabase(':memory:');
});
afterEach(() => db.close());

const history = (at: number) => [
  { role: 'user' as const, text: 'Hola, ¿precios?', at },
  { role: 'assistant' as const, text: 'Con gusto le cotizo.', at: at + 60_000 },
];

function seedSwitch(): void {
  liveExchange(db, WROTE_FIRST, '¿Siguen ahí?', SWITCH - 2 * HOUR, 3_000);
  importLegacy(
    db,
    [
      { conversationId: WITH_HISTORY, history: history(SWITCH - 30 * HOUR), pending: [{ text: '¿Y el sábado?', at: SWITCH - 5 * HOUR }] },
      { conversationId: OLD_HISTORY, history: history(SWITCH - 30 * 24 * HOUR), pending: [{ text: 'Hola de nuevo', at: SWITCH - 3 * HOUR }] },
      { conversationId: ONLY_HISTORY, history: history(SWITCH - 20 * HOUR) },
      { conversationId: ONLY_PENDING, pending: [{ text: 'Buenas tardes', at: SWITCH - 4 * HOUR }] },
      { conversationId: WROTE_FIRST, history: history(SWITCH - 40 * HOUR) },
    ],
    SWITCH - 60_000,
  );
  for (const [i, id] of [WITH_HISTORY, OLD_HISTORY, ONLY_PENDING].entries()) answerPending(db, id, SWITCH + i * 10_000, 2_000);
  liveExchange(db, NEW_GUEST, 'Quiero reservar', SWITCH + HOUR, 3_000, 'Nueva');
  liveExchange(db, NEW_MESSENGER, 'Hola', SWITCH + 2 * HOUR, 5_000, 'Otra');
  liveExchange(db, WROTE_FIRST, 'Gracias', SWITCH + 3 * HOUR, 7_000);
}

function reportOf(since: string, until: string): Report {
  const period = resolvePeriod({ since, until }, SWITCH + 24 * HOUR, TZ);
  return buildReport({ usage: new UsageRepository(db), records: new ReportRepository(db), timeZone: TZ, mask: (id) => `m(${id.slice(-4)})`, now: () => SWITCH }, period);
}

describe('report: the switch from the Python service', () => {
  it('counts as new only the conversations that began with a live message in the period', () => {
    seedSwitch();
    // The two days of the switch hold the imported history of three conversations and every live turn.
    const report = reportOf('2026-12-01', '2026-12-02');
    expect(report.conversations).toEqual({ active: 6, new: 2, fromPreviousService: 4 });
    // Only the days before the switch: the imported history alone makes nothing new, nothing active.
    expect(reportOf('2026-11-01', '2026-12-01').conversations).toEqual({ active: 0, new: 0, fromPreviousService: 0 });
    expect(formatText(report)).toMatch(/Conversaciones\s+6\s+nuevas 2 · 4 del servicio anterior/);
  });

  it('measures reply time from live messages only', () => {
    seedSwitch();
    const report = reportOf('2026-12-01', '2026-12-02');
    // Live: WROTE_FIRST before the import (4 s) and after (8 s), the two new guests (4 s, 6 s). The three
    // migrated messages, which waited 3 to 5 hours in the old service, are not reply times.
    expect(report.replyTime).toEqual({ samples: 4, p50Ms: 4_000, p95Ms: 8_000 });
    // Their turns are turns all the same: the server did answer them.
    expect(report.turns.total).toBe(7);
  });
});
