import { describe, expect, it } from 'vitest';
import { parsePaymentDate, validateStay } from '../../src/hotel-rules/stay-dates.js';

const TODAY = '2027-02-12';

describe('validateStay: accepted stays', () => {
  it.each([
    {
      name: 'two nights',
      checkIn: '2027-02-12',
      checkOut: '2027-02-14',
      sameDayAllowed: false,
      nights: ['2027-02-12', '2027-02-13'],
    },
    {
      name: 'one night starting today',
      checkIn: TODAY,
      checkOut: '2027-02-13',
      sameDayAllowed: false,
      nights: ['2027-02-12'],
    },
    {
      name: 'over New Year',
      checkIn: '2027-12-30',
      checkOut: '2028-01-02',
      sameDayAllowed: false,
      nights: ['2027-12-30', '2027-12-31', '2028-01-01'],
    },
    {
      name: 'a day pass is one visit day',
      checkIn: '2027-02-14',
      checkOut: '2027-02-14',
      sameDayAllowed: true,
      nights: ['2027-02-14'],
    },
    {
      name: 'sameDayAllowed does not forbid a normal stay',
      checkIn: '2027-02-14',
      checkOut: '2027-02-15',
      sameDayAllowed: true,
      nights: ['2027-02-14'],
    },
  ])('$name', ({ checkIn, checkOut, sameDayAllowed, nights }) => {
    expect(validateStay({ checkIn, checkOut, sameDayAllowed, today: TODAY })).toEqual({
      ok: true,
      checkIn,
      checkOut,
      nights,
      nightCount: nights.length,
    });
  });

  it('allows exactly maxNights and counts them', () => {
    const result = validateStay({ checkIn: '2027-03-01', checkOut: '2027-03-31', sameDayAllowed: false, today: TODAY });
    expect(result.ok && result.nightCount).toBe(30);
    expect(result.ok && result.nights.at(-1)).toBe('2027-03-30');
    const custom = validateStay({
      checkIn: '2027-03-01',
      checkOut: '2027-03-04',
      sameDayAllowed: false,
      today: TODAY,
      maxNights: 3,
    });
    expect(custom.ok).toBe(true);
  });
});

describe('validateStay: refused stays', () => {
  it.each([
    {
      name: 'check-in not a date',
      checkIn: '14/02/2027',
      checkOut: '2027-02-16',
      field: 'check_in_date',
      message: 'check_in_date must be a real calendar date in YYYY-MM-DD format; got "14/02/2027"',
    },
    {
      name: 'check-in a non-existent day',
      checkIn: '2027-02-30',
      checkOut: '2027-03-02',
      field: 'check_in_date',
      message: 'check_in_date must be a real calendar date in YYYY-MM-DD format; got "2027-02-30"',
    },
    {
      name: 'check-out not a date',
      checkIn: '2027-02-14',
      checkOut: 'mañana',
      field: 'check_out_date',
      message: 'check_out_date must be a real calendar date in YYYY-MM-DD format; got "mañana"',
    },
    {
      name: 'check-out empty',
      checkIn: '2027-02-14',
      checkOut: '',
      field: 'check_out_date',
      message: 'check_out_date must be a real calendar date in YYYY-MM-DD format; got ""',
    },
    {
      name: 'a long argument is cut short in the message',
      checkIn: `2027-02-14' OR 1=1 -- ${'x'.repeat(100)}`,
      checkOut: '2027-02-16',
      field: 'check_in_date',
      message: `check_in_date must be a real calendar date in YYYY-MM-DD format; got "2027-02-14' OR 1=1 -- ${'x'.repeat(18)}…"`, // first 40 characters
    },
    {
      name: 'check-in yesterday',
      checkIn: '2027-02-11',
      checkOut: '2027-02-13',
      field: 'check_in_date',
      message: 'check_in_date (2027-02-11) is in the past; today is 2027-02-12',
    },
    {
      name: 'same day for a room',
      checkIn: '2027-02-14',
      checkOut: '2027-02-14',
      field: 'check_out_date',
      message:
        'check_out_date must be after check_in_date (2027-02-14); only a Pasadía (day pass) starts and ends on the same day',
    },
    {
      name: 'check-out before check-in',
      checkIn: '2027-02-14',
      checkOut: '2027-02-13',
      field: 'check_out_date',
      message: 'check_out_date (2027-02-13) is before check_in_date (2027-02-14)',
    },
    {
      name: 'more than 30 nights',
      checkIn: '2027-03-01',
      checkOut: '2027-04-01',
      field: 'check_out_date',
      message: 'the stay from 2027-03-01 to 2027-04-01 is 31 nights; at most 30 nights can be booked at once',
    },
  ])('$name', ({ checkIn, checkOut, field, message }) => {
    expect(validateStay({ checkIn, checkOut, sameDayAllowed: false, today: TODAY })).toEqual({
      ok: false,
      field,
      message,
    });
  });

  it('a day pass still cannot end before it starts, nor be in the past', () => {
    expect(validateStay({ checkIn: '2027-02-14', checkOut: '2027-02-13', sameDayAllowed: true, today: TODAY })).toMatchObject({
      ok: false,
      field: 'check_out_date',
    });
    expect(validateStay({ checkIn: '2027-02-11', checkOut: '2027-02-11', sameDayAllowed: true, today: TODAY })).toMatchObject({
      ok: false,
      field: 'check_in_date',
    });
  });

  it('honours a smaller maxNights', () => {
    expect(
      validateStay({ checkIn: '2027-03-01', checkOut: '2027-03-05', sameDayAllowed: false, today: TODAY, maxNights: 3 }),
    ).toMatchObject({ ok: false, field: 'check_out_date' });
  });
});

describe('parsePaymentDate', () => {
  // TODAY is Friday 12 February 2027.
  it.each([
    ['hoy', '2027-02-12'],
    ['Hoy.', '2027-02-12'],
    ['ayer', '2027-02-11'],
    ['AYER', '2027-02-11'],
    ['anteayer', '2027-02-10'],
    ['antier', '2027-02-10'],
    ['ante ayer', '2027-02-10'],
    ['today', '2027-02-12'],
    ['yesterday', '2027-02-11'],
    // Numeric, day first.
    ['05/02/2027', '2027-02-05'],
    ['5/2/2027', '2027-02-05'],
    ['5/2/27', '2027-02-05'],
    ['05-02-2027', '2027-02-05'],
    ['05.02.2027', '2027-02-05'],
    ['31/12/2026', '2026-12-31'],
    ['10/02', '2027-02-10'],
    ['13/02', '2026-02-13'], // tomorrow without a year: last year's
    ['2027-02-05', '2027-02-05'],
    // Words, Spanish and English, accents and case ignored.
    ['5 de febrero', '2027-02-05'],
    ['5 de Febrero de 2027', '2027-02-05'],
    ['5 de febrero del 2026', '2026-02-05'],
    ['el lunes 8 de febrero', '2027-02-08'],
    ['febrero 5', '2027-02-05'],
    ['Febrero 5, 2027', '2027-02-05'],
    ['5 feb', '2027-02-05'],
    ['5 feb.', '2027-02-05'],
    ['5 FEB 2027', '2027-02-05'],
    ['12 de febrero', '2027-02-12'], // today itself
    ['13 de febrero', '2026-02-13'],
    ['28 de diciembre', '2026-12-28'],
    ['1 de enero', '2027-01-01'],
    ['primero de enero', '2027-01-01'],
    ['1ro de enero', '2027-01-01'],
    ['3 de setiembre', '2026-09-03'],
    ['15 sept', '2026-09-15'],
    ['20 de Diciémbre', '2026-12-20'],
    ['February 5', '2027-02-05'],
    ['Feb 5th, 2027', '2027-02-05'],
    ['the 3rd of March', '2026-03-03'],
    ['5 August 2026', '2026-08-05'],
    ['dec 24', '2026-12-24'],
    // Month first where it cannot be day first (a slip or a US receipt): there is no month 13 or 24.
    ['11/24/2026', '2026-11-24'],
    ['5/13/2027', '2027-05-13'],
    ['02-14-2027', '2027-02-14'],
    ['12/31', '2026-12-31'],
    // Both ≤ 12 is ambiguous: day first, as before.
    ['11/12/2026', '2026-12-11'],
    // With an explicit year the date is returned as written, even in the future (the caller rejects it).
    ['13/02/2027', '2027-02-13'],
    // 29 February without a year: the latest one not after today.
    ['29 de febrero', '2024-02-29'],
    ['29/02/2028', '2028-02-29'],
  ])('%j → %s', (text, expected) => {
    expect(parsePaymentDate(text, TODAY)).toBe(expected);
  });

  it.each([
    '',
    'mañana',
    'la semana pasada',
    '31 de febrero',
    '31/04/2027',
    '29/02/2027',
    '13/13/2027', // neither order is a date
    '00/14/2027',
    '5 de febrerito',
    'febrero',
    '5',
    '5 de febrero de 27 de 2027',
    '5/2-2027',
    '2027-2-30',
    '5 de febrero de 20275',
    '0 de febrero',
  ])('%j → undefined', (text) => {
    expect(parsePaymentDate(text, TODAY)).toBeUndefined();
  });

  it('counts relative days from the given today, across month and year ends', () => {
    expect(parsePaymentDate('ayer', '2027-03-01')).toBe('2027-02-28');
    expect(parsePaymentDate('antier', '2027-01-01')).toBe('2026-12-30');
    expect(parsePaymentDate('31 de diciembre', '2027-01-01')).toBe('2026-12-31');
    expect(parsePaymentDate('1 de enero', '2027-01-01')).toBe('2027-01-01');
  });
});
