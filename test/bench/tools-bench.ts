// Hotel tools benchmark: check_smart_availability over 7 nights and make_booking, through the tool registry,
// on a private MariaDB (the replica) and the fake booking API on loopback. Run: npx tsx test/bench/tools-bench.ts
//
// "Our time" is a call's wall time minus the time during which at least one booking-API request was in
// flight (the fake's latency and its own queries): what our code costs, the hotel database included.
// The baseline is one bare getRooms round trip measured in the same run; the ratio column compares with it.
// Targets: at most one getRooms per night, under 50 ms of our time for the 7-night check.
import pino from 'pino';
import { request } from 'undici';
import { AvailabilityService } from '../../src/hotel/availability.js';
import { createBookingApi, type BookingApi } from '../../src/hotel/booking-api.js';
import { createCheckSmartAvailabilityTool } from '../../src/tools/booking/check-smart-availability.js';
import { ToolRegistry, type ToolCallContext } from '../../src/tools/registry.js';
import { startFakeBookingApi } from '../support/fake-booking-api.js';
import { createHotelDatabase, hotelDbEnv } from '../support/hotel-fixtures.js';
import { startHotelTools } from '../support/hotel-tools-harness.js';
import { startMariaDbServer } from '../support/mariadb-global-setup.js';

const SMART_TARGET_MS = 50;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 40);
const log = pino({ level: 'silent' });
const NOW = Date.UTC(2026, 11, 20, 4); // a night in December 2026: every seeded date is ahead

/** Wraps the booking API to measure the wall time during which any of its requests was in flight. */
function tracked(api: BookingApi) {
  let active = 0;
  let since = 0;
  let busyMs = 0;
  let getRooms = 0;
  const enter = () => {
    if (active++ === 0) since = performance.now();
  };
  const leave = () => {
    if (--active === 0) busyMs += performance.now() - since;
  };
  const wrap = async <T>(run: () => Promise<T>): Promise<T> => {
    enter();
    try {
      return await run();
    } finally {
      leave();
    }
  };
  return {
    api: {
      freeRooms: (a: string, b: string, s?: AbortSignal) => {
        getRooms++;
        return wrap(() => api.freeRooms(a, b, s));
      },
      createBooking: (f: Parameters<BookingApi['createBooking']>[0], s?: AbortSignal) => wrap(() => api.createBooking(f, s)),
    } satisfies BookingApi,
    take() {
      const out = { busyMs, getRooms };
      busyMs = 0;
      getRooms = 0;
      return out;
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))] ?? NaN;

function context(conversation: number): ToolCallContext {
  return {
    conversationId: `5037${String(conversation).padStart(7, '0')}`,
    channel: 'whatsapp',
    waId: `5037${String(conversation).padStart(7, '0')}`,
    subscriberId: undefined,
    guestName: undefined,
    logger: log,
    clock: { now: () => NOW },
  };
}

async function main(): Promise<void> {
  const server = await startMariaDbServer();
  if (!server) {
    console.log('tools benchmark skipped: install mariadb-server (apt-get install mariadb-server) to run it');
    return;
  }
  const connection = await createHotelDatabase(server.info, 'hotel_bench');
  const fake = await startFakeBookingApi({ connection });
  const bare = createBookingApi({ baseUrl: fake.url, timeoutMs: 10_000 });
  try {
    // Baseline: one bare getRooms round trip (loopback HTTP + the fake's query).
    const base: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const t = performance.now();
      const res = await request(`${fake.url}/api/getRooms?checkIn=2027-02-0${(i % 7) + 1}&checkOut=2027-02-0${(i % 7) + 2}`);
      await res.body.text();
      base.push(performance.now() - t);
    }
    const baseline = median(base);

    // check_smart_availability, 7 nights, a fresh service each time (nothing cached between calls).
    const smartTotal: number[] = [];
    const smartOurs: number[] = [];
    let maxGetRooms = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const t = tracked(bare);
      const tool = createCheckSmartAvailabilityTool({ availability: new AvailabilityService({ api: t.api, concurrency: 4, now: () => NOW }), timezone: 'America/El_Salvador' });
      const registry = new ToolRegistry([tool]);
      const start = performance.now();
      const r = await registry.execute('check_smart_availability', JSON.stringify({ check_in_date: '2027-03-22', check_out_date: '2027-03-29' }), context(1));
      const total = performance.now() - start;
      if (!r.ok) throw new Error(`smart availability failed: ${r.output}`);
      const { busyMs, getRooms } = t.take();
      maxGetRooms = Math.max(maxGetRooms, getRooms);
      smartTotal.push(total);
      smartOurs.push(total - busyMs);
    }

    // make_booking through the real assembly: a fresh card payment and a different night each time.
    const mysql = await import('mysql2/promise');
    const admin = await mysql.createConnection(connection);
    for (let i = 0; i < ITERATIONS; i++) {
      await admin.execute(
        `INSERT INTO compraclick (date, estado, cliente, tarjeta, importe, autorizacion, descripcion, used) VALUES ('2026-12-19 10:00:00', 'APROBADA', 'BENCH', '411111XXXXXX1111', 200.00, ?, 'Bench', 0)`,
        [String(800000 + i)],
      );
    }
    await admin.end();
    const t = tracked(bare);
    const { registry, close } = startHotelTools({
      env: { ...hotelDbEnv(connection), BOOKING_API_URL: fake.url, BOOKING_AUTOMATION: 'always' },
      clock: { now: () => NOW },
      // The API wrapped so its time can be taken out.
      bookingApi: { ...t.api, close: async () => undefined },
    });
    const bookTotal: number[] = [];
    const bookOurs: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const day = new Date(Date.UTC(2027, 0, 4 + i)).toISOString().slice(0, 10);
      const next = new Date(Date.UTC(2027, 0, 5 + i)).toISOString().slice(0, 10);
      const args = {
        customer_name: 'Bench Guest', email: 'bench@example.com', phone_number: 'AUTO', city: 'San Salvador', dui_passport: '0', nationality: 'SV',
        check_in_date: day, check_out_date: next, adults: 2, bungalow_type: 'Junior', package_type: 'Las Hojas',
        payment_method: 'CompraClick', payment_amount: 200, payment_maker_name: 'Bench Guest', authorization_number: String(800000 + i),
      };
      t.take();
      const start = performance.now();
      const r = await registry.execute('make_booking', JSON.stringify(args), context(100 + i));
      const total = performance.now() - start;
      const out = JSON.parse(r.output) as { success?: boolean };
      if (out.success !== true) throw new Error(`make_booking failed: ${r.output}`);
      bookTotal.push(total);
      bookOurs.push(total - t.take().busyMs);
    }
    await close();

    const fmt = (ms: number) => `${ms.toFixed(2).padStart(8)} ms`;
    const ratio = (ms: number) => `${(ms / baseline).toFixed(1).padStart(6)}×`;
    console.log(`hotel tools (${ITERATIONS} calls each; medians; "ours" = wall time minus booking-API time in flight)`);
    console.log(`  baseline: one bare getRooms round trip            ${fmt(baseline)}`);
    console.log(`  check_smart_availability, 7 nights   total ${fmt(median(smartTotal))}  ours ${fmt(median(smartOurs))} (p95 ${fmt(p95(smartOurs))}) ${ratio(median(smartOurs))}   getRooms per call: ${maxGetRooms} (max)`);
    console.log(`  make_booking (card, 1 night)         total ${fmt(median(bookTotal))}  ours ${fmt(median(bookOurs))} (p95 ${fmt(p95(bookOurs))}) ${ratio(median(bookOurs))}`);
    const okNights = maxGetRooms <= 7;
    const okSmart = median(smartOurs) < SMART_TARGET_MS;
    console.log(`  target: ≤ 7 getRooms for 7 nights: ${okNights ? 'met' : 'MISSED'}; smart availability < ${SMART_TARGET_MS} ms ours: ${okSmart ? 'met' : 'MISSED'}`);
    if (!okNights || !okSmart) process.exitCode = 1;
  } finally {
    await bare.close();
    await fake.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
