// The system instructions file, read at start and re-read only when its modification time (or size)
// changes. Two forms, told apart by content (the original's JSON file is named .txt):
// - plain text: sent unchanged on every call (so is a JSON object without base modules: the original's earlier
//   single file, system_instructions.txt, which it sent whole);
// - a JSON object of modules (the original's system_instructions_new.txt): its base modules, rendered once per
//   file version (instruction-tree.ts), are sent on every call; the other modules are loaded on demand.
// Either way the text sent is byte-identical for one file version, so the provider's prompt cache keeps matching.
// The form is fixed by the first read: the tool list (load_additional_modules or not) is part of the cached
// prefix and does not change while the server runs, so a file that changes form asks for a restart.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { countTextTokens } from '../core/token-count.js';
import { InstructionTreeError, looksLikeJson, parseInstructionTree, renderCore, type InstructionTree } from './instruction-tree.js';

export type InstructionsFormat = 'text' | 'json';

/** The tool the JSON form's core tells the model to call. */
const LOAD_TOOL_NAME = 'load_additional_modules';

export interface LoadedInstructions {
  /** What is sent as the instructions: the file's text, or the JSON form's rendered core. */
  text: string;
  format: InstructionsFormat;
  /** The JSON form's modules; undefined for plain text. */
  tree: InstructionTree | undefined;
  /** sha256 (hex) of the file's bytes, as `sha256sum` prints it. */
  sha256: string;
  /** sha256 of the text with line endings, a BOM and surrounding blank space aside (to recognise a copy). */
  fingerprint: string;
  mtimeMs: number;
  size: number;
  /** o200k token count of `text`, computed at most once per file version. */
  readonly tokens: number;
}

export class InstructionsUnavailableError extends Error {
  override readonly name = 'InstructionsUnavailableError';
}

function describe(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
  return code ?? (err instanceof Error ? err.message : 'unknown error');
}

/** The fingerprint of a text: the same for a copy saved with CRLF line endings, a BOM or a trailing newline. */
export function instructionsFingerprint(text: string): string {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').trim();
  return createHash('sha256').update(normalized).digest('hex');
}

export class InstructionsFile {
  readonly path: string;
  /** The form the service started with (plain text when the file could not be read then). */
  readonly format: InstructionsFormat;
  private current: LoadedInstructions | undefined;
  private lastProblem: string | undefined;
  /** A version refused (empty, bad JSON, changed form): not read again until it changes. */
  private refused: { mtimeMs: number; size: number; problem: string; format: InstructionsFormat | undefined } | undefined;
  private readCount = 0;

  /** Reads the file once (a problem is kept for problem()); its form is the one the service keeps. */
  constructor(path: string) {
    this.path = resolve(path);
    this.refresh(undefined);
    // A JSON file refused at start (a syntax error) stays JSON: once fixed it is used without a restart.
    this.format = this.current?.format ?? this.refused?.format ?? 'text';
  }

  /** How many times the file has been read (tests and logs). */
  get reads(): number {
    return this.readCount;
  }

  /**
   * The current instructions. A stat per call; a read only when the file changed. When the file has
   * become unusable the last good version is kept; with none, throws InstructionsUnavailableError.
   */
  load(): LoadedInstructions {
    this.refresh(this.format);
    if (!this.current) throw new InstructionsUnavailableError(this.lastProblem ?? 'not loaded');
    return this.current;
  }

  /** Why the file cannot be used right now, or undefined when it can. */
  problem(): string | undefined {
    this.refresh(this.format);
    return this.lastProblem;
  }

  private refresh(format: InstructionsFormat | undefined): void {
    let mtimeMs: number;
    let size: number;
    try {
      const st = statSync(this.path);
      mtimeMs = st.mtimeMs;
      size = st.size;
    } catch (err) {
      this.lastProblem = `system instructions file ${this.path} cannot be read (${describe(err)})`;
      return;
    }
    if (this.current && this.current.mtimeMs === mtimeMs && this.current.size === size) {
      this.lastProblem = undefined;
      return;
    }
    if (this.refused && this.refused.mtimeMs === mtimeMs && this.refused.size === size) {
      this.lastProblem = this.refused.problem;
      return;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path);
      this.readCount++;
    } catch (err) {
      this.lastProblem = `system instructions file ${this.path} cannot be read (${describe(err)})`;
      return;
    }
    const raw = bytes.toString('utf8');
    const refuse = (problem: string, format?: InstructionsFormat) => {
      this.refused = { mtimeMs, size, problem, format };
      this.lastProblem = problem;
    };
    if (raw.trim() === '') return refuse(`system instructions file ${this.path} is empty`);
    let tree: InstructionTree | undefined;
    if (looksLikeJson(raw)) {
      try {
        tree = parseInstructionTree(raw);
      } catch (err) {
        if (!(err instanceof InstructionTreeError)) throw err;
        return refuse(`system instructions file ${this.path} ${err.message}`, 'json');
      }
    }
    // JSON without base modules (the earlier single file) is sent whole, as the original sent it: the text form.
    const fileFormat: InstructionsFormat = tree ? 'json' : 'text';
    if (format !== undefined && fileFormat !== format) {
      return refuse(
        `system instructions file ${this.path} is now ${fileFormat === 'json' ? 'JSON' : 'plain text'} but was ` +
          `${format === 'json' ? 'JSON' : 'plain text'} when the service started; restart the service to use it ` +
          '(the tool list is fixed while it runs)',
      );
    }
    const text = tree ? renderCore(tree, LOAD_TOOL_NAME) : raw;
    let tokens: number | undefined;
    this.current = {
      text,
      format: fileFormat,
      tree,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      fingerprint: instructionsFingerprint(raw),
      mtimeMs,
      size,
      get tokens() {
        tokens ??= countTextTokens(text);
        return tokens;
      },
    };
    this.refused = undefined;
    this.lastProblem = undefined;
  }
}
