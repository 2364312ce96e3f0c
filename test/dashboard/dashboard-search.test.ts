// The staff dashboard after the switch from the Python service, through the real app (app.inject): a
// conversation's page shows its imported history and the message migrated from the old buffer, marked as
// imported; any conversation — on the attention list or not — is found by its number (whole or last digits)
// or by the guest's name, with masked numbers only, every value escaped, the query never in an address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { importLegacy } from '../support/legacy-switch.js';
import { createTestAgent } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';

const TOKEN = 'admin-secret-for-the-search';
const ORIGIN = { origin: 'http://localhost' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const IMPORTED = '50370004321'; // history and a pending message from the Python service
const JOSE = '50370005555'; // a live guest, José Pérez
const HOSTILE = '50370006666'; // a live guest whose name is markup
const JOSEFA = 'facebook:4455667788'; // a Messenger guest, Josefa
const HOSTILE_NAME = '<img src=x onerror=alert(1)> Mala';
const DAY = 86_400_000;

let h: Harness;
let cookie: string;

const get = (url: string) => h.app.inject({ method: 'GET', url, headers: { cookie } });
const search = (q: string, headers: Record<string, string> = ORIGIN) =>
  h.app.inject({ method: 'POST', url: '/admin/buscar', headers: { ...FORM, ...headers, cookie }, payload: `q=${encodeURIComponent(q)}` });

/** The conversation links of a results page, by the last four characters of the masked id. */
function links(page: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of page.split('<tr>').slice(1)) {
    const last4 = /…(\w{4}):/.exec(row)?.[1];
    const href = /href="(\/admin\/conversacion\/[^"]+)"/.exec(row)?.[1];
    if (last4 && href) out[last4] = href;
  }
  return out;
}

beforeAll(async () => {
  h = await startHarness({ env: { ADMIN_TOKEN: TOKEN }, agent: createTestAgent(), schedulerSweepMs: 100 });
  const now = Date.now();
  const db = openDatabase(h.config.dbPath);
  try {
    importLegacy(
      db,
      [
        {
          conversationId: IMPORTED,
          history: [
            { role: 'user', text: 'Hola, ¿tienen <b>cabañas</b>?', at: now - 3 * DAY },
            { role: 'assistant', text: 'Sí, desde $80 la noche.', at: now - 3 * DAY + 30_000 },
            { role: 'user', text: 'Gracias', at: now - 2 * DAY },
          ],
          pending: [{ text: '¿Y para el sábado?', at: now - 5 * 3600_000 }],
        },
      ],
      now,
    );
  } finally {
    db.close();
  }
  await h.wati.waitForTexts(1, 10_000, IMPORTED);
  for (const [waId, senderName] of [[JOSE, 'José Pérez'], [HOSTILE, HOSTILE_NAME]] as const) {
    expect((await h.post('/webhook', { waId, senderName, userMessage: 'Hola', passkey: TEST_PASSKEY })).status).toBe(200);
    await h.wati.waitForTexts(1, 10_000, waId);
  }
  const res = await h.app.inject({ method: 'POST', url: '/admin/entrar', headers: { ...FORM, ...ORIGIN }, payload: `token=${TOKEN}` });
  cookie = String(res.headers['set-cookie']).split(';')[0] as string;
  // A Messenger guest known only by the name ManyChat sent with a message still waiting (the bot is paused).
  const db2 = openDatabase(h.config.dbPath);
  try {
    db2.prepare(
      `INSERT INTO inbound_messages (conversation_id, channel, external_user_id, kind, text, sender_name, received_at, status)
       VALUES (?, 'facebook', '4455667788', 'text', 'hola', 'Josefa Núñez', ?, 'pending')`,
    ).run(JOSEFA, now);
    db2.prepare(`INSERT INTO conversation_pauses (conversation_id, paused, reason, paused_at, last_human_at) VALUES (?, 1, 'admin', ?, ?)`).run(JOSEFA, now, now);
    // A chat-console trial (npm run chat) under a guest-like name: no guest's, never a search result.
    db2.prepare(
      `INSERT INTO inbound_messages (conversation_id, channel, external_user_id, kind, text, sender_name, received_at, status)
       VALUES ('console:prueba', 'whatsapp', '50300000000', 'text', 'hola', 'Josefina de Prueba', ?, 'answered')`,
    ).run(now);
  } finally {
    db2.close();
  }
}, 40_000);

afterAll(async () => {
  await h?.close();
});

describe('staff dashboard: finding any conversation', () => {
  it('finds a conversation that is on no list by its whole number, in any writing, or by its last digits', async () => {
    // Nothing about these guests needs a person: the attention list does not show them.
    const attention = (await get('/admin/')).body;
    expect(attention).not.toContain('…4321:');
    expect(attention).not.toContain('…5555:');

    for (const q of [IMPORTED, `+${IMPORTED}`, '+503 7000-4321', '(503) 7000 4321', '70004321', '4321']) {
      const res = await search(q);
      expect(res.statusCode, q).toBe(200);
      const page = res.body;
      expect(Object.keys(links(page)), q).toEqual(['4321']);
      expect(page, q).toContain('Conversaciones cuyo número termina en <code>…4321</code>');
      // The whole number is on no page: neither in the results nor in the form.
      expect(page, q).not.toContain(IMPORTED);
      expect(page, q).not.toContain('70004321');
      expect(page).toContain('del servicio anterior');
    }
    const open = await get(links((await search('4321')).body)['4321'] as string);
    expect(open.statusCode).toBe(200);
    expect(open.body).toContain('wa:…4321:');
  });

  it('finds by name without regard to case or accents, across channels, and says when nothing matches', async () => {
    const jose = (await search('jose')).body;
    // José Pérez (WhatsApp) and Josefa Núñez (Messenger, only a name sent with a pending message).
    expect(Object.keys(links(jose)).sort()).toEqual(['5555', '7788']);
    expect(jose).toContain('José Pérez');
    expect(jose).toContain('Josefa Núñez');
    expect(jose).toContain('Messenger');
    expect(jose).toContain('Conversaciones con «jose» en el nombre');
    expect(jose).toContain('value="jose"');
    expect(Object.keys(links((await search('  PÉREZ ')).body))).toEqual(['5555']);
    expect(Object.keys(links((await search('nuñez')).body))).toEqual(['7788']);
    const none = await search('Zacarías');
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('Ninguna conversación coincide.');
    // Digits that end no number.
    expect((await search('99999')).body).toContain('Ninguna conversación coincide.');
  });

  it('escapes names and the query, and runs no script', async () => {
    const res = await search('<img src=x');
    expect(res.statusCode).toBe(200);
    const page = res.body;
    expect(Object.keys(links(page))).toEqual(['6666']);
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; Mala');
    expect(page).toContain('value="&lt;img src=x"');
    // No element, and no attribute of one, came from the name (its `onerror=` is text).
    expect(page).not.toMatch(/<script|<style|<[^>]*\sstyle=|<[^>]*\son[a-z]+=/i);
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses what is no search with a message, and a search from another origin or without a session', async () => {
    const cases: [string, string][] = [
      ['', 'Escriba un número (completo o sus últimos dígitos) o un nombre.'],
      ['   ', 'Escriba un número (completo o sus últimos dígitos) o un nombre.'],
      ['432', 'Escriba al menos los últimos 4 dígitos del número.'],
      ['+1 2', 'Escriba al menos los últimos 4 dígitos del número.'],
      ['1'.repeat(21), 'Un número tiene como máximo 20 dígitos.'],
      ['a', 'Escriba al menos 2 letras del nombre.'],
      ['x'.repeat(101), 'La búsqueda es demasiado larga (máximo 100 caracteres).'],
    ];
    for (const [q, error] of cases) {
      const res = await search(q);
      expect(res.statusCode, JSON.stringify(q)).toBe(400);
      expect(res.body, JSON.stringify(q)).toContain(`<p class="error" role="alert">${error}</p>`);
      expect(links(res.body)).toEqual({});
    }
    // A body that is no form: the same message, nothing found.
    const json = await h.app.inject({ method: 'POST', url: '/admin/buscar', headers: { ...ORIGIN, cookie, 'content-type': 'application/json' }, payload: { q: ['4321'] } });
    expect(json.statusCode).toBe(400);
    const foreign: Record<string, string>[] = [{}, { origin: 'http://evil.example' }, { referer: 'http://evil.example/admin/' }];
    for (const headers of foreign) {
      expect((await search('4321', headers)).statusCode).toBe(403);
    }
    const anonymous = await h.app.inject({ method: 'POST', url: '/admin/buscar', headers: { ...FORM, ...ORIGIN }, payload: 'q=4321' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/admin/entrar');
    expect((await h.app.inject({ method: 'GET', url: '/admin/buscar' })).headers.location).toBe('/admin/entrar');
  });

  it('offers the search on every page, posting to itself', async () => {
    for (const url of ['/admin/', '/admin/hoy', '/admin/trabajos', '/admin/buscar']) {
      const page = (await get(url)).body;
      expect(page, url).toContain('<form method="post" action="/admin/buscar" class="quick-search" role="search">');
    }
    const form = (await get('/admin/buscar')).body;
    expect(form).toContain('<input id="q" name="q" type="search" maxlength="100" value=""');
    expect(form).toContain('aria-current="page">Buscar</a>');
  });
});

describe('staff dashboard: imported history', () => {
  it("shows the Python service's history and the migrated message, marked as imported, before what came after", async () => {
    const page = (await get(links((await search('4321')).body)['4321'] as string)).body;
    const items = page.split('<li class="msg ').slice(1).map((li) => ({
      cls: li.slice(0, li.indexOf('"')),
      imported: /<span class="tag imported">([^<]+)<\/span>/.exec(li)?.[1],
      text: /<div class="text">([^<]*(?:&lt;[^<]*)*)<\/div>/.exec(li)?.[1],
    }));
    expect(items).toEqual([
      { cls: 'guest imported', imported: 'importado del servicio anterior', text: 'Hola, ¿tienen &lt;b&gt;cabañas&lt;/b&gt;?' },
      { cls: 'assistant imported', imported: 'importado del servicio anterior', text: 'Sí, desde $80 la noche.' },
      { cls: 'guest imported', imported: 'importado del servicio anterior', text: 'Gracias' },
      { cls: 'guest imported', imported: 'importado del servicio anterior · sin responder al cambio', text: '¿Y para el sábado?' },
      { cls: 'assistant', imported: undefined, text: expect.stringContaining('¿Y para el sábado?') },
    ]);
    expect(page).toContain('vienen del servicio anterior');
    expect(page).not.toContain('<b>cabañas');
    expect(page).not.toContain(IMPORTED);
  });

  it('marks nothing as imported in a live conversation', async () => {
    const page = (await get(links((await search('5555')).body)['5555'] as string)).body;
    expect(page).toContain('<li class="msg guest">');
    expect(page).not.toContain('imported');
    expect(page).not.toContain('vienen del servicio anterior');
  });
});
