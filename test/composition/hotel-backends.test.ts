// What is built from config.hotel: tools only for the configured backends, what /ready says, the booking
// automation rule, and a hotel database that is down answering the model within the bound.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { bookingGate } from '../../src/composition/hotel-backends.js';
import { createOfficeCalendar } from '../../src/office/schedule.js';
import { startHotelTools } from '../support/hotel-tools-harness.js';

const log = pino({ level: 'silent' });
/** An instant given as El Salvador wall-clock time (UTC-6). */
const sv = (y: number, mo: number, d: number, h: number) => Date.UTC(y, mo - 1, d, h + 6);

function backends(env: Record<string, string>) {
  return startHotelTools({ env, clock: { now: () => sv(2027, 2, 22, 10) }, bookingTimeoutMs: 1000, registryTimeoutMs: 10_000 });
}

const toolNames = (b: ReturnType<typeof backends>) => b.tools.map((t) => t.name).sort();

describe('hotel backends from configuration', () => {
  it('without DB_HOST or BOOKING_API_URL no hotel tool is offered and /ready names them all', async () => {
    const b = backends({});
    expect(toolNames(b)).toEqual([]);
    expect(b.backends.readiness()).toEqual({
      database: 'DB_HOST is not set',
      bookingApi: 'BOOKING_API_URL is not set',
      compraclickPortal: 'COMPRACLICK_PORTAL_URL, COMPRACLICK_EMAIL and COMPRACLICK_PASSWORD are not set',
      bacPortal: 'BAC_PORTAL_URL, BAC_USERNAME and BAC_PASSWORD are not set',
      bookingAutomation: 'outside_office_hours',
      toolsNotOffered: [
        'check_room_availability', 'check_smart_availability', 'check_room_availability_counts',
        'get_price_for_date', 'validate_compraclick_payment', 'validate_compraclick_payment_fallback', 'validate_bank_transfer', 'lookup_booking',
        'make_booking', 'make_multi_room_booking',
        'start_bank_transfer_retry_process', 'trigger_compraclick_retry_for_missing_payment', 'handle_customer_transferencia_type_response',
        'sync_compraclick_payments', 'sync_bank_transfers', 'create_compraclick_link',
      ],
      whyNotOffered: expect.arrayContaining([
        { tool: 'check_room_availability', missing: 'BOOKING_API_URL is not set' },
        { tool: 'lookup_booking', missing: 'DB_HOST is not set' },
        { tool: 'make_booking', missing: 'DB_HOST and BOOKING_API_URL are not set' },
        { tool: 'sync_bank_transfers', missing: 'BAC_PORTAL_URL, BAC_USERNAME, BAC_PASSWORD and DB_HOST are not set' },
        { tool: 'create_compraclick_link', missing: 'COMPRACLICK_PORTAL_URL, COMPRACLICK_EMAIL and COMPRACLICK_PASSWORD are not set' },
      ]),
    });
    await b.backends.close();
  });

  it('with only the booking API: the availability tools, and no booking without the database', async () => {
    const b = backends({ BOOKING_API_URL: 'http://127.0.0.1:9' });
    expect(toolNames(b)).toEqual(['check_room_availability', 'check_room_availability_counts', 'check_smart_availability']);
    expect(b.backends.readiness().toolsNotOffered).toContain('make_booking');
    await b.backends.close();
  });

  it('BOOKING_AUTOMATION: outside office hours by the office calendar, or always, or never', async () => {
    const config = loadConfig({});
    const office = createOfficeCalendar({ hours: config.office.hours, closures: config.office.closures, timezone: config.timezone });
    const mondayMorning = sv(2027, 2, 22, 10);
    const mondayNight = sv(2027, 2, 22, 21);
    const sunday = sv(2027, 2, 21, 10);
    const auto = bookingGate('outside_office_hours', office);
    expect([(await auto.allowed(mondayMorning)).allowed, (await auto.allowed(mondayNight)).allowed, (await auto.allowed(sunday)).allowed]).toEqual([false, true, true]);
    expect((await bookingGate('always', office).allowed(mondayMorning)).allowed).toBe(true);
    expect((await bookingGate('never', office).allowed(mondayNight)).allowed).toBe(false);
  });

  it('BOOKING_AUTOMATION outside_office_hours reads the phone system’s closure rules, as check_office_status does', async () => {
    const config = loadConfig({});
    let reads = 0;
    const office = createOfficeCalendar({
      hours: config.office.hours,
      closures: config.office.closures,
      timezone: config.timezone,
      // Monday 22 February closed by the PBX (e.g. a staff day off entered on the phone system).
      pbxSource: { closureRules: async () => (reads++, ['*|*|22|feb']) },
    });
    const gate = bookingGate('outside_office_hours', office);
    expect(await gate.allowed(sv(2027, 2, 22, 10))).toEqual({ allowed: true, reason: 'the reservations office is closed' });
    expect((await gate.allowed(sv(2027, 2, 22, 10) + 30_000)).allowed).toBe(true);
    expect(reads).toBe(1); // cached for a minute
    expect((await gate.allowed(sv(2027, 2, 23, 10))).allowed).toBe(false);
    expect(reads).toBe(2);
  });

  describe('a hotel database that does not answer', () => {
    let silent: Server;
    let port: number;
    beforeAll(async () => {
      // Accepts connections and never says anything: the MySQL handshake never comes.
      silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      port = (silent.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => silent.close(() => resolve())));

    it('gives the model an error output within the configured bounds, never an exception or a hang', async () => {
      const b = backends({ DB_HOST: '127.0.0.1', DB_PORT: String(port), DB_USER: 'u', DB_NAME: 'hotel', DB_CONNECT_TIMEOUT_SECONDS: '0.3', DB_QUERY_TIMEOUT_SECONDS: '0.3', DB_RETRIES: '1' });
      const registry = b.registry;
      const started = Date.now();
      const r = await registry.execute('get_price_for_date', JSON.stringify({ date_str: '2027-03-01' }), {
        conversationId: '50370000001', channel: 'whatsapp', waId: '50370000001', subscriberId: undefined, guestName: undefined, logger: log, clock: { now: () => sv(2027, 2, 22, 10) },
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(r.ok).toBe(true);
      const out = JSON.parse(r.output) as Record<string, unknown>;
      expect(out).toMatchObject({ success: false, error: 'the rates database is not answering right now' });
      expect(String(out.assistant_instruction)).toMatch(/transfer_to_human_agent/);
      await b.backends.close();
    });
  });
});
