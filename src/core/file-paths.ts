// Preparing the files and folders the configuration names (the database, the media folder), with a reason a
// person can act on when one cannot be used. Node's own `mkdir({ recursive: true })` loops forever at full CPU
// when the kernel answers ENOENT for a folder whose parent exists (/proc/1/nope), so folders are created here one
// level at a time, a bounded walk.
import { accessSync, constants, mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A configured path that cannot be used, and why (the caller names the variable or flag it came from). */
export class PathError extends Error {
  override readonly name = 'PathError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    // Missing, or under a file (ENOTDIR): the walk up finds the file and names it.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new PathError(path, `cannot be examined (${errnoText(err)})`);
  }
}

export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^[A-Z]+: /, '')}` : String(err);
}

/** What a path that is not a regular file or folder is, in words. */
export function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFile()) return 'a file';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Creates the folder and any missing parents (one level at a time), and checks this user may write in it. */
export function ensureDirectory(dir: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  let at = target;
  // Bounded by the path's depth: dirname of the root is the root.
  for (;;) {
    const stats = statOrUndefined(at);
    if (stats) {
      if (!stats.isDirectory()) throw new PathError(target, `${at} is ${kindOf(stats)}, not a folder`);
      break;
    }
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      // Created meanwhile by another process: fine if it is a folder (checked by the next level or below).
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new PathError(target, `cannot create the folder ${folder} (${errnoText(err)})`);
    }
  }
  const stats = statOrUndefined(target);
  if (!stats?.isDirectory()) throw new PathError(target, 'is not a folder');
  try {
    accessSync(target, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new PathError(target, `the folder is not writable by this user (${errnoText(err)})`);
  }
}
