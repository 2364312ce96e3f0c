// The report of a seeded database (test/report/seed.ts): the object and its JSON with exact figures, the
// text table, the period's parsing in the hotel's zone, the HTML's escaping and charts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, percentile, type Report } from '../../src/report/build.js';
import { barChart, escapeHtml, formatHtml, lineChart, niceMax } from '../../src/report/html.js';
import { formatJson } from '../../src/report/json.js';
import { datesOf, parseBound, PeriodError, resolvePeriod } from '../../src/report/period.js';
import { formatText, terminalSafe } from '../../src/report/text.js';
import { openReadonlyDatabase, type Db } from '../../src/store/database.js';
import { ReportRepository } from '../../src/store/report-repository.js';
import { UsageRepository } from '../../src/store/usage-repository.js';
import { ANA, BETO, CARLA, EVIL_NAME, seedReportDatabase, SINCE, sv, TZ, UNTIL } from './seed.js';

const NOW = sv('2026-12-01 09:00:00');
const mask = (id: string) => `masked(${id.slice(-4)})`;

let dir: string;
let db: Db;
let report: Report;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'report-'));
  const path = join(dir, 'watibot3.db');
  seedReportDatabase(path).close();
  db = openReadonlyDatabase(path);
  const period = resolvePeriod({ since: SINCE, until: UNTIL }, NOW, TZ);
  report = buildReport({ usage: new UsageRepository(db), records: new ReportRepository(db), timeZone: TZ, mask, now: () => NOW }, period);
});

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

// gpt-5 at US$ 1.25 / 0.125 / 10 per million: uncached input, cached input, output.
const GPT5 = (input: number, cached: number, output: number) => ((input - cached) * 1.25 + cached * 0.125 + output * 10) / 1e6;
const GPT5_MINI = (input: number, cached: number, output: number) => ((input - cached) * 0.25 + cached * 0.025 + output * 2) / 1e6;

describe('report: figures of the seeded period', () => {
  it('counts conversations, turns, replies, failures, handoffs, bookings and follow-ups of the three days only', () => {
    expect(report.period).toEqual({ since: '2026-11-28T06:00:00.000Z', until: '2026-12-01T06:00:00.000Z', timezone: TZ });
    expect(report.conversations).toEqual({ active: 3, new: 3, fromPreviousService: 0 });
    // The held batch (bot paused) is no turn; the evening before the period is outside it.
    expect(report.turns).toEqual({ total: 7, delivered: 5, failed: 1, undelivered: 1, inProgress: 0 });
    // Seven parts of turns' replies; the notice outside a turn is not one.
    expect(report.replies).toEqual({ delivered: 5, parts: 7 });
    expect(report.failures).toEqual({
      total: 2,
      byClass: [
        { status: 'failed', errorClass: 'model_timeout', count: 1 },
        { status: 'undelivered', errorClass: 'channel_rejected', count: 1 },
      ],
    });
    expect(report.handoffs).toEqual({ total: 1, byReason: { handoff: 1, operator: 1 } });
    expect(report.bookings).toEqual({
      booked: 1,
      amountCents: 25_000,
      byState: [
        { state: 'booked', count: 1, amountCents: 25_000 },
        { state: 'failed', count: 1, amountCents: 10_000 },
      ],
    });
    expect(report.followUps).toEqual({ total: 2, byState: { booked: 1, escalated: 1 }, jobs: { done: 2, failed: 1 } });
  });

  it('JSON: tokens, cached share, cost by model and per conversation, p50/p95, days in El Salvador', () => {
    const json = JSON.parse(formatJson(report)) as Report;
    expect(json.tokens).toEqual({ calls: 8, failedCalls: 1, input: 62_500, cached: 44_000, uncached: 18_500, output: 890, reasoning: 50 });
    expect(json.cachedShare).toBe(44_000 / 62_500);
    expect(json.cachedShare).toBeCloseTo(0.704, 12);

    const gpt5 = GPT5(10_000, 8_000, 200) + GPT5(12_000, 10_000, 300) + GPT5(12_500, 12_000, 100) + GPT5(6_000, 5_000, 60) + GPT5(9_000, 9_000, 80);
    const mini = GPT5_MINI(8_000, 0, 100);
    expect(json.cost.byModel.map((m) => ({ ...m, costUsd: Number(m.costUsd.toFixed(9)) }))).toEqual([
      { model: 'gpt-5', turns: 5, calls: 6, costUsd: 0.019775, unpricedCalls: 0 },
      { model: 'gpt-5-mini', turns: 1, calls: 1, costUsd: 0.0022, unpricedCalls: 0 },
      // No price: counted as "sin precio", never given a cost.
      { model: 'my-local-model', turns: 1, calls: 1, costUsd: 0, unpricedCalls: 1 },
    ]);
    expect(json.cost.byModel[0]!.costUsd).toBeCloseTo(gpt5, 12);
    expect(json.cost.totalUsd).toBeCloseTo(gpt5 + mini, 12);
    expect(json.cost.unpricedCalls).toBe(1);
    expect(json.cost.perConversation.conversations).toBe(3);
    expect(json.cost.perConversation.averageUsd).toBeCloseTo((gpt5 + mini) / 3, 12);
    expect(json.cost.perConversation.top.map((c) => ({ ...c, costUsd: Number(c.costUsd.toFixed(9)) }))).toEqual([
      { conversation: mask(BETO), guestName: EVIL_NAME, turns: 3, calls: 4, costUsd: 0.01235, unpricedCalls: 1 },
      { conversation: mask(ANA), guestName: 'Ana', turns: 3, calls: 3, costUsd: 0.009625, unpricedCalls: 0 },
      { conversation: mask(CARLA), guestName: 'Carla', turns: 1, calls: 1, costUsd: 0, unpricedCalls: 0 },
    ]);

    // Reply times 2, 3, 4, 6, 8 and 30 s (the failed turn's fallback); the undelivered turn has none.
    expect(json.replyTime).toEqual({ samples: 6, p50Ms: 4_000, p95Ms: 30_000 });

    // The turn at 23:50 on the 30th (05:50 UTC on December 1st) belongs to the 30th.
    expect(json.daily.map((d) => ({ ...d, costUsd: Number(d.costUsd.toFixed(9)) }))).toEqual([
      { date: '2026-11-28', turns: 2, failures: 0, costUsd: 0.015375, unpricedCalls: 0 },
      { date: '2026-11-29', turns: 2, failures: 1, costUsd: 0.0022, unpricedCalls: 0 },
      { date: '2026-11-30', turns: 3, failures: 1, costUsd: 0.0044, unpricedCalls: 1 },
    ]);
    expect(json.generatedAt).toBe(new Date(NOW).toISOString());
  });

  it('text table: the key numbers, "sin precio", masked conversations, control characters replaced', () => {
    const text = formatText(report);
    expect(text).toContain('2026-11-28 00:00 → 2026-12-01 00:00 (America/El_Salvador)');
    expect(text).toMatch(/Conversaciones\s+3\s+nuevas 3/);
    expect(text).toMatch(/Turnos\s+7\s+entregados 5 · fallidos 1 · no entregados 1/);
    expect(text).toMatch(/Traspasos a personal\s+1/);
    expect(text).toMatch(/Reservas hechas\s+1\s+US\$ 250\.00/);
    expect(text).toMatch(/p50 4\.0 s\s+p95 30\.0 s · 6 respuestas/);
    expect(text).toMatch(/failed\s+model_timeout\s+1/);
    expect(text).toMatch(/en caché\s+44,000\s+proporción en caché 70\.4 %/);
    expect(text).toMatch(/total\s+US\$ 0\.0220\s+sin precio: 1 llamada/);
    expect(text).toMatch(/gpt-5\s+5\s+6\s+US\$ 0\.0198/);
    expect(text).toMatch(/my-local-model\s+1\s+1\s+—\s+sin precio: 1 llamada/);
    expect(text).toContain(mask(BETO));
    expect(text).not.toContain(BETO);
    expect(text).toMatch(/2026-11-30\s+3\s+1\s+US\$ 0\.0044\s+sin precio: 1 llamada/);
    expect(terminalSafe('Ana\u001b[2J\u202eX')).toBe('Ana?[2J?X');
  });

  it('an empty period: zeros and dashes, no division by zero', () => {
    const empty = buildReport(
      { usage: new UsageRepository(db), records: new ReportRepository(db), timeZone: TZ, mask },
      resolvePeriod({ since: '2026-10-01', until: '2026-10-02' }, NOW, TZ),
    );
    expect(empty.turns.total).toBe(0);
    expect(empty.cachedShare).toBeNull();
    expect(empty.cost.perConversation.averageUsd).toBeNull();
    expect(empty.replyTime).toEqual({ samples: 0, p50Ms: null, p95Ms: null });
    expect(empty.daily.map((d) => d.date)).toEqual(['2026-10-01', '2026-10-02']);
    expect(formatText(empty)).toMatch(/p50 —/);
    expect(formatHtml(empty)).toContain('data-chart="cost"');
  });
});

describe('report: period', () => {
  it('dates are local days in TIMEZONE, --until inclusive; instants need their zone', () => {
    expect(new Date(parseBound('2026-11-28', 'since', TZ)).toISOString()).toBe('2026-11-28T06:00:00.000Z');
    expect(new Date(parseBound('2026-11-30', 'until', TZ)).toISOString()).toBe('2026-12-01T06:00:00.000Z');
    expect(parseBound('2026-11-28T10:00:00-06:00', 'since', TZ)).toBe(sv('2026-11-28 10:00:00'));
    expect(parseBound('2026-11-28T16:00Z', 'since', TZ)).toBe(sv('2026-11-28 10:00:00'));
    expect(() => parseBound('2026-11-28T10:00:00', 'since', TZ)).toThrow(PeriodError);
    expect(() => parseBound('2026-02-30', 'since', TZ)).toThrow(/not a calendar date/);
    expect(() => parseBound('yesterday', 'until', TZ)).toThrow(/YYYY-MM-DD/);
    expect(() => resolvePeriod({ since: '2026-11-30', until: '2026-11-29' }, NOW, TZ)).toThrow(/empty/);
  });

  it('default: the last 7 local days, today included, until now', () => {
    const period = resolvePeriod({}, NOW, TZ);
    expect(period).toEqual({ since: sv('2026-11-25 00:00:00'), until: NOW });
    expect(datesOf(period, TZ)).toEqual(['2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01']);
  });

  it('days across a daylight-saving change have 23 and 25 hours', () => {
    const ny = 'America/New_York';
    const spring = resolvePeriod({ since: '2026-03-08', until: '2026-03-08' }, NOW, ny);
    expect(spring.until - spring.since).toBe(23 * 3_600_000);
    expect(new Date(spring.since).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    const autumn = resolvePeriod({ since: '2026-11-01', until: '2026-11-01' }, NOW, ny);
    expect(autumn.until - autumn.since).toBe(25 * 3_600_000);
    expect(datesOf({ since: spring.since, until: autumn.until }, ny)).toHaveLength(239);
  });

  it('nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
  });
});

describe('report: HTML', () => {
  it('escapes every stored string and makes no request', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    // A guest name with a bidi override shows staff its letters in order, as on the dashboard.
    expect(escapeHtml('Ana \u202Egpj.exe\u202C Ruiz \u2066x\u2069\u200F')).toBe('Ana gpj.exe Ruiz x');
    const html = formatHtml(report);
    expect(html).not.toContain('<script');
    expect(html).toContain(escapeHtml(EVIL_NAME));
    expect(html).not.toMatch(/\bsrc=|\bhref=|url\(|@import/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    for (const id of ['turns', 'failures', 'cost']) expect(html).toContain(`data-chart="${id}"`);
  });

  it('charts: one bar or point per day, scaled to a round maximum', () => {
    expect([niceMax(0), niceMax(3), niceMax(7), niceMax(0.0154), niceMax(100)]).toEqual([1, 5, 10, 0.02, 100]);
    const points = [{ label: '<b>', value: 2 }, { label: 'b', value: 4 }];
    const bars = barChart({ id: 't', title: 'T & <T>', points });
    expect(bars.match(/<rect /g)).toHaveLength(2);
    expect(bars).toContain('&lt;b&gt;');
    expect(bars).toContain('aria-label="T &amp; &lt;T&gt;"');
    expect(lineChart({ id: 'c', title: 'C', points }).match(/<circle /g)).toHaveLength(2);
  });
});
