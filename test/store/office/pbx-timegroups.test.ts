// The phone system's time groups on the real engine (test/fixtures/hotel/pbx-schema.sql), and
// check_office_status end to end through the tool with the PBX closure source: closed by a PBX rule, open
// when none matches, and the configured calendar (with a note) when the PBX does not answer.
import { createServer } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createHotelDb, type HotelDb } from '../../../src/store/hotel-db.js';
import type { PbxConfig } from '../../../src/office/config.js';
import { createPbxClosureSource, type PbxClosureSource } from '../../../src/office/pbx-closure-source.js';
import { createOfficeCalendar } from '../../../src/office/schedule.js';
import { PbxTimegroupsRepository } from '../../../src/store/office/pbx-timegroups.js';
import { createCheckOfficeStatusTool } from '../../../src/tools/info/check-office-status.js';
import { ToolRegistry } from '../../../src/tools/registry.js';
import { describeWithMariaDb } from '../../support/mariadb.js';
import { usePbxDatabase } from '../../support/pbx-database.js';

/** An instant given as El Salvador wall-clock time (UTC-6, no DST). */
const sv = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h + 6, mi);

const GROUP_3 = ['*|*|1|jan', '*|*|24-25|dec', '12:00-23:59|*|31|dec', '*|thu-sun|25-28|mar', '*|*|15|sep'];

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describeWithMariaDb('PBX time groups', () => {
  const pbxDb = usePbxDatabase();
  const log = pino({ level: 'silent' });
  let db: HotelDb;
  const sources: PbxClosureSource[] = [];

  beforeAll(() => {
    db = createHotelDb({ ...pbxDb.connection, connectTimeoutMs: 2_000, queryTimeoutMs: 3_000, retries: 1 });
  });
  afterAll(async () => {
    await db?.close();
    await Promise.all(sources.map((s) => s.close()));
  });

  /** The service's office config from OFFICE_DB_* as the hotel's `.env` would give them. */
  function pbxConfig(overrides: Record<string, string> = {}): PbxConfig {
    const c = pbxDb.connection;
    const config = loadConfig({
      OFFICE_DB_HOST: c.host,
      OFFICE_DB_PORT: String(c.port),
      OFFICE_DB_NAME: c.database,
      OFFICE_DB_USER: c.user,
      OFFICE_DB_PASSWORD: c.password,
      ...overrides,
    });
    if (!config.office.pbx) throw new Error('no PBX config');
    return config.office.pbx;
  }

  async function checkOfficeStatus(config: PbxConfig, now: number): Promise<Record<string, unknown>> {
    const source = createPbxClosureSource(config, log);
    sources.push(source);
    const office = createOfficeCalendar({ hours: 'mon-fri 08:00-17:00; sat 09:00-13:00', closures: '', timezone: 'America/El_Salvador', pbxSource: source, log });
    const registry = new ToolRegistry([createCheckOfficeStatusTool({ office })]);
    const ctx = {
      conversationId: 'facebook:123',
      channel: 'facebook' as const,
      waId: undefined,
      subscriberId: '123',
      guestName: undefined,
      channels: undefined,
      logger: log,
      clock: { now: () => now },
      config: loadConfig({}),
    };
    const r = await registry.execute('check_office_status', '{}', ctx);
    return JSON.parse(r.output) as Record<string, unknown>;
  }

  it('reads the time specs of one group only', async () => {
    const repo = new PbxTimegroupsRepository(db);
    expect(await repo.timesOf(3)).toEqual(GROUP_3);
    expect(await repo.timesOf(1)).toEqual(['08:00-17:00|mon-fri|*|*']);
    expect(await repo.timesOf(99)).toEqual([]);
  });

  it('the closure source reads OFFICE_TIMEGROUP_ID (3 by default)', async () => {
    const source = createPbxClosureSource(pbxConfig(), log);
    sources.push(source);
    expect(await source.closureRules()).toEqual(GROUP_3);
    const other = createPbxClosureSource(pbxConfig({ OFFICE_TIMEGROUP_ID: '1' }), log);
    sources.push(other);
    expect(await other.closureRules()).toEqual(['08:00-17:00|mon-fri|*|*']);
  });

  it('check_office_status: closed on 24 December by the PBX rule', async () => {
    const status = await checkOfficeStatus(pbxConfig(), sv(2026, 12, 24, 10, 0));
    expect(status).toMatchObject({ office_status: 'closed', can_automate: true, closure_rules: 'pbx' });
    expect(status.reason).toContain('Oficina cerrada según la central telefónica (regla "*|*|24-25|dec").');
    expect(status).not.toHaveProperty('note');
  });

  it('check_office_status: open on a weekday at 10:00 that no rule matches', async () => {
    const status = await checkOfficeStatus(pbxConfig(), sv(2026, 3, 3, 10, 0));
    expect(status).toMatchObject({ office_status: 'open', can_automate: false, closure_rules: 'pbx' });
    expect(status).not.toHaveProperty('note');
  });

  it('check_office_status: a PBX that does not answer ⇒ the configured calendar, with a note, within seconds', async () => {
    const started = Date.now();
    const status = await checkOfficeStatus(pbxConfig({ OFFICE_DB_HOST: '127.0.0.1', OFFICE_DB_PORT: String(await closedPort()) }), sv(2026, 12, 24, 10, 0));
    expect(Date.now() - started).toBeLessThan(5_000);
    // 24 December is a weekday inside OFFICE_HOURS: only the PBX rule would have closed it.
    expect(status).toMatchObject({ office_status: 'open', can_automate: false, closure_rules: 'config' });
    expect(status.note).toMatch(/^No se pudo consultar la central telefónica \(sin conexión\): se usaron el horario y los cierres configurados/);
  });
});
