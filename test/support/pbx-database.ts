// A fresh replica of the phone system's database (test/fixtures/hotel/pbx-schema.sql: `timegroups_details`
// with its rows) on the run's private MariaDB server, one per suite. Named `hotel_pbx_…` because the
// server's test user owns `hotel\_%` only.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, inject } from 'vitest';
import { dropDatabase, recreateDatabase, type HotelDbConnection } from './hotel-fixtures.js';
import type { MariaDbServerInfo } from './mariadb-global-setup.js';

const schemaPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'hotel', 'pbx-schema.sql');
let schema: string | undefined;

/** A fresh database of that name with pbx-schema.sql loaded (dropped first if a dead run left it). */
export async function createPbxDatabase(server: Omit<HotelDbConnection, 'database'>, database: string): Promise<HotelDbConnection> {
  schema ??= readFileSync(schemaPath, 'utf8');
  const connection = await recreateDatabase(server, database);
  // multipleStatements only here, on a connection of its own, for the SQL file.
  const loader = await mysql.createConnection({ ...connection, multipleStatements: true, charset: 'utf8mb4' });
  try {
    await loader.query(schema);
  } finally {
    await loader.end();
  }
  return connection;
}

let databaseCounter = 0;

/**
 * Inside a describeWithMariaDb: beforeAll creates `hotel_pbx_<worker>_<n>` loaded with pbx-schema.sql,
 * afterAll drops it. The getter is only readable once beforeAll has run.
 */
export function usePbxDatabase(): { readonly connection: HotelDbConnection } {
  const server: MariaDbServerInfo | null = inject('mariadb') ?? null;
  let connection: HotelDbConnection | undefined;

  beforeAll(async () => {
    if (!server) throw new Error('usePbxDatabase needs a MariaDB server: wrap the suite in describeWithMariaDb');
    const worker = process.env.VITEST_POOL_ID ?? String(process.pid);
    connection = await createPbxDatabase(server, `hotel_pbx_${worker}_${++databaseCounter}`);
  });

  afterAll(async () => {
    if (!connection || !server) return;
    await dropDatabase(server, connection.database);
  });

  return {
    get connection(): HotelDbConnection {
      if (!connection) throw new Error('usePbxDatabase: connection read before beforeAll created the database');
      return connection;
    },
  };
}
