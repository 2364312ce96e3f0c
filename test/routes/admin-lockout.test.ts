// Guessing the admin token through the real app (issue 22 §4): after MAX_FAILURES wrong tokens a client gets
// 429 with Retry-After on the JSON API and on the dashboard's sign-in, one warn line names it masked (never the
// token), while a right token from another client still works and open sessions keep working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { LOCKOUT_MS, MAX_FAILURES } from '../../src/routes/sign-in-limiter.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { createTestAgent } from '../support/test-agent.js';

const TOKEN = 'admin-secret-for-the-lockout-test';
const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const CONVERSATION = '/admin/conversations/50377009001';

const logLines: string[] = [];
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    env: { ADMIN_TOKEN: TOKEN },
    agent: createTestAgent(() => 'ok'),
    logger: createLogger('info', { write: (line: string) => void logLines.push(line) }),
  });
});
afterAll(async () => {
  await h?.close();
});

const api = (remoteAddress: string, token: string) =>
  h.app.inject({ method: 'GET', url: CONVERSATION, remoteAddress, headers: { authorization: `Bearer ${token}` } });
const signIn = (remoteAddress: string, token: string) =>
  h.app.inject({ method: 'POST', url: '/admin/entrar', remoteAddress, headers: FORM, payload: `token=${encodeURIComponent(token)}` });
const lockoutLines = () => logLines.filter((l) => l.includes('client locked out'));

describe('admin sign-in lockout', () => {
  it(`the JSON API: ${MAX_FAILURES} wrong bearer tokens get 401, then 429 with Retry-After even for the right token; another client's right token works`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < MAX_FAILURES + 20; i++) statuses.push((await api('203.0.113.7', `guess-${i}`)).statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX_FAILURES);
    expect(statuses.slice(MAX_FAILURES)).toEqual(Array(20).fill(429));

    const locked = await api('203.0.113.7', TOKEN);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe(String(LOCKOUT_MS / 1000));
    expect(locked.json()).toMatchObject({ error: 'TOO_MANY_FAILED_ATTEMPTS', retryAfterSeconds: LOCKOUT_MS / 1000 });

    const other = await api('198.51.100.9', TOKEN);
    expect(other.statusCode).toBe(200);
    expect(other.json()).toMatchObject({ conversationId: '50377009001' });

    // One warn line for the lockout, the client masked, no token.
    const lines = lockoutLines();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, client: '203.0.113.x', failures: MAX_FAILURES, lockoutSeconds: LOCKOUT_MS / 1000 });
    expect(logLines.join('')).not.toMatch(/guess-\d|203\.0\.113\.7/);
  });

  it('a right token is not counted: a client signing in between its typos is never locked out', async () => {
    for (let i = 0; i < 3 * MAX_FAILURES; i++) {
      expect((await api('198.51.100.20', i % 2 === 0 ? 'typo' : TOKEN)).statusCode).toBe(i % 2 === 0 ? 401 : 200);
    }
  });

  it(`the dashboard: ${MAX_FAILURES} wrong tokens get the form again, then a 429 page in Spanish with Retry-After; an open session keeps working`, async () => {
    const session = await signIn('192.0.2.44', TOKEN);
    expect(session.statusCode).toBe(303);
    const cookie = String(session.headers['set-cookie']).split(';')[0]!;

    // Sent at once (the wrong-token pause is per request): exactly MAX_FAILURES are answered as guesses.
    const answers = await Promise.all(Array.from({ length: MAX_FAILURES + 5 }, (_, i) => signIn('192.0.2.44', `wrong-${i}`)));
    expect(answers.filter((r) => r.statusCode === 200 && r.body.includes('Token incorrecto.'))).toHaveLength(MAX_FAILURES);
    const refused = answers.filter((r) => r.statusCode === 429);
    expect(refused).toHaveLength(5);
    expect(refused[0]!.headers['retry-after']).toBe(String(LOCKOUT_MS / 1000));
    expect(refused[0]!.body).toContain('Demasiados intentos con un token incorrecto desde esta dirección. Vuelva a intentarlo en 15 minutos.');

    // The right token from that client is refused too; from another client it signs in.
    expect((await signIn('192.0.2.44', TOKEN)).statusCode).toBe(429);
    expect((await signIn('192.0.2.99', TOKEN)).statusCode).toBe(303);
    // A session already open from the locked address is not thrown out.
    const page = await h.app.inject({ method: 'GET', url: '/admin/', remoteAddress: '192.0.2.44', headers: { cookie } });
    expect(page.statusCode).toBe(200);

    expect(lockoutLines().filter((l) => l.includes('192.0.2.x'))).toHaveLength(1);
    expect(logLines.join('')).not.toMatch(/wrong-\d/);
  });
});
