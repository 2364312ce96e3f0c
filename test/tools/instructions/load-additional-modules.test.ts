// load_additional_modules over a folder of modules: the enum is the folder's names, the output holds the
// texts, and a module still in front of the model is not loaded again.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { InstructionModuleError, InstructionModules } from '../../../src/agent/instruction-modules.js';
import type { TranscriptItem } from '../../../src/store/conversation-store.js';
import { createLoadAdditionalModulesTool, modulesInTranscript } from '../../../src/tools/instructions/load-additional-modules.js';
import { ToolRegistry, type ToolCallContext } from '../../../src/tools/registry.js';

function modulesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wb3-modules-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const context = (transcript: TranscriptItem[] = []): ToolCallContext => ({
  conversationId: '50370001234',
  channel: 'whatsapp',
  waId: '50370001234',
  subscriberId: undefined,
  guestName: undefined,
  logger: pino({ level: 'silent' }),
  clock: { now: () => 0 },
  transcript,
});

describe('instruction modules', () => {
  const dir = modulesDir({
    'MODULE_2B_PRICE_INQUIRY.md': 'Precios: el paquete Las Olas incluye tres tiempos de comida.',
    'MODULE_2C_AVAILABILITY.txt': 'Disponibilidad: consulta siempre check_smart_availability.',
    'notes.json': '{}',
  });

  it('offers the folder’s modules as an enum and returns their text', async () => {
    const modules = new InstructionModules(dir);
    expect(modules.names).toEqual(['MODULE_2B_PRICE_INQUIRY', 'MODULE_2C_AVAILABILITY']);
    const registry = new ToolRegistry([createLoadAdditionalModulesTool({ modules })]);
    const schema = registry.specs[0]?.parameters as { properties: { modules: { items: { enum: string[] } } } };
    expect(schema.properties.modules.items.enum).toEqual(['MODULE_2B_PRICE_INQUIRY', 'MODULE_2C_AVAILABILITY']);

    const r = await registry.execute('load_additional_modules', JSON.stringify({ modules: ['MODULE_2B_PRICE_INQUIRY'] }), context());
    expect(r.ok).toBe(true);
    expect(r.output).toMatch(/^\[Módulos cargados: MODULE_2B_PRICE_INQUIRY\]/);
    expect(r.output).toContain('Precios: el paquete Las Olas incluye tres tiempos de comida.');

    const unknown = await registry.execute('load_additional_modules', JSON.stringify({ modules: ['MODULE_9'] }), context());
    expect(unknown.error).toBe('invalid_arguments');
  });

  it('does not load again a module whose text is still in the transcript', async () => {
    const modules = new InstructionModules(dir);
    const registry = new ToolRegistry([createLoadAdditionalModulesTool({ modules })]);
    const first = await registry.execute('load_additional_modules', JSON.stringify({ modules: ['MODULE_2B_PRICE_INQUIRY'] }), context());
    const transcript: TranscriptItem[] = [
      { kind: 'function_call', callId: 'c1', name: 'load_additional_modules', arguments: '{}' },
      { kind: 'function_output', callId: 'c1', output: first.output },
    ];
    expect([...modulesInTranscript(transcript)]).toEqual(['MODULE_2B_PRICE_INQUIRY']);
    const again = await registry.execute(
      'load_additional_modules',
      JSON.stringify({ modules: ['MODULE_2B_PRICE_INQUIRY', 'MODULE_2C_AVAILABILITY'] }),
      context(transcript),
    );
    expect(again.output).toMatch(/^\[Módulos cargados: MODULE_2C_AVAILABILITY\]/);
    expect(again.output).toContain('Ya cargados antes en esta conversación, su texto está más arriba: MODULE_2B_PRICE_INQUIRY');
    expect(again.output).not.toContain('Las Olas');
    expect(again.output).toContain('consulta siempre check_smart_availability');
    // An output of another tool that happens to look the same does not count.
    expect(modulesInTranscript([{ kind: 'function_call', callId: 'x', name: 'other', arguments: '{}' }, { kind: 'function_output', callId: 'x', output: first.output }]).size).toBe(0);
  });

  it('re-reads a module whose file changed', () => {
    const d = modulesDir({ 'A.md': 'uno' });
    const modules = new InstructionModules(d);
    expect(modules.text('A')).toBe('uno');
    writeFileSync(join(d, 'A.md'), 'dos, más largo');
    expect(modules.text('A')).toBe('dos, más largo');
  });

  it('refuses a folder that is missing or holds no module, naming it', () => {
    expect(() => new InstructionModules(join(tmpdir(), 'wb3-no-such-folder'))).toThrow(InstructionModuleError);
    const empty = mkdtempSync(join(tmpdir(), 'wb3-modules-empty-'));
    mkdirSync(join(empty, 'sub.md'));
    expect(() => new InstructionModules(empty)).toThrow(/holds no \*\.md or \*\.txt module/);
  });
});
