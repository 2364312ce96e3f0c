// The Python service's SQLite files (original-agent.md §9), opened read-only for `npm run migrate-legacy`:
// the raw rows of each legacy table. The rows are validated and normalised in src/legacy/ (readers.ts);
// this module only knows which tables and columns exist and reads them, never writes (the files stay
// byte-identical). The service's schema grew by ALTER TABLE over its eras, so a row carries only the columns
// its file has; columns() says which (PRAGMA table_info).
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { Db } from './database.js';

/** The legacy tables the migration reads, by file. */
export const LEGACY_TABLES = ['threads', 'archived_threads', 'conversations', 'message_buffer', 'webhook_messages', 'conversation_log'] as const;
export type LegacyTable = (typeof LEGACY_TABLES)[number];

// Oldest first, so a conversation's history comes out in order; rowid breaks ties of one-second timestamps.
const ORDER: Record<LegacyTable, string> = {
  threads: 'rowid',
  archived_threads: 'rowid',
  conversations: 'rowid',
  message_buffer: 'timestamp, rowid',
  webhook_messages: 'timestamp, id',
  conversation_log: 'timestamp, id',
};

export class LegacySourceFile {
  private readonly db: Db;

  /** Opens an existing legacy file read-only (throws when it is missing or not SQLite). */
  constructor(readonly path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    // Fails here, not at the first read, when the file is not a database.
    this.db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
  }

  /** PRAGMA user_version: 0 in every file of the Python service; ours is at our schema's version. */
  schemaVersion(): number {
    return z.number().parse(this.db.pragma('user_version', { simple: true }));
  }

  hasTable(table: LegacyTable): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
  }

  /** The table's column names (empty when it does not exist). */
  columns(table: LegacyTable): Set<string> {
    if (!LEGACY_TABLES.includes(table)) return new Set();
    const rows = z.array(z.looseObject({ name: z.string() })).parse(this.db.prepare(`PRAGMA table_info(${table})`).all());
    return new Set(rows.map((r) => r.name));
  }

  /** Every table of the file with its row count (the report names those the import does not read). */
  tables(): { name: string; rows: number }[] {
    const names = z
      .array(z.object({ name: z.string() }))
      .parse(this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all());
    return names.map(({ name }) => ({
      name,
      rows: z.object({ n: z.number() }).parse(this.db.prepare(`SELECT COUNT(*) AS n FROM "${name.replaceAll('"', '""')}"`).get()).n,
    }));
  }

  /** Every row of the table as SQLite returns it (columns that an older schema lacks are simply absent). */
  rows(table: LegacyTable): unknown[] {
    if (!LEGACY_TABLES.includes(table) || !this.hasTable(table)) return [];
    // Both names come from the constants above, never from input.
    return this.db.prepare(`SELECT rowid AS _rowid, * FROM ${table} ORDER BY ${ORDER[table]}`).all();
  }

  close(): void {
    this.db.close();
  }
}
