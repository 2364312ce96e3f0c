// The services without HTTP: what a CLI or a test gets from createServices, closed in reverse order; the
// explicit migration step; read-only access beside a running server.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runMigrations } from '../src/cli/migrate.js';
import { createServices, type Services } from '../src/services.js';
import { DatabaseNotReadyError, LATEST_SCHEMA_VERSION, openDatabase, openReadonlyDatabase } from '../src/store/database.js';
import { InstanceLockError } from '../src/store/instance-lock.js';
import { whatsappConversation } from '../src/core/conversation-id.js';
import { startFakeWati, type FakeWati } from './support/fake-wati.js';
import { createTestAgent } from './support/test-agent.js';
import { tempDbPath, testConfig } from './support/test-config.js';
import pino from 'pino';

const log = pino({ level: 'silent' });
let services: Services[] = [];
let wati: FakeWati | undefined;
afterEach(async () => {
  for (const s of services.reverse()) await s.close();
  services = [];
  await wati?.close();
  wati = undefined;
});

async function build(dbPath: string) {
  wati ??= await startFakeWati();
  const config = testConfig({ CONVERSATION_DB_PATH: dbPath, WATI_API_URL: wati.url, WATI_API_KEY: wati.apiKey });
  const s = await createServices(config, { agent: createTestAgent(), logger: log, shutdownGraceMs: 1_000 });
  services.push(s);
  return s;
}

describe('createServices', () => {
  it('takes a message and answers it without Fastify, then closes everything it opened', async () => {
    const dbPath = tempDbPath();
    const s = await build(dbPath);
    s.start();
    const waId = '50370009999';
    const result = await s.intake.accept([
      { ...whatsappConversation(waId), externalUserId: waId, platformMessageId: 'wamid.svc', kind: 'text', text: 'Hola', mediaRef: undefined, replyContextId: undefined, senderName: undefined },
    ]);
    expect(result.accepted).toBe(true);
    expect(await wati!.waitForTexts(1, 5_000, waId)).toEqual(['Recibido: Hola']);
    expect(s.readiness()).toMatchObject({ checks: { database: true, channels: { whatsapp: 'enabled' } } });

    // A second server on the same database is refused while the first holds it…
    await expect(build(dbPath)).rejects.toBeInstanceOf(InstanceLockError);
    await s.close();
    services = services.filter((x) => x !== s);
    expect(s.db.open).toBe(false);
    // …and welcome once it has closed (the lock was released, not left to go stale).
    const again = await build(dbPath);
    expect(again.db.open).toBe(true);
  });

  it('lets a read-only tool read a migrated database beside the server, and refuses one that is not migrated', async () => {
    const dbPath = tempDbPath();
    await build(dbPath);
    const ro = openReadonlyDatabase(dbPath);
    expect(ro.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(() => ro.prepare("INSERT INTO installation (name, value) VALUES ('x', 'y')").run()).toThrow(/readonly/i);
    ro.close();

    const fresh = tempDbPath();
    openDatabase(fresh).close(); // opening does not migrate
    expect(() => openReadonlyDatabase(fresh)).toThrow(DatabaseNotReadyError);
    expect(() => openReadonlyDatabase(`${fresh}.missing`)).toThrow(DatabaseNotReadyError);
  });
});

describe('npm run migrate', () => {
  it('migrates a new or old database once, and refuses while a server holds it', async () => {
    const dbPath = tempDbPath();
    expect(runMigrations(dbPath)).toEqual({ from: 0, to: LATEST_SCHEMA_VERSION });
    expect(runMigrations(dbPath)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'jobs'").get()).toEqual({ n: 1 });
    db.close();

    await build(dbPath);
    expect(() => runMigrations(dbPath)).toThrow(InstanceLockError);
  });
});
