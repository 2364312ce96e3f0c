import { describe, expect, it } from 'vitest';
import {
  foldForMatch,
  hasFirstAndLastName,
  isPlaceholder,
  isPlausibleEmail,
  localPhone,
  phoneFromWaId,
  splitName,
  titleFor,
} from '../../src/hotel-rules/guest-identity.js';

describe('phoneFromWaId', () => {
  it.each([
    ['50371234567', '71234567'], // El Salvador: local 8 digits
    ['+503 7123-4567', '71234567'],
    ['5037123456', '5037123456'], // 10 digits: not an SV international number, kept
    ['503712345678', '503712345678'], // 12 digits: kept
    ['12025550123', '12025550123'], // US/CA
    ['5215512345678', '5215512345678'], // MX
    ['50255123456', '50255123456'], // GT
    ['50499123456', '50499123456'], // HN
    ['50588123456', '50588123456'], // NI
    ['50688123456', '50688123456'], // CR
    ['50766123456', '50766123456'], // PA
    ['447700900123', '447700900123'], // unknown country: whole
    ['71234567', '71234567'],
    ['', ''],
  ])('%j → %j', (waId, expected) => {
    expect(phoneFromWaId(waId)).toBe(expected);
  });
});

describe('localPhone', () => {
  it.each([
    ['+50371234567', '71234567'],
    ['+503 7123 4567', '71234567'],
    ['503-7123-4567', '71234567'],
    ['7123-4567', '71234567'],
    ['(503) 2222-3333', '22223333'],
    ['+1 (202) 555-0123', '12025550123'],
    ['+502 5512 3456', '50255123456'],
    ['abc', ''],
  ])('%j → %j', (phone, expected) => {
    expect(localPhone(phone)).toBe(expected);
  });
});

describe('isPlaceholder', () => {
  it.each([
    '',
    '   ',
    'pendiente',
    'Pendiente',
    'PENDIENTE.',
    '(pendiente)',
    'por definir',
    'Por  Definir',
    'TBD',
    'auto',
    'AUTO',
    'n/a',
    'N/A',
    'n.a.',
    'NA',
    'ninguno',
    'Ninguna',
    'no aplica',
    'desconocido',
    'no proporcionado',
    'Cliente',
    'guest',
    'huésped',
    'Huesped',
    'usuario',
    'test',
    'prueba',
    'xxx',
    'XXXX',
    '-',
    '--',
    '...',
    '?',
    'null',
    'None',
    'undefined',
    'from_wa_id',
    'FROM_WA_ID',
    '"pendiente"',
  ])('%j is a placeholder', (value) => {
    expect(isPlaceholder(value)).toBe(true);
  });

  it.each([
    'Juan Pérez',
    'Ana',
    'San Salvador',
    'Cliente Pérez', // only the whole value counts
    'pendiente de pago',
    '01234567-8',
    'juan@example.com',
    'Salvadoreña',
    'Xavier',
    'x',
    'Natalia',
    'Autopista Sur', // contains 'auto'
    'Nana',
  ])('%j is real data', (value) => {
    expect(isPlaceholder(value)).toBe(false);
  });
});

describe('names', () => {
  it.each([
    ['Juan Pérez', 'Juan', 'Pérez'],
    ['  María   José  López   Rivas ', 'María', 'José López Rivas'],
    ['Juan\tPérez\nGómez', 'Juan', 'Pérez Gómez'],
    ['Juan', 'Juan', ''],
    ['', '', ''],
    ['   ', '', ''],
  ])('splitName(%j) → %j / %j', (full, firstname, lastname) => {
    expect(splitName(full)).toEqual({ firstname, lastname });
  });

  it.each([
    ['Juan Pérez', true],
    ['María José López', true],
    ['Ñoño Úbeda', true],
    ["O'Brien Smith", true],
    ['Juan', false],
    ['  Juan  ', false],
    ['', false],
    ['Juan 2', false],
    ['Juan .', false],
    ['1 2', false],
  ])('hasFirstAndLastName(%j) → %s', (full, expected) => {
    expect(hasFirstAndLastName(full)).toBe(expected);
  });
});

describe('titleFor', () => {
  it.each<[string, number, 'Sr.' | 'Sra.' | 'Sres.']>([
    ['María', 1, 'Sra.'],
    ['maria', 1, 'Sra.'],
    ['MARÍA', 1, 'Sra.'],
    ['Ana', 1, 'Sra.'],
    ['Rosa', 1, 'Sra.'],
    ['Carmen', 1, 'Sra.'],
    ['Ana-Lucía', 1, 'Sra.'],
    ['Mariano', 1, 'Sr.'], // the original's substring match made him 'Sra.'
    ['Santana', 1, 'Sr.'],
    ['Rosalía', 1, 'Sr.'], // not one of the four names
    ['Juan', 1, 'Sr.'],
    ['', 1, 'Sr.'],
    ['María', 2, 'Sres.'],
    ['Juan', 3, 'Sres.'],
  ])('%j with %i room(s) → %s', (firstname, rooms, expected) => {
    expect(titleFor(firstname, rooms)).toBe(expected);
  });
});

describe('isPlausibleEmail', () => {
  it.each([
    ['juan@example.com', true],
    ['juan.perez+hotel@mail.example.com.sv', true],
    ['j@x.co', true],
    ['juan@example', false],
    ['juanexample.com', false],
    ['juan@@example.com', false],
    ['juan@ex@ample.com', false],
    ['@example.com', false],
    ['juan@.com', false],
    ['juan@example.', false],
    ['juan@example..com', false],
    ['juan@example.c', false],
    ['juan perez@example.com', false],
    [' juan@example.com', false],
    ['', false],
  ])('%j → %s', (text, expected) => {
    expect(isPlausibleEmail(text)).toBe(expected);
  });
});

describe('foldForMatch', () => {
  it.each([
    ['Pérez', 'perez'],
    ['  MUÑOZ   de la   Peña ', 'munoz de la pena'],
    ['Güiza', 'guiza'],
    ['José\tÁlvarez', 'jose alvarez'],
    ['', ''],
  ])('%j → %j', (text, expected) => {
    expect(foldForMatch(text)).toBe(expected);
  });
});
