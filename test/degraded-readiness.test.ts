// /ready and the start log are truthful about a degraded service: every tool the original offered that is not
// offered here is named with the exact variables that are missing (warnings among the reasons, which do not
// by themselves make /ready 503), and the start log says it once; the original's variables this service does
// not read are named once at start (names and replacements, never values).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HotelReadiness } from '../src/composition/hotel-backends.js';
import { createServices, type Services } from '../src/services.js';
import { ORIGINAL_TOOLS } from '../src/tools/original-tools.js';
import { startFakeWati, type FakeWati } from './support/fake-wati.js';
import { testConfig } from './support/test-config.js';

let wati: FakeWati;
let services: Services | undefined;
beforeAll(async () => {
  wati = await startFakeWati();
});
afterAll(async () => {
  await wati.close();
});
afterEach(async () => {
  await services?.close();
  services = undefined;
});

/** A logger whose JSON lines are kept. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  const log = pino({ level: 'info' }, stream);
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

// Backends that are configured but never contacted while the service only starts.
const DATABASE = { DB_HOST: '127.0.0.1', DB_PORT: '9', DB_USER: 'bot', DB_NAME: 'hotel' };
const BOOKING_API = { BOOKING_API_URL: 'http://127.0.0.1:9' };
const COMPRACLICK = { COMPRACLICK_PORTAL_URL: 'http://127.0.0.1:9/cc', COMPRACLICK_EMAIL: 'ventas@hotel.example', COMPRACLICK_PASSWORD: 'cc-secret' };
const BAC = { BAC_PORTAL_URL: 'http://127.0.0.1:9/bac', BAC_USERNAME: 'hotel', BAC_PASSWORD: 'bac-secret' };
const EMAIL = { SMTP_URL: 'smtp://127.0.0.1:9', EMAIL_FROM: 'bot@hotel.example', EMAIL_ALLOWED_RECIPIENTS: 'reservas@hotel.example' };
const STAFF = { STAFF_WHATSAPP_NUMBERS: '50370000001' };
const modulesDir = mkdtempSync(join(tmpdir(), 'wb3-degraded-modules-'));
writeFileSync(join(modulesDir, 'precios.md'), 'MÓDULO DE PRECIOS: el Pasadía cuesta US$ 25 por adulto.');
const MODULES_DIR = { SYSTEM_INSTRUCTIONS_MODULES_DIR: modulesDir };
// The hotel's own instructions: the shipped example prompt would itself make /ready 503 while WATI can send.
const instructionsPath = join(mkdtempSync(join(tmpdir(), 'wb3-degraded-instructions-')), 'instructions.txt');
writeFileSync(instructionsPath, 'Eres el asistente del hotel. Responde en español.');

async function start(env: Record<string, string>) {
  const capture = capturingLogger();
  const config = testConfig({ WATI_API_URL: wati.url, WATI_API_KEY: wati.apiKey, SYSTEM_INSTRUCTIONS_PATH: instructionsPath, ...env });
  services = await createServices(config, { logger: capture.log, shutdownGraceMs: 500 });
  services.start();
  return { services, ...capture };
}

/** checks.hotel of the readiness report. */
const hotelChecks = (s: Services) => s.readiness().checks.hotel as HotelReadiness;

/** The readiness reasons about tools not offered. */
const toolReasons = (s: Services) => s.readiness().reasons.filter((r) => r.startsWith('not offered'));

describe('/ready names every tool of the original that is not offered, with the exact missing variables', () => {
  it('the CompraClick portal without its URL blames COMPRACLICK_PORTAL_URL, not the e-mail and password that are set', async () => {
    const { services: s } = await start({ ...DATABASE, ...BOOKING_API, ...BAC, ...EMAIL, ...STAFF, ...MODULES_DIR, COMPRACLICK_EMAIL: 'ventas@hotel.example', COMPRACLICK_PASSWORD: 'cc-secret' });
    const ready = s.readiness();
    expect(hotelChecks(s).compraclickPortal).toBe('COMPRACLICK_PORTAL_URL is not set');
    expect(toolReasons(s)).toEqual(['not offered because COMPRACLICK_PORTAL_URL is not set: sync_compraclick_payments, create_compraclick_link']);
    expect(ready.reasons.join('\n')).not.toMatch(/COMPRACLICK_EMAIL|COMPRACLICK_PASSWORD/);
    // A warning: the service still answers.
    expect(ready.ready).toBe(true);
  });

  it('nothing of the hotel configured: each group of tools with what it needs', async () => {
    const { services: s } = await start({});
    expect(toolReasons(s)).toEqual([
      'not offered because BOOKING_API_URL is not set: check_room_availability, check_smart_availability, check_room_availability_counts',
      'not offered because DB_HOST is not set: get_price_for_date, validate_compraclick_payment, validate_compraclick_payment_fallback, validate_bank_transfer, lookup_booking',
      'not offered because DB_HOST and BOOKING_API_URL are not set: make_booking, make_multi_room_booking, start_bank_transfer_retry_process, trigger_compraclick_retry_for_missing_payment, handle_customer_transferencia_type_response',
      'not offered because COMPRACLICK_PORTAL_URL, COMPRACLICK_EMAIL, COMPRACLICK_PASSWORD and DB_HOST are not set: sync_compraclick_payments',
      'not offered because BAC_PORTAL_URL, BAC_USERNAME, BAC_PASSWORD and DB_HOST are not set: sync_bank_transfers',
      'not offered because COMPRACLICK_PORTAL_URL, COMPRACLICK_EMAIL and COMPRACLICK_PASSWORD are not set: create_compraclick_link',
      'not offered because SYSTEM_INSTRUCTIONS_PATH is plain text (not the JSON file of modules) and SYSTEM_INSTRUCTIONS_MODULES_DIR is not set: load_additional_modules',
      'not offered because SMTP_URL (or GMAIL_CLIENT_ID, GMAIL_CLIENT_SECRET, GMAIL_REFRESH_TOKEN and GMAIL_SENDER_EMAIL) and EMAIL_ALLOWED_RECIPIENTS are not set: send_email',
      'not offered because STAFF_WHATSAPP_NUMBERS and STAFF_ALERT_EMAIL are not set: notify_operations_department',
    ]);
    // Every tool of the original is either offered or named above.
    const named = toolReasons(s).flatMap((r) => r.slice(r.lastIndexOf(': ') + 2).split(', '));
    const agent = s.agent as { offeredTools?: () => readonly string[] };
    expect([...named, ...(agent.offeredTools?.() ?? [])].toSorted()).toEqual([...ORIGINAL_TOOLS].toSorted());
    expect(s.readiness().ready).toBe(true);
  });

  it('the database without the booking API, BAC without its password, a mailbox without a transport', async () => {
    const { services: s } = await start({
      ...DATABASE,
      ...COMPRACLICK,
      ...MODULES_DIR,
      BAC_PORTAL_URL: BAC.BAC_PORTAL_URL,
      BAC_USERNAME: BAC.BAC_USERNAME,
      EMAIL_ALLOWED_RECIPIENTS: 'reservas@hotel.example',
      STAFF_ALERT_EMAIL: 'gerencia@hotel.example',
    });
    expect(toolReasons(s)).toEqual([
      'not offered because BOOKING_API_URL is not set: check_room_availability, check_smart_availability, check_room_availability_counts, make_booking, make_multi_room_booking, start_bank_transfer_retry_process, trigger_compraclick_retry_for_missing_payment, handle_customer_transferencia_type_response',
      'not offered because BAC_PASSWORD is not set: sync_bank_transfers',
      'not offered because SMTP_URL (or GMAIL_CLIENT_ID, GMAIL_CLIENT_SECRET, GMAIL_REFRESH_TOKEN and GMAIL_SENDER_EMAIL) is not set: send_email',
      'not offered because STAFF_ALERT_EMAIL needs SMTP_URL (or the GMAIL_* variables) and STAFF_WHATSAPP_NUMBERS is not set: notify_operations_department',
    ]);
    expect(hotelChecks(s).bacPortal).toBe('BAC_PASSWORD is not set');
  });

  it('everything configured: no tool reason, and every tool of the original is offered', async () => {
    const { services: s, records } = await start({ ...DATABASE, ...BOOKING_API, ...COMPRACLICK, ...BAC, ...EMAIL, ...STAFF, ...MODULES_DIR });
    expect(toolReasons(s)).toEqual([]);
    const agent = s.agent as { offeredTools?: () => readonly string[] };
    expect(agent.offeredTools?.().filter((t) => ORIGINAL_TOOLS.includes(t)).toSorted()).toEqual([...ORIGINAL_TOOLS].toSorted());
    expect(records().filter((r) => r.msg === 'tools of the original service are not offered')).toEqual([]);
  });

  it('the start log names the tools not offered once', async () => {
    const { services: s, records } = await start({ ...DATABASE, ...COMPRACLICK, ...BAC, ...EMAIL, ...STAFF, ...MODULES_DIR });
    s.readiness();
    s.start(); // a second start() does nothing
    const warnings = records().filter((r) => r.msg === 'tools of the original service are not offered');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: 40,
      notOffered: ['not offered because BOOKING_API_URL is not set: check_room_availability, check_smart_availability, check_room_availability_counts, make_booking, make_multi_room_booking, start_bank_transfer_retry_process, trigger_compraclick_retry_for_missing_payment, handle_customer_transferencia_type_response'],
    });
  });
});

describe('the original variables this service does not read', () => {
  it('are named once at start with what replaces them, never with their values', async () => {
    const secrets = {
      OPENAI_AGENT_ID: 'asst_SECRET_AGENT_1',
      THREAD_ROTATION_TURN_LIMIT: '15',
      RAG_ENABLED: 'true',
      USE_RESPONSES_API: 'true',
      THREAD_DB_PATH: '/home/robin/watibot3/thread_store.db',
      CONVERSATION_LOG_DB_PATH: '/home/robin/watibot3/app/conversation_log.db',
      WEBHOOK_SECRET: 'http://34.122.245.23:8003/webhook',
      INTERNAL_API_KEY: 'internal-SECRET-key',
    };
    const { lines, records } = await start({ ...secrets, FLEX_ENABLED: 'true', FLEX_TIMEOUT_SECONDS: '120' });
    const warnings = records().filter((r) => r.msg === 'variables of the original service are not read by this one');
    expect(warnings).toHaveLength(1);
    const notRead = warnings[0]?.notRead as Record<string, string>;
    expect(Object.keys(notRead).toSorted()).toEqual(Object.keys(secrets).toSorted());
    expect(notRead.USE_RESPONSES_API).toMatch(/LLM_API/);
    expect(notRead.THREAD_ROTATION_TURN_LIMIT).toMatch(/HISTORY_MAX_TOKENS/);
    expect(notRead.INTERNAL_API_KEY).toMatch(/ADMIN_TOKEN/);
    expect(notRead.WEBHOOK_SECRET).toMatch(/WEBHOOK_PASSKEY/);
    // FLEX_* are read now, so not listed; and no value appears anywhere in the log.
    expect(notRead).not.toHaveProperty('FLEX_ENABLED');
    const log = lines.join('\n');
    for (const value of ['asst_SECRET_AGENT_1', '/home/robin', '34.122.245.23', 'internal-SECRET-key']) expect(log).not.toContain(value);
  });

  it('are not mentioned when none is set (a blank one counts as unset)', async () => {
    const { records } = await start({ OPENAI_AGENT_ID: '  ' });
    expect(records().filter((r) => r.msg === 'variables of the original service are not read by this one')).toEqual([]);
  });
});
