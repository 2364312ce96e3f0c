import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import { createOfficeCalendar } from '../../src/office/schedule.js';
import { createTools } from '../../src/tools/index.js';
import { coerceOutput, ToolRegistry, type ToolCallContext } from '../../src/tools/registry.js';
import { defineTool, summarizeForModel, ToolError } from '../../src/tools/types.js';

const config = loadConfig({});
const officeCalendar = createOfficeCalendar({ hours: config.office.hours, closures: config.office.closures, timezone: config.timezone });
const context: ToolCallContext = {
  conversationId: '50370001234',
  channel: 'whatsapp',
  waId: '50370001234',
  subscriberId: undefined,
  guestName: 'Ana',
  logger: pino({ level: 'silent' }),
  clock: { now: () => Date.UTC(2026, 2, 3, 16, 0) },
};

const echo = defineTool({
  name: 'echo',
  does: 'reads',
  description: 'Echoes',
  parameters: z.object({ text: z.string(), times: z.number().int().min(1).default(1) }),
  handler: (ctx, args) => ({ text: args.text.repeat(args.times), who: ctx.waId, keys: Object.keys(args) }),
});

describe('ToolRegistry', () => {
  it('builds JSON schemas once, sorted by name, without $schema', () => {
    const registry = new ToolRegistry([...createTools({ office: officeCalendar }), echo]);
    expect(registry.specs.map((s) => s.name)).toEqual(['check_office_status', 'echo', 'send_location_pin', 'transfer_to_human_agent']);
    const office = registry.specs[0];
    expect(office?.parameters).toEqual({ type: 'object', properties: {} });
    const pin = registry.specs[2];
    expect(pin?.parameters).not.toHaveProperty('$schema');
    expect(pin?.parameters).toMatchObject({
      type: 'object',
      required: ['latitude', 'longitude', 'name', 'address'],
      properties: { latitude: { type: 'number' } },
    });
    // Same object every time: the tool list is part of the cached prompt prefix.
    expect(registry.specs).toBe(registry.specs);
    // Input schema: a field with a default is optional for the model.
    expect(registry.specs[1]?.parameters).toMatchObject({ required: ['text'] });
  });

  it('keeps sanity bounds and defaults out of the model\'s schema but still validates them; strict tools get the whole schema', async () => {
    const bounded = defineTool({
      name: 'bounded',
      does: 'reads',
      description: 'Bounded',
      parameters: z.object({
        name: z.string().min(1).max(5),
        rooms: z.array(z.object({ adults: z.number().int().min(1).max(9) })).min(2).max(3),
        kind: z.enum(['a', 'b']).default('a'),
      }),
      handler: (_ctx, args) => args,
    });
    const registry = new ToolRegistry([bounded, { ...bounded, name: 'bounded_strict', strict: true }]);
    expect(registry.specs[0]?.parameters).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string' },
        rooms: { type: 'array', minItems: 2, items: { type: 'object', properties: { adults: { type: 'integer' } }, required: ['adults'] } },
        kind: { type: 'string', enum: ['a', 'b'] },
      },
      required: ['name', 'rooms'],
    });
    expect(JSON.stringify(registry.specs[1]?.parameters)).toMatch(/"maxLength":5.*"maxItems":3.*"additionalProperties":false/);
    const tooLong = await registry.execute('bounded', JSON.stringify({ name: 'abcdef', rooms: [{ adults: 1 }, { adults: 10 }] }), context);
    expect(tooLong).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(tooLong.output).toContain('name');
    expect(tooLong.output).toContain('rooms');
  });

  it('shows an object marked summarizeForModel as its description and keys, and still validates every field', async () => {
    const booking = defineTool({
      name: 'follow_up',
      does: 'books',
      description: 'Follow-up',
      parameters: z.object({
        booking_data: summarizeForModel(
          z
            .object({
              customer_name: z.string(),
              adults: z.number().int().default(0),
              room_bookings: z.array(z.object({ bungalow_type: z.string(), adults: z.number() })).optional(),
            })
            .describe('Campos de make_booking'),
        ),
      }),
      handler: (_ctx, args) => args,
    });
    const registry = new ToolRegistry([booking, { ...booking, name: 'follow_up_strict', strict: true }]);
    expect(registry.specs[0]?.parameters).toEqual({
      type: 'object',
      properties: { booking_data: { type: 'object', description: 'Campos de make_booking: {customer_name, adults?, room_bookings?: [{bungalow_type, adults}]}' } },
      required: ['booking_data'],
    });
    expect(JSON.stringify(registry.specs[1]?.parameters)).not.toContain('x-model-summary');
    const missing = await registry.execute('follow_up', JSON.stringify({ booking_data: { room_bookings: [{ bungalow_type: 'Junior' }] } }), context);
    expect(missing).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(missing.output).toContain('customer_name');
    expect(missing.output).toContain('adults');
  });

  it('rejects duplicate and invalid names', () => {
    expect(() => new ToolRegistry([echo, echo])).toThrow('Duplicate tool name: echo');
    expect(() => new ToolRegistry([{ ...echo, name: 'bad name' }])).toThrow('Invalid tool name');
  });

  it('validates arguments and strips keys the model adds (identifiers come from the context)', async () => {
    const registry = new ToolRegistry([echo]);
    const r = await registry.execute('echo', JSON.stringify({ text: 'ab', times: 2, wa_id: '50399999999' }), context);
    expect(r.ok).toBe(true);
    expect(JSON.parse(r.output)).toEqual({ text: 'abab', who: '50370001234', keys: ['text', 'times'] });
  });

  it('treats empty arguments as {}', async () => {
    const registry = new ToolRegistry(createTools({ office: officeCalendar }));
    const r = await registry.execute('check_office_status', '', context);
    expect(r.ok).toBe(true);
    expect(JSON.parse(r.output)).toMatchObject({ office_status: 'open' });
  });

  it('returns error outputs for unknown tools, invalid JSON and invalid arguments', async () => {
    const registry = new ToolRegistry([echo]);
    const unknown = await registry.execute('nope', '{}', context);
    expect(unknown).toMatchObject({ ok: false, error: 'unknown_tool' });
    expect(JSON.parse(unknown.output)).toEqual({ error: 'Unknown tool "nope". Available tools: echo.' });

    const badJson = await registry.execute('echo', '{"text": ', context);
    expect(badJson).toMatchObject({ ok: false, error: 'invalid_json' });
    expect(JSON.parse(badJson.output).error).toMatch(/^Invalid JSON in the arguments of echo: /);

    const badArgs = await registry.execute('echo', '{"times": 0}', context);
    expect(badArgs).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(JSON.parse(badArgs.output).error).toMatch(/^Invalid arguments for echo: text: .*; times: /);

    const notObject = await registry.execute('echo', '[1,2]', context);
    expect(notObject.error).toBe('invalid_arguments');
  });

  it('hides internal error text but passes ToolError messages to the model', async () => {
    const registry = new ToolRegistry([
      defineTool({
        name: 'crash',
        does: 'reads',
        description: 'Throws',
        parameters: z.object({}),
        handler: () => {
          throw new Error('SQLITE_BUSY at /srv/secret/path');
        },
      }),
      defineTool({
        name: 'refuse',
        does: 'reads',
        description: 'Refuses',
        parameters: z.object({}),
        handler: async () => {
          throw new ToolError('la fecha ya pasó');
        },
      }),
    ]);
    const crash = await registry.execute('crash', '{}', context);
    expect(crash).toMatchObject({ ok: false, error: 'handler_error' });
    expect(JSON.parse(crash.output)).toEqual({ error: 'crash failed because of an internal error.' });
    const refuse = await registry.execute('refuse', '{}', context);
    expect(JSON.parse(refuse.output)).toEqual({ error: 'refuse failed: la fecha ya pasó' });
  });

  it('times out a slow handler and aborts its signal', async () => {
    let aborted = false;
    const registry = new ToolRegistry(
      [
        defineTool({
          name: 'slow',
          does: 'reads',
          description: 'Slow',
          parameters: z.object({}),
          handler: (ctx) =>
            new Promise((resolve) => {
              ctx.signal.addEventListener('abort', () => {
                aborted = true;
              });
              setTimeout(() => resolve('late'), 1_000);
            }),
        }),
      ],
      { defaultTimeoutMs: 20 },
    );
    const r = await registry.execute('slow', '{}', context);
    expect(r).toMatchObject({ ok: false, error: 'timeout' });
    expect(JSON.parse(r.output)).toEqual({ error: 'slow did not finish within 20 ms' });
    expect(aborted).toBe(true);
  });

  it('coerces outputs to strings', () => {
    expect(coerceOutput(undefined)).toBe('');
    expect(coerceOutput(null)).toBe('');
    expect(coerceOutput('ya')).toBe('ya');
    expect(coerceOutput({ ñ: 'sí' })).toBe('{"ñ":"sí"}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(coerceOutput(cyclic)).toBe('[object Object]');
  });
});
