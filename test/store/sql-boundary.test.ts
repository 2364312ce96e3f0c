// All SQL lives in src/store/: every other folder calls repository methods. This scans the sources outside
// src/store/ with the TypeScript parser (so comments, regexes and `regex.exec(...)` are no false alarms) and
// names each file and line that prepares or runs SQL, or holds a literal shaped like an SQL statement.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { SRC, scanSource, sourceFiles, type SourceFinding } from '../support/source-scan.js';

/** Receivers that are a database handle: `db`, `this.db`, `deps.db`, `getDb()`, `database`, `sqlite`. */
const DB_RECEIVER = /(?:^|[a-z_$])db$|database$|sqlite$/i;

// Shaped like a statement, so guest-facing text such as 'Select a date' or an HTTP method 'DELETE' is not SQL.
const SQL_LITERAL = [
  /^SELECT\s+(?:\d+|\*)(?:\s|$)/i,
  /^SELECT\s[\s\S]*\bFROM\s+\w/i,
  /^INSERT\s+(?:OR\s+\w+\s+)?INTO\s/i,
  /^REPLACE\s+INTO\s/i,
  /^UPDATE\s+\w+\s+SET\s/i,
  /^DELETE\s+FROM\s/i,
  /^(?:CREATE|DROP|ALTER)\s+(?:UNIQUE\s+|TEMP(?:ORARY)?\s+|VIRTUAL\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\s/i,
  /^PRAGMA\s+\w/i,
];

/** The name a call's receiver ends in: `this.db` → db, `getDb()` → getDb. */
function receiverName(expr: ts.Expression): string | undefined {
  if (ts.isIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  if (ts.isCallExpression(expr)) return receiverName(expr.expression);
  if (ts.isParenthesizedExpression(expr) || ts.isNonNullExpression(expr) || ts.isAsExpression(expr)) return receiverName(expr.expression);
  return undefined;
}

/** A literal's text; a template's substitutions read as `x`, so `UPDATE ${table} SET` is still a statement. */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => `x${s.literal.text}`).join('');
  return undefined;
}

function findSql(file: string, source: string): SourceFinding[] {
  return scanSource(file, source, (node, report) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = receiverName(node.expression.expression) ?? '';
      if (method === 'pragma') report(`.pragma( on ${receiver || 'an expression'}`);
      else if ((method === 'prepare' || method === 'exec') && DB_RECEIVER.test(receiver)) report(`${receiver}.${method}(`);
    }
    const text = literalText(node);
    if (text !== undefined) {
      const trimmed = text.trimStart();
      if (SQL_LITERAL.some((re) => re.test(trimmed))) report(`SQL literal "${trimmed.replace(/\s+/g, ' ').slice(0, 60)}"`);
    }
  });
}

/**
 * Files outside src/store/ whose SQL is not moved yet, with how many findings and why. A count that no longer
 * matches fails too, so the list only shrinks. Keep it empty: add a repository method instead.
 */
const PENDING: readonly { file: string; findings: number; why: string }[] = [];

describe('SQL boundary', () => {
  it('no file outside src/store/ prepares or runs SQL', () => {
    const findings = sourceFiles((p) => p.startsWith('store/')).flatMap((file) => findSql(file, readFileSync(join(SRC, file), 'utf8')));
    const pendingFiles = new Set(PENDING.map((p) => p.file));
    const unexpected = findings.filter((f) => !pendingFiles.has(f.file)).map((f) => `src/${f.file}:${f.line}: ${f.what}`);
    expect(unexpected, 'SQL belongs in a repository module under src/store/').toEqual([]);
    const counts = PENDING.map((p) => ({ file: p.file, findings: findings.filter((f) => f.file === p.file).length }));
    expect(counts, 'PENDING is out of date: moved SQL is removed from it, new SQL is not added to it').toEqual(
      PENDING.map(({ file, findings: n }) => ({ file, findings: n })),
    );
  });

  it('finds each kind of SQL it looks for, and not look-alikes', () => {
    const source = [
      "const a = db.prepare('SELECT 1');",
      'this.db.exec(sql);',
      "db.pragma('user_version', { simple: true });",
      'const b = `INSERT OR IGNORE INTO media (id) VALUES (?)`;',
      "const c = 'delete from jobs where id = ?';",
      'const d = `UPDATE ${table} SET x = 1`;',
      'const e = `CREATE TABLE t (id INTEGER)`;',
      // look-alikes
      "const m = /^(\\d+)$/.exec(text); await this.media.prepare(id, messages);",
      "const method: 'GET' | 'DELETE' = 'DELETE'; const t = ['Select a date', 'Update your booking', 'Create a ticket'];",
      '// SELECT * FROM comments is not code',
    ].join('\n');
    expect(findSql('x.ts', source).map((f) => `${f.line}: ${f.what}`)).toEqual([
      '1: db.prepare(',
      '1: SQL literal "SELECT 1"',
      '2: db.exec(',
      '3: .pragma( on db',
      '4: SQL literal "INSERT OR IGNORE INTO media (id) VALUES (?)"',
      '5: SQL literal "delete from jobs where id = ?"',
      '6: SQL literal "UPDATE x SET x = 1"',
      '7: SQL literal "CREATE TABLE t (id INTEGER)"',
    ]);
  });
});
