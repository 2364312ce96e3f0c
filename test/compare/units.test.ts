// The comparison's parts on their own: the side specs, the turn selection, the history a replay gets (the
// history loader's, as it was right before the turn), the dry-run tool layer and the reply checks.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { checkReply, hasInternalText } from '../../src/compare/checks.js';
import { canonicalArguments, dryRunTools, NOT_EXECUTED, simulatedOutput, type DryRunCall } from '../../src/compare/dry-run-tools.js';
import { replayTurn, selectTurns, SelectionError } from '../../src/compare/selection.js';
import { parseSideSpec, resolveSide, SideSpecError } from '../../src/compare/side-spec.js';
import { CompareRepository } from '../../src/store/compare-repository.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { defineTool, ToolRegistry, type ToolDefinition } from '../../src/tools/index.js';
import { quietLogger } from '../agent/helpers.js';
import { openMigratedDatabase } from '../support/test-db.js';
import { testConfig, tempDbPath } from '../support/test-config.js';
import { ANA, BETO, BOOKING_ARGS, BOOKING_OUTPUT, CARLA, commitSeededTurn, seedCompareDatabase, SEEDED_TURNS } from './seed.js';

describe('side specs', () => {
  const config = testConfig({ OPENAI_MODEL: 'gpt-5', LLM_API: 'responses', SYSTEM_INSTRUCTIONS_PATH: '/tmp/instr.txt' });

  it('reads key=value lists and JSON, over the server configuration; the key only from a named variable', () => {
    const a = resolveSide(parseSideSpec('model=gpt-5-mini, effort=minimal'), 'A', config, {});
    expect(a).toMatchObject({ label: 'A', model: 'gpt-5-mini', api: 'responses', reasoningEffort: 'minimal', instructionsPath: '/tmp/instr.txt', apiKey: 'sk-test' });
    const b = resolveSide(
      parseSideSpec('{"model":"gemini-2.5-pro","api":"chat_completions","baseUrl":"https://example.test/v1","apiKeyEnv":"GEMINI_KEY","label":"gemini"}'),
      'B',
      config,
      { GEMINI_KEY: 'g-key' },
    );
    expect(b).toMatchObject({ label: 'gemini', model: 'gemini-2.5-pro', api: 'chat_completions', baseUrl: 'https://example.test/v1', apiKey: 'g-key', apiKeyEnv: 'GEMINI_KEY' });
    expect(resolveSide(parseSideSpec(undefined), 'B', config, {})).toMatchObject({ model: 'gpt-5', label: 'B' });
  });

  it('refuses unknown keys, bad values and bad JSON, naming them', () => {
    expect(() => parseSideSpec('modle=gpt-5')).toThrow(SideSpecError);
    expect(() => parseSideSpec('modle=gpt-5')).toThrow(/unknown key "modle"/);
    expect(() => parseSideSpec('api=soap')).toThrow(/api/);
    expect(() => parseSideSpec('baseUrl=ftp://x')).toThrow(/baseUrl/);
    expect(() => parseSideSpec('{"model": ')).toThrow(/not valid JSON/);
    expect(() => parseSideSpec('gpt-5')).toThrow(/not key=value/);
  });
});

describe('turn selection and the history of a replay', () => {
  it('--conversations, --last and a seeded --sample; notices and console trials are not guest turns', () => {
    const db = seedCompareDatabase(tempDbPath());
    const repo = new CompareRepository(db);
    expect(selectTurns(repo, { conversations: [ANA] }).map((t) => t.conversationId)).toEqual([ANA, ANA]);
    expect(selectTurns(repo, { last: 2 }).map((t) => t.conversationId)).toEqual([CARLA, CARLA]);
    expect(selectTurns(repo, { conversations: ['console:prueba'] })).toHaveLength(1);
    const sample = selectTurns(repo, { sample: 3, seed: 42 }).map((t) => t.turnId);
    expect(sample).toHaveLength(3);
    expect(selectTurns(repo, { sample: 3, seed: 42 }).map((t) => t.turnId)).toEqual(sample);
    expect(new Set(sample).size).toBe(3);
    expect(selectTurns(repo, { sample: 50, seed: 1 })).toHaveLength(SEEDED_TURNS.length);
    expect(() => selectTurns(repo, { last: 1, sample: 1 })).toThrow(SelectionError);
    expect(() => selectTurns(repo, {})).toThrow(SelectionError);
    expect(() => selectTurns(repo, { conversations: ['50399999999'] })).toThrow(/no recorded guest turn/);
    db.close();
  });

  it('gives each turn the history the loader gave it before the turn was recorded, budget trimming included', () => {
    const db = openMigratedDatabase(tempDbPath());
    const store = new ConversationStore(db);
    const repo = new CompareRepository(db);
    // Many turns of one conversation, so a small budget trims.
    const turns = Array.from({ length: 12 }, (_, i) => ({ ...SEEDED_TURNS[i % 2]!, conversationId: ANA, at: SEEDED_TURNS[0]!.at + i * 60_000 }));
    const before: { budget: number; items: number[]; dropped: number }[][] = [];
    for (const turn of turns) {
      before.push([150, 400, 30_000].map((budget) => {
        const h = store.loadHistory(ANA, budget);
        return { budget, items: h.items.map((s) => s.id), dropped: h.droppedTokens };
      }));
      commitSeededTurn(store, turn);
    }
    const recorded = repo.guestTurns(ANA);
    expect(recorded).toHaveLength(turns.length);
    recorded.forEach((row, k) => {
      const items = repo.turnItems(row.turnId);
      for (const expected of before[k]!) {
        const h = repo.historyBefore(ANA, items[0]!, expected.budget);
        expect({ budget: expected.budget, items: h.items.map((s) => s.id), dropped: h.droppedTokens }).toEqual(expected);
      }
    });
    // The trimming did happen for the small budgets.
    expect(before.at(-1)![0]!.dropped).toBeGreaterThan(0);
    db.close();
  });

  it('a replay starts from the turn input as recorded and knows the original calls, outputs and reply', () => {
    const db = seedCompareDatabase(tempDbPath());
    const repo = new CompareRepository(db);
    const row = repo.guestTurns(ANA)[1]!;
    const replay = replayTurn(row, repo.turnItems(row.turnId))!;
    expect(replay.input.map((e) => e.item.kind)).toEqual(['developer', 'user']);
    expect(replay.original.calls.map((c) => c.name)).toEqual(['validate_compraclick_payment', 'make_booking']);
    expect(replay.original.recorded[1]).toEqual({ name: 'make_booking', arguments: JSON.stringify(BOOKING_ARGS), output: BOOKING_OUTPUT });
    expect(replay.original.reply).toContain('HR123');
    expect(repo.turnItems(row.turnId).length).toBeGreaterThan(replay.input.length);
    expect(repo.guestTurns(BETO)).toHaveLength(1);
    db.close();
  });
});

describe('dry-run tools', () => {
  let effectsRan = 0;
  let bookingsMade = 0;
  const read = defineTool({
    name: 'check_office_status',
    does: 'reads',
    description: 'read',
    parameters: z.object({}),
    handler: (context) => {
      effectsRan++;
      context.effects.show({ type: 'media', kind: 'image', source: { type: 'resource', path: 'pictures/x.jpg' } });
      context.effects.say('dicho');
      return { office_status: 'open' };
    },
  });
  const booking = defineTool({
    name: 'make_booking',
    does: 'books',
    description: 'books',
    parameters: z.object({ customer_name: z.string(), adults: z.number(), children_0_5: z.number().default(0) }),
    handler: () => {
      bookingsMade++;
      return { success: true, reserva: 'HR999' };
    },
  });
  const tools: ToolDefinition[] = [read, booking];
  const ctx = { conversationId: ANA, channel: 'whatsapp' as const, waId: ANA, subscriberId: undefined, guestName: undefined, logger: quietLogger, clock: { now: () => 0 } };

  it('names every booking, follow-up and portal tool as not executed', () => {
    const bookingTools = ['make_booking', 'make_multi_room_booking', 'start_bank_transfer_retry_process', 'trigger_compraclick_retry_for_missing_payment', 'handle_customer_transferencia_type_response'];
    const portalTools = ['sync_compraclick_payments', 'sync_bank_transfers', 'create_compraclick_link'];
    for (const name of [...bookingTools, ...portalTools, 'send_email', 'notify_operations_department', 'mark_customer_frustrated', 'transfer_to_human_agent', 'send_bungalow_pictures', 'send_public_areas_pictures', 'send_menu_pdf', 'send_menu_prices']) {
      expect(NOT_EXECUTED.has(name)).toBe(true);
    }
    expect(NOT_EXECUTED.has('check_office_status')).toBe(false);
    expect(NOT_EXECUTED.has('check_smart_availability')).toBe(false);
  });

  it('runs read tools without their effects; answers side-effect tools from the recording (same call, once) or as simulated', async () => {
    const log: DryRunCall[] = [];
    const recorded = [{ name: 'make_booking', arguments: '{"adults": 2, "customer_name": "Ana"}', output: '{"success":true,"reserva":"HR123"}' }];
    const registry = new ToolRegistry(dryRunTools(tools, recorded, log));
    // Same specs as the tools themselves: the model is offered the server's list.
    expect(registry.specs).toEqual(new ToolRegistry(tools).specs);

    const r = await registry.execute('check_office_status', '{}', ctx);
    expect(r).toMatchObject({ ok: true, output: '{"office_status":"open"}', effects: [] });
    expect(effectsRan).toBe(1);

    // Same call with the keys in another order and the default written out: the recorded output.
    const hit = await registry.execute('make_booking', '{"customer_name":"Ana","adults":2,"children_0_5":0}', ctx);
    expect(hit.output).toBe('{"success":true,"reserva":"HR123"}');
    // The recording is used once; another call is simulated.
    const again = await registry.execute('make_booking', '{"customer_name":"Ana","adults":2}', ctx);
    expect(again.output).toBe(simulatedOutput('make_booking'));
    const other = await registry.execute('make_booking', '{"customer_name":"Eva","adults":1}', ctx);
    expect(JSON.parse(other.output)).toMatchObject({ simulated: true, tool: 'make_booking' });
    expect(bookingsMade).toBe(0);
    expect(log.map((l) => [l.name, l.mode, l.droppedEffects])).toEqual([
      ['check_office_status', 'ran', 2],
      ['make_booking', 'recorded', 0],
      ['make_booking', 'simulated', 0],
      ['make_booking', 'simulated', 0],
    ]);
    expect(canonicalArguments('{"b":1,"a":{"d":2,"c":3}}')).toBe('{"a":{"c":3,"d":2},"b":1}');
  });
});

describe('reply checks', () => {
  it('non-empty, no internal text, the booking code when the original had one', () => {
    expect(checkReply({ answered: true, reply: 'Su código es HR123.', tools: [], originalReply: 'Listo: HR123' })).toEqual({
      answered: true,
      nonEmpty: true,
      noInternalText: true,
      bookingCode: true,
    });
    expect(checkReply({ answered: true, reply: 'Listo.', tools: [], originalReply: 'Listo: HR123' }).bookingCode).toBe(false);
    expect(checkReply({ answered: true, reply: 'Hola', tools: [], originalReply: 'Hola' }).bookingCode).toBeNull();
    expect(checkReply({ answered: true, reply: '', tools: [], originalReply: '' }).nonEmpty).toBe(false);
    // A menu sent with no text is something for the guest.
    expect(checkReply({ answered: true, reply: '', tools: ['send_menu_pdf'], originalReply: '' }).nonEmpty).toBe(true);
    expect(checkReply({ answered: false, reply: '', tools: [], originalReply: '' })).toMatchObject({ answered: false, nonEmpty: false });
    for (const bad of [
      'Error {"error": "make_booking failed"}',
      'TypeError: cannot read properties of undefined\n    at book (/srv/app/dist/hotel/booking.js:10:5)',
      'Voy a reservar: {"name": "make_booking", "arguments": {"adults": 2}}',
      '<tool_call>make_booking</tool_call>',
      '{"tool": "make_booking", "args": {}}',
    ]) {
      expect(hasInternalText(bad), bad).toBe(true);
    }
    expect(hasInternalText('¡Hola! El check-in es a las 3 p. m. y el costo es $150 {por noche}.')).toBe(false);
  });
});
