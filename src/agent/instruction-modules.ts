// Instruction modules (the later revision's router architecture): the hotel's long instructions split into a
// core, sent on every call, and modules the model loads on demand with load_additional_modules. A module's
// text then enters the conversation's transcript after the cached prefix, so it costs tokens only in the
// conversations that need it instead of growing the prefix for everyone.
//
// Two sources: the original's JSON file itself (SYSTEM_INSTRUCTIONS_PATH; any module or dotted path into one),
// or a folder with one file per module (SYSTEM_INSTRUCTIONS_MODULES_DIR; whole modules). The names the tool's
// description lists are read once, at start: the tool list is part of the cached prefix, so it must not change
// while the server runs. A request is checked against the current file(s), re-read when they change.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { JsonValue } from '../core/json.js';
import { countTextTokens } from '../core/token-count.js';
import {
  ancestorsOf,
  BASE_MODULES,
  closestPaths,
  editDistance,
  pathName,
  renderSection,
  resolvePath,
  type InstructionTree,
} from './instruction-tree.js';
import type { InstructionsFile } from './instructions.js';
import {
  InstructionModuleError,
  type InstructionModuleSource,
  type ModuleResolution,
  type ModuleSection,
} from '../tools/instructions/module-source.js';

const MODULE_EXTENSIONS = new Set(['.md', '.txt']);
/** A name the model can spell and we can show in a header. */
const MODULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

interface CachedModule {
  mtimeMs: number;
  size: number;
  text: string;
  tokens?: number;
}

/** SYSTEM_INSTRUCTIONS_MODULES_DIR: one `*.md` or `*.txt` file per module, the name without extension. */
export class InstructionModules implements InstructionModuleSource {
  readonly form = 'modules-dir' as const;
  readonly dir: string;
  /** Module names (file names without extension), sorted. */
  readonly names: readonly string[];
  private readonly files: ReadonlyMap<string, string>;
  private readonly cache = new Map<string, CachedModule>();

  /** Reads the folder's module list; throws InstructionModuleError when it cannot be read or holds none. */
  constructor(dir: string) {
    this.dir = resolve(dir);
    let entries: string[];
    try {
      entries = readdirSync(this.dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new InstructionModuleError(`instruction modules folder ${this.dir} cannot be read (${code})`);
    }
    const files = new Map<string, string>();
    for (const entry of entries.sort()) {
      const ext = extname(entry).toLowerCase();
      if (!MODULE_EXTENSIONS.has(ext)) continue;
      const name = entry.slice(0, -ext.length);
      if (!MODULE_NAME.test(name)) {
        throw new InstructionModuleError(`instruction module file name "${entry}" must be letters, digits, "_", "-" or "." (at most 64)`);
      }
      if (files.has(name)) throw new InstructionModuleError(`instruction module "${name}" exists as both .md and .txt`);
      const path = join(this.dir, entry);
      if (!statSync(path).isFile()) continue;
      files.set(name, path);
    }
    if (files.size === 0) throw new InstructionModuleError(`instruction modules folder ${this.dir} holds no *.md or *.txt module`);
    this.files = files;
    this.names = Object.freeze([...files.keys()]);
  }

  /** A module's current text (re-read only when its file changed). Throws InstructionModuleError. */
  text(name: string): string {
    return this.entry(name).text;
  }

  resolve(ref: string): ModuleResolution {
    const wanted = ref.trim();
    const name = this.files.has(wanted) ? wanted : this.names.find((n) => n.toLowerCase() === wanted.toLowerCase());
    if (name === undefined) {
      const closest = [...this.names]
        .map((n) => ({ n, d: editDistance(n.toLowerCase(), wanted.toLowerCase()) }))
        .sort((a, b) => a.d - b.d || (a.n < b.n ? -1 : 1))
        .slice(0, 5)
        .map((x) => x.n);
      return { kind: 'unknown', ref: wanted, closest };
    }
    return { kind: 'section', section: { path: name, segments: [name], text: `=== MÓDULO ${name} ===\n${this.text(name)}` }, ancestors: () => [] };
  }

  documentOrder(segments: readonly string[]): number[] {
    return [this.names.indexOf(segments[0] ?? '')];
  }

  moduleTokens(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of this.names) {
      try {
        const entry = this.entry(name);
        entry.tokens ??= countTextTokens(entry.text);
        out[name] = entry.tokens;
      } catch {
        // An unreadable module is reported when it is loaded; /ready lists the others.
      }
    }
    return out;
  }

  private entry(name: string): CachedModule {
    const path = this.files.get(name);
    if (!path) throw new InstructionModuleError(`unknown instruction module "${name}"`);
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      throw new InstructionModuleError(`instruction module "${name}" cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const cached = this.cache.get(name);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached;
    const text = readFileSync(path, 'utf8').trim();
    if (text === '') throw new InstructionModuleError(`instruction module "${name}" is empty`);
    const entry = { mtimeMs: st.mtimeMs, size: st.size, text };
    this.cache.set(name, entry);
    return entry;
  }
}

/** The JSON instructions file's modules (every top-level key but the base modules), any path into them. */
export class JsonInstructionModules implements InstructionModuleSource {
  readonly form = 'json' as const;
  readonly names: readonly string[];
  private readonly tokensByTree = new WeakMap<InstructionTree, Record<string, number>>();

  /** `file` must be in the JSON form; the names are its loadable modules now. */
  constructor(private readonly file: InstructionsFile) {
    this.names = Object.freeze([...(this.tree()?.loadable ?? [])]);
  }

  resolve(ref: string): ModuleResolution {
    const tree = this.tree();
    if (!tree) throw new InstructionModuleError(this.file.problem() ?? 'the instructions file holds no modules');
    const resolved = resolvePath(tree, ref);
    if (!resolved) return { kind: 'unknown', ref: ref.trim(), closest: closestPaths(tree, ref) };
    if ((BASE_MODULES as readonly string[]).includes(resolved.segments[0] as string)) return { kind: 'base', path: pathName(resolved.segments) };
    const section = (r: typeof resolved): ModuleSection => ({ path: pathName(r.segments), segments: r.segments, text: renderSection(r) });
    return { kind: 'section', section: section(resolved), ancestors: () => ancestorsOf(tree, resolved).map(section) };
  }

  documentOrder(segments: readonly string[]): number[] {
    const out: number[] = [];
    let node: JsonValue | undefined = this.tree()?.modules;
    for (const key of segments) {
      const obj: Record<string, JsonValue> | undefined = typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, JsonValue>) : undefined;
      out.push(obj ? Object.keys(obj).indexOf(key) : -1);
      node = obj?.[key];
    }
    return out;
  }

  moduleTokens(): Record<string, number> {
    const tree = this.tree();
    if (!tree) return {};
    let tokens = this.tokensByTree.get(tree);
    if (!tokens) {
      tokens = {};
      for (const name of tree.loadable) tokens[name] = countTextTokens(renderSection({ segments: [name], value: tree.modules[name] ?? null }));
      this.tokensByTree.set(tree, tokens);
    }
    return tokens;
  }

  /** The current version's tree (the last good one while a newer version is refused), if any. */
  private tree(): InstructionTree | undefined {
    try {
      return this.file.load().tree;
    } catch {
      return undefined;
    }
  }
}
