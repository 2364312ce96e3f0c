// CompraClick payment links the bot created (table `payment_links`, migration 10): all SQL on it lives here.
import { z } from 'zod';
import type { Db } from './database.js';

export interface PaymentLink {
  id: number;
  conversationId: string;
  description: string;
  amountCents: number;
  state: 'creating' | 'created' | 'failed';
  url: string | null;
  createdAt: number;
  updatedAt: number;
}

const row = z.object({
  id: z.number().int(),
  conversation_id: z.string(),
  description: z.string(),
  amount_cents: z.number().int(),
  state: z.enum(['creating', 'created', 'failed']),
  url: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});

function toLink(value: unknown): PaymentLink {
  const r = row.parse(value);
  return { id: r.id, conversationId: r.conversation_id, description: r.description, amountCents: r.amount_cents, state: r.state, url: r.url, createdAt: r.created_at, updatedAt: r.updated_at };
}

export type BeginLinkResult = { kind: 'existing'; link: PaymentLink } | { kind: 'creating_elsewhere'; link: PaymentLink } | { kind: 'begun'; link: PaymentLink };

export class PaymentLinksRepository {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      recent: db.prepare(
        `SELECT * FROM payment_links WHERE conversation_id = @conversationId AND description = @description AND amount_cents = @amountCents
            AND state IN ('creating', 'created') AND created_at >= @since ORDER BY id DESC LIMIT 1`,
      ),
      expireCreating: db.prepare(
        `UPDATE payment_links SET state = 'failed', updated_at = @now
          WHERE conversation_id = @conversationId AND description = @description AND amount_cents = @amountCents
            AND state = 'creating' AND updated_at < @staleBefore`,
      ),
      insert: db.prepare(
        `INSERT INTO payment_links (conversation_id, description, amount_cents, state, created_at, updated_at)
         VALUES (@conversationId, @description, @amountCents, 'creating', @now, @now)`,
      ),
      byId: db.prepare<[number]>('SELECT * FROM payment_links WHERE id = ?'),
      created: db.prepare(`UPDATE payment_links SET state = 'created', url = @url, updated_at = @now WHERE id = @id AND state = 'creating'`),
      failed: db.prepare(`UPDATE payment_links SET state = 'failed', updated_at = @now WHERE id = @id AND state = 'creating'`),
    };
  }

  /**
   * The link already made (or being made) for this conversation, name and amount since `since`; otherwise a
   * new 'creating' row. A 'creating' row older than `staleBefore` (its process died) no longer counts.
   */
  begin(input: { conversationId: string; description: string; amountCents: number }, now: number, since: number, staleBefore: number): BeginLinkResult {
    return this.db.transaction((): BeginLinkResult => {
      this.stmts.expireCreating.run({ ...input, now, staleBefore });
      const found = this.stmts.recent.get({ ...input, since });
      if (found !== undefined) {
        const link = toLink(found);
        return link.state === 'created' ? { kind: 'existing', link } : { kind: 'creating_elsewhere', link };
      }
      const info = this.stmts.insert.run({ ...input, now });
      return { kind: 'begun', link: toLink(this.stmts.byId.get(Number(info.lastInsertRowid))) };
    })();
  }

  markCreated(id: number, url: string, now: number): void {
    this.stmts.created.run({ id, url, now });
  }

  markFailed(id: number, now: number): void {
    this.stmts.failed.run({ id, now });
  }
}
