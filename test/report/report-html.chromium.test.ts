// The report's HTML page opened from a file in a real headless Chromium (the portals' browser, launched with
// the same flags): it loads with no console error and no request besides itself, shows the three charts,
// and a guest's name containing <script> is text on the page, not an element.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { formatHtml } from '../../src/report/html.js';
import { resolvePeriod } from '../../src/report/period.js';
import { openReadonlyDatabase } from '../../src/store/database.js';
import { ReportRepository } from '../../src/store/report-repository.js';
import { UsageRepository } from '../../src/store/usage-repository.js';
import { chromiumPath, describeWithChromium } from '../support/chromium.js';
import { EVIL_NAME, seedReportDatabase, SINCE, sv, TZ, UNTIL } from './seed.js';

describeWithChromium('report HTML in Chromium', () => {
  let dir: string;
  let htmlPath: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-html-'));
    seedReportDatabase(join(dir, 'watibot3.db')).close();
    const db = openReadonlyDatabase(join(dir, 'watibot3.db'));
    try {
      const period = resolvePeriod({ since: SINCE, until: UNTIL }, sv('2026-12-01 09:00:00'), TZ);
      const report = buildReport({ usage: new UsageRepository(db), records: new ReportRepository(db), timeZone: TZ, mask: (id) => `id…${id.slice(-4)}` }, period);
      htmlPath = join(dir, 'report.html');
      writeFileSync(htmlPath, formatHtml(report));
    } finally {
      db.close();
    }
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders offline: no console errors, no other request, three charts, guest text escaped', async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('request', (req) => requests.push(req.url()));
    const url = pathToFileURL(htmlPath).href;
    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.ok()).toBe(true);

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.title()).toContain('Informe de watibot3');

    const charts = await page.locator('svg[data-chart]').evaluateAll((svgs) =>
      svgs.map((svg) => ({
        id: svg.getAttribute('data-chart'),
        bars: svg.querySelectorAll('rect.bar').length,
        dots: svg.querySelectorAll('circle.dot').length,
        width: svg.getBoundingClientRect().width,
        labels: [...svg.querySelectorAll('text.axis')].map((t) => t.textContent).filter((t) => t?.includes('/')),
      })),
    );
    expect(charts.map((c) => [c.id, c.bars, c.dots])).toEqual([
      ['turns', 3, 0],
      ['failures', 3, 0],
      ['cost', 0, 3],
    ]);
    for (const chart of charts) {
      expect(chart.width).toBeGreaterThan(100);
      expect(chart.labels).toEqual(['28/11', '29/11', '30/11']);
    }
    // The turns chart's bars are 2, 2 and 3 turns tall relative to each other.
    const heights = await page.locator('svg[data-chart="turns"] rect.bar').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
    expect(heights[0]).toBeCloseTo(heights[1]!, 5);
    expect(heights[2]! / heights[0]!).toBeCloseTo(1.5, 5);

    // The guest's name is text in a cell, and the page has no script element at all.
    expect(await page.locator('script').count()).toBe(0);
    await expect.poll(() => page.getByRole('cell', { name: EVIL_NAME, exact: true }).count()).toBe(1);
    expect(await page.locator('body').innerText()).toContain(EVIL_NAME);
    expect(await page.getByText('sin precio: 1 llamada').count()).toBeGreaterThan(0);
    await context.close();
  }, 30_000);
});
