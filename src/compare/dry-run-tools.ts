// The tools of a comparison run, in dry-run mode: a wrapper over the tool definitions, the tools themselves
// unchanged, so each side is offered exactly the server's tool list (same names, descriptions and schemas).
//
//   - Read tools (office status, availability, prices, payment validation, lookup, menus' text, modules) run
//     against the configured backends. Any effect they return (a picture, a text for the guest, a job) is
//     dropped: they get a collector of their own that nobody reads.
//   - Every other tool never runs (its declaration says it acts on the world or shows the guest something, or it
//     needs a service billed per call: declaration.ts runsInDryRun): it answers the original turn's output for
//     the same call (same tool, same arguments) when the original made it, else a neutral output saying the
//     call was simulated. So a new tool is dry-run by what it declares, without being named here.
//     analyze_payment_proof is one: a second model call on a guest's file (which may be gone after
//     MEDIA_RETENTION_DAYS), billed outside the comparison, so both sides get the analysis the original got.
import { guestSees, runsInDryRun } from '../tools/declaration.js';
import { EffectsCollector } from '../tools/effects.js';
import { TOOL_DECLARATIONS } from '../tools/index.js';
import type { ToolDefinition } from '../tools/types.js';

/** The registered tools a comparison never executes (derived from their declarations). */
export const NOT_EXECUTED: ReadonlySet<string> = new Set(TOOL_DECLARATIONS.filter((t) => !runsInDryRun(t)).map((t) => t.name));

/** Registered tools after which the guest gets something besides the reply text (a person, pictures, a menu). */
export const GUEST_FACING: ReadonlySet<string> = new Set(TOOL_DECLARATIONS.filter(guestSees).map((t) => t.name));

/** A call the original turn made, with the output it got. */
export interface RecordedCall {
  name: string;
  arguments: string;
  output: string;
}

/** What happened to one call of a replay. */
export interface DryRunCall {
  name: string;
  /** The arguments as the model wrote them. */
  arguments: string;
  /** ran: a read tool, executed; recorded: the original's output; simulated: the neutral output. */
  mode: 'ran' | 'recorded' | 'simulated';
  /** Effects a read tool asked for, dropped. */
  droppedEffects: number;
}

/** The output a side-effect tool answers when the original turn did not make the same call. */
export function simulatedOutput(name: string): string {
  return JSON.stringify({
    simulated: true,
    tool: name,
    note:
      `Prueba sin efectos: ${name} no se ejecutó y no tiene resultado. No inventes códigos de reserva, montos ni ` +
      'confirmaciones; responde al huésped con la información que ya tienes.',
  });
}

/** JSON text with object keys sorted, so `{"a":1,"b":2}` and `{ "b": 2, "a": 1 }` are the same call. */
export function canonicalArguments(text: string): string {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sort((value as Record<string, unknown>)[k])]),
    );
  };
  const trimmed = text.trim();
  if (trimmed === '') return '{}';
  try {
    return JSON.stringify(sort(JSON.parse(trimmed)));
  } catch {
    return trimmed;
  }
}

function parsedKey(tool: ToolDefinition | undefined, args: string): string {
  if (!tool) return canonicalArguments(args);
  let json: unknown;
  try {
    json = args.trim() === '' ? {} : JSON.parse(args);
  } catch {
    return canonicalArguments(args);
  }
  const parsed = tool.parameters.safeParse(json);
  return parsed.success ? canonicalArguments(JSON.stringify(parsed.data)) : canonicalArguments(args);
}

/**
 * The tools for one replay: read tools wrapped to drop their effects, the others (runsInDryRun false) answering
 * from `recorded` (each recorded call used once, in order) or with simulatedOutput(). Every call is logged in `log`.
 */
export function dryRunTools(tools: readonly ToolDefinition[], recorded: readonly RecordedCall[], log: DryRunCall[]): ToolDefinition[] {
  const byName = new Map(tools.map((t) => [t.name, t]));
  // Compared as the handler sees them (after the schema: defaults filled, unknown keys stripped).
  const unused = recorded.map((call) => ({ ...call, key: parsedKey(byName.get(call.name), call.arguments) }));
  return tools.map((tool): ToolDefinition => {
    if (!runsInDryRun(tool)) {
      return {
        name: tool.name,
        does: tool.does,
        ...(tool.needs !== undefined ? { needs: tool.needs } : {}),
        description: tool.description,
        parameters: tool.parameters,
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
        handler: (_context, args) => {
          const text = JSON.stringify(args);
          const key = canonicalArguments(text);
          const i = unused.findIndex((call) => call.name === tool.name && call.key === key);
          const hit = i >= 0 ? unused.splice(i, 1)[0] : undefined;
          log.push({ name: tool.name, arguments: text, mode: hit ? 'recorded' : 'simulated', droppedEffects: 0 });
          return hit ? hit.output : simulatedOutput(tool.name);
        },
      };
    }
    return {
      ...tool,
      handler: async (context, args) => {
        const effects = new EffectsCollector();
        const entry: DryRunCall = { name: tool.name, arguments: JSON.stringify(args), mode: 'ran', droppedEffects: 0 };
        log.push(entry);
        try {
          return await tool.handler({ ...context, effects }, args);
        } finally {
          entry.droppedEffects = effects.list().length;
        }
      },
    };
  });
}
