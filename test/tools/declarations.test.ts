// Every tool declares what it needs and what it does (src/tools/declaration.ts), and what the service does with
// a tool follows from that: the comparison's dry runs, the chat console's real-actions filter, /ready's reasons.
import { beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { z } from 'zod';
import { realWorldTools, consoleOffers } from '../../src/cli/chat-console.js';
import { dryRunTools, GUEST_FACING, NOT_EXECUTED, simulatedOutput, type DryRunCall } from '../../src/compare/dry-run-tools.js';
import { loadConfig } from '../../src/config.js';
import { createOfficeCalendar } from '../../src/office/schedule.js';
import { TOOL_DOES, TOOL_NEEDS, whyNotOffered, type ToolDoes } from '../../src/tools/declaration.js';
import { TOOL_DECLARATIONS, TOOLS, type ToolDeps } from '../../src/tools/index.js';
import { ORIGINAL_TOOLS } from '../../src/tools/original-tools.js';
import { buildTools, register } from '../../src/tools/registration.js';
import { ToolRegistry } from '../../src/tools/registry.js';
import { defineTool, type ToolDefinition } from '../../src/tools/types.js';
import { productionTools } from '../support/production-tools.js';
import { createRefundDepositTool, REFUND_DEPOSIT } from './fixtures/refund-deposit.js';

/**
 * The original's tools with their "Side effects" column of the catalogue (shared/reference/original-tools.md §4)
 * and what each declares here. Where the port differs it says why: the validators no longer reset `used` (the
 * payment's use is our own record), the menus are read in memory (no PNGs written), the modules tool keeps no
 * analytics row.
 */
const ORIGINAL_CATALOGUE: Record<string, { original: string; does: ToolDoes }> = {
  analyze_payment_proof: { original: 'none (an OpenAI vision call)', does: 'reads' },
  create_compraclick_link: { original: 'creates payment link', does: 'moves-money' },
  check_office_status: { original: 'none', does: 'reads' },
  get_price_for_date: { original: 'none', does: 'reads' },
  send_location_pin: { original: 'none', does: 'reads' },
  send_menu_pdf: { original: 'sends PDF/images', does: 'shows' },
  read_menu_content: { original: 'writes PNGs', does: 'reads' },
  check_room_availability: { original: 'none', does: 'reads' },
  check_smart_availability: { original: 'none', does: 'reads' },
  send_bungalow_pictures: { original: 'sends images', does: 'shows' },
  send_public_areas_pictures: { original: 'sends images', does: 'shows' },
  sync_compraclick_payments: { original: 'DB inserts (from the card portal)', does: 'moves-money' },
  validate_compraclick_payment: { original: 'HEAD may reset `used`', does: 'reads' },
  validate_compraclick_payment_fallback: { original: 'HEAD may reset `used`', does: 'reads' },
  sync_bank_transfers: { original: 'DB inserts (from the bank)', does: 'moves-money' },
  validate_bank_transfer: { original: 'HEAD may reset `used`', does: 'reads' },
  make_booking: { original: 'creates booking, reserves payment', does: 'books' },
  send_email: { original: 'sends e-mail', does: 'emails' },
  start_bank_transfer_retry_process: { original: 'background booking + messages', does: 'books' },
  mark_customer_frustrated: { original: 'escalation message/status', does: 'hands-off' },
  trigger_compraclick_retry_for_missing_payment: { original: 'message now, booking later', does: 'books' },
  notify_operations_department: { original: 'WhatsApp to staff', does: 'alerts-staff' },
  load_additional_modules: { original: 'analytics row', does: 'reads' },
  transfer_to_human_agent: { original: 'ticket → PENDING + assign', does: 'hands-off' },
  send_menu_prices: { original: 'sends PDF/images', does: 'shows' },
  read_menu_prices_content: { original: 'writes PNGs', does: 'reads' },
  check_room_availability_counts: { original: 'none', does: 'reads' },
  make_multi_room_booking: { original: 'creates booking, reserves payment', does: 'books' },
  handle_customer_transferencia_type_response: { original: 'escalation or reassurance (steers the booking follow-up)', does: 'books' },
  lookup_booking: { original: 'none (PII exposure)', does: 'reads' },
};

const ctx = {
  conversationId: '50370000001',
  channel: 'whatsapp' as const,
  waId: '50370000001',
  subscriberId: undefined,
  guestName: undefined,
  logger: pino({ level: 'silent' }),
  clock: { now: () => 0 },
};

describe('the production tool set', () => {
  let tools: readonly ToolDefinition[];
  beforeAll(async () => {
    tools = await productionTools();
  });

  it('is every registered tool, each built as it is registered, with a known effect and known needs', () => {
    expect(tools.map((t) => t.name).toSorted()).toEqual(TOOL_DECLARATIONS.map((d) => d.name).toSorted());
    for (const tool of tools) {
      expect(TOOL_DOES, tool.name).toContain(tool.does);
      for (const need of tool.needs ?? []) expect(Object.keys(TOOL_NEEDS), tool.name).toContain(need);
      expect(TOOL_DECLARATIONS.find((d) => d.name === tool.name), tool.name).toEqual({ name: tool.name, needs: tool.needs ?? [], does: tool.does });
    }
  });

  it("declares for each of the original's tools what the original catalogue says it does", () => {
    expect(Object.keys(ORIGINAL_CATALOGUE).toSorted()).toEqual([...ORIGINAL_TOOLS].toSorted());
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const [name, { does }] of Object.entries(ORIGINAL_CATALOGUE)) {
      expect(byName.get(name)?.does, name).toBe(does);
    }
    // Whatever touches the hotel's systems needs them: a booking both the database and the booking API.
    for (const tool of tools.filter((t) => t.does === 'books')) expect(tool.needs, tool.name).toEqual(['hotel-database', 'booking-api']);
    for (const tool of tools.filter((t) => t.does === 'moves-money')) expect(tool.needs?.some((n) => n.endsWith('-portal')), tool.name).toBe(true);
  });

  it('gives the comparison and its checks their lists from the declarations', () => {
    expect([...NOT_EXECUTED].toSorted()).toEqual(tools.filter((t) => t.does !== 'reads' || t.name === 'analyze_payment_proof').map((t) => t.name).toSorted());
    expect([...GUEST_FACING].toSorted()).toEqual(
      ['mark_customer_frustrated', 'send_bungalow_pictures', 'send_menu_pdf', 'send_menu_prices', 'send_public_areas_pictures', 'transfer_to_human_agent'],
    );
  });
});

describe('a new side-effecting tool: its file and one registration line', () => {
  const refunded: string[] = [];
  const config = loadConfig({});
  const office = createOfficeCalendar({ hours: config.office.hours, closures: config.office.closures, timezone: config.timezone });
  // The one line a new tool adds to tools/index.ts TOOLS (here appended to a copy of it).
  const registrations = [...TOOLS, register<ToolDeps>(REFUND_DEPOSIT, () => createRefundDepositTool({ refunds: { refund: async (reserva) => (refunded.push(reserva), 'RF-1') } }))];
  const tools = buildTools(registrations, { office });

  it('is offered, and in a comparison answers as simulated (or from the recording) without running', async () => {
    expect(tools.map((t) => t.name)).toContain('refund_deposit');
    const log: DryRunCall[] = [];
    const recorded = [{ name: 'refund_deposit', arguments: '{"reserva":"HR7","amount":50}', output: '{"success":true,"refund":"RF-0"}' }];
    const registry = new ToolRegistry(dryRunTools(tools, recorded, log));
    expect((await registry.execute('refund_deposit', '{"amount":50,"reserva":"HR7"}', ctx)).output).toBe('{"success":true,"refund":"RF-0"}');
    expect((await registry.execute('refund_deposit', '{"reserva":"HR8","amount":20}', ctx)).output).toBe(simulatedOutput('refund_deposit'));
    expect((await registry.execute('check_office_status', '{}', ctx)).ok).toBe(true);
    expect(refunded).toEqual([]);
    expect(log.map((l) => [l.name, l.mode])).toEqual([
      ['refund_deposit', 'recorded'],
      ['refund_deposit', 'simulated'],
      ['check_office_status', 'ran'],
    ]);
    // Outside a comparison it does run: the replay, not the tool, kept the money where it was.
    expect((await new ToolRegistry(tools).execute('refund_deposit', '{"reserva":"HR9","amount":5}', ctx)).output).toBe('{"success":true,"refund":"RF-1"}');
    expect(refunded).toEqual(['HR9']);
  });

  it('is withheld by the chat console without --real-actions, and named as a real action with it', () => {
    const trial = new ToolRegistry(tools.filter((t) => consoleOffers(t, false)));
    expect(trial.has('refund_deposit')).toBe(false);
    expect(trial.has('check_office_status')).toBe(true);
    expect(realWorldTools(trial.declarations)).toEqual([]);
    const real = new ToolRegistry(tools.filter((t) => consoleOffers(t, true)));
    expect(realWorldTools(real.declarations)).toEqual(['refund_deposit']);
  });

  it('when its service is missing, /ready can name the variable from its needs', () => {
    const declared = registrations.map((r) => r.declaration);
    expect(whyNotOffered(declared, new Set(), { 'hotel-database': { unset: ['DB_HOST'] } })).toContainEqual({ tool: 'refund_deposit', missing: 'DB_HOST is not set' });
    expect(whyNotOffered(declared, new Set(), { 'hotel-database': { unset: [] } })).toContainEqual({
      tool: 'refund_deposit',
      missing: 'its service is not available although its variables are set',
    });
  });

  it('cannot be registered as one thing and built as another', () => {
    const liar = register<ToolDeps>({ ...REFUND_DEPOSIT, does: 'reads' }, () => createRefundDepositTool({ refunds: { refund: async () => 'x' } }));
    expect(() => buildTools([liar], { office })).toThrow(/refund_deposit \(moves-money\) was registered as refund_deposit \(reads/);
  });

  it('cannot leave out what it does: `does` is required by the type', () => {
    // @ts-expect-error a tool definition without `does` does not compile (npx tsc -p tsconfig.test.json)
    const undeclared = defineTool({ name: 'undeclared', description: 'x', parameters: z.object({}), handler: () => '' });
    expect(undeclared.does).toBeUndefined();
  });
});
