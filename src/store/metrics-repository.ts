// The small read queries GET /metrics computes its gauges from at scrape time: pending conversations,
// paused conversations, jobs by kind and status. Read only; each is one indexed or small-table query.
import { z } from 'zod';
import type { Db } from './database.js';

const countRow = z.object({ n: z.number().int() });
const jobCountRow = z.object({ kind: z.string(), status: z.string(), n: z.number().int() });

export interface JobCount {
  kind: string;
  status: string;
  count: number;
}

export class MetricsRepository {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      // Served by the partial index inbound_pending.
      pendingConversations: db.prepare<[]>(`SELECT COUNT(DISTINCT conversation_id) AS n FROM inbound_messages WHERE status = 'pending'`),
      // The same rule as PauseStore.isPaused: a pause ends pauseMs after the last human activity.
      pausedConversations: db.prepare<[number]>(
        `SELECT COUNT(*) AS n FROM conversation_pauses WHERE paused = 1 AND (last_human_at IS NULL OR last_human_at > ?)`,
      ),
      jobsByKindAndStatus: db.prepare<[]>(`SELECT kind, status, COUNT(*) AS n FROM jobs GROUP BY kind, status`),
    };
  }

  /** False once the database is closed (a scrape during shutdown reports no gauges). */
  get available(): boolean {
    return this.db.open;
  }

  /** Conversations with at least one message waiting for a turn. */
  pendingConversations(): number {
    return countRow.parse(this.stmts.pendingConversations.get()).n;
  }

  /** Conversations whose bot is paused now (pauses past their time not counted). */
  pausedConversations(now: number, pauseMs: number): number {
    return countRow.parse(this.stmts.pausedConversations.get(now - pauseMs)).n;
  }

  jobCounts(): JobCount[] {
    return this.stmts.jobsByKindAndStatus.all().map((row) => {
      const r = jobCountRow.parse(row);
      return { kind: r.kind, status: r.status, count: r.n };
    });
  }
}
