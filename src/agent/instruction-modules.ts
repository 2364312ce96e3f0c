// Instruction modules (the later revision's router architecture): the hotel's long instructions split into a
// core, sent on every call, and modules the model loads on demand with load_additional_modules. A module's
// text then enters the conversation's transcript after the cached prefix, so it costs tokens only in the
// conversations that need it instead of growing the prefix for everyone.
//
// The module names are read once, at start: they are the tool's enum, and the tool list is part of the
// cached prefix, so it must not change while the server runs (a new module file needs a restart). A
// module's text is re-read when its file changes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

const MODULE_EXTENSIONS = new Set(['.md', '.txt']);
/** A name the model can spell in an enum and we can show in a header. */
const MODULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export class InstructionModuleError extends Error {
  override readonly name = 'InstructionModuleError';
}

interface CachedModule {
  mtimeMs: number;
  size: number;
  text: string;
}

export class InstructionModules {
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
    const path = this.files.get(name);
    if (!path) throw new InstructionModuleError(`unknown instruction module "${name}"`);
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      throw new InstructionModuleError(`instruction module "${name}" cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const cached = this.cache.get(name);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.text;
    const text = readFileSync(path, 'utf8').trim();
    if (text === '') throw new InstructionModuleError(`instruction module "${name}" is empty`);
    this.cache.set(name, { mtimeMs: st.mtimeMs, size: st.size, text });
    return text;
  }
}
