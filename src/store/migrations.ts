// Versioned schema, in order: the eras' lists (src/store/migrations/) one after another. Append new migrations
// to the last era; never edit one that has shipped.
import { WEBHOOK_SPINE_MIGRATIONS } from './migrations/001-webhook-spine.js';
import { HOTEL_OPERATIONS_MIGRATIONS } from './migrations/007-hotel-operations.js';
import { CUTOVER_MIGRATIONS } from './migrations/015-cutover.js';
import type { Migration } from './migrations/migration.js';

export type { Migration } from './migrations/migration.js';

export const MIGRATIONS: Migration[] = [...WEBHOOK_SPINE_MIGRATIONS, ...HOTEL_OPERATIONS_MIGRATIONS, ...CUTOVER_MIGRATIONS];
