// load_additional_modules: the model loads the instruction modules a question needs (prices, availability,
// special cases…), whole or, with the JSON instructions file, one part by its dotted path
// (`MODULE_4_INFORMATION.hotel_location_access.contact`). The parameters are the original's (`modules`,
// `reasoning`); names are checked against the current file, never enumerated in the schema (the schema, part of
// the cached prefix, must not grow with the file).
//
// In the agent (context.loadedModules) a loaded piece joins the conversation's loaded modules, which every later
// call carries in its instructions (agent/loaded-modules.ts): the output only says what was loaded, what was already
// there (itself or inside a loaded ancestor) and what was taken out to stay within HISTORY_MODULES_MAX_TOKENS.
// Without it (the earlier placement, INSTRUCTION_MODULES_PLACEMENT=transcript) the text is the output, so it enters the
// transcript; a piece whose text is still in front of the model there is not sent again (checked by text, so a
// module whose file changed since is sent again).
import { z } from 'zod';
import type { TranscriptItem } from '../../core/transcript.js';
import { declareTool } from '../declaration.js';
import { IN_INSTRUCTIONS_NOTE, OUTPUT_HEADERS } from './load-output.js';
import { InstructionModuleError, type InstructionModuleSource, type ModuleSection } from './module-source.js';
import { defineTool, ToolError, type LoadedModulesContext, type ToolDefinition } from '../types.js';

export const LOAD_MODULES_TOOL = 'load_additional_modules';
export const LOAD_ADDITIONAL_MODULES = declareTool({ name: LOAD_MODULES_TOOL, needs: ['instruction-modules'], does: 'reads' });

/** Bounds of one call (fixed: the schema must not depend on the file). */
const MAX_REQUESTED = 30;
const MAX_REF_LENGTH = 300;
/** ToolError messages are clipped at 500 characters by the registry. */
const MAX_ERROR_LENGTH = 460;

/** The first line of every output that loads (or finds already loaded) what was asked. */
const LOADED_HEADER = OUTPUT_HEADERS.loaded;
/** The other header lines an output may carry before the texts, one line each. */
const REPEATED_HEADER = OUTPUT_HEADERS.repeatedBefore;
const IN_BASE_HEADER = OUTPUT_HEADERS.inBase;
const IN_THIS_CALL_HEADER = OUTPUT_HEADERS.inThisCall;
const NOTE_HEADERS = [REPEATED_HEADER, IN_BASE_HEADER, IN_THIS_CALL_HEADER];

/** A piece of instructions an output carries: its path (`MODULE_4_INFORMATION.hotel_location_access`) and text. */
export interface LoadedSection {
  path: string;
  text: string;
}

/** The first line of a section: `=== NAME ===`, `=== PATH (MICRO-LOAD) ===` (JSON), `=== MÓDULO NAME ===` (a file). */
const SECTION_HEAD = /^=== (?:MÓDULO )?(.+?)(?: \(MICRO-LOAD\))? ===$/;

/**
 * The sections an output of this tool carries, its header lines left out; none for an error or for an output that
 * loaded nothing new. history.ts tells by them whether an older load is repeated by a newer one.
 */
export function loadedSections(output: string): LoadedSection[] {
  if (!output.startsWith(LOADED_HEADER)) return [];
  const blocks = output.split('\n\n');
  let i = 1;
  while (i < blocks.length && NOTE_HEADERS.some((h) => blocks[i]!.startsWith(h)) && !blocks[i]!.includes('\n')) i++;
  const sections: LoadedSection[] = [];
  for (const block of blocks.slice(i)) {
    const head = SECTION_HEAD.exec(block.split('\n', 1)[0] ?? '');
    const last = sections[sections.length - 1];
    // A module file's own blank lines split its text: the paragraph belongs to the section before it.
    if (head === null && last !== undefined) last.text += `\n\n${block}`;
    else sections.push({ path: head?.[1] ?? '', text: block });
  }
  return sections;
}

/** The outputs of earlier load_additional_modules calls still in front of the model. */
function earlierOutputs(transcript: readonly TranscriptItem[]): string[] {
  const calls = new Set<string>();
  for (const item of transcript) if (item.kind === 'function_call' && item.name === LOAD_MODULES_TOOL) calls.add(item.callId);
  const outputs: string[] = [];
  for (const item of transcript) if (item.kind === 'function_output' && calls.has(item.callId)) outputs.push(item.output);
  return outputs;
}

function isWithin(inner: readonly string[], outer: readonly string[]): boolean {
  return outer.length <= inner.length && outer.every((key, i) => inner[i] === key);
}

function describeTool(modules: InstructionModuleSource): string {
  // Empty when the file could not be read at start: the names are still checked against it once it can.
  const names = modules.names.length > 0 ? modules.names.join(', ') : 'los que nombran tus instrucciones';
  if (modules.form === 'json') {
    return (
      'Carga módulos de tus instrucciones según DECISION_TREE y MODULE_DEPENDENCIES, enteros o una parte por su ruta ' +
      'con puntos (p. ej. MODULE_4_INFORMATION.hotel_location_access.contact). Lo ya cargado sigue disponible. ' +
      `Módulos: ${names}.`
    );
  }
  return (
    'Carga solo los módulos de tus instrucciones que la consulta necesita (p. ej. precios, disponibilidad, paquetes, ' +
    `casos especiales). Lo ya cargado sigue disponible. Módulos: ${names}.`
  );
}

/** One clear error for the names that do not exist, each with the closest valid ones (as many as fit). */
function unknownError(unknown: readonly { ref: string; closest: readonly string[] }[]): ToolError {
  const parts: string[] = [];
  let length = 0;
  for (const u of unknown) {
    const head = `"${u.ref.slice(0, 120)}" no existe en las instrucciones`;
    if (parts.length > 0 && length + head.length > MAX_ERROR_LENGTH) break;
    const fitting: string[] = [];
    for (const path of u.closest) {
      if (length + head.length + 40 + [...fitting, path].join(', ').length > MAX_ERROR_LENGTH) break;
      fitting.push(path);
    }
    const part = fitting.length > 0 ? `${head} (rutas válidas más cercanas: ${fitting.join(', ')})` : head;
    parts.push(part);
    length += part.length + 2;
  }
  return new ToolError(`${parts.join('; ')}. No se cargó nada: vuelve a llamar con nombres válidos.`);
}

export function createLoadAdditionalModulesTool({ modules }: { modules: InstructionModuleSource }): ToolDefinition {
  return defineTool({
    ...LOAD_ADDITIONAL_MODULES,
    description: describeTool(modules),
    parameters: z.object({
      modules: z
        .array(z.string().trim().min(1).max(MAX_REF_LENGTH))
        .min(1)
        .max(MAX_REQUESTED)
        .describe(
          modules.form === 'json'
            ? 'Módulos o rutas con puntos'
            : 'Nombres de módulos',
        ),
      reasoning: z.string().max(1000).optional(),
    }),
    handler: (context, args) => {
      const set = context.loadedModules;
      const outputs = set ? [] : earlierOutputs(context.transcript);
      const inFront = (section: ModuleSection) => outputs.some((output) => output.includes(section.text));
      /** In the agent: the loaded piece that holds a section, which the call marks as used. */
      const touched: string[] = [];
      const wanted: ModuleSection[] = [];
      const repeated: string[] = [];
      const inBase: string[] = [];
      const unknown: { ref: string; closest: string[] }[] = [];
      try {
        for (const ref of args.modules) {
          const r = modules.resolve(ref);
          if (r.kind === 'unknown') unknown.push({ ref: r.ref, closest: r.closest });
          else if (r.kind === 'base') inBase.push(r.path);
          else if (set) {
            const held = set.holding(r.section.path, r.ancestors().map((a) => a.path));
            if (held === undefined) wanted.push(r.section);
            else {
              touched.push(held);
              repeated.push(held === r.section.path ? held : `${r.section.path} (dentro de ${held})`);
            }
          } else if (inFront(r.section)) repeated.push(r.section.path);
          else {
            const loadedAncestor = r.ancestors().find(inFront);
            if (loadedAncestor) repeated.push(`${r.section.path} (dentro de ${loadedAncestor.path})`);
            else wanted.push(r.section);
          }
        }
      } catch (err) {
        if (!(err instanceof InstructionModuleError)) throw err;
        context.logger.error({ err }, 'instruction modules unavailable');
        throw new ToolError('las instrucciones no se pudieron leer; continúa con lo que ya sabes');
      }
      if (unknown.length > 0) {
        context.logger.warn({ unknown: unknown.map((u) => u.ref) }, 'unknown instruction module requested');
        throw unknownError(unknown);
      }
      // Within this call: each piece once, and none inside another piece of the same call.
      const toLoad: ModuleSection[] = [];
      const inThisCall: string[] = [];
      for (const section of wanted) {
        const outer = wanted.find((o) => o !== section && o.path !== section.path && isWithin(section.segments, o.segments));
        if (outer) inThisCall.push(`${section.path} (dentro de ${outer.path})`);
        else if (!toLoad.some((s) => s.path === section.path)) toLoad.push(section);
      }
      if (set) return inInstructions(set, toLoad, touched, { repeated, inBase, inThisCall }, context.logger);
      context.logger.info(
        { loaded: toLoad.map((s) => s.path), alreadyLoaded: repeated, inBase },
        'instruction modules loaded',
      );
      const lines = [`${LOADED_HEADER}${toLoad.length > 0 ? toLoad.map((s) => s.path).join(', ') : 'ninguno nuevo'}]`];
      if (repeated.length > 0) lines.push(`${REPEATED_HEADER}${[...new Set(repeated)].join(', ')}]`);
      if (inBase.length > 0) lines.push(`${IN_BASE_HEADER}${[...new Set(inBase)].join(', ')}]`);
      if (inThisCall.length > 0) lines.push(`${IN_THIS_CALL_HEADER}${inThisCall.join(', ')}]`);
      return [...lines, ...toLoad.map((s) => s.text)].join('\n\n');
    },
  });
}

/** The agent's output: what changed in the conversation's loaded modules (their text is in the instructions). */
function inInstructions(
  set: LoadedModulesContext,
  toLoad: readonly ModuleSection[],
  touched: readonly string[],
  notes: { repeated: string[]; inBase: string[]; inThisCall: string[] },
  logger: { info(obj: object, msg: string): void },
): string {
  const { removed } = set.add(toLoad, touched);
  logger.info({ loaded: toLoad.map((s) => s.path), alreadyLoaded: notes.repeated, inBase: notes.inBase, removed }, 'instruction modules loaded');
  const lines = [`${OUTPUT_HEADERS.loaded}${toLoad.length > 0 ? toLoad.map((s) => s.path).join(', ') : 'ninguno nuevo'}]`];
  if (notes.repeated.length > 0) lines.push(`${OUTPUT_HEADERS.inInstructions}${[...new Set(notes.repeated)].join(', ')}]`);
  if (notes.inBase.length > 0) lines.push(`${OUTPUT_HEADERS.inBase}${[...new Set(notes.inBase)].join(', ')}]`);
  if (notes.inThisCall.length > 0) lines.push(`${OUTPUT_HEADERS.inThisCall}${notes.inThisCall.join(', ')}]`);
  if (removed.length > 0) lines.push(`${OUTPUT_HEADERS.removed}${removed.join(', ')}]`);
  if (toLoad.length > 0 || notes.repeated.length > 0) lines.push(IN_INSTRUCTIONS_NOTE);
  return lines.join('\n');
}
