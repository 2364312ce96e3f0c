// What a tool asks of the server besides its output for the model: hand the guest to a person, show the
// guest something (outbox parts), or do something later (a durable job). Effects are collected during the
// turn and applied in the transaction that records the reply: with the reply, or not at all.
import type { OutboxMedia } from '../buffer/outbox.js';
import { validMediaPart } from '../buffer/outbox.js';
import type { NewJob } from '../jobs/types.js';

export type ToolEffect =
  | { type: 'handoff'; reason: string }
  | { type: 'outbox'; part: OutboxMedia }
  | { type: 'job'; job: NewJob };

/** Given to each tool call; the effects of a call that fails are dropped with it. */
export class EffectsCollector {
  private readonly effects: ToolEffect[] = [];

  /** The turn ends with the handover notice instead of any other reply; the bot pauses. */
  handoff(reason: string): void {
    this.effects.push({ type: 'handoff', reason });
  }

  /** Media for the guest, delivered before the turn's text, in the order the tools ran. */
  show(part: OutboxMedia): void {
    this.effects.push({ type: 'outbox', part: validMediaPart(part) });
  }

  /** A job enqueued with the reply (its handler must be idempotent). */
  enqueue(job: NewJob): void {
    this.effects.push({ type: 'job', job });
  }

  list(): readonly ToolEffect[] {
    return this.effects;
  }
}
