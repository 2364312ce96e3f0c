// The hotel tools wired as the server wires them, for tests: the backends built from configuration on a fresh
// conversation database, the model's registry over their tools, and a job worker (never started; tests call
// runDue) over the same queue for the follow-ups and booking jobs.
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import type { Clock } from '../../src/core/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createHotelBackends, type HotelBackends, type HotelBackendsDeps } from '../../src/composition/hotel-backends.js';
import { JobWorker } from '../../src/jobs/worker.js';
import { createOfficeCalendar } from '../../src/office/schedule.js';
import type { Db } from '../../src/store/database.js';
import { SqliteJobQueue } from '../../src/store/jobs-repository.js';
import { createHotelTools } from '../../src/tools/booking/index.js';
import { ToolRegistry } from '../../src/tools/registry.js';
import type { ToolDefinition } from '../../src/tools/types.js';
import { silentHotelNotifiers } from './hotel-notifiers.js';
import { tempDbPath } from './test-config.js';
import { openMigratedDatabase } from './test-db.js';

export interface HotelToolsHarnessOptions {
  /** The environment the configuration is loaded from (the hotel's part of it, mostly). */
  env: Record<string, string | undefined>;
  clock: Clock;
  /** What guests and staff are told; by default nothing is recorded. */
  notifiers?: typeof silentHotelNotifiers;
  /** Build the payment portals from config.portals (screenshots next to the database), as the server does. */
  portals?: boolean;
  /** The booking tools' own bound; 60 s unless a test needs it shorter or longer. */
  bookingTimeoutMs?: number;
  /** The registry's bound on every tool call; the registry's default unless given. */
  registryTimeoutMs?: number;
  /** A ready booking API client in place of the one built from config (benchmarks wrap one to time it). */
  bookingApi?: HotelBackendsDeps['bookingApi'];
  log?: Logger;
}

export interface HotelToolsHarness {
  config: Config;
  db: Db;
  jobs: SqliteJobQueue;
  backends: HotelBackends;
  /** The hotel tool definitions offered for this configuration, in registration order. */
  tools: readonly ToolDefinition[];
  registry: ToolRegistry;
  worker: JobWorker;
  /** Closes the backends, then the conversation database. */
  close(): Promise<void>;
}

export function startHotelTools(opts: HotelToolsHarnessOptions): HotelToolsHarness {
  const log = opts.log ?? pino({ level: 'silent' });
  const config = loadConfig(opts.env);
  const dbPath = tempDbPath();
  const db = openMigratedDatabase(dbPath);
  const jobs = new SqliteJobQueue(db);
  const backends = createHotelBackends({
    config: config.hotel,
    ...(opts.portals ? { portals: config.portals, dataDir: dirname(dbPath) } : {}),
    timezone: config.timezone,
    db,
    jobs,
    wakeJobs: () => undefined,
    office: createOfficeCalendar({ hours: config.office.hours, closures: config.office.closures, timezone: config.timezone }),
    ...(opts.notifiers ?? silentHotelNotifiers),
    clock: opts.clock,
    log,
    ...(opts.bookingApi ? { bookingApi: opts.bookingApi } : {}),
  });
  const tools = createHotelTools(backends.tools, { bookingTimeoutMs: opts.bookingTimeoutMs ?? 60_000 });
  const registry = new ToolRegistry(tools, opts.registryTimeoutMs === undefined ? {} : { defaultTimeoutMs: opts.registryTimeoutMs });
  const worker = new JobWorker({ queue: jobs, kinds: [...backends.jobKinds], clock: opts.clock, log, pollMs: 10 });
  return {
    config,
    db,
    jobs,
    backends,
    tools,
    registry,
    worker,
    async close() {
      await backends.close();
      db.close();
    },
  };
}
