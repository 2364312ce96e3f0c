// `npm run migrate-legacy` end to end on legacy SQLite files built with the Python service's exact schemas:
// dry-run writes nothing, a real run imports every conversation in order, a second run imports nothing, an
// interrupted run resumes, the Conversations API path (paging, 429), and pending legacy messages answered by a
// server running on the same database.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runMigrateLegacyCli, type MigrateLegacyIo } from '../../src/cli/migrate-legacy.js';
import type { ImportReport } from '../../src/legacy/importer.js';
import { BufferStore } from '../../src/store/buffer-store.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { openDatabase } from '../../src/store/database.js';
import { PauseRepository } from '../../src/store/pause-repository.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { createTestAgent } from '../support/test-agent.js';
import { tempDbPath, testEnv } from '../support/test-config.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { FB, IG, WA1, WA2, WA3, buildLegacyFiles, fileHash, startFakeConversations, type LegacyFiles } from '../legacy/legacy-fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const ALL = [WA1, WA2, WA3, `facebook:${FB}`, `instagram:${IG}`];

async function run(files: LegacyFiles, dbPath: string, extra: string[] = [], io: Partial<MigrateLegacyIo> = {}, env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await runMigrateLegacyCli(['--threads', files.threads, '--buffer', files.buffer, '--log', files.log, '--batch', '1', ...extra], {
    env: testEnv({ CONVERSATION_DB_PATH: dbPath, ...env }),
    now: Date.now,
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    ...io,
  });
  return { code, out, err, report: (out.trim().startsWith('{') && !extra.includes('--report') ? JSON.parse(out) : undefined) as ImportReport | undefined };
}

function transcript(dbPath: string, conversationId: string) {
  const db = openDatabase(dbPath);
  try {
    return new ConversationStore(db).listItems(conversationId).map((i) => ({ role: i.item.kind, text: (i.item as { text: string }).text }));
  } finally {
    db.close();
  }
}

describe('npm run migrate-legacy', () => {
  it('--dry-run reports what a run would import and writes nothing', async () => {
    const files = buildLegacyFiles();
    const dbPath = tempDbPath();
    openMigratedDatabase(dbPath).close();
    const before = [dbPath, files.threads, files.buffer, files.log].map(fileHash);
    const { code, report, err } = await run(files, dbPath, ['--dry-run']);
    expect(code, err).toBe(0);
    expect(report?.dryRun).toBe(true);
    expect(report?.totals).toMatchObject({ conversations: 5, imported: 5, items: 14, pending: 1 });
    expect([dbPath, files.threads, files.buffer, files.log].map(fileHash)).toEqual(before);
    expect(transcript(dbPath, WA1)).toEqual([]);

    // Without a database yet: none is created.
    const absent = tempDbPath();
    expect((await run(files, absent, ['--dry-run'])).code).toBe(0);
    expect(existsSync(absent)).toBe(false);
  });

  it('imports every conversation with its items in order; a second run imports nothing new', async () => {
    const files = buildLegacyFiles();
    const dbPath = tempDbPath();
    const first = await run(files, dbPath);
    expect(first.code, first.err).toBe(0);
    const report = first.report as ImportReport;
    expect(report.totals).toMatchObject({ conversations: 5, imported: 5, skipped: 0, items: 14, pending: 1 });
    expect(report.totals.invalidRows.webhook_messages).toBe(1);
    for (const id of ALL) expect(transcript(dbPath, id), id).toEqual(files.expected[id]);

    const byId = Object.fromEntries(report.conversations.map((c) => [c.conversation.slice(0, 7), c]));
    expect(byId['wa:…111']?.source).toBe('webhook_messages');
    expect(byId['fb:…000']?.source ?? report.conversations.find((c) => c.channel === 'facebook')?.source).toBe('conversation_log');
    const wa3 = report.conversations.find((c) => c.conversation.startsWith('wa:…3333'));
    expect(wa3?.notes.join(' ')).toMatch(/Assistants-era thread_… id/);
    const wa2 = report.conversations.find((c) => c.conversation.startsWith('wa:…2222'));
    expect(wa2?.skipped.map((s) => s.reason).join(' ')).toMatch(/older than 24 h/);

    // Phone numbers and subscriber ids appear only masked.
    const all = first.out + first.err;
    for (const raw of [WA1, WA2, WA3, FB, IG]) expect(all).not.toContain(raw);

    const db = openDatabase(dbPath);
    try {
      const pending = new BufferStore(db).pendingSummary(WA1);
      expect(pending?.count).toBe(1);
      const pauses = new PauseRepository(db);
      for (const id of ALL) expect(pauses.get(id)?.historyImportedAt ?? null, id).not.toBeNull();
    } finally {
      db.close();
    }

    const second = await run(files, dbPath);
    expect(second.code, second.err).toBe(0);
    expect(second.report?.totals).toMatchObject({ conversations: 5, imported: 0, upToDate: 5, items: 0, pending: 0 });
    for (const id of ALL) expect(transcript(dbPath, id), id).toEqual(files.expected[id]);
  });

  it('--fetch-openai: a conversation the API fails for (not a 404) keeps its history for the next run (exit 75)', async () => {
    const files = buildLegacyFiles();
    let down = true;
    const api = await startFakeConversations('sk-test', (path) => (down && path.includes('/conv_A/') ? 503 : undefined));
    cleanups.push(() => api.close());
    const dbPath = tempDbPath();
    const opts = { openaiOptions: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } } };
    const env = { OPENAI_BASE_URL: api.url };
    const first = await run(files, dbPath, ['--fetch-openai'], opts, env);
    expect(first.code).toBe(75);
    expect(first.err).toMatch(/1 conversations' history left for the next run/);
    const wa1 = first.report?.conversations.find((c) => c.conversation.startsWith('wa:…1111'));
    expect(wa1).toMatchObject({ historyDeferred: true, items: 0, pending: 0 });
    expect(wa1?.notes.join(' ')).toMatch(/Conversations API failed for conv_/);
    expect(wa1?.notes.join(' ')).toMatch(/1 pending message\(s\) left for the next run too/);
    expect(transcript(dbPath, WA1)).toEqual([]);
    // Its pending message is not answered without its history: it waits in the legacy buffer for the next run.
    const during = openDatabase(dbPath);
    try {
      expect(new BufferStore(during).pendingSummary(WA1)).toBeUndefined();
    } finally {
      during.close();
    }
    down = false;
    const second = await run(files, dbPath, ['--fetch-openai'], opts, env);
    expect(second.code, second.err).toBe(0);
    expect(transcript(dbPath, WA1)).toHaveLength(6);
    const after = openDatabase(dbPath);
    try {
      expect(new BufferStore(after).pendingSummary(WA1)?.count).toBe(1);
    } finally {
      after.close();
    }
  });

  it('a guest who wrote to our server before the migration gets the older legacy history before our items', async () => {
    const files = buildLegacyFiles();
    const dbPath = tempDbPath();
    const db = openMigratedDatabase(dbPath);
    const store = new ConversationStore(db);
    const ownAt = Date.now() - 30 * 60_000;
    const ownTurn = store.commitTurn({
      conversationId: WA1,
      channel: 'whatsapp',
      guest: { waId: WA1 },
      startedAt: ownAt,
      endedAt: ownAt + 5_000,
      model: 'gpt-test',
      api: 'responses',
      rounds: 1,
      status: 'answered',
      historyItems: 0,
      historyTokens: 0,
      items: [
        { item: { kind: 'user', text: 'Hola otra vez' }, boundary: 2 },
        { item: { kind: 'assistant', text: '¡Hola de nuevo! ¿En qué le ayudo?' }, boundary: 1 },
      ],
      calls: [],
    });
    db.close();

    const { code, err, report } = await run(files, dbPath);
    expect(code, err).toBe(0);
    const own = [
      { role: 'user', text: 'Hola otra vez' },
      { role: 'assistant', text: '¡Hola de nuevo! ¿En qué le ayudo?' },
    ];
    const wa1 = report?.conversations.find((c) => c.conversation.startsWith('wa:…1111'));
    expect(wa1).toMatchObject({ status: 'imported', items: files.expected[WA1]?.length });
    expect(transcript(dbPath, WA1)).toEqual([...(files.expected[WA1] ?? []), ...own]);

    const check = openDatabase(dbPath);
    try {
      const s = new ConversationStore(check);
      // What the agent reads next turn: the same order, and the running token total agrees with the items.
      const history = s.loadHistory(WA1, 100_000);
      expect(history.items.map((i) => (i.item as { text: string }).text)).toEqual([...(files.expected[WA1] ?? []), ...own].map((e) => e.text));
      const items = s.listItems(WA1);
      items.forEach((item, i) => expect(item.cumTokens).toBe(i === 0 ? 0 : items[i - 1]!.cumTokens + items[i - 1]!.tokens));
      expect(s.getConversation(WA1)?.totalTokens).toBe(items.reduce((n, i) => n + i.tokens, 0));
      // Our turn keeps its id and its items.
      expect(s.listTurns(WA1).find((t) => t.id === ownTurn)?.model).toBe('gpt-test');
    } finally {
      check.close();
    }

    const second = await run(files, dbPath);
    expect(second.report?.totals).toMatchObject({ imported: 0, items: 0 });
    expect(transcript(dbPath, WA1)).toEqual([...(files.expected[WA1] ?? []), ...own]);
  });

  it('an interrupted run continues where it stopped', async () => {
    const files = buildLegacyFiles();
    const dbPath = tempDbPath();
    const cut = await run(files, dbPath, [], { shouldStop: (n) => n >= 2 });
    expect(cut.code).toBe(75);
    expect(cut.report?.interrupted).toBe(true);
    expect(cut.report?.totals).toMatchObject({ imported: 2, notProcessed: 3 });
    const resumed = await run(files, dbPath);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.report?.totals).toMatchObject({ imported: 3, upToDate: 2, items: 14 - (cut.report?.totals.items ?? 0) });
    for (const id of ALL) expect(transcript(dbPath, id), id).toEqual(files.expected[id]);
  });

  it('--fetch-openai reads conv_ conversations page by page through a 429 and falls back to the logs otherwise', async () => {
    const files = buildLegacyFiles();
    // An archived conversation the API no longer has (404): only its own items are lost, not conv_A's and conv_OLD's.
    const legacy = new Database(files.threads);
    legacy.prepare('INSERT INTO archived_threads VALUES (?, ?, ?, ?, ?, ?)').run(WA1, 'conv_GONE_archived_1762000000', 'conv_GONE', '2026-09-01T08:00:00', '2026-09-05T10:00:00', 1);
    legacy.close();
    const api = await startFakeConversations();
    cleanups.push(() => api.close());
    const dbPath = tempDbPath();
    const { code, report, err } = await run(files, dbPath, ['--fetch-openai'], { openaiOptions: { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } } }, { OPENAI_BASE_URL: api.url });
    expect(code, err).toBe(0);
    expect(transcript(dbPath, WA1)).toEqual([
      { role: 'user', text: 'Mensaje de octubre' },
      { role: 'assistant', text: 'Respuesta de octubre' },
      { role: 'user', text: 'Hola, quiero reservar' },
      { role: 'assistant', text: '¡Hola! ¿Para qué fechas?' },
      { role: 'user', text: 'Del 20 al 22 somos dos' },
      { role: 'assistant', text: 'Perfecto, le cotizo.' },
    ]);
    const convA = api.requests.filter((r) => r.path.startsWith('/v1/conversations/conv_A/'));
    expect(convA.map((r) => r.status)).toEqual([429, 200, 200, 200]);
    expect((convA[1]?.at ?? 0) - (convA[0]?.at ?? 0)).toBeGreaterThanOrEqual(150); // Retry-After: 0.2
    expect(convA.slice(2).every((r) => r.path.includes('after='))).toBe(true);
    const wa1 = report?.conversations.find((c) => c.conversation.startsWith('wa:…1111'));
    expect(wa1).toMatchObject({ source: 'openai', items: 6 });
    expect(wa1?.notes.join(' ')).toMatch(/not found at the Conversations API \(404\), its items are lost: conv_GONE$/);
    expect(wa1?.skipped).toContainEqual({ reason: expect.stringMatching(/not a user or assistant text/), count: 2 });
    const fb = report?.conversations.find((c) => c.channel === 'facebook');
    expect(fb).toMatchObject({ source: 'conversation_log', items: 2 });
    expect(fb?.notes.join(' ')).toMatch(/404\), its items are lost: conv_FB/);
    expect(transcript(dbPath, `facebook:${FB}`)).toEqual(files.expected[`facebook:${FB}`]);

    // Done is done: a second run requests nothing (imported and gone ids alike) and imports nothing.
    const requests = api.requests.length;
    const again = await run(files, dbPath, ['--fetch-openai'], { openaiOptions: { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } } }, { OPENAI_BASE_URL: api.url });
    expect(again.code, again.err).toBe(0);
    expect(api.requests.length).toBe(requests);
    expect(again.report?.totals).toMatchObject({ imported: 0, items: 0, pending: 0 });
    expect(transcript(dbPath, WA1)).toHaveLength(6);
  });

  it('--fetch-openai resumed after an interruption requests only the conversations not yet done', async () => {
    const files = buildLegacyFiles();
    const api = await startFakeConversations();
    cleanups.push(() => api.close());
    const dbPath = tempDbPath();
    const opts = { openaiOptions: { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } } };
    const env = { OPENAI_BASE_URL: api.url };
    // Sorted ids: the three WhatsApp numbers first (WA1: conv_A, conv_OLD), then the ManyChat ones (conv_FB).
    const cut = await run(files, dbPath, ['--fetch-openai'], { ...opts, shouldStop: (n) => n >= 3 }, env);
    expect(cut.code).toBe(75);
    const firstRun = api.requests.map((r) => r.path.split('?')[0]);
    expect(firstRun).toContain('/v1/conversations/conv_A/items');
    const resumed = await run(files, dbPath, ['--fetch-openai'], opts, env);
    expect(resumed.code, resumed.err).toBe(0);
    const secondRun = api.requests.slice(firstRun.length).map((r) => r.path.split('?')[0]);
    for (const path of new Set(firstRun)) expect(secondRun, path).not.toContain(path);
    const total = api.requests.length;
    const noop = await run(files, dbPath, ['--fetch-openai'], opts, env);
    expect(noop.code, noop.err).toBe(0);
    expect(api.requests.length).toBe(total);
    expect(transcript(dbPath, WA1)).toHaveLength(6);
  });

  it('pending legacy messages are answered by a server running on the same database', async () => {
    const agent = createTestAgent();
    const h: Harness = await startHarness({ agent, schedulerSweepMs: 200 });
    cleanups.push(() => h.close());
    const files = buildLegacyFiles();
    const started = Date.now();
    const { code, err } = await run(files, h.config.dbPath, [], {}, { WATI_API_URL: h.wati.url, WATI_API_KEY: h.wati.apiKey });
    expect(code, err).toBe(0);
    const texts = await h.wati.waitForTexts(1, 15_000, WA1);
    expect(texts[0]).toContain(files.pendingText);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(agent.turns[0]?.texts).toEqual([files.pendingText]);
    // The conversation came with its history: the first-contact WATI import did not run.
    expect(h.wati.requests.filter((r) => r.path.includes('getMessages'))).toEqual([]);
  });
});
