// The report's figures per model configuration (agent_turns.config, LLM_CANARY_*): turns, failed turns, the
// models used, calls and cost of each side, in the JSON, the text table and the HTML page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type Report } from '../../src/report/build.js';
import { formatHtml } from '../../src/report/html.js';
import { formatJson } from '../../src/report/json.js';
import { resolvePeriod } from '../../src/report/period.js';
import { formatText } from '../../src/report/text.js';
import type { Db } from '../../src/store/database.js';
import { ReportRepository } from '../../src/store/report-repository.js';
import { UsageRepository } from '../../src/store/usage-repository.js';
import { BETO, CARLA, seedReportDatabase, SINCE, sv, TZ, UNTIL } from './seed.js';

describe('report: by model configuration', () => {
  let db: Db;
  let report: Report;

  beforeAll(() => {
    db = seedReportDatabase(':memory:');
    // Carla's failed turn and Beto's turn on the unpriced model were the canary's; every other turn the primary's.
    db.prepare(`UPDATE agent_turns SET config = 'canary' WHERE conversation_id = ? OR (conversation_id = ? AND model = 'my-local-model')`).run(CARLA, BETO);
    const period = resolvePeriod({ since: SINCE, until: UNTIL }, sv('2026-12-01 12:00:00'), TZ);
    report = buildReport({ usage: new UsageRepository(db), records: new ReportRepository(db), timeZone: TZ, mask: (id) => `masked-${id.length}` }, period);
  });
  afterAll(() => db.close());

  it('turns, failures, calls and cost of each side; both sides add up to the totals', () => {
    const [primary, canary] = report.byConfig;
    expect(report.byConfig.map((c) => c.config)).toEqual(['primary', 'canary']);
    expect(primary).toMatchObject({ models: ['gpt-5', 'gpt-5-mini'], turns: 5, failedTurns: 0, calls: 6, failedCalls: 0, unpricedCalls: 0 });
    expect(canary).toEqual({ config: 'canary', models: ['gpt-5', 'my-local-model'], turns: 2, failedTurns: 1, calls: 2, failedCalls: 1, costUsd: 0, unpricedCalls: 1 });
    expect((primary?.costUsd ?? 0) + (canary?.costUsd ?? 0)).toBeCloseTo(report.cost.totalUsd, 10);
    expect(report.byConfig.reduce((a, c) => a + c.calls, 0)).toBe(report.tokens.calls);
  });

  it('JSON, text table and HTML show it', () => {
    expect((JSON.parse(formatJson(report)) as Report).byConfig).toEqual(report.byConfig);
    const text = formatText(report);
    expect(text).toContain('Por configuración (LLM_CANARY_*)');
    expect(text).toMatch(/primary\s+gpt-5, gpt-5-mini\s+5\s+0\s+6\s+US\$ \d+\.\d{4}/);
    // Nothing priced on the canary: a dash, never a made-up US$ 0.
    expect(text).toMatch(/canary\s+gpt-5, my-local-model\s+2\s+1\s+2\s+—\s+sin precio: 1 llamada/);
    const html = formatHtml(report);
    expect(html).toContain('<h2>Por configuración (LLM_CANARY_*)</h2>');
    expect(html).toContain('<td>canary</td><td>gpt-5, my-local-model</td><td class="num">2</td><td class="num">1</td>');
  });

  it('an empty period has no configuration rows', () => {
    const empty = buildReport(
      { usage: new UsageRepository(db), records: new ReportRepository(db), timeZone: TZ, mask: (id) => id },
      { since: sv('2025-01-01 00:00:00'), until: sv('2025-01-02 00:00:00') },
    );
    expect(empty.byConfig).toEqual([]);
    expect(formatText(empty)).toMatch(/Por configuración \(LLM_CANARY_\*\)\n {4}—/);
  });
});
