// The call context and helpers shared by the media tool tests.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { OutboxMedia } from '../../../src/core/outbox-parts.js';
import type { ToolEffect } from '../../../src/tools/effects.js';
import type { ToolCallContext } from '../../../src/tools/registry.js';

export const context: ToolCallContext = {
  conversationId: '50370001234',
  channel: 'whatsapp',
  waId: '50370001234',
  subscriberId: undefined,
  guestName: 'Ana',
  logger: pino({ level: 'silent' }),
  clock: { now: () => Date.UTC(2026, 2, 3, 16, 0) },
};

/** The media parts of a call's effects, in order; fails on any other effect. */
export function shownMedia(effects: readonly ToolEffect[]): OutboxMedia[] {
  return effects.map((e) => {
    if (e.type !== 'outbox' || e.part.type !== 'media') throw new Error(`unexpected effect ${JSON.stringify(e)}`);
    return e.part;
  });
}

export function resourcePath(part: OutboxMedia): string {
  if (part.source.type !== 'resource') throw new Error('not a resource part');
  return part.source.path;
}

export const existsUnder = (resourcesDir: string, path: string): boolean => existsSync(join(resourcesDir, path));
