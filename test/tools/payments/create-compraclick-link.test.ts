// create_compraclick_link's gates and its idempotency per quote (the portal session itself is tested with
// the real Chromium against the replica portal in test/portals/compraclick.test.ts).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PaymentLinksRepository } from '../../../src/store/payment-links-repository.js';
import { createCompraclickLinkTool } from '../../../src/tools/payments/create-compraclick-link.js';
import { ToolRegistry, type ToolCallContext } from '../../../src/tools/registry.js';
import { tempDbPath } from '../../support/test-config.js';
import { openMigratedDatabase } from '../../support/test-db.js';

const log = pino({ level: 'silent' });
const NOW = Date.UTC(2027, 1, 22, 16);

function setup(freeRooms: string[] = ['24', '25', '1', '2A']) {
  let now = NOW;
  const created: { description: string; amountCents: number }[] = [];
  let release: (() => void) | undefined;
  const registry = new ToolRegistry([
    createCompraclickLinkTool({
      links: new PaymentLinksRepository(openMigratedDatabase(tempDbPath())),
      createLink: async (input) => {
        created.push(input);
        if (release === undefined) return `https://pay.example.com/l/${created.length}`;
        await new Promise<void>((resolve) => (release = resolve));
        return `https://pay.example.com/l/${created.length}`;
      },
      availability: { freeRooms: async () => freeRooms },
      timezone: 'America/El_Salvador',
      portalTimeoutMs: 120_000,
    }),
  ]);
  const ctx = (conversationId = '50370000010'): ToolCallContext => ({
    conversationId, channel: 'whatsapp', waId: conversationId, subscriberId: undefined, guestName: undefined, logger: log, clock: { now: () => now },
  });
  const call = async (args: Record<string, unknown>, c = ctx()) => JSON.parse((await registry.execute('create_compraclick_link', JSON.stringify(args), c)).output) as Record<string, unknown>;
  return { call, ctx, created, advance: (ms: number) => void (now += ms), hold: () => void (release = () => undefined), releaseNow: () => release?.() };
}

const quote = {
  customer_name: 'Ana Lucia Martinez', payment_amount: 276, payment_percentage: '50%', service_type: 'hospedaje',
  check_in_date: '2027-03-12', check_out_date: '2027-03-14', bungalow_type: 'Junior', adults: 2,
};

describe('create_compraclick_link', () => {
  it('creates a link for half the total and gives the same link when asked again for the same quote', async () => {
    const t = setup();
    expect(await t.call(quote)).toEqual({ success: true, link: 'https://pay.example.com/l/1', amount: 138, reused: false, error: '' });
    expect(t.created).toEqual([{ description: 'Ana Lucia Martinez', amountCents: 13800 }]);
    expect(await t.call({ ...quote, customer_name: '  Ana   Lucia Martinez ' })).toMatchObject({ success: true, link: 'https://pay.example.com/l/1', reused: true });
    // Another amount, another conversation, or a day later: a new link.
    expect(await t.call({ ...quote, payment_percentage: '100%' })).toMatchObject({ link: 'https://pay.example.com/l/2', amount: 276 });
    expect(await t.call(quote, t.ctx('50370000011'))).toMatchObject({ link: 'https://pay.example.com/l/3' });
    t.advance(25 * 3600_000);
    expect(await t.call({ ...quote, check_in_date: '2027-03-19', check_out_date: '2027-03-21' })).toMatchObject({ link: 'https://pay.example.com/l/4', reused: false });
    expect(t.created).toHaveLength(4);
  });

  it('two requests for one quote at the same time open one portal session', async () => {
    const t = setup();
    t.hold();
    const first = t.call(quote);
    await new Promise((r) => setTimeout(r, 20));
    expect(await t.call(quote)).toMatchObject({ success: false, error: 'link_in_progress' });
    t.releaseNow();
    expect(await first).toMatchObject({ success: true });
    expect(t.created).toHaveLength(1);
  });

  it('refuses a placeholder name, a group the room cannot take and a type that is not free, creating nothing', async () => {
    const t = setup(['1', '2A']);
    expect(await t.call({ ...quote, customer_name: 'cliente' })).toMatchObject({ error: 'missing_customer_name' });
    expect(await t.call({ ...quote, bungalow_type: 'Matrimonial', adults: 3 })).toMatchObject({ error: 'occupancy_exceeded', availability_blocked: true });
    expect(await t.call(quote)).toMatchObject({ error: 'no_availability', availability_blocked: true, requested_type: 'Junior' });
    expect(await t.call({ ...quote, check_in_date: '2027-01-10' })).toMatchObject({ success: false, field: 'check_in_date' });
    expect(t.created).toEqual([]);
    // A day pass needs no room.
    expect(await t.call({ customer_name: 'Ana Lucia Martinez', payment_amount: 50, payment_percentage: '100%', service_type: 'pasadia' })).toMatchObject({ success: true, amount: 50 });
  });
});
