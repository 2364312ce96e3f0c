// load_additional_modules: the model loads the instruction modules a question needs (prices, availability,
// special cases…). Their text is the tool's output, so it enters this conversation's transcript after the
// cached prefix. A module whose text is still in front of the model (in the kept history or earlier in the
// turn) is not loaded again: the output says where it already is.
import { z } from 'zod';
import type { InstructionModules } from '../../agent/instruction-modules.js';
import type { TranscriptItem } from '../../store/conversation-store.js';
import { defineTool, ToolError, type ToolDefinition } from '../types.js';

export const LOAD_MODULES_TOOL = 'load_additional_modules';

/** The first line of an output: which modules it holds, so a later call can tell they are loaded. */
const LOADED_HEADER = /^\[Módulos cargados: ([^\]\n]*)\]/;

/** Modules whose text an earlier load_additional_modules output (still in front of the model) holds. */
export function modulesInTranscript(transcript: readonly TranscriptItem[]): Set<string> {
  const calls = new Set<string>();
  for (const item of transcript) if (item.kind === 'function_call' && item.name === LOAD_MODULES_TOOL) calls.add(item.callId);
  const loaded = new Set<string>();
  for (const item of transcript) {
    if (item.kind !== 'function_output' || !calls.has(item.callId)) continue;
    const header = LOADED_HEADER.exec(item.output);
    for (const name of header?.[1]?.split(',') ?? []) if (name.trim() !== '') loaded.add(name.trim());
  }
  return loaded;
}

export function createLoadAdditionalModulesTool({ modules }: { modules: InstructionModules }): ToolDefinition {
  const names = modules.names as [string, ...string[]];
  return defineTool({
    name: LOAD_MODULES_TOOL,
    description:
      'Carga módulos adicionales de tus instrucciones cuando la consulta del huésped los necesita (por ejemplo ' +
      'precios, disponibilidad, paquetes o casos especiales). Carga solo los módulos necesarios; un módulo ya ' +
      `cargado en esta conversación sigue disponible más arriba. Módulos: ${names.join(', ')}.`,
    parameters: z.object({
      modules: z.array(z.enum(names)).min(1).max(names.length).describe('Nombres de los módulos a cargar'),
      reasoning: z.string().max(1000).optional().describe('Por qué los necesitas (breve)'),
    }),
    handler: (context, args) => {
      const requested = [...new Set(args.modules)];
      const already = modulesInTranscript(context.transcript);
      const toLoad = requested.filter((name) => !already.has(name));
      const repeated = requested.filter((name) => already.has(name));
      const sections: string[] = [];
      try {
        for (const name of toLoad) sections.push(`=== MÓDULO ${name} ===\n${modules.text(name)}`);
      } catch (err) {
        context.logger.error({ err }, 'instruction module unavailable');
        throw new ToolError('un módulo de instrucciones no se pudo leer; continúa con lo que ya sabes');
      }
      context.logger.info({ loaded: toLoad, alreadyLoaded: repeated }, 'instruction modules loaded');
      const lines = [`[Módulos cargados: ${toLoad.join(', ')}]`];
      if (repeated.length > 0) {
        lines.push(`[Ya cargados antes en esta conversación, su texto está más arriba: ${repeated.join(', ')}]`);
      }
      return [...lines, ...sections].join('\n\n');
    },
  });
}
