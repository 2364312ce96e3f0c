// The tool registry: JSON schemas for the model (fixed order, computed once) and safe execution.
// Every failure becomes a `{"error": "…"}` output for the model, never an exception for the loop.
import { z } from 'zod';
import { describeIssues } from '../core/errors.js';
import { EffectsCollector, type ToolEffect } from './effects.js';
import type { FunctionOutputPart } from '../core/transcript.js';
import type { ToolDeclaration } from './declaration.js';
import { MODEL_SUMMARY_KEY, ToolError, ToolOutputWithFiles, type ToolContext, type ToolDefinition } from './types.js';

export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON schema of the arguments. */
  parameters: Record<string, unknown>;
  strict: boolean;
}

export type ToolErrorKind = 'unknown_tool' | 'invalid_json' | 'invalid_arguments' | 'handler_error' | 'timeout';

export interface ToolExecution {
  /** What the model receives as the function output (and the transcript keeps). */
  output: string;
  /** Content parts for APIs that take files in function outputs (this turn only); see ToolOutputWithFiles. */
  parts?: FunctionOutputPart[];
  ok: boolean;
  error?: ToolErrorKind;
  durationMs: number;
  /** What the call asked of the server; empty when it failed. */
  effects: readonly ToolEffect[];
}

/** Context for one call; the registry adds the per-call abort signal, the effects collector and the tool name on the logger. */
export type ToolCallContext = Omit<ToolContext, 'signal' | 'effects' | 'transcript'> & {
  signal?: AbortSignal | undefined;
  /** Default: none (a call outside a conversation's turn). */
  transcript?: ToolContext['transcript'] | undefined;
};

const MAX_ERROR_DETAIL = 500;

export function errorOutput(message: string): string {
  return JSON.stringify({ error: message });
}

/** Tool results: strings as they are, nothing as "", anything else as JSON (non-ASCII kept). */
export function coerceOutput(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

/** Objects without an explicit additionalProperties get `false` (strict arguments require it). */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  if (obj.type === 'object' && 'properties' in obj && !('additionalProperties' in obj)) {
    obj.additionalProperties = false;
  }
  Object.values(obj).forEach(closeObjects);
}

/**
 * Sanity bounds and defaults the arguments are still validated against (zod) but the model never needs to be
 * told: a name under 200 characters, a count under 200, an amount above 0, a field left out taking its default.
 * The schemas ride on every call (~1,200 of 6,500 tokens were these); an argument outside them still gets an
 * error naming the field. Enums, required fields and minItems (e.g. two or more rooms) stay: they are rules.
 */
const UNSENT_KEYWORDS = new Set(['maxLength', 'minLength', 'maximum', 'minimum', 'exclusiveMinimum', 'exclusiveMaximum', 'maxItems', 'default']);

/** `{a, b?, c?: [{d}]}`: an object's keys, `?` for the optional ones, arrays of objects in brackets. */
function keySummary(node: Record<string, unknown>): string {
  const properties = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  const keys = Object.entries(properties).map(([name, sub]) => {
    const key = required.has(name) ? name : `${name}?`;
    if (sub.type === 'object' && sub.properties) return `${key}: ${keySummary(sub)}`;
    const items = sub.items as Record<string, unknown> | undefined;
    if (sub.type === 'array' && items?.type === 'object' && items.properties) return `${key}: [${keySummary(items)}]`;
    return key;
  });
  return `{${keys.join(', ')}}`;
}

function pruneForModel(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(pruneForModel);
  if (node === null || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  if (obj[MODEL_SUMMARY_KEY] === true) {
    const description = typeof obj.description === 'string' ? `${obj.description}: ` : '';
    return { type: 'object', description: `${description}${keySummary(obj)}` };
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'properties' && value !== null && typeof value === 'object') {
      // Property names are the tool's contract, never keywords: keep every one, prune inside.
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, pruneForModel(sub)]));
    } else if (!UNSENT_KEYWORDS.has(key) && !(key === 'additionalProperties' && value === false)) {
      out[key] = pruneForModel(value);
    }
  }
  return out;
}

/**
 * The model's view of the arguments: the schema's input side (fields with defaults are optional). Strict tools
 * get the whole schema, objects closed (structured arguments need it); the others get it without the bounds
 * above and without `additionalProperties: false` (unknown keys are stripped before the handler anyway).
 */
function toJsonSchema(schema: z.ZodType, strict: boolean): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  delete json.$schema;
  if (!strict) return pruneForModel(json) as Record<string, unknown>;
  closeObjects(json);
  return JSON.parse(JSON.stringify(json, (key, value: unknown) => (key === MODEL_SUMMARY_KEY ? undefined : value))) as Record<string, unknown>;
}

function clip(text: string): string {
  return text.length > MAX_ERROR_DETAIL ? `${text.slice(0, MAX_ERROR_DETAIL)}…` : text;
}

class ToolTimeout extends Error {}

export class ToolRegistry {
  /** Sorted by name so the tool list (part of the cached prompt prefix) never changes order. */
  readonly specs: readonly ToolSpec[];
  /** What each tool declares it needs and does, in the order of `specs` (never sent to the model). */
  readonly declarations: readonly ToolDeclaration[];
  private readonly byName: ReadonlyMap<string, ToolDefinition>;

  constructor(
    tools: readonly ToolDefinition[],
    private readonly options: { defaultTimeoutMs?: number | undefined } = {},
  ) {
    const byName = new Map<string, ToolDefinition>();
    for (const tool of tools) {
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) throw new Error(`Invalid tool name: ${tool.name}`);
      if (byName.has(tool.name)) throw new Error(`Duplicate tool name: ${tool.name}`);
      byName.set(tool.name, tool);
    }
    this.byName = byName;
    const sorted = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.declarations = Object.freeze(sorted.map((tool) => ({ name: tool.name, needs: tool.needs ?? [], does: tool.does })));
    this.specs = Object.freeze(
      sorted
        .map((tool) => ({
          name: tool.name,
          description: tool.description,
          parameters: toJsonSchema(tool.parameters, tool.strict === true),
          strict: tool.strict === true,
        })),
    );
  }

  get size(): number {
    return this.byName.size;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Runs one call. Never throws: every problem is an error output naming it. */
  async execute(name: string, rawArguments: string, context: ToolCallContext): Promise<ToolExecution> {
    const started = performance.now();
    const effects = new EffectsCollector();
    const done = (output: string, error?: ToolErrorKind, parts?: FunctionOutputPart[]): ToolExecution => ({
      output,
      ...(parts ? { parts } : {}),
      ok: error === undefined,
      ...(error ? { error } : {}),
      durationMs: performance.now() - started,
      effects: error === undefined ? effects.list() : [],
    });

    const tool = this.byName.get(name);
    if (!tool) {
      const available = [...this.byName.keys()].sort().join(', ') || 'none';
      return done(errorOutput(`Unknown tool "${clip(name)}". Available tools: ${available}.`), 'unknown_tool');
    }

    let parsedJson: unknown;
    // Some providers send "" for a call without arguments.
    if (rawArguments.trim() === '') parsedJson = {};
    else {
      try {
        parsedJson = JSON.parse(rawArguments);
      } catch (err) {
        const detail = err instanceof Error ? err.message : 'parse error';
        return done(errorOutput(`Invalid JSON in the arguments of ${name}: ${clip(detail)}`), 'invalid_json');
      }
    }
    const parsed = tool.parameters.safeParse(parsedJson);
    if (!parsed.success) {
      return done(
        errorOutput(`Invalid arguments for ${name}: ${clip(describeIssues(parsed.error.issues, '(arguments)').join('; '))}`),
        'invalid_arguments',
      );
    }

    const timeoutMs = tool.timeoutMs ?? this.options.defaultTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
    const controller = new AbortController();
    const signal = context.signal ? AbortSignal.any([controller.signal, context.signal]) : controller.signal;
    const logger = context.logger.child({ tool: name });
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        Promise.resolve().then(() => tool.handler({ ...context, transcript: context.transcript ?? [], logger, signal, effects }, parsed.data)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            controller.abort(new ToolTimeout());
            reject(new ToolTimeout());
          }, timeoutMs);
        }),
      ]);
      if (result instanceof ToolOutputWithFiles) {
        const parts: FunctionOutputPart[] = [{ type: 'text', text: result.note }, ...result.files.map((f) => ({ type: 'file' as const, ...f }))];
        return done(result.text, undefined, parts);
      }
      return done(coerceOutput(result));
    } catch (err) {
      if (err instanceof ToolTimeout) {
        logger.warn({ timeoutMs }, 'tool timed out');
        return done(errorOutput(`${name} did not finish within ${timeoutMs} ms`), 'timeout');
      }
      if (err instanceof ToolError) {
        logger.warn({ err: err.message }, 'tool reported an error');
        return done(errorOutput(`${name} failed: ${clip(err.message)}`), 'handler_error');
      }
      // Internal error text is logged, not shown: the model might repeat it to the guest.
      logger.error({ err }, 'tool threw');
      return done(errorOutput(`${name} failed because of an internal error.`), 'handler_error');
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}
