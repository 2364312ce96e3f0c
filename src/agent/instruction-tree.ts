// The hotel's instructions as the original keeps them (app/resources/system_instructions_new.txt): one JSON
// object whose top-level keys are modules. The original always sends four base modules (MODULE_SYSTEM,
// DECISION_TREE, MODULE_DEPENDENCIES, CORE_CONFIG) and the model loads the others, whole or by a dotted path
// (`MODULE_4_INFORMATION.hotel_location_access.contact`), with load_additional_modules. Here: reading the file's
// JSON, rendering the core (deterministic: the cached prefix must stay byte-identical for one file version),
// resolving a requested path against the tree and naming the closest valid paths when it does not resolve.
import { z } from 'zod';
import type { JsonValue } from '../core/json.js';

/** The modules the original sends on every call (openai_agent.py build_classification_system_prompt), in its order. */
export const BASE_MODULES = ['MODULE_SYSTEM', 'DECISION_TREE', 'MODULE_DEPENDENCIES', 'CORE_CONFIG'] as const;

export type JsonObject = { [key: string]: JsonValue };

export interface InstructionTree {
  /** The file's object, as parsed. */
  readonly modules: JsonObject;
  /** Base modules present in the file, in BASE_MODULES order. */
  readonly base: readonly string[];
  /** Base modules the file lacks (the original then sent `{}` for them). */
  readonly missingBase: readonly string[];
  /** Every other top-level module, in the file's order: what load_additional_modules loads. */
  readonly loadable: readonly string[];
}

export class InstructionTreeError extends Error {
  override readonly name = 'InstructionTreeError';
}

/** A file whose content (not its name: the original's is a .txt) is a JSON object. */
export function looksLikeJson(text: string): boolean {
  return text.replace(/^\uFEFF/, '').trimStart().startsWith('{');
}

const modulesObject = z.record(z.string(), z.json(), { error: 'must be a JSON object whose keys are the modules' });

/**
 * Parses the file's text; throws InstructionTreeError naming what is wrong (and where, for a syntax error).
 * Undefined for a JSON object with none of the base modules: the earlier revision's single file
 * (app/resources/system_instructions.txt, keys such as system_language), which the original sent whole as text.
 */
export function parseInstructionTree(text: string): InstructionTree | undefined {
  const source = text.replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (err) {
    throw new InstructionTreeError(`looks like JSON (it starts with "{") but does not parse: ${syntaxProblem(err, source)}`);
  }
  const result = modulesObject.safeParse(parsed);
  if (!result.success) throw new InstructionTreeError(`is JSON but ${result.error.issues[0]?.message ?? 'not an object of modules'}`);
  // The parsed object itself (validated above): a copy could turn a "__proto__" key into a prototype.
  const modules = parsed as JsonObject;
  const base = BASE_MODULES.filter((name) => Object.hasOwn(modules, name));
  if (base.length === 0) return undefined;
  const baseSet = new Set<string>(BASE_MODULES);
  return {
    modules,
    base,
    missingBase: BASE_MODULES.filter((name) => !Object.hasOwn(modules, name)),
    loadable: Object.keys(modules).filter((name) => !baseSet.has(name)),
  };
}

/** JSON.parse's message with the line and column of its position, for a person fixing the file. */
function syntaxProblem(err: unknown, source: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const position = /at position (\d+)/.exec(message);
  if (!position || /line \d+/.test(message)) return message;
  const before = source.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The instructions sent on every call: how the modules work, then the base modules as compact JSON in the
 * original's order. A function of the tree alone, so one file version always gives the same bytes.
 */
export function renderCore(tree: InstructionTree, toolName: string): string {
  const example = tree.loadable.find((name) => isObject(tree.modules[name]) && Object.keys(tree.modules[name]).length > 0);
  const part = example ? Object.keys(tree.modules[example] as JsonObject)[0] : undefined;
  const lines = [
    `The hotel's instructions are JSON modules. The base modules below (${tree.base.join(', ')}) always apply.`,
  ];
  if (tree.loadable.length > 0) {
    lines.push(
      `The other modules are not loaded yet: ${tree.loadable.join(', ')}.`,
      `For every guest message, use DECISION_TREE and MODULE_DEPENDENCIES to decide which modules it needs and load them with ${toolName} before you answer: ` +
        `a whole module${example ? ` (${example})` : ''} or one part of a module by its dotted path${example && part ? ` (${example}.${part})` : ''}. ` +
        `A module or part under LOADED MODULES at the end of these instructions is already loaded: use it as it is and do not call ${toolName} for it, or for a part of it, again; ` +
          'load only what is not there yet. Never answer from memory what a module covers.',
    );
  }
  const base: JsonObject = {};
  for (const name of tree.base) base[name] = tree.modules[name] as JsonValue;
  lines.push('', 'BASE MODULES:', JSON.stringify(base));
  return lines.join('\n');
}

export interface ResolvedPath {
  /** The keys the path names, as the file spells them (the first is the top-level module). */
  segments: string[];
  value: JsonValue;
}

/** The canonical spelling of a path: its keys joined by ".". */
export function pathName(segments: readonly string[]): string {
  return segments.join('.');
}

/** A key compared loosely: case, accents, spaces, "_", emoji and punctuation aside. */
function looseKey(key: string): string {
  return key.normalize('NFKD').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

const MAX_SEGMENTS = 24;

/**
 * Resolves `MODULE.key.sub` against the tree. Keys are split on "." as in the original; a key that itself
 * holds "." (`v2.3_updates`) is found by trying the longer joins first. A key matches exactly, or loosely
 * (see looseKey) when exactly one key of that object matches that way. Only objects are walked.
 */
export function resolvePath(tree: InstructionTree, ref: string): ResolvedPath | undefined {
  const parts = ref.trim().split('.');
  if (parts.length > MAX_SEGMENTS || parts.some((p) => p.trim() === '')) return undefined;
  const walk = (node: JsonValue, rest: readonly string[]): ResolvedPath | undefined => {
    if (rest.length === 0) return { segments: [], value: node };
    if (!isObject(node)) return undefined;
    for (let take = rest.length; take >= 1; take--) {
      const key = matchKey(node, rest.slice(0, take).join('.'));
      if (key === undefined) continue;
      const below = walk(node[key] as JsonValue, rest.slice(take));
      if (below) return { segments: [key, ...below.segments], value: below.value };
    }
    return undefined;
  };
  return walk(tree.modules, parts);
}

function matchKey(node: JsonObject, wanted: string): string | undefined {
  if (Object.hasOwn(node, wanted)) return wanted;
  const trimmed = wanted.trim();
  if (Object.hasOwn(node, trimmed)) return trimmed;
  const loose = looseKey(wanted);
  if (loose === '') return undefined;
  const matches = Object.keys(node).filter((k) => looseKey(k) === loose);
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * The text of one loaded path, in the original's format: a whole module as `=== NAME ===` and its JSON
 * (indent 2); a part as `=== PATH (MICRO-LOAD) ===` and `{"<last key>": …}`.
 */
export function renderSection(resolved: ResolvedPath): string {
  const name = pathName(resolved.segments);
  if (resolved.segments.length === 1) return `=== ${name} ===\n${JSON.stringify(resolved.value, null, 2)}`;
  const last = resolved.segments[resolved.segments.length - 1] as string;
  return `=== ${name} (MICRO-LOAD) ===\n${JSON.stringify({ [last]: resolved.value }, null, 2)}`;
}

/** The path of each ancestor of a resolved path (outermost first), resolved too. */
export function ancestorsOf(tree: InstructionTree, resolved: ResolvedPath): ResolvedPath[] {
  const out: ResolvedPath[] = [];
  let node: JsonValue = tree.modules;
  for (let i = 0; i < resolved.segments.length - 1; i++) {
    node = (node as JsonObject)[resolved.segments[i] as string] as JsonValue;
    out.push({ segments: resolved.segments.slice(0, i + 1), value: node });
  }
  return out;
}

const MAX_CANDIDATES = 20_000;
const MAX_DEPTH = 8;
const candidatesCache = new WeakMap<InstructionTree, string[][]>();

/** Every object key's path in the tree (bounded), computed once per tree. */
function allPaths(tree: InstructionTree): string[][] {
  const cached = candidatesCache.get(tree);
  if (cached) return cached;
  const out: string[][] = [];
  const visit = (node: JsonValue, prefix: string[]) => {
    if (!isObject(node) || prefix.length >= MAX_DEPTH) return;
    for (const key of Object.keys(node)) {
      if (out.length >= MAX_CANDIDATES) return;
      const path = [...prefix, key];
      out.push(path);
      visit(node[key] as JsonValue, path);
    }
  };
  visit(tree.modules, []);
  candidatesCache.set(tree, out);
  return out;
}

/** Levenshtein distance, bounded inputs (keys are short; longer ones are clipped). */
export function editDistance(a: string, b: string): number {
  const x = a.slice(0, 80);
  const y = b.slice(0, 80);
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row.push(Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[y.length] as number;
}

/** How unlike `wanted` a key is, from 0 (same) to 1. */
function keyDistance(wanted: string, key: string): number {
  const a = looseKey(wanted);
  const b = looseKey(key);
  if (a === '' || b === '') return 1;
  if (a === b) return 0;
  // One inside the other (`contact` in `phone_contact`): closer the more of it they share.
  if (b.includes(a) || a.includes(b)) return 0.5 * (1 - Math.min(a.length, b.length) / Math.max(a.length, b.length));
  return editDistance(a, b) / Math.max(a.length, b.length);
}

/**
 * The valid paths closest to a request that does not resolve: first by its last key (wherever it lives),
 * then by whether it is in the module the request named. Deterministic (ties by name).
 */
export function closestPaths(tree: InstructionTree, ref: string, limit = 5): string[] {
  const parts = ref.trim().split('.').filter((p) => p.trim() !== '');
  if (parts.length === 0) return tree.loadable.slice(0, limit);
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  // A module name is compared with the modules only; a path with every path.
  const candidates = parts.length === 1 ? Object.keys(tree.modules).map((name) => [name]) : allPaths(tree);
  const scored = candidates.map((path) => {
    const moduleMiss = parts.length === 1 || keyDistance(first, path[0] as string) === 0 ? 0 : 0.3;
    const score = keyDistance(last, path[path.length - 1] as string) + moduleMiss + 0.02 * Math.abs(path.length - parts.length);
    return { name: pathName(path), score };
  });
  const close = scored
    .filter((s) => s.score < 0.75)
    .sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, limit)
    .map((s) => s.name);
  return close.length > 0 ? close : tree.loadable.slice(0, limit);
}
