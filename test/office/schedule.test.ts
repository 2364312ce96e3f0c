import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  createOfficeCalendar,
  easterSunday,
  elSalvadorHolidays,
  parseClosures,
  parseOfficeHours,
  ScheduleSyntaxError,
} from '../../src/office/schedule.js';

const TZ = 'America/El_Salvador';
/** An instant given as El Salvador wall-clock time (UTC-6, no DST). */
const sv = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h + 6, mi);

const HOURS = 'mon-fri 08:00-17:00; sat 09:00-13:00';
const status = (at: number, closures = '') => createOfficeCalendar({ hours: HOURS, closures, timezone: TZ }).status(at);

describe('office hours syntax', () => {
  it('parses day ranges, lists, wrapping ranges and several time ranges', () => {
    const week = parseOfficeHours('mon-fri 08:00-12:00,13:00-17:00; sat,sun 09:00-13:00; fri-mon 20:00-24:00');
    expect(week[1]).toEqual([
      { start: 480, end: 720 },
      { start: 780, end: 1020 },
      { start: 1200, end: 1440 },
    ]);
    expect(week[3]).toEqual([
      { start: 480, end: 720 },
      { start: 780, end: 1020 },
    ]);
    expect(week[0]).toEqual([
      { start: 540, end: 780 },
      { start: 1200, end: 1440 },
    ]);
  });

  it.each([
    ['mon-fri', /must be "<days> <HH:MM-HH:MM>"/],
    ['mon-fry 08:00-17:00', /"mon-fry" is not a day/],
    ['mon 17:00-08:00', /ends before it starts/],
    ['mon 8-17', /is not a time/],
    ['mon 08:00-25:00', /not a valid time/],
  ])('rejects %s', (text, message) => {
    expect(() => parseOfficeHours(text)).toThrow(ScheduleSyntaxError);
    expect(() => parseOfficeHours(text)).toThrow(message);
  });

  it('parses closures and rejects bad dates', () => {
    expect(parseClosures('2026-12-24; 2026-12-31 12:00-23:59; 2027-01-02..2027-01-03')).toEqual([
      { from: '2026-12-24', to: '2026-12-24', ranges: [] },
      { from: '2026-12-31', to: '2026-12-31', ranges: [{ start: 720, end: 1439 }] },
      { from: '2027-01-02', to: '2027-01-03', ranges: [] },
    ]);
    expect(parseClosures('')).toEqual([]);
    expect(() => parseClosures('2026-02-30')).toThrow('"2026-02-30" is not a date');
    expect(() => parseClosures('2026-12-26..2026-12-24')).toThrow('ends before it starts');
  });

  it('stops startup with the variable named when the syntax is wrong', () => {
    expect(() => loadConfig({ OFFICE_HOURS: 'weekdays 9-5' })).toThrow(ConfigError);
    expect(() => loadConfig({ OFFICE_CLOSURES: 'christmas' })).toThrow(/OFFICE_CLOSURES: "christmas" is not a date/);
  });
});

describe('El Salvador holidays', () => {
  it('computes Easter', () => {
    expect(easterSunday(2024)).toEqual({ month: 3, day: 31 });
    expect(easterSunday(2025)).toEqual({ month: 4, day: 20 });
    expect(easterSunday(2026)).toEqual({ month: 4, day: 5 });
    expect(easterSunday(2038)).toEqual({ month: 4, day: 25 });
  });

  it('lists Holy Week and the fixed holidays', () => {
    const h = elSalvadorHolidays(2026);
    expect(h.get('2026-04-02')).toBe('Jueves Santo');
    expect(h.get('2026-04-03')).toBe('Viernes Santo');
    expect(h.get('2026-04-04')).toBe('Sábado Santo');
    for (const d of ['01-01', '05-01', '05-10', '06-17', '08-06', '09-15', '11-02', '12-25']) {
      expect(h.has(`2026-${d}`)).toBe(true);
    }
    // Local observances are not national holidays; the office lists them in OFFICE_CLOSURES.
    for (const d of ['06-22', '08-03', '08-05']) expect(h.has(`2026-${d}`)).toBe(false);
    expect(h.size).toBe(11);
    expect(elSalvadorHolidays(2025).get('2025-04-17')).toBe('Jueves Santo');
  });
});

describe('OfficeCalendar', () => {
  it('is open on a weekday inside hours, in El Salvador time', () => {
    const s = status(sv(2026, 3, 3, 10, 0));
    expect(s).toMatchObject({ office_status: 'open', can_automate: false });
    expect(s.reason).toContain('martes 2026-03-03 10:00 (America/El_Salvador)');
  });

  it('is closed outside hours, at the exclusive end, on Sunday and Saturday afternoon', () => {
    expect(status(sv(2026, 3, 3, 7, 59)).office_status).toBe('closed');
    expect(status(sv(2026, 3, 3, 17, 0)).office_status).toBe('closed');
    expect(status(sv(2026, 3, 7, 12, 59)).office_status).toBe('open');
    expect(status(sv(2026, 3, 7, 13, 0))).toMatchObject({ office_status: 'closed', can_automate: true });
    expect(status(sv(2026, 3, 8, 10, 0)).office_status).toBe('closed');
  });

  it('uses the local date, not the UTC one', () => {
    // 2026-03-04 01:00 UTC is still Tuesday 19:00 in El Salvador.
    const s = status(Date.UTC(2026, 2, 4, 1, 0));
    expect(s.reason).toContain('martes 2026-03-03 19:00');
  });

  it('is closed on holidays', () => {
    const s = status(sv(2026, 4, 2, 10, 0));
    expect(s).toMatchObject({ office_status: 'closed', can_automate: true });
    expect(s.reason).toContain('feriado en El Salvador (Jueves Santo)');
    expect(status(sv(2026, 9, 15, 10, 0)).office_status).toBe('closed');
  });

  it('applies the closure calendar, whole days and hour ranges', () => {
    const closures = '2026-03-03 09:00-11:00; 2026-03-05';
    expect(status(sv(2026, 3, 3, 10, 0), closures).reason).toContain('cierre programado (2026-03-03)');
    expect(status(sv(2026, 3, 3, 11, 0), closures).office_status).toBe('open');
    expect(status(sv(2026, 3, 5, 15, 0), closures).office_status).toBe('closed');
    expect(status(sv(2026, 3, 6, 15, 0), '2026-03-05..2026-03-06').reason).toContain('2026-03-05 a 2026-03-06');
  });

  it('isOpen agrees with the status', () => {
    const office = createOfficeCalendar({ hours: HOURS, closures: '2026-03-05', timezone: TZ });
    expect(office.isOpen(sv(2026, 3, 3, 10, 0))).toBe(true);
    expect(office.isOpen(sv(2026, 3, 3, 17, 0))).toBe(false);
    expect(office.isOpen(sv(2026, 3, 5, 10, 0))).toBe(false); // closure
    expect(office.isOpen(sv(2026, 4, 2, 10, 0))).toBe(false); // Jueves Santo
  });

  it('rejects bad syntax when it is built', () => {
    expect(() => createOfficeCalendar({ hours: 'weekdays 9-5', closures: '', timezone: TZ })).toThrow(ScheduleSyntaxError);
    expect(() => createOfficeCalendar({ hours: HOURS, closures: 'christmas', timezone: TZ })).toThrow(ScheduleSyntaxError);
  });
});
