// The README and docs/ link to each other by file and heading anchor; a moved or renamed section must not leave a
// reader at a dead link. The paths they name (`src/…`, `test/…`, …) must exist too, so the docs cannot quietly
// drift from the code.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

function read(file: string): string {
  return readFileSync(join(root, file), 'utf8');
}

/** The text outside fenced code blocks (a link or heading inside one is an example, not part of the document). */
function outsideFences(markdown: string): string {
  let inFence = false;
  return markdown
    .split('\n')
    .filter((line) => {
      if (line.startsWith('```')) {
        inFence = !inFence;
        return false;
      }
      return !inFence;
    })
    .join('\n');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered -1, -2, … */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of outsideFences(markdown).matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const text = match[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface Link {
  file: string;
  target: string;
}

function relativeLinks(file: string): Link[] {
  const text = outsideFences(read(file)).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .map((target) => ({ file, target }));
}

function brokenLink({ file, target }: Link): string | undefined {
  const hash = target.indexOf('#');
  const path = hash === -1 ? target : target.slice(0, hash);
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const resolved = path === '' ? file : relative(root, join(root, dirname(file), decodeURIComponent(path)));
  if (!existsSync(join(root, resolved))) return `${file}: ${target} (no file ${resolved})`;
  if (anchor === undefined) return undefined;
  if (!resolved.endsWith('.md') || statSync(join(root, resolved)).isDirectory()) return `${file}: ${target} (an anchor into a file that is not markdown)`;
  if (!headingAnchors(read(resolved)).has(anchor)) return `${file}: ${target} (no heading #${anchor} in ${resolved})`;
  return undefined;
}

describe('README and docs/', () => {
  it('every relative link names an existing file, and an existing heading when it has an anchor', () => {
    const links = documents.flatMap(relativeLinks);
    expect(links.length).toBeGreaterThan(20);
    expect(links.map(brokenLink).filter((problem) => problem !== undefined)).toEqual([]);
  });

  it('the link check itself tells a dead anchor from a live one', () => {
    expect(brokenLink({ file: 'README.md', target: 'docs/configuration.md#gemini-on-vertex-ai' })).toBeUndefined();
    expect(brokenLink({ file: 'README.md', target: 'docs/configuration.md#no-such-heading' })).toMatch(/no heading/);
    expect(brokenLink({ file: 'docs/operations.md', target: 'nowhere.md' })).toMatch(/no file docs\/nowhere\.md/);
    expect([...headingAnchors("## The hotel's systems\n## Reports: `npm run report`\n## Reports: `npm run report`\n")]).toEqual([
      'the-hotels-systems',
      'reports-npm-run-report',
      'reports-npm-run-report-1',
    ]);
  });

  it('every repository path they name in code spans exists', () => {
    const missing: string[] = [];
    for (const file of documents) {
      for (const match of read(file).matchAll(/`((?:src|test|scripts|deploy|resources|bin|docs)\/[^`\s*…<>{}]*)`/g)) {
        if (!existsSync(join(root, match[1]!))) missing.push(`${file}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the README stays a guide: under 30 KB, with the manual in docs/', () => {
    expect(Buffer.byteLength(read('README.md'))).toBeLessThan(30 * 1024);
    expect(documents.length).toBeGreaterThan(5);
  });
});
