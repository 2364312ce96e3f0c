// The office's closure rules as the phone system holds them: the rows of one FreePBX time group, read
// through a small pool of its own. The pool's bounds are fixed here (not configuration): the rules are
// cached by the office calendar, so a slow or absent PBX only has to fail fast.
import type { Logger } from 'pino';
import { createHotelDb } from '../store/hotel-db.js';
import { PbxTimegroupsRepository } from '../store/office/pbx-timegroups.js';
import type { PbxConfig } from './config.js';
import type { PbxClosureRules } from './schedule.js';

const CONNECT_TIMEOUT_MS = 3_000;
const QUERY_TIMEOUT_MS = 3_000;
const RETRIES = 1;

export interface PbxClosureSource extends PbxClosureRules {
  /** Ends the pool (the services call it on shutdown). */
  close(): Promise<void>;
}

export function createPbxClosureSource(config: PbxConfig, log: Pick<Logger, 'debug'>): PbxClosureSource {
  const { timegroupId, ...connection } = config;
  const db = createHotelDb({ ...connection, connectTimeoutMs: CONNECT_TIMEOUT_MS, queryTimeoutMs: QUERY_TIMEOUT_MS, retries: RETRIES });
  const timegroups = new PbxTimegroupsRepository(db);
  return {
    async closureRules(signal) {
      const specs = await timegroups.timesOf(timegroupId, signal);
      log.debug({ timegroupId, rules: specs.length }, 'office: PBX closure rules read');
      return specs;
    },
    close: () => db.close(),
  };
}
