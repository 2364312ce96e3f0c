// The payment portals as the service assembles them (config → Chromium → replica portals → MariaDB
// ledgers → tools and follow-ups): syncs that insert nothing twice, a payment link made once per quote, and
// a transfer that shows up in the statement on the third check booked once, the guest told the code.
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HotelBackends } from '../../src/composition/hotel-backends.js';
import type { JobWorker } from '../../src/jobs/worker.js';
import type { ToolCallContext, ToolRegistry } from '../../src/tools/registry.js';
import { chromiumPath, describeWithChromium } from '../support/chromium.js';
import { startFakeBookingApi, type FakeBookingApi } from '../support/fake-booking-api.js';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';
import { movableClock } from '../support/movable-clock.js';
import { sampleStatementCsv, startBacReplica, statementCsv, type BacReplica } from '../support/portals/bac-replica.js';
import { buildSalesReportXlsx, startCompraClickReplica, type CompraClickReplica } from '../support/portals/compraclick-replica.js';
import { hotelDbEnv } from '../support/hotel-fixtures.js';
import { recordingHotelNotifiers } from '../support/hotel-notifiers.js';
import { startHotelTools } from '../support/hotel-tools-harness.js';

const log = pino({ level: 'silent' });
const sv = (y: number, mo: number, d: number, h: number) => Date.UTC(y, mo - 1, d, h + 6);
const MIN = 60_000;

describeWithChromium('payment portals through the service', () => {
  describeWithMariaDb('on the replica portals and ledgers', () => {
    const hotel = useHotelDatabase();
    let api: FakeBookingApi;
    let cc: CompraClickReplica;
    let bac: BacReplica;
    let backends: HotelBackends;
    let registry: ToolRegistry;
    let worker: JobWorker;
    const clock = movableClock(sv(2027, 3, 8, 21)); // a Monday night: the office is closed
    const told: string[] = [];

    beforeAll(async () => {
      api = await startFakeBookingApi({ connection: hotel.connection });
      cc = await startCompraClickReplica({
        email: 'ventas@hotel.example',
        password: 'cc-pass',
        report: () =>
          buildSalesReportXlsx([
            { date: new Date(Date.UTC(2027, 2, 8, 10, 5)), cliente: 'MARIO RUIZ', tarjeta: '411111XXXXXX9999', importe: '1,250.00', autorizacion: '771100', descripcion: 'Mario Ruiz' },
            { date: '08/03/2027 11:20:00', cliente: 'ELSA PONCE', tarjeta: '522222XXXXXX8888', importe: 138, autorizacion: '771101', descripcion: 'Elsa Ponce' },
          ]),
      });
      bac = await startBacReplica({ username: 'hotel', password: 'bac-pass', statements: { current: sampleStatementCsv('current'), previous: sampleStatementCsv('previous') } });
      ({ backends, registry, worker } = startHotelTools({
        env: {
          ...hotelDbEnv(hotel.connection),
          BOOKING_API_URL: api.url,
          CHROMIUM_PATH: chromiumPath ?? '',
          PORTAL_TIMEOUT_SECONDS: '60',
          COMPRACLICK_PORTAL_URL: cc.url, COMPRACLICK_EMAIL: 'ventas@hotel.example', COMPRACLICK_PASSWORD: 'cc-pass',
          BAC_PORTAL_URL: bac.loginUrl, BAC_USERNAME: 'hotel', BAC_PASSWORD: 'bac-pass',
        },
        portals: true,
        clock,
        notifiers: recordingHotelNotifiers(told),
        bookingTimeoutMs: 120_000,
      }));
    }, 60_000);
    afterAll(async () => {
      await backends?.close();
      await Promise.all([api?.close(), cc?.close(), bac?.close()]);
    });

    const context = (conversationId = '50370000123'): ToolCallContext => ({
      conversationId, channel: 'whatsapp', waId: conversationId, subscriberId: undefined, guestName: undefined, logger: log, clock,
    });
    const call = async (name: string, args: unknown = {}) => JSON.parse((await registry.execute(name, JSON.stringify(args), context())).output) as Record<string, unknown>;
    const count = async (table: string) => Number((await hotel.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n);

    it('offers the portal tools and syncs each ledger twice without duplicate rows (thousands separators read)', async () => {
      const names = registry.specs.map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(['sync_compraclick_payments', 'sync_bank_transfers', 'create_compraclick_link']));
      const cards = await count('compraclick');
      const first = await call('sync_compraclick_payments');
      expect(first).toMatchObject({ success: true, rows_inserted: 2 });
      expect(await call('sync_compraclick_payments')).toMatchObject({ rows_inserted: 2 }); // within the cooldown: the same result
      expect(cc.reportDownloads).toBe(1);
      clock.advance(2 * MIN);
      expect(await call('sync_compraclick_payments')).toMatchObject({ success: true, rows_inserted: 0 });
      expect(await count('compraclick')).toBe(cards + 2);
      expect(await hotel.query("SELECT importe FROM compraclick WHERE autorizacion = '771100'")).toEqual([{ importe: '1250.00' }]);

      const lines = await count('bac');
      expect(await call('sync_bank_transfers')).toMatchObject({ success: true, rows_inserted: 3 });
      clock.advance(2 * MIN);
      expect(await call('sync_bank_transfers')).toMatchObject({ success: true, rows_inserted: 0 });
      expect(await count('bac')).toBe(lines + 3);
    }, 60_000);

    it('creates a payment link once and gives the same link when asked again', async () => {
      const quote = { customer_name: 'Elsa Ponce Rivas', payment_amount: 236, payment_percentage: '50%', service_type: 'hospedaje', check_in_date: '2027-03-15', check_out_date: '2027-03-16', bungalow_type: 'Junior', adults: 2 };
      const first = await call('create_compraclick_link', quote);
      expect(first).toMatchObject({ success: true, amount: 118, reused: false });
      expect(cc.links).toHaveLength(1);
      expect(first.link).toBe(cc.links[0]!.url);
      expect(await call('create_compraclick_link', quote)).toMatchObject({ success: true, link: first.link, reused: true });
      expect(cc.links).toHaveLength(1);
    }, 60_000);

    it('a transfer that appears in the statement on the third check is booked once and the guest told the code', async () => {
      const start = await call('start_bank_transfer_retry_process', {
        payment_data: {
          slip_date: '2027-03-08', slip_amount: 118, booking_amount: 118,
          booking_data: { customer_name: 'Elsa Ponce Rivas', email: 'elsa@example.com', city: 'San Salvador', dui_passport: '01234567-8', nationality: 'Salvadoreña', check_in_date: '2027-03-15', check_out_date: '2027-03-16', adults: 2, bungalow_type: 'Junior', package_type: 'Las Hojas' },
        },
      });
      expect(start).toMatchObject({ success: true, retry_started: true });
      for (let minute = 1; minute <= 11; minute++) {
        clock.advance(MIN);
        await worker.runDue(); // checks at +5 and +10 find nothing
      }
      expect(told).toEqual([]);
      bac.setStatement('current', statementCsv(['08/03/2027,3430000999,TF,TRANSFERENCIA 365 ELSA PONCE,0.00,118.00,"11,750.50"']));
      for (let minute = 12; minute <= 16; minute++) {
        clock.advance(MIN);
        await worker.runDue();
      }
      expect(told).toHaveLength(1);
      expect(told[0]).toMatch(/^found, booked HR\d+$/);
      const reserva = told[0]!.replace(/^found, booked HR/, '');
      expect(await hotel.query("SELECT used, codreser FROM bac WHERE reference = '3430000999'")).toEqual([{ used: '118.00', codreser: `HR${reserva}` }]);
      expect(api.bookings()).toBe(1);
    }, 120_000);
  });
});
