// The booking service on the real engines (MariaDB replica, fake booking API, SQLite): money counted once
// across concurrent conversations, two processes, lost API answers and failures.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBookingApi } from '../../src/hotel/booking-api.js';
import { createBookingJobKinds } from '../../src/hotel/booking-jobs.js';
import type { BookingRequest } from '../../src/hotel/booking-request.js';
import { BookingService } from '../../src/hotel/booking-service.js';
import { outcomeOutput } from '../../src/tools/booking/booking-arguments.js';
import { AvailabilityService } from '../../src/hotel/availability.js';
import { createHotelDb, type HotelDb } from '../../src/store/hotel-db.js';
import { JobWorker } from '../../src/jobs/worker.js';
import { BookingAttemptsRepository } from '../../src/store/booking-attempts-repository.js';
import { GuestBookings } from '../../src/store/hotel/guest-bookings.js';
import { PaymentLedgers } from '../../src/store/hotel/payment-ledgers.js';
import { PaymentReservations } from '../../src/store/hotel/payment-reservations.js';
import { RatesRepository } from '../../src/store/hotel/rates-repository.js';
import { SqliteJobQueue } from '../../src/store/jobs-repository.js';
import { startFakeBookingApi, type FakeBookingApi } from '../support/fake-booking-api.js';
import { describeWithMariaDb, useHotelDatabase } from '../support/mariadb.js';
import { movableClock, type MovableClock } from '../support/movable-clock.js';
import { openMigratedDatabase } from '../support/test-db.js';

const log = pino({ level: 'silent' });

function request(overrides: Partial<BookingRequest> & { conversationId: string }): BookingRequest {
  return {
    holder: overrides.conversationId,
    guest: { firstname: 'Luis', lastname: 'Fernando Rivas', email: 'luis.demo@example.com', phone: '70000005', city: 'Soyapango', dui: '00000005-5', nationality: 'Salvadoreño' },
    checkIn: '2027-02-22',
    checkOut: '2027-02-23',
    nights: ['2027-02-22'],
    pkg: 'Las Hojas',
    rooms: [{ type: 'Junior', party: { adults: 2, children0to5: 0, children6to10: 0 } }],
    // bac id 4: 236.00 on 21/02/2027, unused; a Monday night for 2 adults at 59 = 118.00
    payment: { method: 'Depósito BAC', bacId: 4, amountCents: 23600, makerName: 'Luis Fernando Rivas' },
    extraBeds: 0,
    extraBedsCostCents: 0,
    customerInstructions: '',
    ...overrides,
  };
}

interface Process {
  service: BookingService;
  attempts: BookingAttemptsRepository;
  jobs: SqliteJobQueue;
  worker: JobWorker;
  clock: MovableClock;
  /** Moves this process's clock on and runs the jobs then due. */
  runJobsAfter(ms: number): Promise<void>;
  notices: { confirmed: [string, string][]; staff: string[] };
  /** How many of the next reservations commit and then lose their answer (a connection lost after COMMIT). */
  reserveAnswersLost: { count: number };
  close(): Promise<void>;
}

describeWithMariaDb('booking service', () => {
  const hotel = useHotelDatabase();
  let api: FakeBookingApi;
  const processes: Process[] = [];

  beforeAll(async () => {
    api = await startFakeBookingApi({ connection: hotel.connection });
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.close()));
    await api?.close();
  });
  beforeEach(async () => {
    await hotel.reset();
  });

  /** One service process: its own SQLite database, the shared hotel database and booking API. */
  function startProcess(options: { timeoutMs?: number } = {}): Process {
    const db = openMigratedDatabase(join(mkdtempSync(join(tmpdir(), 'watibot3-bk-')), 'bot.db'));
    const hotelDb: HotelDb = createHotelDb({ ...hotel.connection, connectTimeoutMs: 3000, queryTimeoutMs: 5000, retries: 1 });
    const bookingApi = createBookingApi({ baseUrl: api.url, timeoutMs: options.timeoutMs ?? 5000 });
    const attempts = new BookingAttemptsRepository(db);
    const jobs = new SqliteJobQueue(db);
    const notices: Process['notices'] = { confirmed: [], staff: [] };
    const clock = movableClock(Date.now());
    const guestBookings = new GuestBookings(hotelDb);
    const late: { service?: BookingService } = {};
    const reservations = new PaymentReservations(hotelDb);
    const reserveAnswersLost = { count: 0 };
    const reserve = reservations.reserve.bind(reservations);
    reservations.reserve = async (...args) => {
      const result = await reserve(...args);
      if (reserveAnswersLost.count > 0) {
        reserveAnswersLost.count--;
        throw new Error('connection lost after COMMIT');
      }
      return result;
    };
    const kinds = createBookingJobKinds({
      attempts,
      guestBookings,
      service: () => late.service as BookingService,
      notifier: { confirmed: (c, r) => void notices.confirmed.push([c, r]), needsStaff: (c) => void notices.staff.push(c) },
      timezone: 'America/El_Salvador',
      now: clock.now,
    });
    const worker = new JobWorker({ queue: jobs, kinds: kinds.all, clock, log, pollMs: 20 });
    const service = new BookingService({
      attempts,
      jobs,
      wakeJobs: () => worker.wake(),
      api: bookingApi,
      availability: new AvailabilityService({ api: bookingApi, concurrency: 4, now: clock.now }),
      rates: new RatesRepository(hotelDb),
      reservations,
      ledgers: new PaymentLedgers(hotelDb),
      jobKinds: kinds,
      now: clock.now,
      timezone: 'America/El_Salvador',
      random: () => 0,
      log,
    });
    late.service = service;
    const p: Process = {
      service,
      attempts,
      jobs,
      worker,
      clock,
      async runJobsAfter(ms) {
        clock.advance(ms);
        await worker.runDue();
      },
      notices,
      reserveAnswersLost,
      async close() {
        await worker.close(1000);
        await bookingApi.close();
        await hotelDb.close();
        db.close();
      },
    };
    processes.push(p);
    return p;
  }

  const bac = async (id: number) => (await hotel.query<{ used: string; codreser: string | null }>('SELECT used, codreser FROM bac WHERE id = ?', [id]))[0];
  const locks = async () => hotel.query<{ payment_ref: string }>('SELECT payment_ref FROM booking_locks ORDER BY payment_ref');
  const addBookingCalls = () => api.requests.filter((r) => r.path === '/api/addBookingUserRest').length;

  it('one ledger row that two conversations use at the same time is consumed once', async () => {
    const p = startProcess();
    const before = addBookingCalls();
    const outcomes = await Promise.all([p.service.book(request({ conversationId: '50370000001' })), p.service.book(request({ conversationId: '50370000002' }))]);
    const kinds = outcomes.map((o) => o.kind).sort();
    expect(kinds).toEqual(['booked', 'payment_in_use']);
    expect(addBookingCalls() - before).toBe(1);
    const booked = outcomes.find((o) => o.kind === 'booked');
    expect(await bac(4)).toEqual({ used: '236.00', codreser: `HR${booked?.kind === 'booked' ? booked.reserva : ''}` });
    expect(await locks()).toEqual([]);
  });

  it('two processes with their own records racing for one payment: the hotel database lock lets one book', async () => {
    const a = startProcess();
    const b = startProcess();
    const before = addBookingCalls();
    const outcomes = await Promise.all([a.service.book(request({ conversationId: '50370000011' })), b.service.book(request({ conversationId: '50370000012' }))]);
    expect(outcomes.filter((o) => o.kind === 'booked')).toHaveLength(1);
    // Waiting for the lock, or after it: the money taken by the other process's booking (which this
    // process has no record of) is nobody's to take.
    expect(outcomes.find((o) => o.kind !== 'booked')).toMatchObject({ kind: expect.stringMatching(/^(pending|payment_rejected|payment_in_use)$/) });
    expect(addBookingCalls() - before).toBe(1);
    expect((await bac(4))?.used).toBe('236.00');
  });

  it('the same payment booked again by the same conversation returns the recorded reservation without a second booking', async () => {
    const p = startProcess();
    const first = await p.service.book(request({ conversationId: '50370000021' }));
    expect(first.kind).toBe('booked');
    const calls = addBookingCalls();
    const again = await p.service.book(request({ conversationId: '50370000021' }));
    expect(again).toMatchObject({ kind: 'booked', repeated: true, reserva: first.kind === 'booked' ? first.reserva : '' });
    expect(addBookingCalls()).toBe(calls);
  });

  it('a refused booking gives the money back and removes the lock', async () => {
    const p = startProcess();
    api.failNext('addBooking', 'room_unavailable', 3);
    const outcome = await p.service.book(request({ conversationId: '50370000031' }));
    expect(outcome.kind).toMatch(/^(failed|sold_out)$/);
    expect(await bac(4)).toEqual({ used: '0.00', codreser: null });
    expect(await locks()).toEqual([]);
    // The payment is free again for a new attempt.
    expect((await p.service.book(request({ conversationId: '50370000031' }))).kind).toBe('booked');
  });

  it('a room taken meanwhile is re-picked (at most twice) and booked', async () => {
    const p = startProcess();
    api.failNext('addBooking', 'room_unavailable', 1);
    const before = addBookingCalls();
    const outcome = await p.service.book(request({ conversationId: '50370000041' }));
    expect(outcome.kind).toBe('booked');
    expect(addBookingCalls() - before).toBe(2);
  });

  it('an answer lost after the backend booked (timeout) is reconciled from user_books, not posted again', async () => {
    const p = startProcess({ timeoutMs: 500 });
    api.hangBookings('after_insert');
    const before = addBookingCalls();
    const outcome = await p.service.book(request({ conversationId: '50370000051' }));
    api.hangBookings(false);
    expect(outcome).toEqual({ kind: 'pending', state: 'in_doubt' });
    expect(p.attempts.forConversation('50370000051', 1)[0]?.state).toBe('in_doubt');
    // The first look is 30 s later.
    await p.runJobsAfter(31_000);
    const attempt = p.attempts.forConversation('50370000051', 1)[0]!;
    expect(attempt.state).toBe('booked');
    expect(p.notices.confirmed).toEqual([['50370000051', attempt.reserva]]);
    expect(await bac(4)).toEqual({ used: '236.00', codreser: `HR${attempt.reserva ?? ''}` });
    expect(addBookingCalls() - before).toBe(1);
    // Asking again gives that reservation.
    expect(await p.service.book(request({ conversationId: '50370000051' }))).toMatchObject({ kind: 'booked', reserva: attempt.reserva });
  });

  it('a lost answer with no reservation found after the last look goes to staff, the money kept for them', async () => {
    const p = startProcess();
    api.failNext('addBooking', 'http500');
    const outcome = await p.service.book(request({ conversationId: '50370000061' }));
    expect(outcome).toEqual({ kind: 'pending', state: 'in_doubt' });
    for (let i = 0; i < 4; i++) await p.runJobsAfter(3_600_000);
    expect(p.attempts.forConversation('50370000061', 1)[0]?.state).toBe('staff');
    expect(p.notices.staff).toEqual(['50370000061']);
    expect((await bac(4))?.used).toBe('236.00');
    expect(await p.service.book(request({ conversationId: '50370000061' }))).toEqual({ kind: 'pending', state: 'staff' });
  });

  it('after a crash mid-call (an attempt left posting) recovery puts it in doubt and reconciles it', async () => {
    const p = startProcess({ timeoutMs: 500 });
    api.hangBookings('after_insert');
    await p.service.book(request({ conversationId: '50370000071' }));
    api.hangBookings(false);
    // Simulate the dead process: the attempt as it was during the call.
    const attempt = p.attempts.forConversation('50370000071', 1)[0]!;
    for (const job of p.jobs.list({ kind: 'booking.reconcile', limit: 5 })) p.jobs.complete(job.id, p.clock.now());
    p.attempts.transition(attempt.id, 'in_doubt', 'posting', p.clock.now());
    const recovered = p.service.recover();
    expect(recovered.inDoubt).toBe(1);
    await p.runJobsAfter(0);
    expect(p.attempts.get(attempt.id)?.state).toBe('booked');
  });

  describe('one payment, several bookings (the payment rule)', () => {
    // bac 4 holds 236.00; one Monday night for 2 adults is 118.00, paid in full each time.
    const half = { method: 'Depósito BAC' as const, bacId: 4, amountCents: 11800, makerName: 'Luis Fernando Rivas' };

    it("pays its conversation's two bookings while its balance covers each, never a third; another guest gets none of it", async () => {
      const a = startProcess();
      const b = startProcess();
      const before = addBookingCalls();
      const first = await a.service.book(request({ conversationId: '50370000101', payment: half }));
      expect(first.kind).toBe('booked');
      // Another guest (another process, its own record) asks for the 118 left: it is not theirs.
      const stranger = await b.service.book(request({ conversationId: '50370000102', payment: half, checkIn: '2027-03-01', checkOut: '2027-03-02', nights: ['2027-03-01'] }));
      expect(stranger).toEqual({ kind: 'payment_in_use' });
      expect(await a.service.book(request({ conversationId: '50370000109', payment: half, checkIn: '2027-03-01', checkOut: '2027-03-02', nights: ['2027-03-01'] }))).toEqual({ kind: 'payment_in_use' });
      // The same conversation's second stay takes it.
      const second = await a.service.book(request({ conversationId: '50370000101', payment: half, checkIn: '2027-03-01', checkOut: '2027-03-02', nights: ['2027-03-01'] }));
      expect(second.kind).toBe('booked');
      const codes = [first, second].map((o) => (o.kind === 'booked' ? `HR${o.reserva}` : ''));
      expect(await bac(4)).toEqual({ used: '236.00', codreser: codes.join(',') });
      const third = await a.service.book(request({ conversationId: '50370000101', payment: half, checkIn: '2027-03-08', checkOut: '2027-03-09', nights: ['2027-03-08'] }));
      expect(third).toMatchObject({ kind: 'payment_rejected', reason: 'already_used', bookingCode: codes.join(','), remainingCents: 0 });
      expect(await a.service.book(request({ conversationId: '50370000101', payment: half }))).toMatchObject({ kind: 'booked', repeated: true });
      expect(addBookingCalls() - before).toBe(2);
      expect(await locks()).toEqual([]);
    });

    it('asked for more than is left, a booking takes what is left when it covers the deposit, and records and sends that amount', async () => {
      const p = startProcess();
      expect((await p.service.book(request({ conversationId: '50370000121', payment: half }))).kind).toBe('booked');
      // 236 paid, 118 left: the model sends the whole 236.
      const second = await p.service.book(request({ conversationId: '50370000121', checkIn: '2027-03-01', checkOut: '2027-03-02', nights: ['2027-03-01'] }));
      expect(second.kind).toBe('booked');
      const reserva = second.kind === 'booked' ? second.reserva : '';
      expect(await hotel.query('SELECT loadamount FROM user_books WHERE reserva = ?', [reserva])).toEqual([{ loadamount: '118.00' }]);
      expect(p.attempts.forConversation('50370000121', 1)[0]).toMatchObject({ amountCents: 11800, reserva });
      expect((await bac(4))?.used).toBe('236.00');
    });

    it('a second booking whose answer is lost is reconciled and added to codreser once, whatever is retried', async () => {
      const p = startProcess({ timeoutMs: 500 });
      expect((await p.service.book(request({ conversationId: '50370000111', payment: half }))).kind).toBe('booked');
      api.hangBookings('after_insert');
      const other = request({ conversationId: '50370000111', payment: half, checkIn: '2027-03-01', checkOut: '2027-03-02', nights: ['2027-03-01'] });
      expect(await p.service.book(other)).toEqual({ kind: 'pending', state: 'in_doubt' });
      api.hangBookings(false);
      // While it is in doubt, neither that booking nor another one takes the payment.
      expect(await p.service.book(other)).toEqual({ kind: 'pending', state: 'in_doubt' });
      const before = addBookingCalls();
      await p.runJobsAfter(31_000);
      const [second, first] = p.attempts.forConversation('50370000111', 2);
      expect(second?.state).toBe('booked');
      // Settled again (a job run twice): the code is not added twice.
      await p.service.settleLedger(second!.id);
      expect(await bac(4)).toEqual({ used: '236.00', codreser: `HR${first!.reserva ?? ''},HR${second!.reserva ?? ''}` });
      expect(addBookingCalls()).toBe(before);
    });
  });

  describe('another stay asked with a payment this conversation is using (issue 22 §3)', () => {
    it('while the first stay is in doubt, another stay is told the payment is held by it (its dates), not that it is being confirmed; the first asked again is still pending', async () => {
      const p = startProcess({ timeoutMs: 500 });
      const who = '50370000141';
      api.hangBookings('after_insert');
      expect(await p.service.book(request({ conversationId: who }))).toEqual({ kind: 'pending', state: 'in_doubt' });
      api.hangBookings(false);
      const calls = addBookingCalls();
      const other = await p.service.book(request({ conversationId: who, checkIn: '2027-03-01', checkOut: '2027-03-02', nights: ['2027-03-01'] }));
      expect(other).toEqual({ kind: 'payment_held', state: 'in_doubt', stay: { code: undefined, checkIn: '2027-02-22', checkOut: '2027-02-23', rooms: ['Junior'] } });
      const told = outcomeOutput(other);
      expect(told).toMatchObject({ success: false, error: 'payment_in_use_for_another_booking', pending_booking: { check_in_date: '2027-02-22', check_out_date: '2027-02-23' } });
      expect(told.customer_message).toContain('del 22/02/2027 al 23/02/2027');
      expect(told.already_booked).toBeUndefined();
      // Another party in the same dates is another booking too.
      const bigger = await p.service.book(request({ conversationId: who, rooms: [{ type: 'Junior', party: { adults: 3, children0to5: 0, children6to10: 0 } }] }));
      expect(bigger.kind).toBe('payment_held');
      expect(await p.service.book(request({ conversationId: who }))).toEqual({ kind: 'pending', state: 'in_doubt' });
      expect(addBookingCalls()).toBe(calls);
    });

    it('once the payment is used up by its bookings, another stay is refused naming them with their dates', async () => {
      const p = startProcess();
      const who = '50370000151';
      const first = await p.service.book(request({ conversationId: who }));
      expect(first.kind).toBe('booked');
      const code = first.kind === 'booked' ? `HR${first.reserva}` : '';
      const other = await p.service.book(request({ conversationId: who, checkIn: '2027-03-01', checkOut: '2027-03-02', nights: ['2027-03-01'] }));
      expect(other).toMatchObject({ kind: 'payment_rejected', reason: 'already_used', bookingCode: code, paidStays: [{ code, checkIn: '2027-02-22', checkOut: '2027-02-23', rooms: ['Junior'] }] });
      const told = outcomeOutput(other);
      expect(told).toMatchObject({ success: false, error: 'already_used_for_booking', paid_bookings: [{ codigo_reserva: code, check_in_date: '2027-02-22', check_out_date: '2027-02-23' }] });
      expect(JSON.stringify(told)).not.toContain('confirmada');
    });
  });

  describe('a reservation whose answer is lost after it committed', () => {
    it('gives the money back to the card sale it took it from, among sales sharing the code that paid earlier bookings', async () => {
      // Two sales with one authorization code: 150 and 300.
      await hotel.query(
        `INSERT INTO compraclick (date, estado, cliente, tarjeta, importe, autorizacion, descripcion, used, codreser, dateused) VALUES
           ('2027-02-19 09:00:00', 'APROBADA', 'LUIS RIVAS', '466666XXXXXX5555', 150.00, '555001', 'Luis Rivas', 0.00, NULL, NULL),
           ('2027-02-19 10:00:00', 'APROBADA', 'LUIS RIVAS', '466666XXXXXX5555', 300.00, '555001', 'Luis Rivas', 0.00, NULL, NULL)`,
      );
      const sales = async () => (await hotel.query<{ used: string }>("SELECT used FROM compraclick WHERE autorizacion = '555001' ORDER BY id")).map((r) => r.used);
      const card = { method: 'CompraClick' as const, authorization: '555001', amountCents: 11800, makerName: 'Luis Fernando Rivas' };
      const p = startProcess();
      const who = '50370000131';
      expect((await p.service.book(request({ conversationId: who, payment: card }))).kind).toBe('booked');
      expect((await p.service.book(request({ conversationId: who, payment: card, checkIn: '2027-03-01', checkOut: '2027-03-02', nights: ['2027-03-01'] }))).kind).toBe('booked');
      // Both sales paid a booking (118 each); only the second has 118 left.
      expect(await sales()).toEqual(['118.00', '118.00']);
      p.reserveAnswersLost.count = 1;
      const before = addBookingCalls();
      const third = await p.service.book(request({ conversationId: who, payment: card, checkIn: '2027-03-08', checkOut: '2027-03-09', nights: ['2027-03-08'] }));
      expect(third.kind).toBe('failed');
      expect(await sales()).toEqual(['118.00', '236.00']);
      await p.runJobsAfter(0);
      // The 118 goes back to the second sale, the one it was taken from; the first is untouched.
      expect(await sales()).toEqual(['118.00', '118.00']);
      expect(await locks()).toEqual([]);
      expect(addBookingCalls()).toBe(before);
    });
  });

  describe('validation before any money moves', () => {
    it('a deposit under half the total is refused without touching the ledger', async () => {
      const p = startProcess();
      const outcome = await p.service.book(request({ conversationId: '50370000081', payment: { method: 'Depósito BAC', bacId: 4, amountCents: 5000, makerName: 'X Y' } }));
      expect(outcome).toMatchObject({ kind: 'deposit_too_small', totalCents: 11800, requiredCents: 5900 });
      expect((await bac(4))?.used).toBe('0.00');
    });

    it('a transfer the Python service used for a booking is refused as used, without naming that booking', async () => {
      const p = startProcess();
      const outcome = await p.service.book(request({ conversationId: '50370000091', payment: { method: 'Depósito BAC', bacId: 1, amountCents: 12800, makerName: 'X Y' } }));
      expect(outcome).toEqual({ kind: 'payment_in_use' });
    });
  });
});
