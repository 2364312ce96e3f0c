// Build once (scripts/build-if-stale.mjs): `npm start`, every command and `watibot3 <command>` compile dist/
// only when it is missing or older than src/; an unchanged checkout starts without the compiler. Each case
// builds a two-file project in a temporary folder with the real TypeScript compiler.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without type declarations (it runs before anything is compiled)
import { buildIfStale, staleReason } from '../../scripts/build-if-stale.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
type Build = (root: string, options?: { force?: boolean; write?: (line: string) => void }) => 'fresh' | 'built';
const build = buildIfStale as Build;
const reason = staleReason as (root: string) => string | undefined;

function project(options: { compiler?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'wb3-build-'));
  mkdirSync(join(dir, 'src', 'cli'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'build-check', private: true, type: 'module' }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, outDir: 'dist', rootDir: 'src', types: [] }, include: ['src/**/*.ts'] }),
  );
  writeFileSync(join(dir, 'src', 'server.ts'), 'export const answer: number = 1;\n');
  writeFileSync(join(dir, 'src', 'cli', 'report.ts'), 'export const report: string = "r";\n');
  if (options.compiler !== false) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Dates a file `seconds` from now (an edit after the last build, or one long before it). */
const touch = (file: string, seconds: number) => utimesSync(file, Date.now() / 1000 + seconds, Date.now() / 1000 + seconds);

describe('build if stale', () => {
  it('compiles a checkout that was never built, then starts an unchanged one without compiling', () => {
    const dir = project();
    const lines: string[] = [];
    expect(reason(dir)).toBe('dist/ has not been built');
    expect(build(dir, { write: (l) => void lines.push(l) })).toBe('built');
    expect(lines.join('')).toContain('dist/ has not been built; compiling src/ into dist/');
    expect(readFileSync(join(dir, 'dist', 'server.js'), 'utf8')).toContain('answer = 1');
    expect(reason(dir)).toBeUndefined();
    lines.length = 0;
    expect(build(dir, { write: (l) => void lines.push(l) })).toBe('fresh');
    expect(lines).toEqual([]);
  }, 60_000);

  it('compiles again after a source is edited, added or removed, and after tsconfig.json changes', () => {
    const dir = project();
    build(dir, { write: () => undefined });
    const server = join(dir, 'src', 'server.ts');
    writeFileSync(server, 'export const answer: number = 2;\n');
    expect(reason(dir)).toBe('src/ changed since the last build');
    expect(build(dir, { write: () => undefined })).toBe('built');
    expect(readFileSync(join(dir, 'dist', 'server.js'), 'utf8')).toContain('answer = 2');
    // Removing a file changes only its folder's time.
    rmSync(join(dir, 'src', 'cli', 'report.ts'));
    touch(join(dir, 'src', 'cli'), 5);
    expect(reason(dir)).toBe('src/ changed since the last build');
    touch(join(dir, 'src', 'cli'), -60);
    expect(reason(dir)).toBeUndefined();
    touch(join(dir, 'tsconfig.json'), 5);
    expect(reason(dir)).toBe('src/ changed since the last build');
  }, 60_000);

  it('a failed build says so and leaves dist/ stale, so the next start compiles again', () => {
    const dir = project();
    writeFileSync(join(dir, 'src', 'server.ts'), 'export const answer: number = "not a number";\n');
    expect(() => build(dir, { write: () => undefined })).toThrow(/the TypeScript build failed \(exit \d+\); dist\/ was not updated/);
    expect(existsSync(join(dir, 'dist', '.build-stamp'))).toBe(false);
    expect(reason(dir)).toBe('dist/ has not been built');
  }, 60_000);

  it('without the compiler (a pruned production install) a built checkout still starts; a stale one is refused by name', () => {
    // Built elsewhere (as `npm ci && npm run build && npm prune --omit=dev` leaves it): dist/ and its stamp.
    const dir = project({ compiler: false });
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'server.js'), 'export const answer = 1;\n');
    writeFileSync(join(dir, 'dist', '.build-stamp'), '');
    touch(join(dir, 'dist', '.build-stamp'), 1);
    expect(build(dir)).toBe('fresh');
    touch(join(dir, 'src', 'server.ts'), 5);
    expect(reason(dir)).toBe('src/ changed since the last build');
    expect(() => build(dir)).toThrow('src/ changed since the last build, and the TypeScript compiler is not installed (devDependencies pruned?): run `npm ci && npm run build`');
  }, 60_000);
});

describe('the commands', () => {
  it('every npm command checks the build, then execs node (Ctrl-C reaches the command itself)', () => {
    const { scripts, bin } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
    for (const name of ['start', 'migrate', 'chat', 'report', 'compare', 'migrate-legacy', 'export-pending']) {
      expect(scripts[name], name).toMatch(/^node scripts\/build-if-stale\.mjs && exec node dist\/\S+\.js( --migrate)?$/);
    }
    expect(scripts.build).toBe('node scripts/build-if-stale.mjs --force');
    expect(bin).toEqual({ watibot3: 'bin/watibot3.mjs' });
  });

  it('watibot3 --help lists every command; an unknown one is a usage error (64) that names it', () => {
    const help = spawnSync(process.execPath, [join(ROOT, 'bin', 'watibot3.mjs'), '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const name of ['start', 'migrate', 'chat', 'report', 'compare', 'migrate-legacy', 'export-pending', 'build']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    const unknown = spawnSync(process.execPath, [join(ROOT, 'bin', 'watibot3.mjs'), 'reprot'], { encoding: 'utf8' });
    expect(unknown.status).toBe(64);
    expect(unknown.stderr).toContain('watibot3: unknown command "reprot"');
    expect(unknown.stdout).toBe('');
  });
});
