import { describe, expect, it } from 'vitest';
import {
  ALL_ROOMS,
  DAY_PASS_ROOM,
  MATRIMONIAL_ROOMS,
  candidateRooms,
  canonicalRoom,
  countFreeByType,
  normalizePackage,
  normalizePaymentMethod,
  normalizeRoomType,
  pickRoom,
  roomTypeOf,
} from '../../src/hotel-rules/rooms.js';

describe('inventory', () => {
  it('has bungalows 1–59 and rooms 1A–14A, without the day-pass pseudo-room', () => {
    expect(ALL_ROOMS).toHaveLength(73);
    expect(ALL_ROOMS.slice(0, 3)).toEqual(['1', '2', '3']);
    expect(ALL_ROOMS).toContain('59');
    expect(ALL_ROOMS).not.toContain('60');
    expect(ALL_ROOMS.slice(59)).toEqual(['1A', '2A', '3A', '4A', '5A', '6A', '7A', '8A', '9A', '10A', '11A', '12A', '13A', '14A']);
    expect(ALL_ROOMS).not.toContain(DAY_PASS_ROOM);
    expect(DAY_PASS_ROOM).toBe('Pasadía');
    expect(MATRIMONIAL_ROOMS).toEqual(['22', '42', '47', '48', '53']);
  });
});

describe('roomTypeOf', () => {
  it.each([
    ['1', 'Familiar'],
    ['16', 'Familiar'],
    ['17', 'Familiar'], // the original's SQL query forgot 17; the booking code did not
    ['18', 'Junior'],
    ['21', 'Junior'],
    ['22', 'Matrimonial'],
    ['23', 'Junior'],
    ['42', 'Matrimonial'],
    ['47', 'Matrimonial'],
    ['48', 'Matrimonial'],
    ['53', 'Matrimonial'],
    ['59', 'Junior'],
    ['1A', 'Habitación'],
    ['14A', 'Habitación'],
    ['3a', 'Habitación'],
    [' 24 ', 'Junior'],
    ['Pasadía', 'Pasadía'],
    ['Pasadia', 'Pasadía'],
    ['PASADÍA', 'Pasadía'],
    ['0', undefined],
    ['60', undefined],
    ['15A', undefined],
    ['0A', undefined],
    ['024', undefined],
    ['1-24', undefined],
    ['A1', undefined],
    ['', undefined],
    ['Junior', undefined],
  ])('%j → %s', (room, expected) => {
    expect(roomTypeOf(room)).toBe(expected);
  });

  it('canonicalRoom spells rooms as the inventory does', () => {
    expect(canonicalRoom('3a')).toBe('3A');
    expect(canonicalRoom(' 7 ')).toBe('7');
    expect(canonicalRoom('pasadia')).toBe('Pasadía');
    expect(canonicalRoom('99')).toBeUndefined();
  });
});

// 2 Familiar (3, 17), 3 plain Junior (18, 24, 59), 2 Matrimonial (22, 53), 2 Habitación (1A, 14A), day pass.
const FREE = ['24', '3', '22', '1A', 'Pasadía', '18', '53', '17', '14a', '59', 'garbage', '24'];

describe('countFreeByType', () => {
  it.each<[string, readonly string[], ReturnType<typeof countFreeByType>]>([
    ['mixed list with duplicates and junk', FREE, { familiar: 2, junior: 3, matrimonial: 2, habitacion: 2, dayPass: true }],
    ['nothing free', [], { familiar: 0, junior: 0, matrimonial: 0, habitacion: 0, dayPass: false }],
    ['only Matrimonial', ['22', '42'], { familiar: 0, junior: 0, matrimonial: 2, habitacion: 0, dayPass: false }],
    ['3A and 3a are one room', ['3A', '3a', '3'], { familiar: 1, junior: 0, matrimonial: 0, habitacion: 1, dayPass: false }],
  ])('%s', (_name, free, expected) => {
    expect(countFreeByType(free)).toEqual(expected);
  });
});

describe('candidateRooms', () => {
  it.each<[string, readonly string[], Parameters<typeof candidateRooms>[1], string[]]>([
    ['Familiar: 1–17', FREE, 'Familiar', ['3', '17']],
    ['Junior: plain Juniors only while any is free', FREE, 'Junior', ['18', '24', '59']],
    ['Junior: the Matrimonial rooms when no plain Junior is free', ['22', '53', '3'], 'Junior', ['22', '53']],
    ['Matrimonial: only the five', FREE, 'Matrimonial', ['22', '53']],
    ['Matrimonial: never a plain Junior', ['18', '24'], 'Matrimonial', []],
    ['Habitación: 1A–14A, canonical spelling', FREE, 'Habitación', ['1A', '14A']],
    ['Pasadía: the pseudo-room', FREE, 'Pasadía', ['Pasadía']],
    ['Pasadía spelled without accent by the API', ['Pasadia'], 'Pasadía', ['Pasadía']],
    ['Pasadía: not listed, not offered', ['24'], 'Pasadía', []],
    ['Familiar: none free', ['18', '1A'], 'Familiar', []],
  ])('%s', (_name, free, type, expected) => {
    expect(candidateRooms(free, type)).toEqual(expected);
  });
});

describe('pickRoom', () => {
  const fixed = (value: number) => () => value;

  it.each<[string, Parameters<typeof pickRoom>[1], number, string[], string | undefined]>([
    ['first candidate for random 0', 'Junior', 0, [], '18'],
    ['middle candidate', 'Junior', 0.5, [], '24'],
    ['last candidate for random just under 1', 'Junior', 0.999999, [], '59'],
    ['a random() that returns 1 still picks a candidate', 'Junior', 1, [], '59'],
    ['excluded rooms are skipped', 'Junior', 0, ['18'], '24'],
    ['excluded in another spelling', 'Habitación', 0, ['1a'], '14A'],
    ['Matrimonial fallback once the plain Juniors are all taken', 'Junior', 0, ['18', '24', '59'], '22'],
    ['nothing left', 'Familiar', 0, ['3', '17'], undefined],
    ['Pasadía', 'Pasadía', 0.7, [], 'Pasadía'],
  ])('%s', (_name, type, r, exclude, expected) => {
    expect(pickRoom(FREE, type, fixed(r), new Set(exclude))).toBe(expected);
  });

  it('does not depend on the order the API lists the rooms in', () => {
    const reversed = [...FREE].reverse();
    expect(pickRoom(reversed, 'Junior', fixed(0.5))).toBe(pickRoom(FREE, 'Junior', fixed(0.5)));
  });

  it('uses every candidate over the range of random()', () => {
    const picked = new Set([0, 0.34, 0.67].map((r) => pickRoom(FREE, 'Junior', fixed(r))));
    expect(picked).toEqual(new Set(['18', '24', '59']));
  });
});

describe('normalizeRoomType', () => {
  it.each([
    ['Familiar', 'Familiar'],
    ['bungalow familiar', 'Familiar'],
    ['BUNGALOW FAMILIAR', 'Familiar'],
    ['Habitación Familiar', 'Familiar'], // 'habitación' is also just "room"
    ['Junior', 'Junior'],
    ['Bungalow Júnior', 'Junior'],
    ['Matrimonial', 'Matrimonial'],
    ['Junior Matrimonial', 'Matrimonial'], // one of the five
    ['Bungalow Matrimonial', 'Matrimonial'],
    ['Habitación', 'Habitación'],
    ['habitacion doble', 'Habitación'],
    ['Doble', 'Habitación'],
    ['Hab. doble', 'Habitación'],
    ['hab.', 'Habitación'],
    ['Pasadía', 'Pasadía'],
    ['pasadia', 'Pasadía'],
    ['Day Pass', 'Pasadía'],
    ['Familiar o Junior', undefined], // ambiguous: the model must ask
    ['Pasadía familiar', undefined],
    ['Suite', undefined],
    ['', undefined],
    ['hab', undefined],
  ])('%j → %s', (text, expected) => {
    expect(normalizeRoomType(text)).toBe(expected);
  });
});

describe('normalizePackage', () => {
  it.each([
    ['Las Hojas', 'Las Hojas'],
    ['Paquete Las Hojas', 'Las Hojas'],
    ['hojas', 'Las Hojas'],
    ['Escapadita', 'Escapadita'],
    ['paquete escapadita', 'Escapadita'],
    ['Pasadía', 'Pasadía'],
    ['pasadia', 'Pasadía'],
    ['Pasadía en Las Hojas', 'Pasadía'], // Las Hojas is also the resort's name
    ['Romántico', 'Romántico'],
    ['Paquete Romantico', 'Romántico'],
    ['romántica', 'Romántico'],
    ['Romántico Las Hojas', 'Romántico'],
    ['Escapadita o Romántico', undefined],
    ['Todo incluido', undefined],
    ['', undefined],
  ])('%j → %s', (text, expected) => {
    expect(normalizePackage(text)).toBe(expected);
  });
});

describe('normalizePaymentMethod', () => {
  it.each([
    ['CompraClick', 'CompraClick'],
    ['compraclick', 'CompraClick'],
    ['Compra Click', 'CompraClick'],
    ['compra-click', 'CompraClick'],
    ['Tarjeta de crédito', 'CompraClick'],
    ['card', 'CompraClick'],
    ['Credit card', 'CompraClick'],
    ['Depósito BAC', 'Depósito BAC'],
    ['deposito', 'Depósito BAC'],
    ['BAC', 'Depósito BAC'],
    ['Transferencia bancaria', 'Depósito BAC'],
    ['bank transfer', 'Depósito BAC'],
    ['transfer', 'Depósito BAC'],
    ['tarjeta o transferencia', undefined],
    ['efectivo', undefined],
    ['Bitcoin', undefined],
    ['backup', undefined], // 'bac' only as a word
    ['cardenal', undefined], // 'card' only as a word
    ['', undefined],
  ])('%j → %s', (text, expected) => {
    expect(normalizePaymentMethod(text)).toBe(expected);
  });
});
