// load_additional_modules over its two sources: a folder of modules, and the original's JSON instructions file
// (whole modules or dotted paths at any depth, emoji keys and keys with spaces). The schema never lists the
// names; an unknown name is an error naming the closest valid ones; a piece still in front of the model
// (itself or inside a loaded ancestor) is not sent again, and a piece whose file changed is.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { InstructionModules, JsonInstructionModules } from '../../../src/agent/instruction-modules.js';
import { InstructionModuleError } from '../../../src/tools/instructions/module-source.js';
import { InstructionsFile } from '../../../src/agent/instructions.js';
import type { TranscriptItem } from '../../../src/core/transcript.js';
import { createLoadAdditionalModulesTool } from '../../../src/tools/instructions/load-additional-modules.js';
import { ToolRegistry, type ToolCallContext } from '../../../src/tools/registry.js';
import { MODULAR_INSTRUCTIONS, writeModularInstructions } from '../../support/modular-instructions.js';

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

/** A transcript holding one earlier call of the tool and its output. */
function after(...outputs: string[]): TranscriptItem[] {
  return outputs.flatMap((output, i): TranscriptItem[] => [
    { kind: 'function_call', callId: `c${i}`, name: 'load_additional_modules', arguments: '{}' },
    { kind: 'function_output', callId: `c${i}`, output },
  ]);
}

const load = (registry: ToolRegistry, modules: string[], transcript: TranscriptItem[] = []) =>
  registry.execute('load_additional_modules', JSON.stringify({ modules, reasoning: 'prueba' }), context(transcript));

describe('instruction modules in a folder', () => {
  const dir = modulesDir({
    'MODULE_2B_PRICE_INQUIRY.md': 'Precios: el paquete Las Olas incluye tres tiempos de comida.',
    'MODULE_2C_AVAILABILITY.txt': 'Disponibilidad: consulta siempre check_smart_availability.',
    'notes.json': '{}',
  });

  it('names the folder’s modules in the description, not in the schema, and returns their text', async () => {
    const modules = new InstructionModules(dir);
    expect(modules.names).toEqual(['MODULE_2B_PRICE_INQUIRY', 'MODULE_2C_AVAILABILITY']);
    const registry = new ToolRegistry([createLoadAdditionalModulesTool({ modules })]);
    const spec = registry.specs[0]!;
    expect(spec.description).toContain('MODULE_2B_PRICE_INQUIRY, MODULE_2C_AVAILABILITY');
    expect(JSON.stringify(spec.parameters)).not.toContain('MODULE_2B');
    expect(Object.keys((spec.parameters as { properties: object }).properties)).toEqual(['modules', 'reasoning']);

    const r = await load(registry, ['MODULE_2B_PRICE_INQUIRY']);
    expect(r.ok).toBe(true);
    expect(r.output).toMatch(/^\[Módulos cargados: MODULE_2B_PRICE_INQUIRY\]/);
    expect(r.output).toContain('Precios: el paquete Las Olas incluye tres tiempos de comida.');

    const unknown = await load(registry, ['MODULE_2B_PRICE']);
    expect(unknown.ok).toBe(false);
    expect((JSON.parse(unknown.output) as { error: string }).error).toContain('"MODULE_2B_PRICE" no existe en las instrucciones (rutas válidas más cercanas: MODULE_2B_PRICE_INQUIRY');
  });

  it('does not load again a module whose text is still in the transcript, and does when its file changed', async () => {
    const d = modulesDir({ 'A.md': 'Módulo A, primera versión.', 'B.md': 'Módulo B.' });
    const registry = new ToolRegistry([createLoadAdditionalModulesTool({ modules: new InstructionModules(d) })]);
    const first = await load(registry, ['A']);
    const again = await load(registry, ['A', 'B'], after(first.output));
    expect(again.output).toMatch(/^\[Módulos cargados: B\]/);
    expect(again.output).toContain('Ya cargados antes en esta conversación, su texto está más arriba: A');
    expect(again.output).not.toContain('primera versión');
    // An output of another tool that happens to look the same does not count.
    const other: TranscriptItem[] = [{ kind: 'function_call', callId: 'x', name: 'other', arguments: '{}' }, { kind: 'function_output', callId: 'x', output: first.output }];
    expect((await load(registry, ['A'], other)).output).toContain('primera versión');

    writeFileSync(join(d, 'A.md'), 'Módulo A, segunda versión con otro precio.');
    const changed = await load(registry, ['A'], after(first.output));
    expect(changed.output).toMatch(/^\[Módulos cargados: A\]/);
    expect(changed.output).toContain('segunda versión');
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

describe('instruction modules of the JSON instructions file', () => {
  const setup = () => {
    const path = writeModularInstructions();
    const modules = new JsonInstructionModules(new InstructionsFile(path));
    return { path, modules, registry: new ToolRegistry([createLoadAdditionalModulesTool({ modules })]) };
  };

  it('offers the non-base modules by name in the description only: the schema is the same whatever the file holds', () => {
    const { registry, modules } = setup();
    expect(modules.names).toEqual([
      'MODULE_1_CRITICAL_WORKFLOWS',
      'MODULE_2A_PACKAGE_CONTENT',
      'MODULE_2B_PRICE_INQUIRY',
      'MODULE_2C_AVAILABILITY',
      'MODULE_2D_SPECIAL_SCENARIOS',
      'MODULE_3_SERVICE_FLOWS',
      'MODULE_4_INFORMATION',
    ]);
    const spec = registry.specs[0]!;
    expect(spec.description).toContain('MODULE_4_INFORMATION');
    expect(spec.description).not.toContain('MODULE_SYSTEM');
    const bigger = writeModularInstructions({ ...MODULAR_INSTRUCTIONS, MODULE_5_EXTRA: { a: 'b' } });
    const other = new ToolRegistry([createLoadAdditionalModulesTool({ modules: new JsonInstructionModules(new InstructionsFile(bigger)) })]);
    expect(other.specs[0]!.parameters).toEqual(spec.parameters);
    expect(JSON.stringify(spec.parameters)).not.toContain('enum');
    expect(JSON.stringify(spec.parameters)).not.toContain('MODULE_4_INFORMATION');
  });

  it('loads a whole module as the original did (=== NAME === and its JSON, indent 2)', async () => {
    const { registry } = setup();
    const r = await load(registry, ['MODULE_2C_AVAILABILITY']);
    expect(r.ok).toBe(true);
    expect(r.output).toMatch(/^\[Módulos cargados: MODULE_2C_AVAILABILITY\]/);
    expect(r.output).toContain(`=== MODULE_2C_AVAILABILITY ===\n${JSON.stringify(MODULAR_INSTRUCTIONS.MODULE_2C_AVAILABILITY, null, 2)}`);
    expect(r.output).not.toContain('[M2B.');
  });

  it('loads a dotted path three levels deep, and keys with emoji, spaces or "." ', async () => {
    const { registry } = setup();
    const deep = await load(registry, ['MODULE_4_INFORMATION.hotel_location_access.contact']);
    expect(deep.output).toContain('=== MODULE_4_INFORMATION.hotel_location_access.contact (MICRO-LOAD) ===');
    expect(deep.output).toContain(JSON.stringify({ contact: MODULAR_INSTRUCTIONS.MODULE_4_INFORMATION.hotel_location_access.contact }, null, 2));
    expect(deep.output).toContain('[M4.contact]');
    expect(deep.output).not.toContain('[M4.location]');

    const emoji = await load(registry, ['MODULE_2B_PRICE_INQUIRY.pricing_logic.🚨🚨🚨 5X4_FORMULA', 'MODULE_2A_PACKAGE_CONTENT.package_details.Pasadía Niño']);
    expect(emoji.output).toContain('=== MODULE_2B_PRICE_INQUIRY.pricing_logic.🚨🚨🚨 5X4_FORMULA (MICRO-LOAD) ===');
    expect(emoji.output).toContain('[M2B.5x4]');
    expect(emoji.output).toContain('[M2A.nino]');
    expect(emoji.output).not.toContain('[M2B.romantico]');
    // Spelled loosely (no emoji, other case, "_" for spaces), a key still resolves when only one key matches.
    const loose = await load(registry, ['module_4_information.hotel_location_access.contact.code_prefix_routing', 'MODULE_2A_PACKAGE_CONTENT.package_details.pasadia_nino']);
    expect(loose.output).toContain('=== MODULE_4_INFORMATION.hotel_location_access.contact.🚨 CODE_PREFIX_ROUTING (MICRO-LOAD) ===');
    expect(loose.output).toContain('[M2A.nino]');
  });

  it('refuses an unknown path naming the closest valid paths, and loads nothing of that call', async () => {
    const { registry } = setup();
    const r = await load(registry, ['MODULE_2C_AVAILABILITY', 'MODULE_4_INFORMATION.contact']);
    expect(r.ok).toBe(false);
    expect(r.error).toBe('handler_error');
    const message = (JSON.parse(r.output) as { error: string }).error;
    expect(message).toContain('"MODULE_4_INFORMATION.contact" no existe en las instrucciones');
    expect(message).toContain('MODULE_4_INFORMATION.hotel_location_access.contact');
    expect(message).not.toContain('[M2C.');
    const typo = await load(registry, ['MODULE_2D_SPECIAL_SCENARIOS.membership_sale_protocol']);
    expect((JSON.parse(typo.output) as { error: string }).error).toContain('MODULE_2D_SPECIAL_SCENARIOS.membership_sales_protocol');
    const module = await load(registry, ['MODULE_9_NOPE']);
    expect(module.ok).toBe(false);
  });

  it('does not send again what is in front of the model: the same path, a path inside a loaded module or ancestor, a base module', async () => {
    const { registry } = setup();
    const whole = await load(registry, ['MODULE_4_INFORMATION']);
    const inside = await load(registry, ['MODULE_4_INFORMATION.hotel_location_access.contact', 'MODULE_2C_AVAILABILITY.occupancy_rules'], after(whole.output));
    expect(inside.output).toMatch(/^\[Módulos cargados: MODULE_2C_AVAILABILITY\.occupancy_rules\]/);
    expect(inside.output).toContain('Ya cargados antes en esta conversación, su texto está más arriba: MODULE_4_INFORMATION.hotel_location_access.contact (dentro de MODULE_4_INFORMATION)');
    expect(inside.output).not.toContain('[M4.contact]');

    const part = await load(registry, ['MODULE_4_INFORMATION.hotel_location_access']);
    const same = await load(registry, ['MODULE_4_INFORMATION.hotel_location_access', 'MODULE_4_INFORMATION.hotel_location_access.location'], after(part.output));
    expect(same.output).toMatch(/^\[Módulos cargados: ninguno nuevo\]/);
    expect(same.output).toContain('MODULE_4_INFORMATION.hotel_location_access, MODULE_4_INFORMATION.hotel_location_access.location (dentro de MODULE_4_INFORMATION.hotel_location_access)');
    expect(same.output).not.toContain('[M4.');

    const base = await load(registry, ['CORE_CONFIG', 'DECISION_TREE.priority_based_classification']);
    expect(base.output).toContain('Ya están en tus instrucciones base, no hace falta cargarlos: CORE_CONFIG, DECISION_TREE.priority_based_classification');
    expect(base.output).not.toContain('[CORE.');

    // In one call: a path inside a module of the same call is sent once, inside it.
    const together = await load(registry, ['MODULE_3_SERVICE_FLOWS.cancellation_inquiry_protocol', 'MODULE_3_SERVICE_FLOWS']);
    expect(together.output).toMatch(/^\[Módulos cargados: MODULE_3_SERVICE_FLOWS\]/);
    expect(together.output.split('[M3.cancel]')).toHaveLength(2);
  });

  it('serves the file’s current version: a changed module is sent again, a bad edit keeps the last good one', async () => {
    const { path, registry } = setup();
    const first = await load(registry, ['MODULE_2C_AVAILABILITY']);
    const changed = structuredClone(MODULAR_INSTRUCTIONS);
    changed.MODULE_2C_AVAILABILITY.occupancy_rules = 'Ocupación máxima nueva: cinco personas.';
    writeFileSync(path, JSON.stringify(changed, null, 2));
    const again = await load(registry, ['MODULE_2C_AVAILABILITY'], after(first.output));
    expect(again.output).toMatch(/^\[Módulos cargados: MODULE_2C_AVAILABILITY\]/);
    expect(again.output).toContain('Ocupación máxima nueva');
    writeFileSync(path, '{ "MODULE_SYSTEM": {} ,,, }');
    const kept = await load(registry, ['MODULE_2C_AVAILABILITY']);
    expect(kept.output).toContain('Ocupación máxima nueva');
  });
});
