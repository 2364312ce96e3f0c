// The in-process alert monitor with a movable clock over seeded SQLite rows: one alert (a staff alert and one
// webhook POST to a fake JSON server on 127.0.0.1) when failures cross the threshold, however many
// evaluations follow; one reminder after the cooldown; one `resolved`; a rise to critical sent at once; no
// second alert after a restart; the webhook's retry and bound; a failing evaluation logged, never thrown.
// Then the same through createServices: staff.alert jobs for the configured numbers, WATI, the webhook.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createMonitor, decide, type Monitor, type MonitorDeps, type WebhookPayload } from '../../src/monitoring/monitor.js';
import { createServices } from '../../src/services.js';
import type { StaffAlert } from '../../src/staff/staff-alerts.js';
import type { Db } from '../../src/store/database.js';
import { MonitoringRepository } from '../../src/store/monitoring-repository.js';
import { startFakeWati } from '../support/fake-wati.js';
import { movableClock } from '../support/movable-clock.js';
import { createTestAgent } from '../support/test-agent.js';
import { testConfig } from '../support/test-config.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { sleep, until } from '../support/wait.js';
import { seedReply } from './seed.js';

const START = Date.parse('2026-11-20T15:00:00Z');
const MIN = 60_000;

interface FakeHook {
  url: string;
  posts: WebhookPayload[];
  /** Requests received, answered or not. */
  requests: number;
  respond: (status: number) => void;
  hang: () => void;
  close: () => Promise<void>;
}

/** A JSON webhook on 127.0.0.1: records every body, answers `status` (200 unless told otherwise). */
async function startHook(): Promise<FakeHook> {
  const statuses: number[] = [];
  let hanging = false;
  const hook: Omit<FakeHook, 'url' | 'close'> = {
    posts: [],
    requests: 0,
    respond: (status) => void statuses.push(status),
    hang: () => void (hanging = true),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hook.requests += 1;
      if (hanging) return;
      const status = statuses.shift() ?? 200;
      if (status === 200) {
        expect(req.method).toBe('POST');
        expect(req.headers['content-type']).toBe('application/json');
        hook.posts.push(JSON.parse(body) as WebhookPayload);
      }
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(hook, {
    url: `http://127.0.0.1:${port}/hooks/watibot3?token=t0k3n`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

function logCapture() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { log, lines };
}

async function setup(env: Record<string, string> = {}, overrides: Partial<MonitorDeps> = {}) {
  const hook = await startHook();
  cleanup.push(() => hook.close());
  const db = openMigratedDatabase(':memory:');
  cleanup.push(() => db.close());
  let now = START;
  const clock = { now: () => now };
  const alerts: StaffAlert[] = [];
  const { log, lines } = logCapture();
  const config = loadConfig({ ALERT_WEBHOOK_URL: hook.url, ...env }).monitoring;
  const build = () =>
    createMonitor({ config, repository: new MonitoringRepository(db), alertStaff: (a) => void alerts.push(a), clock, log, webhookRetryDelayMs: 10, ...overrides });
  let monitor: Monitor = build();
  cleanup.push(() => monitor.stop());

  /** One minute of traffic (answered turns, some failed, replies `replySeconds` long), then an evaluation. */
  const minute = async (traffic: { ok: number; failed?: number; replySeconds?: number }) => {
    now += MIN;
    for (let i = 0; i < traffic.ok; i++) seedReply(db, now - i * 1000, traffic.replySeconds ?? 3);
    for (let i = 0; i < (traffic.failed ?? 0); i++) seedReply(db, now - 500 - i * 1000, traffic.replySeconds ?? 3, 'failed');
    return monitor.evaluate();
  };
  const restart = async () => {
    await monitor.stop();
    monitor = build();
  };
  return { db, hook, alerts, lines, minute, restart, advance: (ms: number) => void (now += ms), monitor: () => monitor };
}

describe('decide', () => {
  const state = (level: 'ok' | 'warning' | 'critical', notifiedAt?: number) => ({ level, failing: [], notifiedAt, updatedAt: 0 });
  it('alerts on a rise, reminds after the cooldown, resolves once', () => {
    expect(decide(undefined, 'ok', [], 10, 100).notify).toBeUndefined();
    expect(decide(undefined, 'warning', ['x'], 10, 100)).toMatchObject({ notify: 'alert', state: { level: 'warning', notifiedAt: 10 } });
    expect(decide(state('warning', 10), 'warning', ['x'], 109, 100)).toMatchObject({ notify: undefined, state: { level: 'warning', notifiedAt: 10 } });
    expect(decide(state('warning', 10), 'warning', ['x'], 110, 100)).toMatchObject({ notify: 'reminder', state: { notifiedAt: 110 } });
    expect(decide(state('warning', 10), 'critical', ['x', 'y'], 20, 100)).toMatchObject({ notify: 'alert', state: { level: 'critical' } });
    // Critical falling to warning: nothing yet, and back to critical is no new alert.
    expect(decide(state('critical', 10), 'warning', ['x'], 20, 100)).toMatchObject({ notify: undefined, state: { level: 'critical', notifiedAt: 10 } });
    expect(decide(state('critical', 10), 'warning', ['x'], 110, 100)).toMatchObject({ notify: 'reminder', state: { level: 'warning' } });
    expect(decide(state('critical', 10), 'ok', [], 20, 100)).toMatchObject({ notify: 'resolved', state: { level: 'ok', notifiedAt: undefined } });
    expect(decide(state('ok'), 'ok', [], 20, 100).notify).toBeUndefined();
  });
});

describe('the alert monitor', () => {
  it('alerts once when failures cross the threshold, reminds once after the cooldown, resolves once', async () => {
    const { hook, alerts, minute, lines } = await setup();
    // A normal quarter of an hour: nothing sent.
    for (let i = 0; i < 15; i++) expect((await minute({ ok: 2 })).notified).toBeUndefined();
    expect(alerts).toEqual([]);

    // Turns start failing (3 of the window's 33, then a third): one warning, then silence for 30 evaluations.
    const first = await minute({ ok: 2, failed: 3 });
    expect(first).toMatchObject({ level: 'warning', notified: 'alert' });
    for (let i = 0; i < 30; i++) expect((await minute({ ok: 2, failed: 1 })).notified).toBeUndefined();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ reason: 'monitoring', title: 'Advertencia: un indicador fuera de umbral' });
    expect(alerts[0]!.lines[0]).toMatch(/^⚠️ Turnos fallidos: \d+(\.\d)? % \(\d+ de \d+\); umbral 5 %; últimos 15 min$/);
    expect(alerts[0]!.lines).toContain('Reservas logradas: sin datos suficientes (0 intentos, últimas 24 h)');
    expect(hook.posts).toHaveLength(1);
    expect(hook.posts[0]).toMatchObject({
      status: 'warning',
      reminder: false,
      at: new Date(first.at).toISOString(),
      checks: expect.arrayContaining([
        expect.objectContaining({ name: 'error_rate', status: 'failing', threshold: 0.05, failsWhen: 'above', windowSeconds: 900 }),
        expect.objectContaining({ name: 'reply_time', status: 'ok', value: 3, threshold: 30 }),
        expect.objectContaining({ name: 'booking_success', status: 'insufficient', samples: 0 }),
      ]),
    });

    // Still failing after the 60-minute cooldown: exactly one reminder.
    for (let i = 0; i < 29; i++) expect((await minute({ ok: 2, failed: 1 })).notified).toBeUndefined();
    expect((await minute({ ok: 2, failed: 1 })).notified).toBe('reminder');
    for (let i = 0; i < 10; i++) await minute({ ok: 2, failed: 1 });
    expect(alerts.map((a) => a.title)).toEqual(['Advertencia: un indicador fuera de umbral', 'Sigue: Advertencia: un indicador fuera de umbral']);
    expect(hook.posts.map((p) => [p.status, p.reminder])).toEqual([
      ['warning', false],
      ['warning', true],
    ]);

    // Back to normal: one resolved, once the failures have left the window.
    const after = [];
    for (let i = 0; i < 20; i++) after.push((await minute({ ok: 2 })).notified);
    expect(after.filter((n) => n !== undefined)).toEqual(['resolved']);
    expect(alerts.at(-1)).toMatchObject({ title: 'Resuelto: el asistente volvió a la normalidad' });
    expect(hook.posts.map((p) => p.status)).toEqual(['warning', 'warning', 'resolved']);
    expect(hook.posts.at(-1)!.checks.every((c) => c.status !== 'failing')).toBe(true);
    // Only the webhook's origin is logged (its path and query may hold a token).
    expect(JSON.stringify(lines)).not.toContain('t0k3n');
    expect(lines.filter((l) => l.msg === 'alert fired')).toHaveLength(1);
  });

  it('two failing checks are critical; a rise from warning is sent at once, a fall is not', async () => {
    const { hook, alerts, minute } = await setup();
    for (let i = 0; i < 5; i++) await minute({ ok: 2, failed: 1 });
    expect(hook.posts.map((p) => p.status)).toEqual(['warning']);
    // The replies slow down too: critical, sent at the next evaluation.
    const rise = await minute({ ok: 2, failed: 1, replySeconds: 90 });
    expect(rise).toMatchObject({ level: 'critical', notified: 'alert' });
    expect(alerts[1]).toMatchObject({ title: 'Alerta crítica: 2 indicadores fuera de umbral' });
    expect(alerts[1]!.lines.slice(0, 2)).toEqual([
      expect.stringMatching(/^⚠️ Tiempo de respuesta \(p95\): 90 s; umbral 30 s; últimos 15 min, \d+ respuestas$/),
      expect.stringMatching(/^⚠️ Turnos fallidos: /),
    ]);
    expect(hook.posts.map((p) => p.status)).toEqual(['warning', 'critical']);
    for (let i = 0; i < 5; i++) await minute({ ok: 2, failed: 1, replySeconds: 90 });
    expect(hook.posts).toHaveLength(2);
  });

  it('a restart keeps the state: no second alert, and the resolve still comes', async () => {
    const { hook, alerts, minute, restart } = await setup();
    for (let i = 0; i < 3; i++) await minute({ ok: 2, failed: 2 });
    expect(alerts).toHaveLength(1);
    await restart();
    for (let i = 0; i < 3; i++) expect((await minute({ ok: 2, failed: 2 })).notified).toBeUndefined();
    await restart();
    const after = [];
    for (let i = 0; i < 20; i++) after.push((await minute({ ok: 2 })).notified);
    expect(after.filter(Boolean)).toEqual(['resolved']);
    expect(hook.posts.map((p) => p.status)).toEqual(['warning', 'resolved']);
  });

  it('one failed turn at night is not an alert (fewer samples than ALERT_MIN_SAMPLES)', async () => {
    const { alerts, hook, minute } = await setup();
    await minute({ ok: 0, failed: 1 });
    for (let i = 0; i < 10; i++) await minute({ ok: 0 });
    await minute({ ok: 1, failed: 2 });
    expect(alerts).toEqual([]);
    expect(hook.requests).toBe(0);
  });

  it('retries a failed webhook post once, then logs it; the staff alert is not held back', async () => {
    const { hook, alerts, minute, lines } = await setup();
    hook.respond(503);
    await minute({ ok: 2, failed: 2 });
    await minute({ ok: 2, failed: 2 });
    await minute({ ok: 2, failed: 2 });
    expect(hook.requests).toBe(2);
    expect(hook.posts).toHaveLength(1);

    // Failing twice: given up after one retry, logged, never thrown.
    hook.respond(500);
    hook.respond(502);
    for (let i = 0; i < 20; i++) await minute({ ok: 3 });
    expect(hook.requests).toBe(4);
    expect(alerts.map((a) => a.title)).toEqual(['Advertencia: un indicador fuera de umbral', 'Resuelto: el asistente volvió a la normalidad']);
    expect(lines.find((l) => l.msg === 'alert webhook failed')).toMatchObject({ level: 50, webhook: new URL(hook.url).origin, attempts: 2, status: 'resolved' });

    // A 4xx is not retried.
    hook.respond(400);
    expect((await minute({ ok: 2, failed: 10 })).notified).toBe('alert');
    expect(hook.requests).toBe(5);
  });

  it('bounds each webhook attempt (a hanging server costs two timeouts, not a stuck monitor)', async () => {
    const { hook, alerts, minute, lines } = await setup({}, { webhookTimeoutMs: 100 });
    hook.hang();
    const started = Date.now();
    expect((await minute({ ok: 2, failed: 3 })).notified).toBe('alert');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(hook.requests).toBe(2);
    expect(alerts).toHaveLength(1);
    expect(lines.find((l) => l.msg === 'alert webhook failed')).toMatchObject({ attempts: 2 });
  });

  it('runs every interval from its unref()ed timer; a failing evaluation is logged and the next one runs', async () => {
    const db = openMigratedDatabase(':memory:');
    cleanup.push(() => db.close());
    const repository = new MonitoringRepository(db);
    let calls = 0;
    const real = repository.turnCounts.bind(repository);
    repository.turnCounts = (since, until) => {
      calls += 1;
      if (calls === 1) throw new Error('disk I/O error');
      return real(since, until);
    };
    const { log, lines } = logCapture();
    const monitor = createMonitor({ config: loadConfig({}).monitoring, repository, alertStaff: () => undefined, clock: { now: () => START }, log, intervalMs: 20 });
    cleanup.push(() => monitor.stop());
    monitor.start();
    await until(() => calls >= 3, 'three evaluations');
    expect(lines.filter((l) => l.msg === 'alert evaluation failed')).toHaveLength(1);
    await monitor.stop();
    const after = calls;
    await sleep(80);
    expect(calls).toBe(after);
  });

  it('without ALERT_WEBHOOK_URL, staff alerts only', async () => {
    const db = openMigratedDatabase(':memory:');
    cleanup.push(() => db.close());
    const alerts: StaffAlert[] = [];
    let now = START;
    const monitor = createMonitor({ config: loadConfig({}).monitoring, repository: new MonitoringRepository(db), alertStaff: (a) => void alerts.push(a), clock: { now: () => now }, log: pino({ level: 'silent' }) });
    for (let i = 0; i < 5; i++) seedReply(db, now - i * 1000, 3, 'failed');
    now += 1000;
    expect(await monitor.evaluate()).toMatchObject({ level: 'warning', notified: 'alert' });
    expect(alerts).toHaveLength(1);
  });
});

describe('the alert monitor in the services', () => {
  const STAFF = '50370009991';

  function staffAlertJobs(db: Db): { status: string; payload: { number: string; title: string; reason: string } }[] {
    return (db.prepare(`SELECT status, payload FROM jobs WHERE kind = 'staff.alert' ORDER BY id`).all() as { status: string; payload: string }[]).map((r) => ({
      status: r.status,
      payload: JSON.parse(r.payload) as { number: string; title: string; reason: string },
    }));
  }

  it('sends one staff.alert job to the staff number and one webhook POST over many evaluations, then one resolved', async () => {
    const hook = await startHook();
    cleanup.push(() => hook.close());
    const wati = await startFakeWati();
    cleanup.push(() => wati.close());
    const clock = movableClock(START);
    const config = testConfig({ WATI_API_URL: wati.url, WATI_API_KEY: wati.apiKey, STAFF_WHATSAPP_NUMBERS: STAFF, ALERT_WEBHOOK_URL: hook.url });
    const services = await createServices(config, { agent: createTestAgent(), logger: pino({ level: 'silent' }), clock, jobPollMs: 25, monitorIntervalMs: 40, shutdownGraceMs: 1_000 });
    cleanup.push(() => services.close());
    // Half of the last minutes' turns failed (rows as the turn runner writes them).
    for (let i = 0; i < 6; i++) seedReply(services.db, clock.now() - i * 30_000, 4, i % 2 === 0 ? 'failed' : 'delivered');
    services.start();

    await until(() => hook.posts.length === 1, 'the warning webhook', 5_000);
    expect(hook.posts[0]).toMatchObject({ status: 'warning' });
    expect(await wati.waitForTexts(1, 5_000, STAFF)).toEqual([expect.stringContaining('🔔 Advertencia: un indicador fuera de umbral')]);
    await sleep(400); // ~10 more evaluations
    expect(hook.requests).toBe(1);
    expect(staffAlertJobs(services.db)).toEqual([{ status: 'done', payload: expect.objectContaining({ number: STAFF, reason: 'monitoring', title: 'Advertencia: un indicador fuera de umbral' }) }]);
    const state = new Database(config.dbPath, { readonly: true });
    cleanup.push(() => state.close());
    expect(state.prepare('SELECT level, failing FROM monitor_state').get()).toEqual({ level: 'warning', failing: '["error_rate"]' });

    // A quarter of an hour later the failures have left the window: resolved, once.
    clock.advance(16 * MIN);
    await until(() => hook.posts.length === 2, 'the resolved webhook', 5_000);
    await sleep(300);
    expect(hook.posts.map((p) => p.status)).toEqual(['warning', 'resolved']);
    await until(() => staffAlertJobs(services.db).length === 2 && staffAlertJobs(services.db).every((j) => j.status === 'done'), 'the resolved staff alert', 5_000);
    expect(staffAlertJobs(services.db).map((j) => j.payload.title)).toEqual(['Advertencia: un indicador fuera de umbral', 'Resuelto: el asistente volvió a la normalidad']);
    expect(await wati.waitForTexts(2, 5_000, STAFF)).toHaveLength(2);
  });
});
