// The handoff's platform steps as durable jobs, through the real app and fake WATI on 127.0.0.1: retried on
// their schedule (10 s, 1 min, …) when WATI fails, also across a restart; a 4xx is final and staff can
// retry it through the admin API.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/app-harness.js';
import { createTestAgent } from '../support/test-agent.js';
import { TEST_PASSKEY, tempDbPath } from '../support/test-config.js';
import { movableClock, type MovableClock } from '../support/movable-clock.js';
import { sleep, until } from '../support/wait.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const TUESDAY_OPEN = Date.parse('2026-11-17T16:00:00Z');
const WA_ID = '50376000042';

interface JobRow {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  last_error_class: string | null;
  run_at: number;
}
function jobRows(dbPath: string): JobRow[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT id, kind, status, attempts, last_error_class, run_at FROM jobs ORDER BY id').all() as JobRow[];
  } finally {
    db.close();
  }
}
const assignJob = (dbPath: string) => jobRows(dbPath).find((j) => j.kind === 'wati.assign_operator');

async function start(clock: MovableClock, dbPath: string, assignStatus: number) {
  h = await startHarness({
    clock,
    jobPollMs: 25,
    agent: createTestAgent(() => 'handover'),
    env: { CONVERSATION_DB_PATH: dbPath, HANDOVER_OPERATOR_EMAIL: 'reservas@example.com', ADMIN_TOKEN: 'admin-secret-0123456789abcdef' },
  });
  h.wati.setHandler('assignOperator', () => ({ status: assignStatus, body: assignStatus < 300 ? { result: true } : { error: 'boom' } }));
  h.wati.setHandler('updateChatStatus', () => ({ status: 200, body: { result: true } }));
  return h;
}
const assignCalls = (h: Harness) => h.wati.requests.filter((r) => r.path.endsWith('/api/v1/assignOperator')).length;

describe('handoff steps as durable jobs', () => {
  it('retries assignOperator after WATI 5xx on the schedule, across a restart, until it succeeds', async () => {
    const clock = movableClock(TUESDAY_OPEN);
    const dbPath = tempDbPath();
    let app = await start(clock, dbPath, 503);
    await app.post('/webhook', { waId: WA_ID, userMessage: 'Quiero hablar con una persona', passkey: TEST_PASSKEY });
    await app.wati.waitForTexts(1, 4_000);
    await until(() => assignCalls(app) === 1 && assignJob(dbPath)?.attempts === 1 && assignJob(dbPath)?.status === 'pending', 'the first attempt');
    expect(assignJob(dbPath)).toMatchObject({ last_error_class: 'upstream_unavailable' });
    expect(assignJob(dbPath)!.run_at - clock.now()).toBeGreaterThan(8_000); // 10 s later
    // The ticket status is its own job, run beside the first assignOperator attempt: wait for it, not race it.
    await until(() => jobRows(dbPath).find((j) => j.kind === 'wati.update_chat_status')?.status === 'done', 'the ticket status set');

    await sleep(150);
    expect(assignCalls(app)).toBe(1); // not before its time
    clock.advance(10_000);
    await until(() => assignCalls(app) === 2 && assignJob(dbPath)?.attempts === 2 && assignJob(dbPath)?.status === 'pending', 'the second attempt');
    expect(assignJob(dbPath)!.run_at - clock.now()).toBeGreaterThan(55_000); // then 1 min later

    // The service restarts (deploy): the job is still there and runs on the same schedule.
    await app.close();
    h = undefined;
    app = await start(clock, dbPath, 200);
    await sleep(150);
    expect(assignCalls(app)).toBe(0);
    clock.advance(60_000);
    await until(() => assignJob(dbPath)?.status === 'done', 'the job to succeed');
    expect(assignCalls(app)).toBe(1);
    expect(assignJob(dbPath)).toMatchObject({ status: 'done', attempts: 3 });
    const [assign] = app.wati.requests.filter((r) => r.path.endsWith('/api/v1/assignOperator'));
    expect(assign!.query.get('whatsappNumber')).toBe(WA_ID);
    expect(app.wati.sentTexts()).toEqual([]); // the notice was not sent again after the restart
  });

  it('does not retry a 4xx; staff see the failed job in the admin API and can retry it', async () => {
    const clock = movableClock(TUESDAY_OPEN);
    const dbPath = tempDbPath();
    const app = await start(clock, dbPath, 404);
    await app.post('/webhook', { waId: WA_ID, userMessage: 'Quiero hablar con una persona', passkey: TEST_PASSKEY });
    await until(() => assignJob(dbPath)?.status === 'failed', 'the job to fail for good');
    expect(assignJob(dbPath)).toMatchObject({ attempts: 1, last_error_class: 'rejected' });
    clock.advance(3 * 3600_000);
    await sleep(150);
    expect(assignCalls(app)).toBe(1);

    const auth = { authorization: 'Bearer admin-secret-0123456789abcdef' };
    const failed = await app.get('/admin/jobs?status=failed'); // no token
    expect(failed.status).toBe(401);
    const list = await fetch(`${app.url}/admin/jobs?status=failed`, { headers: auth });
    const body = (await list.json()) as { jobs: { id: number; kind: string; status: string; lastErrorClass: string }[] };
    expect(body.jobs).toEqual([expect.objectContaining({ kind: 'wati.assign_operator', status: 'failed', lastErrorClass: 'rejected' })]);
    expect((await fetch(`${app.url}/admin/jobs?status=broken`, { headers: auth })).status).toBe(400);

    app.wati.setHandler('assignOperator', () => ({ status: 200, body: { result: true } }));
    const retried = await app.post(`/admin/jobs/${body.jobs[0]!.id}/retry`, {}, { headers: auth });
    expect(retried).toMatchObject({ status: 200, body: { job: { status: 'pending', attempts: 0 } } });
    await until(() => assignJob(dbPath)?.status === 'done', 'the retried job');
    expect((await app.post(`/admin/jobs/${body.jobs[0]!.id}/retry`, {}, { headers: auth })).status).toBe(409);
    expect((await app.post('/admin/jobs/999/retry', {}, { headers: auth })).status).toBe(404);
  });
  it('staff can cancel a job that is waiting for its next attempt; it never runs again', async () => {
    const clock = movableClock(TUESDAY_OPEN);
    const dbPath = tempDbPath();
    const app = await start(clock, dbPath, 500);
    await app.post('/webhook', { waId: WA_ID, userMessage: 'Quiero hablar con una persona', passkey: TEST_PASSKEY });
    await until(() => assignJob(dbPath)?.attempts === 1 && assignJob(dbPath)?.status === 'pending', 'the first failed attempt');
    const auth = { authorization: 'Bearer admin-secret-0123456789abcdef' };
    const id = assignJob(dbPath)!.id;
    const cancelled = await app.post(`/admin/jobs/${id}/cancel`, {}, { headers: auth });
    expect(cancelled).toMatchObject({ status: 200, body: { job: { status: 'done', lastErrorClass: 'cancelled' } } });
    clock.advance(3 * 3600_000);
    await sleep(150);
    expect(assignCalls(app)).toBe(1);
    expect((await app.post(`/admin/jobs/${id}/cancel`, {}, { headers: auth })).status).toBe(409);
    expect((await app.post('/admin/jobs/999/cancel', {}, { headers: auth })).status).toBe(404);
  });
});
