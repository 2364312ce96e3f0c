import { describe, expect, it } from 'vitest';
import { CAPACITY, alternativesFor, checkOccupancy, occupancyOf, splitParty } from '../../src/hotel-rules/occupancy.js';
import type { FreeCounts } from '../../src/hotel-rules/rooms.js';
import type { BookableType, Party } from '../../src/hotel-rules/types.js';

const party = (adults: number, children6to10 = 0, children0to5 = 0): Party => ({ adults, children0to5, children6to10 });

const NOTE = '(los niños de 6 a 10 años cuentan como media persona y los de 0 a 5 no cuentan).';

describe('occupancyOf', () => {
  it.each([
    [party(2), 2],
    [party(2, 1), 2.5],
    [party(2, 2), 3],
    [party(2, 0, 3), 2], // 0–5 don't count
    [party(4, 3, 2), 5.5],
    [party(0, 0, 0), 0],
  ])('%j → %d', (p, expected) => {
    expect(occupancyOf(p)).toBe(expected);
  });
});

describe('CAPACITY', () => {
  it('matches rule 13', () => {
    expect(CAPACITY).toEqual({
      Familiar: { min: 5, max: 8 },
      Junior: { min: 1, max: 8 },
      Habitación: { min: 1, max: 4 },
      Matrimonial: { min: 2, max: 2 },
      Pasadía: { min: 1, max: Infinity },
    });
  });
});

describe('checkOccupancy', () => {
  it.each<[BookableType, Party]>([
    ['Familiar', party(5)],
    ['Familiar', party(8)],
    ['Familiar', party(4, 2)], // 4 + 2 × 0.5 = 5
    ['Familiar', party(7, 2, 4)],
    ['Junior', party(1)],
    ['Junior', party(8)],
    ['Junior', party(7, 2)],
    ['Junior', party(1, 0, 3)],
    ['Habitación', party(1)],
    ['Habitación', party(4)],
    ['Habitación', party(3, 2)],
    ['Habitación', party(2, 0, 4)],
    ['Matrimonial', party(2)],
    ['Matrimonial', party(2, 0, 2)],
    ['Pasadía', party(1)],
    ['Pasadía', party(120, 30, 10)],
  ])('%s fits %j', (type, p) => {
    expect(checkOccupancy(type, p)).toEqual({ ok: true });
  });

  it.each<[BookableType, Party, number, number, number, string]>([
    ['Familiar', party(3), 3, 5, 8, `El Bungalow Familiar es para 5 a 8 personas; el grupo ocupa 3 ${NOTE}`],
    ['Familiar', party(4, 1, 3), 4.5, 5, 8, `El Bungalow Familiar es para 5 a 8 personas; el grupo ocupa 4.5 ${NOTE}`],
    ['Familiar', party(8, 1), 8.5, 5, 8, `El Bungalow Familiar es para 5 a 8 personas; el grupo ocupa 8.5 ${NOTE}`],
    ['Junior', party(9), 9, 1, 8, `El Bungalow Junior es para 1 a 8 personas; el grupo ocupa 9 ${NOTE}`],
    ['Junior', party(0), 0, 1, 8, `El Bungalow Junior es para 1 a 8 personas; el grupo ocupa 0 ${NOTE}`],
    ['Habitación', party(4, 1), 4.5, 1, 4, `La Habitación Doble es para 1 a 4 personas; el grupo ocupa 4.5 ${NOTE}`],
    ['Habitación', party(5), 5, 1, 4, `La Habitación Doble es para 1 a 4 personas; el grupo ocupa 5 ${NOTE}`],
    ['Matrimonial', party(1), 1, 2, 2, `El Bungalow Matrimonial es para exactamente 2 personas; el grupo ocupa 1 ${NOTE}`],
    ['Matrimonial', party(2, 1), 2.5, 2, 2, `El Bungalow Matrimonial es para exactamente 2 personas; el grupo ocupa 2.5 ${NOTE}`],
    ['Matrimonial', party(3), 3, 2, 2, `El Bungalow Matrimonial es para exactamente 2 personas; el grupo ocupa 3 ${NOTE}`],
    ['Pasadía', party(0), 0, 1, Infinity, `El Pasadía es para al menos 1 persona; el grupo ocupa 0 ${NOTE}`],
  ])('%s refuses %j', (type, p, occupancy, min, max, message) => {
    expect(checkOccupancy(type, p)).toEqual({ ok: false, occupancy, min, max, message });
  });
});

describe('splitParty', () => {
  it.each<[Party, number, Party[]]>([
    [party(4), 2, [party(2), party(2)]],
    [party(5, 1), 2, [party(3, 0), party(2, 1)]], // occupancies 3 and 2.5, not 3.5 and 2
    [party(10, 2, 1), 3, [party(4, 0, 0), party(3, 1, 0), party(3, 1, 1)]],
    [party(7, 3, 2), 4, [party(2, 0, 0), party(2, 1, 0), party(2, 1, 1), party(1, 1, 1)]],
  ])('%j into %i', (p, rooms, expected) => {
    const split = splitParty(p, rooms);
    expect(split).toEqual(expected);
    // Nobody lost or duplicated.
    expect(split.reduce((n, r) => n + r.adults, 0)).toBe(p.adults);
    expect(split.reduce((n, r) => n + r.children6to10, 0)).toBe(p.children6to10);
    expect(split.reduce((n, r) => n + r.children0to5, 0)).toBe(p.children0to5);
  });
});

describe('alternativesFor', () => {
  it.each<[string, Party, ReturnType<typeof alternativesFor>]>([
    [
      '1 adult: no split possible',
      party(1),
      { singleRoom: ['Junior', 'Habitación'], multiRoom: [] },
    ],
    [
      '2 adults + 2 babies: a Matrimonial fits',
      party(2, 0, 2),
      {
        singleRoom: ['Junior', 'Matrimonial', 'Habitación'],
        multiRoom: [
          { type: 'Junior', rooms: 2 },
          { type: 'Habitación', rooms: 2 },
        ],
      },
    ],
    [
      '2 adults + 1 child 6–10: 2.5 is not a Matrimonial; 3 rooms would leave one without an adult',
      party(2, 1),
      {
        singleRoom: ['Junior', 'Habitación'],
        multiRoom: [
          { type: 'Junior', rooms: 2 },
          { type: 'Habitación', rooms: 2 },
        ],
      },
    ],
    [
      '2 adults + 4 children 6–10: never a room of children alone, though 3 rooms would "fit" by occupancy',
      party(2, 4),
      {
        singleRoom: ['Junior', 'Habitación'],
        multiRoom: [
          { type: 'Junior', rooms: 2 },
          { type: 'Matrimonial', rooms: 2 },
          { type: 'Habitación', rooms: 2 },
        ],
      },
    ],
    [
      '3 adults',
      party(3),
      {
        singleRoom: ['Junior', 'Habitación'],
        multiRoom: [
          { type: 'Junior', rooms: 2 },
          { type: 'Junior', rooms: 3 },
          { type: 'Habitación', rooms: 2 },
          { type: 'Habitación', rooms: 3 },
        ],
      },
    ],
    [
      '4 adults: two Matrimonial rooms of 2',
      party(4),
      {
        singleRoom: ['Junior', 'Habitación'],
        multiRoom: [
          { type: 'Junior', rooms: 2 },
          { type: 'Junior', rooms: 3 },
          { type: 'Junior', rooms: 4 },
          { type: 'Matrimonial', rooms: 2 },
          { type: 'Habitación', rooms: 2 },
          { type: 'Habitación', rooms: 3 },
          { type: 'Habitación', rooms: 4 },
        ],
      },
    ],
    [
      '9 adults: 5 + 4 is below the Familiar minimum',
      party(9),
      {
        singleRoom: [],
        multiRoom: [
          { type: 'Junior', rooms: 2 },
          { type: 'Junior', rooms: 3 },
          { type: 'Junior', rooms: 4 },
          { type: 'Habitación', rooms: 3 },
          { type: 'Habitación', rooms: 4 },
        ],
      },
    ],
    [
      '10 adults + 2 children 6–10 + 1 baby (occupancy 11)',
      party(10, 2, 1),
      {
        singleRoom: [],
        multiRoom: [
          { type: 'Familiar', rooms: 2 },
          { type: 'Junior', rooms: 2 },
          { type: 'Junior', rooms: 3 },
          { type: 'Junior', rooms: 4 },
          { type: 'Habitación', rooms: 3 },
          { type: 'Habitación', rooms: 4 },
        ],
      },
    ],
    [
      '16 adults: 4 × 4 is too few for a Familiar',
      party(16),
      {
        singleRoom: [],
        multiRoom: [
          { type: 'Familiar', rooms: 2 },
          { type: 'Familiar', rooms: 3 },
          { type: 'Junior', rooms: 2 },
          { type: 'Junior', rooms: 3 },
          { type: 'Junior', rooms: 4 },
          { type: 'Habitación', rooms: 4 },
        ],
      },
    ],
    ['40 adults: nothing up to 4 rooms', party(40), { singleRoom: [], multiRoom: [] }],
  ])('%s', (_name, p, expected) => {
    expect(alternativesFor(p)).toEqual(expected);
  });

  const free = (counts: Partial<FreeCounts>): FreeCounts => ({
    familiar: 0,
    junior: 0,
    matrimonial: 0,
    habitacion: 0,
    dayPass: false,
    ...counts,
  });

  it.each<[string, Party, FreeCounts, ReturnType<typeof alternativesFor>]>([
    [
      'only what is free, N rooms need N free',
      party(10, 2, 1),
      free({ familiar: 1, junior: 3, matrimonial: 5, habitacion: 4 }),
      {
        singleRoom: [],
        multiRoom: [
          { type: 'Junior', rooms: 2 },
          { type: 'Junior', rooms: 3 },
          { type: 'Habitación', rooms: 3 },
          { type: 'Habitación', rooms: 4 },
        ],
      },
    ],
    [
      'Matrimonial counts against free.matrimonial, Junior against free.junior',
      party(4),
      free({ junior: 0, matrimonial: 2, habitacion: 1 }),
      { singleRoom: ['Habitación'], multiRoom: [{ type: 'Matrimonial', rooms: 2 }] },
    ],
    [
      'a couple with only Matrimonial rooms free',
      party(2),
      free({ matrimonial: 1 }),
      { singleRoom: ['Matrimonial'], multiRoom: [] },
    ],
    ['nothing free', party(2), free({ dayPass: true }), { singleRoom: [], multiRoom: [] }],
  ])('%s', (_name, p, counts, expected) => {
    expect(alternativesFor(p, counts)).toEqual(expected);
  });
});
