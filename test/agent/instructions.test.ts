// The instructions file's two forms, told apart by content: plain text sent as it is, and the original's JSON
// object of modules whose base modules are rendered as the core. A file that looks like JSON but is not valid is
// refused with where it breaks; a file that changes form asks for a restart; /ready's check names the form.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instructionsCheck, instructionsWarnings, openInstructionSources } from '../../src/agent/instruction-sources.js';
import { BASE_MODULES, parseInstructionTree, renderCore } from '../../src/agent/instruction-tree.js';
import { InstructionsFile } from '../../src/agent/instructions.js';
import { MODULAR_INSTRUCTIONS, writeModularInstructions } from '../support/modular-instructions.js';

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'wb3-instr-')), name);
  writeFileSync(path, text);
  return path;
}

describe('InstructionsFile forms', () => {
  it('reads a .txt holding JSON as the JSON form: the core is the base modules, the same bytes for the same content', () => {
    const path = writeModularInstructions();
    const loaded = new InstructionsFile(path).load();
    expect(loaded.format).toBe('json');
    expect(loaded.tree?.base).toEqual([...BASE_MODULES]);
    expect(loaded.tree?.loadable).toHaveLength(7);
    expect(loaded.text).toContain(JSON.stringify({ MODULE_SYSTEM: MODULAR_INSTRUCTIONS.MODULE_SYSTEM, DECISION_TREE: MODULAR_INSTRUCTIONS.DECISION_TREE }).slice(0, -1));
    expect(loaded.text).not.toContain('[M4.contact]');
    // The same content compact, with a BOM and CRLF: the same core.
    const other = file('instrucciones.json', `\uFEFF${JSON.stringify(MODULAR_INSTRUCTIONS)}\r\n`);
    expect(new InstructionsFile(other).load().text).toBe(loaded.text);
    expect(renderCore(parseInstructionTree(JSON.stringify(MODULAR_INSTRUCTIONS))!, 'load_additional_modules')).toBe(loaded.text);
  });

  it('keeps plain text as it is, even named .json', () => {
    const text = 'Eres la asistente del hotel. {"esto": "no es JSON al inicio"}';
    const loaded = new InstructionsFile(file('prompt.json', text)).load();
    expect(loaded).toMatchObject({ format: 'text', text, tree: undefined });
  });

  it('refuses a file that looks like JSON but does not parse, saying where', () => {
    const f = new InstructionsFile(file('system_instructions_new.txt', '{\n  "MODULE_SYSTEM": {"v": "2.3"}\n  "DECISION_TREE": {}\n}'));
    expect(f.format).toBe('json');
    expect(f.problem()).toMatch(/looks like JSON \(it starts with "\{"\) but does not parse: .*line 3, column 3|line 3 column 3/);
    expect(() => f.load()).toThrow(/does not parse/);
  });

  it('sends JSON without base modules whole, as the original sent its earlier single file; warns of a missing base module', () => {
    // The earlier revision's app/resources/system_instructions.txt: a JSON object of sections, sent whole as text.
    const single = '{\n  "system_language": {"language": "Spanish"},\n  "hotel_information": {"name": "Las Hojas"}\n}\n';
    expect(new InstructionsFile(file('system_instructions.txt', single)).load()).toMatchObject({ format: 'text', text: single, tree: undefined });
    expect(new InstructionsFile(file('c.txt', '[1, 2]')).load().format).toBe('text');
    const path = file('b.txt', '{"CORE_CONFIG": {"a": "b"}, "MODULE_4_INFORMATION": {"c": "d"}}');
    const sources = openInstructionSources({ systemInstructionsPath: path, instructionModulesDir: undefined });
    expect(sources.file.problem()).toBeUndefined();
    expect(instructionsWarnings(sources)).toEqual([expect.stringContaining('lacks the base module(s) MODULE_SYSTEM, DECISION_TREE, MODULE_DEPENDENCIES')]);
    expect(instructionsCheck(sources).missingBaseModules).toEqual(['MODULE_SYSTEM', 'DECISION_TREE', 'MODULE_DEPENDENCIES']);
  });

  it('keeps the form it started with: a file turned from text into JSON asks for a restart and the last good text stays', () => {
    const path = file('prompt.txt', 'Instrucciones en texto.');
    const f = new InstructionsFile(path);
    writeFileSync(path, JSON.stringify(MODULAR_INSTRUCTIONS));
    expect(f.problem()).toMatch(/is now JSON but was plain text when the service started; restart the service/);
    expect(f.load().text).toBe('Instrucciones en texto.');
    const reads = f.reads;
    f.problem();
    expect(f.reads).toBe(reads);
  });
});

describe('the instructions check for /ready', () => {
  it('names the form: text, text+modules-dir, json (the folder then unused, with a warning)', () => {
    const text = file('prompt.txt', 'Eres la asistente del hotel.');
    expect(instructionsCheck(openInstructionSources({ systemInstructionsPath: text, instructionModulesDir: undefined }))).toMatchObject({
      format: 'text',
      moduleTokens: {},
      shippedExample: false,
      sha256: expect.stringMatching(/^[0-9a-f]{12}$/),
    });
    const dir = mkdtempSync(join(tmpdir(), 'wb3-instr-mods-'));
    writeFileSync(join(dir, 'precios.md'), 'Precios del pasadía.');
    const withDir = instructionsCheck(openInstructionSources({ systemInstructionsPath: text, instructionModulesDir: dir }));
    expect(withDir.format).toBe('text+modules-dir');
    expect(withDir.moduleTokens.precios).toBeGreaterThan(0);
    const json = openInstructionSources({ systemInstructionsPath: writeModularInstructions(), instructionModulesDir: dir });
    expect(instructionsCheck(json).format).toBe('json');
    expect(json.modules?.form).toBe('json');
    expect(instructionsWarnings(json)).toEqual([expect.stringContaining('SYSTEM_INSTRUCTIONS_MODULES_DIR')]);
  });
});
