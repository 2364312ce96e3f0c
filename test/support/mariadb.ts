// What test files use to reach the run's private MariaDB server (started by mariadb-global-setup.ts):
// a describe that skips without a server, and a fresh hotel database per suite loaded with the project's
// copy of the replica schema and seed (test/fixtures/hotel/).
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { createHotelDatabase, dropDatabase, loadHotelFixtures, type HotelDbConnection } from './hotel-fixtures.js';
import type { MariaDbServerInfo } from './mariadb-global-setup.js';

// undefined when the file runs without the globalSetup (e.g. a script): treated like no server.
const server: MariaDbServerInfo | null = inject('mariadb') ?? null;

export const mariadbAvailable: boolean = server !== null;

/** A describe that runs only when a MariaDB server is available (the global setup said why not, once). */
export function describeWithMariaDb(name: string, fn: () => void): void {
  describe.skipIf(!mariadbAvailable)(name, fn);
}

export type { HotelDbConnection };

export interface HotelDatabase {
  /** The suite's database; only readable once beforeAll has run. */
  readonly connection: HotelDbConnection;
  /** Rows of a SELECT; for other statements one element, mysql2's ResultSetHeader. DATETIMEs come back as text. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Reloads schema + seed: every table back to the seeded rows. */
  reset(): Promise<void>;
}

let databaseCounter = 0;

/**
 * Inside a describe: beforeAll creates a fresh database `hotel_<worker>_<n>` loaded with
 * test/fixtures/hotel schema + seed; afterAll drops it.
 */
export function useHotelDatabase(): HotelDatabase {
  let connection: HotelDbConnection | undefined;
  let pool: mysql.Pool | undefined;

  const load = async () => {
    if (!connection) throw new Error('useHotelDatabase: no database yet (used outside the suite or before beforeAll)');
    await loadHotelFixtures(connection);
  };

  beforeAll(async () => {
    if (!server) throw new Error('useHotelDatabase needs a MariaDB server: wrap the suite in describeWithMariaDb');
    // Pool ids are unique among the workers running at once; the counter among this file's suites.
    const worker = process.env.VITEST_POOL_ID ?? String(process.pid);
    const database = `hotel_${worker}_${++databaseCounter}`;
    connection = await createHotelDatabase(server, database);
    pool = mysql.createPool({ ...connection, connectionLimit: 4, charset: 'utf8mb4', dateStrings: true });
  });

  afterAll(async () => {
    await pool?.end();
    pool = undefined;
    if (!connection || !server) return;
    await dropDatabase(server, connection.database);
  });

  return {
    get connection(): HotelDbConnection {
      if (!connection) throw new Error('useHotelDatabase: connection read before beforeAll created the database');
      return connection;
    },
    async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
      if (!pool) throw new Error('useHotelDatabase: query before beforeAll created the database');
      const [result] = await pool.query(sql, params);
      return (Array.isArray(result) ? result : [result]) as T[];
    },
    reset: load,
  };
}
