// `npm run export-pending` on a seeded database: the guest messages received in the window (default the last
// hour), masked unless --unmasked, answered or pending, as a table or JSON; read-only beside a running server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExportPendingCli, type PendingExport } from '../../src/cli/export-pending.js';
import type { Db } from '../../src/store/database.js';
import { acquireInstanceLock, type InstanceLock } from '../../src/store/instance-lock.js';
import { openMigratedDatabase } from '../support/test-db.js';

const NOW = Date.parse('2026-12-01T20:00:00Z'); // 14:00 in El Salvador
const MIN = 60_000;
const ANA = '50370000001';
const BETO = 'facebook:123456789';
const CARLA = '50370000003';

function seed(db: Db): void {
  const batch = db.prepare(`INSERT INTO batches (conversation_id, status, created_at, updated_at) VALUES (?, ?, ?, ?)`);
  const inbound = db.prepare(
    `INSERT INTO inbound_messages (conversation_id, channel, external_user_id, kind, text, received_at, status, batch_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const add = (id: string, at: number, text: string, status: 'pending' | 'claimed' | 'done', batchStatus?: string, kind = 'text') => {
    const channel = id.startsWith('facebook:') ? 'facebook' : 'whatsapp';
    const batchId = batchStatus ? Number(batch.run(id, batchStatus, at, at).lastInsertRowid) : null;
    inbound.run(id, channel, id.replace(/^facebook:/, ''), kind, text, at, status, batchId);
  };
  add(ANA, NOW - 2 * 60 * MIN, 'antes de la ventana', 'done', 'delivered');
  add(ANA, NOW - 50 * MIN, '¿Tienen habitación\npara el sábado?', 'done', 'delivered');
  add(BETO, NOW - 40 * MIN, 'quiero reservar', 'done', 'failed'); // only the fallback was sent
  add(CARLA, NOW - 30 * MIN, 'hola', 'done', 'undelivered');
  add(CARLA, NOW - 10 * MIN, '', 'claimed', 'running', 'image');
  add(ANA, NOW - 5 * MIN, '¿y el precio?', 'pending');
  add(ANA, NOW + MIN, 'después de la ventana', 'pending');
}

describe('npm run export-pending', () => {
  let dir: string;
  let dbPath: string;
  let db: Db;
  let lock: InstanceLock;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'export-pending-'));
    dbPath = join(dir, 'watibot3.db');
    db = openMigratedDatabase(dbPath);
    seed(db);
    // The server is running: it holds the lock. The export reads anyway, read-only.
    lock = acquireInstanceLock(db, Date.now());
  });
  afterAll(() => {
    lock?.release();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function run(args: string[]): { code: number; stdout: string; stderr: string } {
    let stdout = '';
    let stderr = '';
    const code = runExportPendingCli(['--db', dbPath, ...args], {
      env: { TIMEZONE: 'America/El_Salvador', CONVERSATION_DB_PATH: join(dir, 'unused.db') },
      now: () => NOW,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    return { code, stdout, stderr };
  }

  it('JSON: the last hour by default, oldest first, masked, answered only when the reply was delivered', () => {
    const { code, stdout } = run(['--json']);
    expect(code).toBe(0);
    const data = JSON.parse(stdout) as PendingExport;
    expect(data.window).toEqual({ since: '2026-12-01T19:00:00.000Z', until: '2026-12-01T20:00:00.000Z', timezone: 'America/El_Salvador' });
    expect(data.masked).toBe(true);
    expect(data.messages.map((m) => [m.text, m.status, m.channel, m.kind])).toEqual([
      ['¿Tienen habitación\npara el sábado?', 'answered', 'whatsapp', 'text'],
      ['quiero reservar', 'pending', 'facebook', 'text'],
      ['hola', 'pending', 'whatsapp', 'text'],
      ['', 'pending', 'whatsapp', 'image'],
      ['¿y el precio?', 'pending', 'whatsapp', 'text'],
    ]);
    expect(data.messages[0]?.receivedAt).toBe('2026-12-01T19:10:00.000Z');
    expect(data.messages.map((m) => m.conversation)).toEqual([
      expect.stringMatching(/^wa:…0001:[0-9a-f]{10}$/),
      expect.stringMatching(/^fb:…6789:[0-9a-f]{10}$/),
      expect.stringMatching(/^wa:…0003:[0-9a-f]{10}$/),
      expect.stringMatching(/^wa:…0003:[0-9a-f]{10}$/),
      expect.stringMatching(/^wa:…0001:[0-9a-f]{10}$/),
    ]);
    expect(data.totals).toEqual({ messages: 5, pending: 4, answered: 1, conversations: 3, pendingConversations: 3 });
    for (const id of [ANA, CARLA, '123456789']) expect(stdout).not.toContain(id);
  });

  it('--unmasked gives the ids to replay; --since/--until choose the window', () => {
    const data = JSON.parse(run(['--json', '--unmasked', '--since', '2026-12-01T13:00:00-06:00', '--until', '2026-12-01T13:35:00-06:00']).stdout) as PendingExport;
    expect(data.masked).toBe(false);
    expect(data.messages.map((m) => [m.conversation, m.text])).toEqual([
      [ANA, '¿Tienen habitación\npara el sábado?'],
      [BETO, 'quiero reservar'],
      [CARLA, 'hola'],
    ]);
    // A whole local day.
    const day = JSON.parse(run(['--json', '--since', '2026-12-01', '--until', '2026-12-01']).stdout) as PendingExport;
    expect(day.messages.map((m) => m.text)).toEqual([
      'antes de la ventana',
      '¿Tienen habitación\npara el sábado?',
      'quiero reservar',
      'hola',
      '',
      '¿y el precio?',
      'después de la ventana',
    ]);
  });

  it('the table groups by conversation, one line per message, in local time', () => {
    const { code, stdout } = run([]);
    expect(code).toBe(0);
    expect(stdout).toContain('5 mensajes en 3 conversaciones · sin respuesta entregada: 4 en 3 conversaciones');
    expect(stdout).toMatch(/wa:…0001:[0-9a-f]{10} \(whatsapp\)\n {2}2026-12-01 13:10 {2}respondido {3}¿Tienen habitación ⏎ para el sábado\?\n {2}2026-12-01 13:55 {2}pendiente {4}¿y el precio\?/);
    expect(stdout).toContain('[image]');
    expect(stdout).not.toContain(ANA);
  });

  it('refuses a bad window and a missing database', () => {
    expect(run(['--since', 'yesterday']).code).toBe(64);
    expect(run(['--since', '2026-12-01T14:00:00Z', '--until', '2026-12-01T13:00:00Z']).code).toBe(64);
    let stderr = '';
    const code = runExportPendingCli(['--db', join(dir, 'missing.db')], { env: {}, now: () => NOW, stdout: () => undefined, stderr: (t) => (stderr += t) });
    expect(code).toBe(66);
    expect(stderr).toContain('missing.db');
  });
});
