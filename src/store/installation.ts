// Values that belong to this installation (table `installation`, created by migration 6).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from './database.js';

const secretRow = z.object({ value: z.string().regex(/^[0-9a-f]{64}$/) });

/**
 * The secret that keys the masking of guest ids in logs. Migration 6 creates it; a database whose row was
 * removed gets a new one (masked ids then change once, which only affects matching old logs).
 */
export function logMaskKey(db: Db): string {
  const row = db.prepare("SELECT value FROM installation WHERE name = 'log_mask_key'").get();
  const parsed = secretRow.safeParse(row);
  if (parsed.success) return parsed.data.value;
  const value = randomBytes(32).toString('hex');
  db.prepare("INSERT INTO installation (name, value) VALUES ('log_mask_key', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value").run(value);
  return value;
}
