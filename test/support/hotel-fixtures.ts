// Loading the project's copy of the hotel replica (test/fixtures/hotel/: schema + seed) into a database;
// used by the suites (test/support/mariadb.ts) and by the benchmarks, which run outside vitest.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

export interface HotelDbConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'hotel');
let fixtures: [schema: string, seed: string] | undefined;

function fixtureSql(): [schema: string, seed: string] {
  fixtures ??= [readFileSync(join(fixturesDir, 'hotel-schema.sql'), 'utf8'), readFileSync(join(fixturesDir, 'hotel-seed.sql'), 'utf8')];
  return fixtures;
}

/** Drops and recreates every replica table with the seeded rows. */
export async function loadHotelFixtures(connection: HotelDbConnection): Promise<void> {
  // multipleStatements only here, on a connection of its own, for the SQL files.
  const loader = await mysql.createConnection({ ...connection, multipleStatements: true, charset: 'utf8mb4' });
  try {
    for (const sql of fixtureSql()) await loader.query(sql);
  } finally {
    await loader.end();
  }
}

/** Runs statements on the server as the test user (database creation and removal). */
async function asAdmin(server: Omit<HotelDbConnection, 'database'>, ...statements: string[]): Promise<void> {
  const admin = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password });
  try {
    for (const sql of statements) await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** An empty database of that name (a run that died earlier may have left the same name behind). */
export async function recreateDatabase(server: Omit<HotelDbConnection, 'database'>, database: string): Promise<HotelDbConnection> {
  await asAdmin(server, `DROP DATABASE IF EXISTS \`${database}\``, `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  return { host: server.host, port: server.port, user: server.user, password: server.password, database };
}

export async function dropDatabase(server: Omit<HotelDbConnection, 'database'>, database: string): Promise<void> {
  await asAdmin(server, `DROP DATABASE IF EXISTS \`${database}\``);
}

/** A fresh database of that name (the server's test user owns `hotel\_%`), with the replica loaded. */
export async function createHotelDatabase(server: Omit<HotelDbConnection, 'database'>, database: string): Promise<HotelDbConnection> {
  const connection = await recreateDatabase(server, database);
  await loadHotelFixtures(connection);
  return connection;
}

/** The service's DB_* variables for a test database (what the hotel's `.env` would say). */
export function hotelDbEnv(c: HotelDbConnection): Record<string, string> {
  return { DB_HOST: c.host, DB_PORT: String(c.port), DB_USER: c.user, DB_PASSWORD: c.password, DB_NAME: c.database };
}
