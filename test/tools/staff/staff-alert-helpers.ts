// What the staff tools' tests share: a tool context, staff alerts wired to the fake WATI with a recording
// logger, and a real job worker to run what a tool enqueued.
import type { Channel } from '../../../src/core/conversation-id.js';
import type { NewJob } from '../../../src/jobs/types.js';
import { JobWorker } from '../../../src/jobs/worker.js';
import { createLogger } from '../../../src/core/logger.js';
import { createWatiClient } from '../../../src/platforms/wati/client.js';
import { createWatiTemplateSender } from '../../../src/platforms/wati/templates.js';
import { staffConfig } from '../../../src/staff/config.js';
import { createStaffAlerts } from '../../../src/staff/staff-alerts.js';
import type { Db } from '../../../src/store/database.js';
import { SqliteJobQueue } from '../../../src/store/jobs-repository.js';
import type { ToolEffect } from '../../../src/tools/effects.js';
import type { ToolCallContext } from '../../../src/tools/registry.js';
import type { FakeWati } from '../../support/fake-wati.js';
import { movableClock } from '../../support/movable-clock.js';

export const T0 = Date.parse('2026-12-24T16:05:00Z');

export function recordingLogger() {
  const raw: string[] = [];
  const log = createLogger('info', { write: (line: string) => void raw.push(line) });
  return { log, raw, text: () => raw.join('') };
}

export function toolContext(channel: Channel, externalId: string, opts: { guestName?: string; log: ReturnType<typeof recordingLogger>['log'] }): ToolCallContext {
  const whatsapp = channel === 'whatsapp';
  return {
    conversationId: whatsapp ? externalId : `${channel}:${externalId}`,
    channel,
    waId: whatsapp ? externalId : undefined,
    subscriberId: whatsapp ? undefined : externalId,
    guestName: opts.guestName,
    logger: opts.log,
    clock: { now: () => T0 },
  };
}

export function staffAlertsFor(wati: FakeWati, env: Record<string, string>, log: ReturnType<typeof recordingLogger>['log']) {
  const client = createWatiClient({ baseUrl: wati.url, apiKey: wati.apiKey });
  const templates = createWatiTemplateSender({ baseUrl: wati.url, apiKey: wati.apiKey });
  return createStaffAlerts({
    config: staffConfig.parse(env),
    wati: {
      sendText: (waId, text) => client.sendText('whatsapp', waId, text),
      sendTemplate: (waId, message, signal) => templates.sendTemplate(waId, message, signal),
    },
    log,
    clock: movableClock(T0),
  });
}

export const jobsOf = (effects: readonly ToolEffect[]): NewJob[] => effects.flatMap((e) => (e.type === 'job' ? [e.job] : []));

/** Enqueues the jobs and runs them once through the real worker and SQLite queue. */
export async function runJobs(db: Db, kinds: ReturnType<typeof createStaffAlerts>['jobKinds'], jobs: NewJob[], log: ReturnType<typeof recordingLogger>['log']) {
  const queue = new SqliteJobQueue(db);
  const clock = movableClock(T0);
  const worker = new JobWorker({ queue, kinds, clock, log, pollMs: 60_000 });
  const ids = jobs.map((job) => queue.enqueue(job, clock.now()));
  await worker.runDue();
  await worker.close(100);
  return ids.map((id) => queue.get(id)?.status);
}
