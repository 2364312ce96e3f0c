// Every schema the Python service ever wrote, built with its own CREATE TABLE statements (copied from its git
// history, hacastro22/watibot3, commits cited), imported with `npm run migrate-legacy`: no row is dropped in
// silence — each is imported (history item or pending message) or counted with a reason; invalidRows stays 0.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runMigrateLegacyCli } from '../../src/cli/migrate-legacy.js';
import type { ImportReport } from '../../src/legacy/importer.js';
import { BufferStore } from '../../src/store/buffer-store.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { openDatabase } from '../../src/store/database.js';
import { tempDbPath, testEnv } from '../support/test-config.js';
import { sqliteTime } from './legacy-fixtures.js';

// Root thread_store.db, Assistants era: the committed blob 00a3e908 (as of 2322dfe): init_db of
// app/thread_store.py@7f34183, message_buffer.py@7f34183, the two columns agent_context_injector.py added.
const ROOT_ASSISTANTS = `
  CREATE TABLE threads ( wa_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL , last_updated TIMESTAMP, created_at TIMESTAMP,
    history_imported BOOLEAN DEFAULT 0 NOT NULL, agent_context_injected INTEGER DEFAULT 0, last_agent_context_check TEXT);
  CREATE TABLE message_buffer ( wa_id TEXT NOT NULL, message_type TEXT NOT NULL, -- 'text', 'image', 'audio'
    content TEXT NOT NULL, -- Text content or media URL
    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP );`;

// The message_buffer before 7f34183: message_buffer.py@7f34183 migrates it (`'message' in columns and 'content'
// not in columns` → SELECT wa_id, 'text', message, timestamp), which names its three columns.
const ROOT_MESSAGE_COLUMN = `
  CREATE TABLE threads ( wa_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, last_updated TIMESTAMP, created_at TIMESTAMP,
    history_imported BOOLEAN DEFAULT 0 NOT NULL );
  CREATE TABLE message_buffer ( wa_id TEXT NOT NULL, message TEXT NOT NULL, timestamp DATETIME DEFAULT CURRENT_TIMESTAMP );`;

// The Vertex AI attempt: blob 8b7b125d (d9b78e9), thread_store.py@85e769c's ALTERs (session_ ids in thread_id).
const ROOT_VERTEX = `
  CREATE TABLE threads ( wa_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL , last_updated TIMESTAMP, created_at TIMESTAMP,
    history_imported BOOLEAN DEFAULT 0 NOT NULL, agent_context_injected INTEGER DEFAULT 0, last_agent_context_check TEXT,
    session_id TEXT, vertex_migrated INTEGER DEFAULT 0, migration_date TEXT, vertex_context_injected INTEGER DEFAULT 0);
  CREATE TABLE message_buffer ( wa_id TEXT NOT NULL, message_type TEXT NOT NULL, content TEXT NOT NULL,
    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP );`;

// Root file at the Responses migration: blob 434fcad0 (54c9f64): the first attempt's conversations table and
// previous_response_id, openai_agent.py@54c9f64's archived_threads, message_buffer without caption.
const ROOT_RESPONSES = `
  CREATE TABLE archived_threads ( wa_id TEXT, thread_id TEXT, original_thread_id TEXT, created_at TEXT, archived_at TEXT,
    agent_context_injected INTEGER );
  CREATE TABLE conversations ( wa_id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, last_updated TIMESTAMP,
    created_at TIMESTAMP, history_imported BOOLEAN DEFAULT 0 NOT NULL );
  CREATE TABLE message_buffer ( wa_id TEXT NOT NULL, message_type TEXT NOT NULL, content TEXT NOT NULL,
    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP );
  CREATE TABLE threads ( wa_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL , last_updated TIMESTAMP, created_at TIMESTAMP,
    history_imported BOOLEAN DEFAULT 0 NOT NULL, agent_context_injected INTEGER DEFAULT 0, last_agent_context_check TEXT,
    conversation_id TEXT, previous_response_id TEXT DEFAULT NULL, last_response_id TEXT DEFAULT NULL);`;

// app/thread_store.db of the Responses era: blob 01a6a83a (92cae91): thread_store.py@54c9f64 + the injector's column.
const APP_RESPONSES = `
  CREATE TABLE archived_threads ( wa_id TEXT, thread_id TEXT, original_thread_id TEXT, created_at TEXT, archived_at TEXT,
    agent_context_injected INTEGER );
  CREATE TABLE threads ( wa_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, last_updated TIMESTAMP, created_at TIMESTAMP,
    history_imported BOOLEAN DEFAULT 0 NOT NULL , conversation_id TEXT DEFAULT NULL, last_response_id TEXT DEFAULT NULL,
    agent_context_injected INTEGER DEFAULT 0);`;

// The newest root file: blob b354711e (8e2aa5c): message_buffer.py@04f4591's ALTERs (caption, reply_context_id),
// processing_lock, and webhook_messages of message_buffer.py@44d7997.
const ROOT_LATEST = `${ROOT_RESPONSES.replace(
  `CREATE TABLE message_buffer ( wa_id TEXT NOT NULL, message_type TEXT NOT NULL, content TEXT NOT NULL,
    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP );`,
  `CREATE TABLE message_buffer ( wa_id TEXT NOT NULL, message_type TEXT NOT NULL, content TEXT NOT NULL,
    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP , caption TEXT, reply_context_id TEXT);`,
)}
  CREATE TABLE processing_lock ( wa_id TEXT PRIMARY KEY, locked_at DATETIME DEFAULT CURRENT_TIMESTAMP, worker_pid INTEGER );
  CREATE TABLE webhook_messages ( id INTEGER PRIMARY KEY AUTOINCREMENT, wa_id TEXT NOT NULL, role TEXT NOT NULL, -- 'user' or 'assistant'
    content TEXT NOT NULL, timestamp DATETIME DEFAULT CURRENT_TIMESTAMP );
  CREATE INDEX idx_wm_wa_id_ts ON webhook_messages(wa_id, timestamp DESC);`;

// A root file message_buffer.py@be1d70c created fresh: caption and reply_context_id before timestamp.
const ROOT_HEAD_FRESH = `
  CREATE TABLE message_buffer ( wa_id TEXT NOT NULL, message_type TEXT NOT NULL, content TEXT NOT NULL, caption TEXT,
    reply_context_id TEXT, timestamp DATETIME DEFAULT CURRENT_TIMESTAMP );
  CREATE TABLE processing_lock ( wa_id TEXT PRIMARY KEY, locked_at DATETIME DEFAULT CURRENT_TIMESTAMP, worker_pid INTEGER );
  CREATE TABLE webhook_messages ( id INTEGER PRIMARY KEY AUTOINCREMENT, wa_id TEXT NOT NULL, role TEXT NOT NULL,
    content TEXT NOT NULL, timestamp DATETIME DEFAULT CURRENT_TIMESTAMP );`;

// app/thread_store.db at 7655fae (blob 2d6ec6dc): thread_store.py@04f4591's last three columns.
const APP_LATEST = `
  CREATE TABLE archived_threads ( wa_id TEXT, thread_id TEXT, original_thread_id TEXT, created_at TEXT, archived_at TEXT,
    agent_context_injected INTEGER );
  CREATE TABLE threads ( wa_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, last_updated TIMESTAMP, created_at TIMESTAMP,
    history_imported BOOLEAN DEFAULT 0 NOT NULL , conversation_id TEXT DEFAULT NULL, last_response_id TEXT DEFAULT NULL,
    agent_context_injected INTEGER DEFAULT 0, last_webhook_timestamp TIMESTAMP DEFAULT NULL, message_count INTEGER DEFAULT 0,
    loaded_modules TEXT DEFAULT NULL);`;

// app/conversation_log.db: conversation_log.py@04f4591 (its only version).
const LOG = `
  CREATE TABLE conversation_log ( id INTEGER PRIMARY KEY AUTOINCREMENT, user_identifier TEXT NOT NULL, role TEXT NOT NULL,
    content TEXT NOT NULL, timestamp TIMESTAMP DEFAULT CURRENT_TIMESTAMP, channel TEXT );
  CREATE INDEX idx_user_timestamp ON conversation_log(user_identifier, timestamp DESC);`;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const now = Date.now();
const recent = sqliteTime(now - 5 * 60_000);
const old = sqliteTime(now - 40 * 86_400_000);

function file(dir: string, name: string, schema: string, fill: (db: Database.Database) => void): string {
  const path = join(dir, name);
  const db = new Database(path);
  db.exec(schema);
  fill(db);
  db.close();
  return path;
}

async function migrate(paths: { threads?: string; buffer?: string; log?: string }, extra: string[] = [], env: Record<string, string> = {}) {
  const dbPath = tempDbPath();
  let out = '';
  let err = '';
  const args = Object.entries(paths).flatMap(([k, v]) => [`--${k}`, v]);
  const code = await runMigrateLegacyCli([...args, ...extra], {
    env: testEnv({ CONVERSATION_DB_PATH: dbPath, ...env }),
    now: () => now,
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    openaiOptions: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } },
  });
  expect(code, err).toBe(0);
  const report = JSON.parse(out) as ImportReport;
  const db = openDatabase(dbPath);
  cleanups.push(() => void db.close());
  const transcript = (id: string) => new ConversationStore(db).listItems(id).map((i) => `${i.item.kind}: ${(i.item as { text: string }).text}`);
  const pending = (id: string) => new BufferStore(db).pendingSummary(id)?.count ?? 0;
  return { report, transcript, pending };
}

/** Rows neither imported nor counted with a reason of their own. */
function invalid(report: ImportReport): number {
  return Object.values(report.totals.invalidRows).reduce((a, b) => a + b, 0) + report.totals.unrecognisedKeys;
}

const skippedOf = (report: ImportReport, reason: RegExp) =>
  report.conversations.flatMap((c) => c.skipped).filter((s) => reason.test(s.reason)).reduce((n, s) => n + s.count, 0);

describe('migrate-legacy reads every schema era of the Python service', () => {
  it('the Assistants-era root file: thread_ rows and pending messages of the caption-less message_buffer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legacy-era-'));
    const buffer = file(dir, 'thread_store.db', ROOT_ASSISTANTS, (db) => {
      db.prepare('INSERT INTO threads (wa_id, thread_id, last_updated, created_at) VALUES (?, ?, ?, ?)').run('50371110001', 'thread_aaa', old, old);
      const ins = db.prepare('INSERT INTO message_buffer (wa_id, message_type, content, timestamp) VALUES (?, ?, ?, ?)');
      ins.run('50371110001', 'text', '¿Tienen cupo el sábado?', recent);
      ins.run('50371110001', 'image', 'https://live-mt-server.wati.io/1/media/x.jpg', recent);
      ins.run('50371110001', 'text', '   ', recent); // blank
      ins.run('50371110002', 'text', 'mensaje de hace un mes', old); // outside the reply window
    });
    const { report, pending } = await migrate({ buffer });
    expect(invalid(report)).toBe(0);
    expect(report.totals).toMatchObject({ conversations: 2, pending: 2 });
    expect(pending('50371110001')).toBe(2);
    expect(report.totals.blankRows.message_buffer).toEqual({ 'message without text (empty content)': 1 });
    expect(skippedOf(report, /older than 24 h/)).toBe(1);
    expect(report.conversations.find((c) => c.conversation.startsWith('wa:…0001'))?.notes.join(' ')).toMatch(/Assistants-era thread_… id/);
  });

  it('the message_buffer before 7f34183 (a message column) and the Vertex attempt (session_ ids)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legacy-era-'));
    const first = file(dir, 'first.db', ROOT_MESSAGE_COLUMN, (db) => {
      db.prepare('INSERT INTO threads (wa_id, thread_id) VALUES (?, ?)').run('50372220001', 'thread_bbb');
      db.prepare('INSERT INTO message_buffer (wa_id, message, timestamp) VALUES (?, ?, ?)').run('50372220001', 'hola, buenas', recent);
    });
    const a = await migrate({ buffer: first });
    expect(invalid(a.report)).toBe(0);
    expect(a.pending('50372220001')).toBe(1);

    const vertex = file(dir, 'vertex.db', ROOT_VERTEX, (db) => {
      db.prepare('INSERT INTO threads (wa_id, thread_id, last_updated, created_at) VALUES (?, ?, ?, ?)').run('50372220002', 'session_1755600000000_abcdef', old, old);
      db.prepare('INSERT INTO threads (wa_id, thread_id, last_updated, created_at) VALUES (NULL, ?, ?, ?)').run('thread_orphan', old, old); // blank key
      db.prepare('INSERT INTO message_buffer (wa_id, message_type, content, timestamp) VALUES (?, ?, ?, ?)').run('50372220002', 'audio', 'https://x/a.ogg', recent);
    });
    const b = await migrate({ buffer: vertex });
    expect(invalid(b.report)).toBe(0);
    expect(b.pending('50372220002')).toBe(1);
    expect(b.report.totals.blankRows.threads).toEqual({ 'row without a user key (wa_id / user_identifier empty)': 1 });
    expect(b.report.conversations[0]?.notes.join(' ')).toMatch(/Vertex AI session/);
  });

  it('the Responses era: every conv_ id of both files (threads, archived_threads, the first attempt’s conversations) is fetched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legacy-era-'));
    const wa = '50373330001';
    const buffer = file(dir, 'thread_store.db', ROOT_RESPONSES, (db) => {
      db.prepare('INSERT INTO threads (wa_id, thread_id, last_updated, created_at, conversation_id) VALUES (?, ?, ?, ?, NULL)').run(wa, 'thread_ccc', old, old);
      db.prepare('INSERT INTO conversations (wa_id, conversation_id, last_updated, created_at) VALUES (?, ?, ?, ?)').run(wa, 'conv_first', '2025-09-19 10:00:00', '2025-09-19 09:00:00');
    });
    const threads = file(dir, 'app_thread_store.db', APP_RESPONSES, (db) => {
      db.prepare('INSERT INTO threads (wa_id, thread_id, last_updated, created_at, conversation_id, last_response_id) VALUES (?, ?, ?, ?, ?, ?)').run(wa, 'conv_now', recent, old, 'conv_now', 'resp_1');
      db.prepare('INSERT INTO archived_threads VALUES (?, ?, ?, ?, ?, ?)').run(wa, 'conv_before_archived_1758000000', 'conv_before', '2025-09-20T10:00:00.000001', '2025-09-25T10:00:00.5', 1);
    });
    const api = await serveConversations({ conv_first: 'primero', conv_before: 'antes', conv_now: 'ahora' });
    cleanups.push(() => api.close());
    const { report, transcript } = await migrate({ buffer, threads }, ['--fetch-openai'], { OPENAI_BASE_URL: api.url });
    expect(invalid(report)).toBe(0);
    expect(transcript(wa)).toEqual(['user: pregunta primero', 'assistant: respuesta primero', 'user: pregunta antes', 'assistant: respuesta antes', 'user: pregunta ahora', 'assistant: respuesta ahora']);
  });

  it('the latest files (webhook_messages, conversation_log, caption and reply context) and a freshly created HEAD buffer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legacy-era-'));
    const wa = '50374440001';
    const buffer = file(dir, 'thread_store.db', ROOT_LATEST, (db) => {
      const wm = db.prepare('INSERT INTO webhook_messages (wa_id, role, content, timestamp) VALUES (?, ?, ?, ?)');
      wm.run(wa, 'user', 'Hola', sqliteTime(now - 3_600_000));
      wm.run(wa, 'assistant', '', sqliteTime(now - 3_599_000)); // a reply the service stored empty: blank
      wm.run(wa, 'assistant', '¡Hola! ¿En qué le ayudo?', sqliteTime(now - 3_598_000));
      db.prepare('INSERT INTO message_buffer (wa_id, message_type, content, timestamp, caption, reply_context_id) VALUES (?, ?, ?, ?, ?, ?)').run(
        wa, 'image', 'https://live-mt-server.wati.io/1/media/slip.jpg', recent, 'mi comprobante', 'wamid.ctx1',
      );
    });
    const threads = file(dir, 'app_thread_store.db', APP_LATEST, (db) => {
      db.prepare('INSERT INTO threads (wa_id, thread_id, created_at, conversation_id, message_count) VALUES (?, ?, ?, ?, 3)').run(wa, 'conv_x', '2026-11-01T08:00:00.123456', 'conv_x');
    });
    const log = file(dir, 'conversation_log.db', LOG, (db) => {
      const ins = db.prepare('INSERT INTO conversation_log (user_identifier, role, content, timestamp, channel) VALUES (?, ?, ?, ?, ?)');
      ins.run('700001', 'user', 'Hola por Instagram', sqliteTime(now - 7_200_000), 'instagram');
      ins.run('700001', 'assistant', 'Bienvenido', sqliteTime(now - 7_199_000), 'instagram');
      ins.run('700001', 'user', '', sqliteTime(now - 7_198_000), 'instagram'); // blank
    });
    const { report, transcript, pending } = await migrate({ buffer, threads, log });
    expect(invalid(report)).toBe(0);
    expect(transcript(wa)).toEqual(['user: Hola', 'assistant: ¡Hola! ¿En qué le ayudo?']);
    expect(pending(wa)).toBe(1);
    expect(transcript('instagram:700001')).toEqual(['user: Hola por Instagram', 'assistant: Bienvenido']);
    expect(report.totals.blankRows).toEqual({
      webhook_messages: { 'message without text (empty content)': 1 },
      conversation_log: { 'message without text (empty content)': 1 },
    });

    const fresh = file(dir, 'fresh.db', ROOT_HEAD_FRESH, (db) => {
      db.prepare('INSERT INTO message_buffer (wa_id, message_type, content, caption, reply_context_id, timestamp) VALUES (?, ?, ?, ?, ?, ?)').run(
        '50374440002', 'text', 'respondiendo a su mensaje', null, 'wamid.ctx2', recent,
      );
    });
    const second = await migrate({ buffer: fresh });
    expect(invalid(second.report)).toBe(0);
    expect(second.pending('50374440002')).toBe(1);
  });

  it('one file holding every table (THREAD_DB_PATH set: thread_store.py and message_buffer.py share it), given twice, read once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legacy-era-'));
    const wa = '50375550001';
    const merged = file(dir, 'merged.db', `${APP_LATEST}\n${ROOT_HEAD_FRESH}`, (db) => {
      db.prepare('INSERT INTO threads (wa_id, thread_id, conversation_id) VALUES (?, ?, ?)').run(wa, 'conv_m', 'conv_m');
      db.prepare('INSERT INTO processing_lock (wa_id, worker_pid) VALUES (?, 4242)').run(wa);
      const wm = db.prepare('INSERT INTO webhook_messages (wa_id, role, content, timestamp) VALUES (?, ?, ?, ?)');
      wm.run(wa, 'user', '¿Hay promociones?', sqliteTime(now - 3_600_000));
      wm.run(wa, 'assistant', 'Sí, esta semana…', sqliteTime(now - 3_590_000));
      db.prepare('INSERT INTO message_buffer (wa_id, message_type, content, timestamp) VALUES (?, ?, ?, ?)').run(wa, 'text', 'gracias', recent);
    });
    const { report, transcript, pending } = await migrate({ threads: merged, buffer: merged });
    expect(invalid(report)).toBe(0);
    expect(transcript(wa)).toEqual(['user: ¿Hay promociones?', 'assistant: Sí, esta semana…']);
    expect(pending(wa)).toBe(1);
    expect(report.tablesNotRead).toEqual([{ file: '--buffer', table: 'processing_lock', rows: 1, reason: expect.stringMatching(/locks: nothing to carry over/) }]);
  });
});

/** A Conversations API on loopback: each id answers one user and one assistant item naming it. */
async function serveConversations(byId: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const m = /^\/v1\/conversations\/([^/]+)\/items/.exec(req.url ?? '');
    const word = m ? byId[decodeURIComponent(m[1] as string)] : undefined;
    if (!word) return res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
    const item = (role: string, text: string, id: string) => ({ type: 'message', id, role, content: [{ type: role === 'user' ? 'input_text' : 'output_text', text }] });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [item('user', `pregunta ${word}`, `${word}1`), item('assistant', `respuesta ${word}`, `${word}2`)], has_more: false }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, close: () => new Promise((r) => server.close(() => r())) };
}
