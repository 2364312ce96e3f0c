// Resolving what the model asked for against the allow-list: labels or addresses, addresses compared
// without regard to case, anything unlisted refusing the whole mail.
import { describe, expect, it } from 'vitest';
import { describeAllowedRecipients, resolveRecipients } from '../../src/email/recipients.js';

const ALLOWED = [
  { label: 'ventas', address: 'ventas@hotel.example' },
  { label: 'promociones', address: 'Promos@Hotel.example' },
  { label: undefined, address: 'reservas@hotel.example' },
];

describe('resolveRecipients', () => {
  it('takes labels and addresses, in any case, each mailbox once', () => {
    expect(resolveRecipients(['VENTAS', 'promos@hotel.example', 'Reservas@Hotel.Example', 'ventas@hotel.example'], ALLOWED)).toEqual({
      ok: true,
      addresses: ['ventas@hotel.example', 'Promos@Hotel.example', 'reservas@hotel.example'],
    });
    expect(resolveRecipients(['Equipo de ventas <Ventas@hotel.example>'], ALLOWED)).toEqual({ ok: true, addresses: ['ventas@hotel.example'] });
  });

  it('refuses the whole mail when one recipient is not listed', () => {
    expect(resolveRecipients(['ventas', 'huesped@gmail.com', ' gerencia '], ALLOWED)).toEqual({
      ok: false,
      refused: ['huesped@gmail.com', 'gerencia'],
      allowedLabels: ['ventas', 'promociones', 'reservas@hotel.example'],
    });
    // A look-alike domain is another mailbox.
    expect(resolveRecipients(['ventas@hotel.example.evil.com'], ALLOWED)).toMatchObject({ ok: false });
    expect(resolveRecipients([], ALLOWED)).toMatchObject({ ok: false, refused: [] });
  });

  it('describes the mailboxes in one line', () => {
    expect(describeAllowedRecipients(ALLOWED)).toBe('ventas (ventas@hotel.example), promociones (Promos@Hotel.example), reservas@hotel.example');
    expect(describeAllowedRecipients([])).toBe('');
  });
});
