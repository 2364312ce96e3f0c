// The server's tools, assembled for a comparison by the composition root (composition/root.ts, comparison
// mode) on the read-only database: the office calendar (with the PBX), the hotel's backends, pictures and
// menus, instruction modules, e-mail and staff alerts. Nothing here sends or stores: the mailer and the staff
// WhatsApp refuse, jobs the hotel's services would enqueue are held in memory and counted (a read tool never
// enqueues; the tools that would are not executed, see dry-run-tools.ts).
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config.js';
import { Closers } from '../composition/closers.js';
import { compose } from '../composition/root.js';
import type { HeldJobQueue } from '../jobs/held-job-queue.js';
import type { Db } from '../store/database.js';
import type { ToolDefinition } from '../tools/index.js';

export interface CompareTools {
  tools: ToolDefinition[];
  jobs: HeldJobQueue;
  close(): Promise<void>;
}

export function assembleCompareTools(deps: { config: Config; db: Db; resourcesDir: string; clock: Clock; log: Logger }): CompareTools {
  const closers = new Closers(deps.log);
  const { tools, jobs } = compose({ ...deps, mode: { kind: 'comparison' }, closers });
  return { tools, jobs, close: () => closers.closeAll() };
}
