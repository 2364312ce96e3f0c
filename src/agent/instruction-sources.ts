// Which instructions the service uses, decided once at start from SYSTEM_INSTRUCTIONS_PATH and
// SYSTEM_INSTRUCTIONS_MODULES_DIR: the file (plain text or the original's JSON), the modules load_additional_modules
// loads (the JSON file's own, or the folder's), and what /ready says about them (path, form, token counts, a short
// hash, and whether they are the shipped example of a fictional resort).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RESOURCES_DIR } from '../core/resources.js';
import { InstructionModuleError, type InstructionModuleSource } from '../tools/instructions/module-source.js';
import { InstructionModules, JsonInstructionModules } from './instruction-modules.js';
import { instructionsFingerprint, InstructionsFile, type LoadedInstructions } from './instructions.js';

/** The example prompt shipped with the service (resources/system_instructions.txt). */
export const SHIPPED_EXAMPLE_PATH = join(DEFAULT_RESOURCES_DIR, 'system_instructions.txt');

export interface InstructionsCheck {
  path: string;
  format: 'text' | 'json' | 'text+modules-dir';
  /** The first 12 hex digits of the file's sha256 (compare with `sha256sum`). */
  sha256?: string;
  /** o200k tokens sent on every call (the text, or the JSON form's rendered core). */
  coreTokens?: number;
  /** o200k tokens of each module load_additional_modules can load, as it sends it. */
  moduleTokens: Record<string, number>;
  /** The content is the shipped example of a fictional resort. */
  shippedExample: boolean;
  /** JSON form: base modules the file lacks. */
  missingBaseModules?: string[];
  /** Why the file cannot be used now (also among /ready's reasons). */
  problem?: string;
}

export interface InstructionSources {
  file: InstructionsFile;
  /** What load_additional_modules loads; undefined ⇒ the tool is not offered. */
  modules: InstructionModuleSource | undefined;
  /** Problems with the modules found at start that do not stop turns. */
  startWarnings: readonly string[];
}

export function openInstructionSources(llm: { systemInstructionsPath: string; instructionModulesDir: string | undefined }): InstructionSources {
  const file = new InstructionsFile(llm.systemInstructionsPath);
  const startWarnings: string[] = [];
  let modules: InstructionModuleSource | undefined;
  if (file.format === 'json') {
    modules = new JsonInstructionModules(file);
    if (llm.instructionModulesDir) {
      startWarnings.push(
        `SYSTEM_INSTRUCTIONS_MODULES_DIR (${llm.instructionModulesDir}) is not used: SYSTEM_INSTRUCTIONS_PATH is a JSON instructions ` +
          'file, and load_additional_modules loads its own modules',
      );
    }
  } else if (llm.instructionModulesDir) {
    try {
      modules = new InstructionModules(llm.instructionModulesDir);
    } catch (err) {
      if (!(err instanceof InstructionModuleError)) throw err;
      // The core instructions still answer guests; staff see the problem on /ready.
      startWarnings.push(`${err.message}; load_additional_modules is not offered`);
    }
  }
  return { file, modules, startWarnings };
}

let shippedFingerprint: string | null | undefined;

/** The shipped example's fingerprint, read once (null when the file is not there). */
function shippedExampleFingerprint(): string | null {
  if (shippedFingerprint === undefined) {
    try {
      shippedFingerprint = instructionsFingerprint(readFileSync(SHIPPED_EXAMPLE_PATH, 'utf8'));
    } catch {
      shippedFingerprint = null;
    }
  }
  return shippedFingerprint;
}

/** Whether these instructions are the shipped example, by content (a copy anywhere counts; an edited file does not). */
export function isShippedExample(loaded: LoadedInstructions): boolean {
  return loaded.fingerprint === shippedExampleFingerprint();
}

/** The reason /ready gives when the example would answer real guests. */
export function shippedExampleReason(path: string): string {
  return (
    `the system instructions in use (${path}) are the shipped example of a fictional resort: set SYSTEM_INSTRUCTIONS_PATH ` +
    "to the hotel's instructions file (the original's app/resources/system_instructions_new.txt works as it is)"
  );
}

/** What /ready shows of the instructions in use. */
export function instructionsCheck(sources: InstructionSources): InstructionsCheck {
  const { file, modules } = sources;
  const format = file.format === 'json' ? 'json' : modules ? 'text+modules-dir' : 'text';
  const problem = file.problem();
  let loaded: LoadedInstructions | undefined;
  try {
    loaded = file.load();
  } catch {
    loaded = undefined;
  }
  const missing = loaded?.tree?.missingBase ?? [];
  return {
    path: file.path,
    format,
    ...(loaded ? { sha256: loaded.sha256.slice(0, 12), coreTokens: loaded.tokens } : {}),
    moduleTokens: modules?.moduleTokens() ?? {},
    shippedExample: loaded ? isShippedExample(loaded) : false,
    ...(missing.length > 0 ? { missingBaseModules: [...missing] } : {}),
    ...(problem ? { problem } : {}),
  };
}

/** Problems of the current version that do not stop turns (shown on /ready and logged at start). */
export function instructionsWarnings(sources: InstructionSources): string[] {
  const warnings = [...sources.startWarnings];
  let loaded: LoadedInstructions | undefined;
  try {
    loaded = sources.file.load();
  } catch {
    return warnings;
  }
  const missing = loaded.tree?.missingBase ?? [];
  if (missing.length > 0) {
    warnings.push(`system instructions file ${sources.file.path} lacks the base module(s) ${missing.join(', ')} (the original sent them empty)`);
  }
  return warnings;
}
