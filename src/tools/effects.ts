// What a tool asks of the server besides its output for the model: hand the guest to a person, show the
// guest something (outbox parts: media, or a fixed text), or do something later (a durable job). Effects are collected during the
// turn and applied in the transaction that records the reply: with the reply, or not at all.
import type { OutboxMedia, OutboxPart } from '../core/outbox-parts.js';
import { validMediaPart } from '../core/outbox-parts.js';
import type { NewJob } from '../jobs/types.js';

export type ToolEffect =
  | { type: 'handoff'; reason: string }
  | { type: 'outbox'; part: OutboxPart }
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

  /**
   * A fixed text for the guest, sent before the model's reply (in the order the tools ran): what must be
   * said whatever the model writes (e.g. that a payment is being checked). The tool's output should tell the
   * model it was said, so it is not repeated.
   */
  say(text: string): void {
    const trimmed = text.trim();
    if (trimmed === '') throw new Error('a text for the guest may not be empty');
    this.effects.push({ type: 'outbox', part: { type: 'text', text: trimmed } });
  }

  /** A job enqueued with the reply (its handler must be idempotent). */
  enqueue(job: NewJob): void {
    this.effects.push({ type: 'job', job });
  }

  list(): readonly ToolEffect[] {
    return this.effects;
  }
}
