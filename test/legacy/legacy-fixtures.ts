// Legacy SQLite files built with the Python service's exact schemas (original-agent.md §9.2, §9.3, §9.4),
// journal_mode delete as the service left them, and a fake OpenAI Conversations API on loopback.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const THREADS_SCHEMA = `
  CREATE TABLE threads (wa_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, last_updated TIMESTAMP, created_at TIMESTAMP,
    history_imported BOOLEAN DEFAULT 0 NOT NULL, conversation_id TEXT DEFAULT NULL, last_response_id TEXT DEFAULT NULL,
    agent_context_injected INTEGER DEFAULT 0, last_webhook_timestamp TIMESTAMP DEFAULT NULL, message_count INTEGER DEFAULT 0,
    loaded_modules TEXT DEFAULT NULL);
  CREATE TABLE archived_threads (wa_id TEXT, thread_id TEXT, original_thread_id TEXT, created_at TEXT, archived_at TEXT,
    agent_context_injected INTEGER);`;

export const ROOT_SCHEMA = `
  CREATE TABLE threads (wa_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, last_updated TIMESTAMP, created_at TIMESTAMP,
    history_imported BOOLEAN DEFAULT 0 NOT NULL, agent_context_injected INTEGER DEFAULT 0, last_agent_context_check TEXT,
    conversation_id TEXT, previous_response_id TEXT DEFAULT NULL, last_response_id TEXT DEFAULT NULL);
  CREATE TABLE message_buffer (wa_id TEXT NOT NULL, message_type TEXT NOT NULL, content TEXT NOT NULL,
    timestamp DATETIME DEFAULT CURRENT_TIMESTAMP, caption TEXT, reply_context_id TEXT);
  CREATE TABLE conversations (wa_id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, last_updated TIMESTAMP,
    created_at TIMESTAMP, history_imported BOOLEAN DEFAULT 0 NOT NULL);
  CREATE TABLE archived_threads (wa_id TEXT, thread_id TEXT, original_thread_id TEXT, created_at TEXT, archived_at TEXT,
    agent_context_injected INTEGER);
  CREATE TABLE processing_lock (wa_id TEXT PRIMARY KEY, locked_at DATETIME DEFAULT CURRENT_TIMESTAMP, worker_pid INTEGER);
  CREATE TABLE webhook_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, wa_id TEXT NOT NULL, role TEXT NOT NULL,
    content TEXT NOT NULL, timestamp DATETIME DEFAULT CURRENT_TIMESTAMP);
  CREATE INDEX idx_wm_wa_id_ts ON webhook_messages(wa_id, timestamp DESC);`;

export const LOG_SCHEMA = `
  CREATE TABLE conversation_log (id INTEGER PRIMARY KEY AUTOINCREMENT, user_identifier TEXT NOT NULL, role TEXT NOT NULL,
    content TEXT NOT NULL, timestamp TIMESTAMP DEFAULT CURRENT_TIMESTAMP, channel TEXT);
  CREATE INDEX idx_user_timestamp ON conversation_log(user_identifier, timestamp DESC);`;

export const WA1 = '50370001111'; // conv_ id, webhook_messages, an archived conversation, a pending message
export const WA2 = '50370002222'; // a row a webhook created (thread_id = wa_id, no conversation_id), ISO created_at
export const WA3 = '50370003333'; // Assistants era: thread_… in the root file
export const FB = '900001'; // ManyChat Facebook: `facebook:900001` and the bare id
export const IG = '900002'; // ManyChat Instagram: only in conversation_log (bare id, channel from the log)

/** SQLite's CURRENT_TIMESTAMP text (UTC) of an instant. */
export const sqliteTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

export interface LegacyFiles {
  dir: string;
  threads: string;
  buffer: string;
  log: string;
  /** Pending text of WA1 (also in webhook_messages, as the Python service stores it on receipt). */
  pendingText: string;
  /** The texts of each conversation's local history, oldest first, by our conversation id. */
  expected: Record<string, { role: 'user' | 'assistant'; text: string }[]>;
}

export function buildLegacyFiles(now = Date.now()): LegacyFiles {
  const dir = mkdtempSync(join(tmpdir(), 'watibot3-legacy-'));
  const paths = { threads: join(dir, 'app_thread_store.db'), buffer: join(dir, 'thread_store.db'), log: join(dir, 'conversation_log.db') };
  const day = 86_400_000;
  const t0 = now - 10 * day;

  const threads = new Database(paths.threads);
  threads.exec(THREADS_SCHEMA);
  const insThread = threads.prepare(
    'INSERT INTO threads (wa_id, thread_id, last_updated, created_at, history_imported, conversation_id, last_response_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  insThread.run(WA1, 'conv_A', sqliteTime(t0 + day), sqliteTime(t0), 0, 'conv_A', 'resp_1');
  // A row first created by a webhook: thread_id holds the wa_id, no conversation_id; created_at local ISO with T.
  insThread.run(WA2, WA2, sqliteTime(t0 + 2 * day), '2026-11-15T09:30:12.345678', 1, null, null);
  insThread.run(`facebook:${FB}`, 'conv_FB', sqliteTime(t0 + day), sqliteTime(t0), 0, null, null);
  insThread.run(FB, 'conv_FB', sqliteTime(t0 + day), '2026-11-10T08:00:00', 0, 'conv_FB', 'resp_9');
  threads
    .prepare('INSERT INTO archived_threads VALUES (?, ?, ?, ?, ?, ?)')
    .run(WA1, 'conv_OLD_archived_1763000000', 'conv_OLD', '2026-10-01T08:00:00.123456', '2026-10-05T10:00:00.000001', 1);
  threads.close();

  const root = new Database(paths.buffer);
  root.exec(ROOT_SCHEMA);
  root.prepare('INSERT INTO threads (wa_id, thread_id, last_updated, created_at, history_imported) VALUES (?, ?, ?, ?, 0)').run(WA3, 'thread_abc123', sqliteTime(t0), sqliteTime(t0));
  const insWm = root.prepare('INSERT INTO webhook_messages (wa_id, role, content, timestamp) VALUES (?, ?, ?, ?)');
  const expected: LegacyFiles['expected'] = { [WA1]: [], [WA2]: [], [WA3]: [], [`facebook:${FB}`]: [], [`instagram:${IG}`]: [] };
  const wm = (waId: string, role: 'user' | 'assistant', text: string, at: number) => {
    insWm.run(waId, role, text, sqliteTime(at));
    expected[waId]?.push({ role, text });
  };
  wm(WA1, 'user', 'Hola, quiero reservar', t0 + 1_000);
  wm(WA1, 'assistant', '¡Hola! ¿Para qué fechas?', t0 + 5_000);
  // Two rows in the same second: the file's order decides.
  wm(WA1, 'user', 'Del 20 al 22', t0 + 60_000);
  wm(WA1, 'user', 'somos dos', t0 + 60_000);
  wm(WA1, 'assistant', 'Perfecto, le cotizo.', t0 + 65_000);
  wm(WA2, 'user', '¿Aceptan mascotas?', t0 + 2 * day);
  wm(WA2, 'assistant', 'Lo siento, no se aceptan mascotas.', t0 + 2 * day + 3_000);
  wm(WA3, 'user', 'Buenas tardes', t0 + 3 * day);
  wm(WA3, 'assistant', 'Buenas tardes, ¿en qué le ayudo?', t0 + 3 * day + 2_000);
  // Not a guest message: a row the reader rejects (role unknown), counted as invalid.
  insWm.run(WA1, 'system', 'x', sqliteTime(t0));

  const pendingText = '¿Tienen habitaciones para el sábado?';
  const pendingAt = now - 60_000;
  insWm.run(WA1, 'user', pendingText, sqliteTime(pendingAt));
  const insBuf = root.prepare('INSERT INTO message_buffer (wa_id, message_type, content, timestamp, caption, reply_context_id) VALUES (?, ?, ?, ?, ?, ?)');
  insBuf.run(WA1, 'text', pendingText, sqliteTime(pendingAt), null, null);
  // Left behind two days ago (older than the fetch window): not answered any more.
  insBuf.run(WA2, 'text', 'mensaje viejo', sqliteTime(now - 2 * day), null, null);
  root.close();

  const log = new Database(paths.log);
  log.exec(LOG_SCHEMA);
  const insLog = log.prepare('INSERT INTO conversation_log (user_identifier, role, content, timestamp, channel) VALUES (?, ?, ?, ?, ?)');
  const cl = (id: string, conv: string, role: 'user' | 'assistant', text: string, at: number, channel: string) => {
    insLog.run(id, role, text, sqliteTime(at), channel);
    expected[conv]?.push({ role, text });
  };
  cl(FB, `facebook:${FB}`, 'user', 'Hola desde Messenger', t0 + 4 * day, 'facebook');
  cl(FB, `facebook:${FB}`, 'assistant', '¡Hola! Bienvenido.', t0 + 4 * day + 1_000, 'facebook');
  cl(IG, `instagram:${IG}`, 'user', 'Info de pasadías', t0 + 5 * day, 'instagram');
  cl(IG, `instagram:${IG}`, 'assistant', 'El pasadía cuesta $25.', t0 + 5 * day + 1_000, 'instagram');
  cl(IG, `instagram:${IG}`, 'user', 'gracias', t0 + 5 * day + 60_000, 'instagram');
  log.close();

  return { dir, ...paths, pendingText, expected };
}

export function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export interface FakeConversations {
  url: string;
  requests: { path: string; at: number; status: number }[];
  close(): Promise<void>;
}

const msg = (role: string, text: string, id: string) => ({
  type: 'message',
  id,
  status: 'completed',
  role,
  content: [{ type: role === 'assistant' ? 'output_text' : 'input_text', text, ...(role === 'assistant' ? { annotations: [] } : {}) }],
});

/** conv_A: 3 pages of 2 (its first request answered 429 with Retry-After); conv_OLD: one page; others 404; `failWith` overrides. */
export async function startFakeConversations(apiKey = 'sk-test', failWith?: (path: string) => number | undefined): Promise<FakeConversations> {
  const items: Record<string, unknown[]> = {
    conv_OLD: [msg('user', 'Mensaje de octubre', 'msg_o1'), msg('assistant', 'Respuesta de octubre', 'msg_o2')],
    conv_A: [
      msg('developer', 'HISTORIAL DE CONVERSACIÓN PARA CONTEXTO', 'msg_a0'),
      msg('user', 'Hola, quiero reservar', 'msg_a1'),
      msg('assistant', '¡Hola! ¿Para qué fechas?', 'msg_a2'),
      { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'check_room_availability', arguments: '{}' },
      msg('user', 'Del 20 al 22 somos dos', 'msg_a3'),
      msg('assistant', 'Perfecto, le cotizo.', 'msg_a4'),
    ],
  };
  const requests: FakeConversations['requests'] = [];
  let limited = false;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      requests.push({ path: url.pathname + url.search, at: Date.now(), status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${apiKey}`) return answer(401, { error: { message: 'bad key' } });
    const failure = failWith?.(url.pathname);
    if (failure !== undefined) return answer(failure, { error: { message: 'unavailable' } });
    const m = /^\/v1\/conversations\/([^/]+)\/items$/.exec(url.pathname);
    const list = m ? items[decodeURIComponent(m[1] as string)] : undefined;
    if (!list) return answer(404, { error: { message: 'not found' } });
    if (m?.[1] === 'conv_A' && !limited) {
      limited = true;
      return answer(429, { error: { message: 'rate limited' } }, { 'retry-after': '0.2' });
    }
    const after = url.searchParams.get('after');
    const start = after ? list.findIndex((i) => (i as { id: string }).id === after) + 1 : 0;
    const data = list.slice(start, start + 2);
    const last = data[data.length - 1] as { id: string } | undefined;
    answer(200, { object: 'list', data, first_id: (data[0] as { id: string } | undefined)?.id ?? null, last_id: last?.id ?? null, has_more: start + 2 < list.length });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
