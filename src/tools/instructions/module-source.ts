// What the load_additional_modules tool needs from the instructions: a source of loadable modules. The tool
// declares it; the agent's instruction files (agent/instruction-modules.ts) implement it.
export class InstructionModuleError extends Error {
  override readonly name = 'InstructionModuleError';
}

/** One loadable piece's text as the tool sends it (header line included), under its canonical path. */
export interface ModuleSection {
  path: string;
  /** The keys of the path (one for a whole module). */
  segments: readonly string[];
  text: string;
}

export type ModuleResolution =
  | {
      kind: 'section';
      section: ModuleSection;
      /** The sections of its ancestors, outermost first: any of them in front of the model covers it. */
      ancestors: () => ModuleSection[];
    }
  /** Part of the base modules, which are in the instructions of every call. */
  | { kind: 'base'; path: string }
  | { kind: 'unknown'; ref: string; closest: string[] };

export interface InstructionModuleSource {
  readonly form: 'json' | 'modules-dir';
  /** The loadable top-level modules when the service started (the tool's description; fixed while it runs). */
  readonly names: readonly string[];
  /** Resolves a requested module or path; throws InstructionModuleError when the source cannot be read. */
  resolve(ref: string): ModuleResolution;
  /** o200k tokens of each loadable top-level module as the tool would send it (for /ready). */
  moduleTokens(): Record<string, number>;
  /** Where a section's keys stand in the file (index per level), to put loaded sections in the file's order. */
  documentOrder(segments: readonly string[]): number[];
}
