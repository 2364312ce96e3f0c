// The staff dashboard through the real app (app.inject): sign-in, the session cookie, the origin check on every
// POST, the pages' content and headers, and that guest text and phone numbers never reach a page as such.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/app-harness.js';
import { createTestAgent } from '../support/test-agent.js';
import { TEST_PASSKEY } from '../support/test-config.js';
import { until } from '../support/wait.js';

const TOKEN = 'admin-secret-for-the-dashboard';
const ORIGIN = { origin: 'http://localhost' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const SCRIPT_GUEST = '50377001001';
const FAILED_GUEST = '50377001002';
const UNDELIVERED_GUEST = '50377001003';
const ESCALATED_GUEST = '50377001004';
const BIDI_GUEST = '50377001005';
const HOSTILE_TEXT = '<script>alert("xss")</script> & "comillas" \'simples\'';

let h: Harness;

function write(sql: string, ...params: unknown[]): number {
  const db = new Database(h.config.dbPath);
  try {
    return Number(db.prepare(sql).run(...params).lastInsertRowid);
  } finally {
    db.close();
  }
}

async function login(): Promise<string> {
  const res = await h.app.inject({ method: 'POST', url: '/admin/entrar', headers: { ...FORM, ...ORIGIN }, payload: `token=${encodeURIComponent(TOKEN)}` });
  expect(res.statusCode).toBe(303);
  const cookie = String(res.headers['set-cookie']);
  return cookie.split(';')[0] as string;
}

const get = (url: string, cookie?: string) => h.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });

/** The href of the first conversation link next to a masked id ending in these digits. */
function conversationLink(page: string, lastDigits: string): string {
  const row = page.split('<tr>').find((r) => r.includes(`…${lastDigits}:`));
  const href = /href="(\/admin\/conversacion\/[^"]+)"/.exec(row ?? '')?.[1];
  expect(href, `a link for …${lastDigits}`).toBeDefined();
  return href as string;
}

beforeAll(async () => {
  h = await startHarness({
    env: { ADMIN_TOKEN: TOKEN },
    agent: createTestAgent((turn) =>
      turn.conversationId === FAILED_GUEST ? { outcome: 'failed', errorClass: 'server_error' } : `Recibido: ${turn.messages.map((m) => m.text).join(' | ')}`,
    ),
  });
  h.wati.setHandler('updateChatStatus', () => ({ status: 200, body: { result: true } }));
  await h.post('/webhook', { waId: SCRIPT_GUEST, senderName: 'Ana <b>Pérez</b>', userMessage: HOSTILE_TEXT, passkey: TEST_PASSKEY });
  await h.post('/webhook', { waId: FAILED_GUEST, senderName: 'Luis', userMessage: 'Hola', passkey: TEST_PASSKEY });
  await h.wati.waitForTexts(2, 6_000);
  await until(() => h.wati.sentTexts(SCRIPT_GUEST).length === 1, 'the reply to the hostile text');
  // The bot is paused for the first guest through the JSON admin API.
  expect((await h.post(`/admin/conversations/${SCRIPT_GUEST}/pause`, {}, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  const now = Date.now();
  write(`INSERT INTO batches (conversation_id, status, created_at, updated_at, outcome, error_class) VALUES (?, 'undelivered', ?, ?, 'answered', 'channel_rejected')`, UNDELIVERED_GUEST, now - 60_000, now - 60_000);
  write(
    `INSERT INTO payment_follow_ups (conversation_id, payment_key, kind, payload, state, attempts, created_at, updated_at) VALUES (?, 'BANK_x_1', 'bank', '{}', 'escalated', 16, ?, ?)`,
    ESCALATED_GUEST, now - 3_600_000, now - 120_000,
  );
  write(
    `INSERT INTO jobs (kind, conversation_id, payload, status, attempts, max_attempts, run_at, last_error_class, created_at, updated_at) VALUES ('wati.assign_operator', ?, '{}', 'failed', 6, 6, ?, 'http_4xx', ?, ?)`,
    SCRIPT_GUEST, now, now, now,
  );
}, 30_000);

afterAll(async () => {
  await h?.close();
});

describe('staff dashboard: sign-in', () => {
  it('sends every page to the login form without a session, and a forged cookie is no session', async () => {
    for (const url of ['/admin/', '/admin/hoy', '/admin/trabajos', '/admin/conversacion/abc']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toBe('/admin/entrar');
    }
    expect((await get('/admin/', 'watibot3_admin=forged')).headers.location).toBe('/admin/entrar');
    expect((await get('/admin')).headers.location).toBe('/admin/');
    const form = await get('/admin/entrar');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<input id="token" name="token" type="password"');
    expect(form.body).toContain('lang="es"');
  });

  it('a wrong token gets the form again with an error, after a delay, and no cookie', async () => {
    const started = Date.now();
    const res = await h.app.inject({ method: 'POST', url: '/admin/entrar', headers: { ...FORM, ...ORIGIN }, payload: 'token=nope' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('Token incorrecto.');
    expect(res.body).toContain('name="token"');
    const empty = await h.app.inject({ method: 'POST', url: '/admin/entrar', headers: { ...FORM, ...ORIGIN }, payload: 'token=' });
    expect(empty.body).toContain('Escriba el token de administración.');
    expect(empty.headers['set-cookie']).toBeUndefined();
  });

  it('the right token gives an HttpOnly, SameSite=Strict cookie under /admin that is not the token; logout ends it', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/admin/entrar', headers: { ...FORM, ...ORIGIN }, payload: `token=${TOKEN}` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^watibot3_admin=[A-Za-z0-9_-]{43}; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0] as string;
    expect((await get('/admin/', cookie)).statusCode).toBe(200);

    const out = await h.app.inject({ method: 'POST', url: '/admin/salir', headers: { ...ORIGIN, cookie } });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await get('/admin/', cookie)).headers.location).toBe('/admin/entrar');
  });

  it('behind TLS the cookie is also Secure', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/admin/entrar', headers: { ...FORM, host: 'bot.example.com', origin: 'https://bot.example.com' }, payload: `token=${TOKEN}` });
    expect(res.statusCode).toBe(303);
    expect(String(res.headers['set-cookie'])).toContain('; Secure');
  });
});

describe('staff dashboard: POSTs must come from the dashboard', () => {
  it('refuses a POST without Origin or Referer, or from another host, even with a session (403)', async () => {
    const cookie = await login();
    const list = (await get('/admin/', cookie)).body;
    const href = conversationLink(list, SCRIPT_GUEST.slice(-4));
    const attempts: Record<string, string>[] = [
      {},
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { referer: 'http://evil.example/admin/' },
      { origin: 'http://localhost.evil.example' },
    ];
    for (const headers of attempts) {
      for (const url of [`${href}/reanudar`, '/admin/trabajos/1/reintentar', '/admin/salir', '/admin/entrar']) {
        const res = await h.app.inject({ method: 'POST', url, headers: { ...FORM, ...headers, cookie }, payload: `token=${TOKEN}` });
        expect(res.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(403);
        expect(res.headers['set-cookie']).toBeUndefined();
      }
    }
    // Still paused, still signed in.
    const state = await h.app.inject({ method: 'GET', url: `/admin/conversations/${SCRIPT_GUEST}`, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(state.json()).toMatchObject({ paused: true });
    expect((await get('/admin/', cookie)).statusCode).toBe(200);
    // A Referer from our own host is enough when a browser sends no Origin.
    const viaReferer = await h.app.inject({ method: 'POST', url: `${href}/pausar`, headers: { referer: `http://localhost${href}`, cookie } });
    expect(viaReferer.statusCode).toBe(303);
  });
});

describe('staff dashboard: pages', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = await login();
  });

  it('lists the conversations that need a person, with why, and masked numbers only', async () => {
    const res = await get('/admin/', cookie);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const page = res.body;
    expect(page).toContain('Conversaciones que necesitan a una persona');
    for (const id of [SCRIPT_GUEST, FAILED_GUEST, UNDELIVERED_GUEST, ESCALATED_GUEST]) {
      expect(page).toContain(`wa:…${id.slice(-4)}:`);
      expect(page).not.toContain(id);
    }
    expect(page).toContain('Bot en pausa: pausada por el personal');
    expect(page).toContain('El último turno falló (<code>server_error</code>)');
    expect(page).toContain('La última respuesta no se pudo entregar (<code>channel_rejected</code>)');
    expect(page).toContain('Seguimiento de pago escalado al personal');
    expect(page).toContain('Luis');
    // The guest's name is text, not markup.
    expect(page).toContain('Ana &lt;b&gt;Pérez&lt;/b&gt;');
    expect(page).not.toContain('<b>Pérez');
  });

  it('renders guest text containing <script> as text, in the transcript of the conversation', async () => {
    const list = (await get('/admin/', cookie)).body;
    const href = conversationLink(list, SCRIPT_GUEST.slice(-4));
    expect(href).not.toContain(SCRIPT_GUEST);
    const res = await get(href, cookie);
    expect(res.statusCode).toBe(200);
    const page = res.body;
    expect(page).not.toContain('<script');
    expect(page).toContain('&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt; &amp; &quot;comillas&quot; &#39;simples&#39;');
    // The guest's message, the assistant's echo of it (also escaped), the pause and both buttons.
    expect(page.match(/&lt;script&gt;/g)?.length).toBe(2);
    expect(page).toContain('<span class="who">Cliente</span>');
    expect(page).toContain('<span class="who">Asistente</span>');
    expect(page).toMatch(/id="estado">Bot en pausa desde/);
    expect(page).toContain('>Pausar</button>');
    expect(page).toContain('>Reanudar</button>');
    expect(page).not.toContain(SCRIPT_GUEST);
  });

  it('sends a strict Content-Security-Policy and no inline script or style on every page', async () => {
    const list = (await get('/admin/', cookie)).body;
    const pages = ['/admin/', '/admin/hoy', '/admin/trabajos', '/admin/entrar', conversationLink(list, SCRIPT_GUEST.slice(-4))];
    for (const url of pages) {
      const res = await get(url, url === '/admin/entrar' ? undefined : cookie);
      expect(res.statusCode, url).toBe(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
    }
    const css = await get('/admin/estilo.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('pauses and resumes through the same pause store as the admin API', async () => {
    const list = (await get('/admin/', cookie)).body;
    const href = conversationLink(list, FAILED_GUEST.slice(-4));
    const auth = { authorization: `Bearer ${TOKEN}` };
    const state = async () => (await h.app.inject({ method: 'GET', url: `/admin/conversations/${FAILED_GUEST}`, headers: auth })).json<{ paused: boolean; pause: { reason: string } | null }>();
    expect((await state()).paused).toBe(false);

    const paused = await h.app.inject({ method: 'POST', url: `${href}/pausar`, headers: { ...ORIGIN, cookie } });
    expect(paused.statusCode).toBe(303);
    expect(paused.headers.location).toBe(`${href}?hecho=pausado`);
    expect(await state()).toMatchObject({ paused: true, pause: { reason: 'admin' } });
    expect((await get(String(paused.headers.location), cookie)).body).toContain('Bot pausado en esta conversación.');

    const resumed = await h.app.inject({ method: 'POST', url: `${href}/reanudar`, headers: { ...ORIGIN, cookie } });
    expect(resumed.headers.location).toBe(`${href}?hecho=reanudado`);
    expect((await state()).paused).toBe(false);
    const page = (await get(String(resumed.headers.location), cookie)).body;
    expect(page).toContain('Bot reanudado');
    expect(page).toContain('El bot responde en esta conversación.');
  });

  it('answers 404 for a reference it did not issue or one altered', async () => {
    const list = (await get('/admin/', cookie)).body;
    const href = conversationLink(list, FAILED_GUEST.slice(-4));
    const ref = href.split('/').pop() as string;
    const altered = `${ref.slice(0, -2)}${ref.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await get(`/admin/conversacion/${altered}`, cookie)).statusCode).toBe(404);
    expect((await get(`/admin/conversacion/${FAILED_GUEST}`, cookie)).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'POST', url: `/admin/conversacion/${FAILED_GUEST}/pausar`, headers: { ...ORIGIN, cookie } })).statusCode).toBe(404);
  });

  it("shows today's numbers and a 14-day SVG chart", async () => {
    const res = await get('/admin/hoy', cookie);
    const page = res.body;
    expect(page).toContain('<svg class="chart"');
    expect(page.match(/<tr><td>\d\d\/\d\d<\/td>/g)).toHaveLength(14);
    // Today: three conversations with a turn each (one answered, one failed, one undelivered).
    expect(page).toMatch(/<span class="value">3<\/span><span class="label">conversaciones<\/span>/);
    expect(page).toMatch(/<span class="value">3<\/span><span class="label">turnos<\/span>/);
    expect(page).toMatch(/<span class="value">1<\/span><span class="label">respuestas entregadas<\/span>/);
    expect(page).toMatch(/<span class="value">2<\/span><span class="label">fallos<\/span>/);
    expect(page).toMatch(/<span class="value">\d+<\/span><span class="label">pausas/);
  });

  it('lists failed jobs with a masked conversation and retries one', async () => {
    const page = (await get('/admin/trabajos', cookie)).body;
    expect(page).toContain('<code>wati.assign_operator</code>');
    expect(page).toContain('<code>http_4xx</code>');
    expect(page).not.toContain(SCRIPT_GUEST);
    const id = /action="\/admin\/trabajos\/(\d+)\/reintentar"/.exec(page)?.[1];
    expect(id).toBeDefined();
    const res = await h.app.inject({ method: 'POST', url: `/admin/trabajos/${id}/reintentar`, headers: { ...ORIGIN, cookie } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/trabajos?hecho=reintentado');
    const again = await h.app.inject({ method: 'POST', url: `/admin/trabajos/${id}/reintentar`, headers: { ...ORIGIN, cookie } });
    expect(again.headers.location).toMatch(/\/admin\/trabajos\?hecho=(reintentado|no-reintentable)/);
    expect((await h.app.inject({ method: 'POST', url: '/admin/trabajos/999999/reintentar', headers: { ...ORIGIN, cookie } })).statusCode).toBe(404);
  });

  it('neutralises bidirectional controls in guest names and text (no U+202A–202E, U+2066–2069, U+200E/F, U+061C in any page)', async () => {
    const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;
    await h.post('/webhook', { waId: BIDI_GUEST, senderName: 'Ana \u202Egpj.exe\u202C Ruiz', userMessage: 'Hola \u2066mundo\u2069 \u200Fy\u200E \u061Cfin \u202Atexto\u202B \u202D', passkey: TEST_PASSKEY });
    await until(() => h.wati.sentTexts(BIDI_GUEST).length === 1, 'the reply to the bidi guest');
    expect((await h.post(`/admin/conversations/${BIDI_GUEST}/pause`, {}, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const list = (await get('/admin/', cookie)).body;
    expect(list).toContain('Ana gpj.exe Ruiz');
    const conversation = (await get(conversationLink(list, BIDI_GUEST.slice(-4)), cookie)).body;
    expect(conversation).toContain('Hola mundo');
    const search = await h.app.inject({ method: 'POST', url: '/admin/buscar', headers: { ...FORM, ...ORIGIN, cookie }, payload: 'q=Ana' });
    for (const [name, page] of [['attention', list], ['conversation', conversation], ['search', search.body], ['today', (await get('/admin/hoy', cookie)).body]] as const) {
      expect(BIDI.test(page), name).toBe(false);
    }
  });
});

describe('staff dashboard without ADMIN_TOKEN', () => {
  it('does not exist', async () => {
    const bare = await startHarness({ agent: createTestAgent() });
    try {
      for (const url of ['/admin/', '/admin/entrar', '/admin/estilo.css']) expect((await bare.app.inject({ method: 'GET', url })).statusCode).toBe(404);
      expect((await bare.app.inject({ method: 'POST', url: '/admin/entrar', headers: { ...FORM, ...ORIGIN }, payload: 'token=x' })).statusCode).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
