// The office's closure rules from the phone system, through the running app: the guest's question reaches the
// real agent, the model calls check_office_status, and its output comes from the PBX table (OFFICE_DB_*) on
// the run's MariaDB — or, with the PBX unreachable, from OFFICE_HOURS with a note saying so.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { createOpenAiAgent } from '../../src/agent/openai-agent.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { startFakeOpenAI, textReply, toolCallReply, type FakeOpenAI } from '../support/fake-openai.js';
import { describeWithMariaDb } from '../support/mariadb.js';
import { movableClock } from '../support/movable-clock.js';
import { usePbxDatabase } from '../support/pbx-database.js';
import { TEST_PASSKEY } from '../support/test-config.js';

type Item = Record<string, unknown>;
/** El Salvador wall-clock time (UTC-6) as an instant. */
const sv = (y: number, mo: number, d: number, h: number) => Date.UTC(y, mo - 1, d, h + 6);

describeWithMariaDb('office status from the phone system, end to end', () => {
  const pbx = usePbxDatabase();
  let openai: FakeOpenAI | undefined;
  let h: Harness | undefined;
  let instructions: string;

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'watibot3-pbx-'));
    instructions = join(dir, 'system_instructions.txt');
    writeFileSync(instructions, 'Eres la asistente de un hotel ficticio.');
  });
  afterEach(async () => {
    await h?.close();
    await openai?.close();
    h = undefined;
  });

  async function officeStatusAt(at: number, officeDb: Record<string, string>): Promise<Item> {
    openai = await startFakeOpenAI();
    h = await startHarness({
      clock: movableClock(at),
      env: {
        OPENAI_BASE_URL: openai.url,
        OPENAI_MODEL: 'gpt-5-mini',
        LLM_OPENAI_DIALECT: 'on',
        SYSTEM_INSTRUCTIONS_PATH: instructions,
        HISTORY_IMPORT_MESSAGES: '0',
        ...officeDb,
      },
      agent: (deps) => createOpenAiAgent({ ...deps, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
    });
    openai.queue(toolCallReply([{ name: 'check_office_status', callId: 'call_office' }]), textReply('Le atiendo por aquí.'));
    await h.post('/webhook', { waId: '50378000100', userMessage: '¿Está abierta la oficina?', passkey: TEST_PASSKEY });
    await h.wati.waitForTexts(1, 10_000);
    const output = (openai.requests[1]!.body.input as Item[]).find((i) => i.type === 'function_call_output')!;
    return JSON.parse(output.output as string) as Item;
  }

  const pbxEnv = () => ({
    OFFICE_DB_HOST: pbx.connection.host,
    OFFICE_DB_PORT: String(pbx.connection.port),
    OFFICE_DB_NAME: pbx.connection.database,
    OFFICE_DB_USER: pbx.connection.user,
    OFFICE_DB_PASSWORD: pbx.connection.password,
  });

  it('Christmas Eve at 10:00, a Thursday inside OFFICE_HOURS: closed by the PBX rule, so the assistant may book', async () => {
    const status = await officeStatusAt(sv(2026, 12, 24, 10), pbxEnv());
    expect(status).toMatchObject({ office_status: 'closed', can_automate: true, closure_rules: 'pbx' });
    expect(status.reason).toContain('*|*|24-25|dec');
    expect(status).not.toHaveProperty('note');
  });

  it('an ordinary Tuesday at 10:00: no rule matches and OFFICE_HOURS keep the office open', async () => {
    const status = await officeStatusAt(sv(2026, 12, 1, 10), pbxEnv());
    expect(status).toMatchObject({ office_status: 'open', can_automate: false, closure_rules: 'pbx' });
  });

  // Bounded: the guest's reply arrives within officeStatusAt's wait although the PBX never answers.
  it('a PBX that cannot be reached: the configured calendar decides and the output says so', async () => {
    // A port that was free a moment ago and now refuses connections.
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const status = await officeStatusAt(sv(2026, 12, 24, 10), { ...pbxEnv(), OFFICE_DB_HOST: '127.0.0.1', OFFICE_DB_PORT: String(port) });
    expect(status).toMatchObject({ office_status: 'open', closure_rules: 'config' });
    expect(String(status.note)).toContain('No se pudo consultar la central telefónica');
  });
});
