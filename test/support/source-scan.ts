// Architecture checks over src/: list the sources and walk each one's syntax tree (so comments and log
// texts are no false alarms), reporting file and line of what a check finds.
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import ts from 'typescript';

export const SRC = join(import.meta.dirname, '../../src');

export interface SourceFinding {
  /** Path relative to src/, with forward slashes. */
  file: string;
  line: number;
  what: string;
}

/** The .ts sources under src/ (relative, forward slashes), sorted, without those `skip` names. */
export function sourceFiles(skip: (file: string) => boolean): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split(sep).join('/'))
    .filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts') && !skip(p))
    .sort();
}

/** Calls `check` on every node of `source`; what it reports carries the node's line. */
export function scanSource(
  file: string,
  source: string,
  check: (node: ts.Node, report: (what: string) => void, sf: ts.SourceFile) => void,
): SourceFinding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const findings: SourceFinding[] = [];
  const visit = (node: ts.Node): void => {
    check(node, (what) => findings.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, what }), sf);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}
