// What is particular to a platform lives in its adapter (src/platforms/): the rest of the code asks the
// conversation's adapter and never branches on the channel. This scans the sources outside src/platforms/
// with the TypeScript parser (so comments and log texts are no false alarms) and names each file and line
// that compares a value with a channel name (`=== 'whatsapp'`, `!== 'facebook'`, `case 'instagram':`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { SRC, scanSource, sourceFiles, type SourceFinding } from '../support/source-scan.js';

const CHANNELS = new Set(['whatsapp', 'facebook', 'instagram']);

/** Where channel names may be compared: the adapters, and the files that define the Channel type and the config. */
const ALLOWED = (file: string) => file.startsWith('platforms/') || file === 'conversation-id.ts' || file === 'config.ts';

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

function channelLiteral(node: ts.Node): string | undefined {
  const inner = ts.isParenthesizedExpression(node) ? node.expression : node;
  return (ts.isStringLiteral(inner) || ts.isNoSubstitutionTemplateLiteral(inner)) && CHANNELS.has(inner.text) ? inner.text : undefined;
}

function findChannelBranches(file: string, source: string): SourceFinding[] {
  return scanSource(file, source, (node, report, sf) => {
    if (ts.isBinaryExpression(node) && EQUALITY.has(node.operatorToken.kind)) {
      const channel = channelLiteral(node.left) ?? channelLiteral(node.right);
      if (channel) report(`${node.operatorToken.getText(sf)} '${channel}'`);
    }
    if (ts.isCaseClause(node)) {
      const channel = channelLiteral(node.expression);
      if (channel) report(`case '${channel}':`);
    }
  });
}

describe('channel branches', () => {
  it('no file outside src/platforms/ branches on the channel', () => {
    const findings = sourceFiles(ALLOWED).flatMap((file) => findChannelBranches(file, readFileSync(join(SRC, file), 'utf8')));
    expect(
      findings.map((f) => `src/${f.file}:${f.line}: ${f.what}`),
      "ask the conversation's platform adapter (src/platforms/) instead of testing the channel",
    ).toEqual([]);
  });

  it('finds each kind of comparison it looks for, and not look-alikes', () => {
    const source = [
      "if (ref.channel === 'whatsapp') send();",
      "const x = m.channel !== 'facebook' ? 1 : 2;",
      "if ('instagram' == channel) {}",
      "switch (channel) { case 'instagram': break; }",
      "const y = channel === ('whatsapp');",
      // look-alikes
      "const all: Channel[] = ['whatsapp', 'facebook', 'instagram'];",
      "log.info('whatsapp === ok'); const t = { whatsapp: 'wa' };",
      "// ref.channel === 'whatsapp' in a comment",
      "if (kind === 'image') {}",
    ].join('\n');
    expect(findChannelBranches('x.ts', source).map((f) => `${f.line}: ${f.what}`)).toEqual([
      "1: === 'whatsapp'",
      "2: !== 'facebook'",
      "3: == 'instagram'",
      "4: case 'instagram':",
      "5: === 'whatsapp'",
    ]);
  });
});
