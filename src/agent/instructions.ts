// The system instructions file, read at start and re-read only when its modification time (or size)
// changes. The text goes unchanged into every call so the provider's prompt cache keeps matching.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { countTextTokens } from '../store/conversation-store.js';

export interface LoadedInstructions {
  text: string;
  mtimeMs: number;
  size: number;
  /** o200k token count, computed at most once per file version. */
  readonly tokens: number;
}

export class InstructionsUnavailableError extends Error {
  override readonly name = 'InstructionsUnavailableError';
}

function describe(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
  return code ?? (err instanceof Error ? err.message : 'unknown error');
}

export class InstructionsFile {
  readonly path: string;
  private current: LoadedInstructions | undefined;
  private lastProblem: string | undefined;
  private readCount = 0;

  constructor(path: string) {
    this.path = resolve(path);
  }

  /** How many times the file has been read (tests and logs). */
  get reads(): number {
    return this.readCount;
  }

  /**
   * The current instructions. A stat per call; a read only when the file changed. When the file has
   * become unreadable the last good version is kept; with none, throws InstructionsUnavailableError.
   */
  load(): LoadedInstructions {
    this.refresh();
    if (!this.current) throw new InstructionsUnavailableError(this.lastProblem ?? 'not loaded');
    return this.current;
  }

  /** Why the file cannot be used right now, or undefined when it can. */
  problem(): string | undefined {
    this.refresh();
    return this.lastProblem;
  }

  private refresh(): void {
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
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
      this.readCount++;
    } catch (err) {
      this.lastProblem = `system instructions file ${this.path} cannot be read (${describe(err)})`;
      return;
    }
    if (text.trim() === '') {
      this.lastProblem = `system instructions file ${this.path} is empty`;
      return;
    }
    let tokens: number | undefined;
    this.current = {
      text,
      mtimeMs,
      size,
      get tokens() {
        tokens ??= countTextTokens(text);
        return tokens;
      },
    };
    this.lastProblem = undefined;
  }
}
