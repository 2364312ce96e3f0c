// Issue 22 §1: a legacy message of 10 MB made `migrate-legacy` never finish (its token count). A 1 MB unbroken
// message, in the history and in the pending buffer (a NUL in it too), now passes: the import finishes with the
// event loop free, the texts are cut at the platform limit with the marker, and a server on the same database
// answers the pending one.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/legacy/importer.js';
import { cutMarker, WHATSAPP_TEXT_MAX_CHARS } from '../../src/ingest/message-limit.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { openDatabase } from '../../src/store/database.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { startStallProbe } from '../support/event-loop-stall.js';
import { createTestAgent } from '../support/test-agent.js';
import { testEnv } from '../support/test-config.js';
import { WA2, WA3, buildLegacyFiles, sqliteTime } from '../legacy/legacy-fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MB = 1_048_576;
/** The bound (see test/ingest/long-message-e2e.test.ts): the server's event loop held for well under 100 ms. */
const MAX_HELD_MS = 100;

/** `migrate-legacy` from the sources in a child process, as `npm run migrate-legacy` runs it. */
function migrateInChild(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/migrate-legacy.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

function unbrokenLetters(n: number): string {
  return Buffer.from(randomBytes(n).map((b) => 97 + (b % 26))).toString('latin1');
}

describe('migrate-legacy with a 1 MB legacy message (issue 22 §1)', () => {
  it('finishes, cuts the message at the platform limit with the marker, and the server answers the pending one', async () => {
    const agent = createTestAgent(() => 'Con gusto le ayudo.');
    const h: Harness = await startHarness({ agent, schedulerSweepMs: 200 });
    cleanups.push(() => h.close());
    const files = buildLegacyFiles();
    const now = Date.now();
    const history = `${unbrokenLetters(MB / 2)}\u0000${unbrokenLetters(MB / 2 - 1)}`;
    const pendingText = unbrokenLetters(MB);
    const legacy = new Database(files.buffer);
    legacy.prepare('INSERT INTO webhook_messages (wa_id, role, content, timestamp) VALUES (?, ?, ?, ?)').run(WA2, 'user', history, sqliteTime(now - 3_600_000));
    legacy.prepare('INSERT INTO webhook_messages (wa_id, role, content, timestamp) VALUES (?, ?, ?, ?)').run(WA2, 'assistant', unbrokenLetters(MB), sqliteTime(now - 3_590_000));
    legacy.prepare('INSERT INTO message_buffer (wa_id, message_type, content, timestamp) VALUES (?, ?, ?, ?)').run(WA3, 'text', pendingText, sqliteTime(now - 30_000));
    legacy.close();

    // The import runs as in production, a process apart from the server; the server (this process) stays free
    // while it runs and while it answers the pending message.
    const probe = startStallProbe();
    const { code, out, err } = await migrateInChild(
      ['--threads', files.threads, '--buffer', files.buffer, '--log', files.log, '--batch', '1'],
      testEnv({ CONVERSATION_DB_PATH: h.config.dbPath, WATI_API_URL: h.wati.url, WATI_API_KEY: h.wati.apiKey }),
    );
    expect(code, err).toBe(0);
    // The pending message: answered by the server, as the guest would see it.
    expect(await h.wati.waitForTexts(1, 15_000, WA3)).toEqual(['Con gusto le ayudo.']);
    // Measured up to here: the import and the server's own work. What follows is this test reading megabytes back
    // (the report, the stored items), which is not the server's.
    const stall = probe.stop();
    const report = JSON.parse(out) as ImportReport;
    const notes = report.conversations.flatMap((c) => c.notes);
    expect(notes).toContain('2 message(s) longer than the platform allows: cut, with a marker for the model');
    expect(notes).toContain('1 message(s) longer than the platform allows: cut, with a marker for the model');

    const db = openDatabase(h.config.dbPath);
    const items = new ConversationStore(db).listItems(WA2).map((i) => i.item as { kind: string; text: string });
    db.close();
    const imported = items.find((i) => i.kind === 'user' && i.text.length > WHATSAPP_TEXT_MAX_CHARS);
    // The NUL is removed before the cut: the first 65,536 characters are the letters around it.
    const withoutNul = history.replace('\u0000', '');
    expect(imported?.text).toBe(`${withoutNul.slice(0, WHATSAPP_TEXT_MAX_CHARS)}\n${cutMarker(withoutNul.length - WHATSAPP_TEXT_MAX_CHARS)}`);
    expect(items.find((i) => i.kind === 'assistant' && i.text.length > WHATSAPP_TEXT_MAX_CHARS)?.text.endsWith(cutMarker(MB - WHATSAPP_TEXT_MAX_CHARS))).toBe(true);

    expect(agent.turns.find((t) => t.conversationId === WA3)?.texts).toEqual([`${pendingText.slice(0, WHATSAPP_TEXT_MAX_CHARS)}\n${cutMarker(MB - WHATSAPP_TEXT_MAX_CHARS)}`]);
    if (process.env.TEST_LOG_DELAY) console.log(stall);
    expect(stall.maxHeldMs).toBeLessThan(MAX_HELD_MS);
  }, 60_000);
});
