// The BAC account statement CSV (hotel-backends.md §4.2): latin-1 text, comma-separated with Python
// csv.reader quoting, a preamble, a header row with a "Fecha de Transacción" cell, 7-column rows
// (date, reference, code, description, debit, credit, balance) and an end: a row whose first cell is
// empty or a "Resumen de Estado Bancario" block. The original required exactly 7 cells, so an unquoted
// '1,250.00' (8 cells) silently lost the transfer; here such a row is rebuilt when only one reading exists.
// A line that still cannot be read is counted and skipped: one odd line must not stop a sync.
import type { StatementLine } from '../../hotel-rules/ledger-rows.js';
import type { Cents } from '../../hotel-rules/types.js';
import { parseAmount, parseDmyDate } from '../../hotel-rules/values.js';

export interface ParsedStatement {
  lines: StatementLine[];
  /** Lines after the header that are not a statement line (wrong shape, no date, no amount). */
  skippedLines: number;
  /** Which decoding was used: 'latin1' as BAC sends it, 'utf-8' only for a file that is valid UTF-8 with non-ASCII text. */
  encoding: 'latin1' | 'utf-8';
}

/** The bytes are not a statement at all (no header row): an error page, a changed export, an empty file. */
export class StatementCsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatementCsvError';
  }
}

// Prefixes without the accent, so they match whatever the 'ó' decoded to.
const HEADER_MARK = 'fecha de transacci';
const SUMMARY_MARK = 'resumen de estado bancario';
const COLUMNS = 7;

/**
 * BAC sends latin-1. A file re-saved as UTF-8 (BOM, or valid UTF-8 with non-ASCII bytes, which latin-1
 * text with accents practically never is) is read as UTF-8 so its descriptions keep their accents.
 */
export function decodeStatement(bytes: Uint8Array): { text: string; encoding: ParsedStatement['encoding'] } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  }
  if (bytes.some((b) => b >= 0x80)) {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
    } catch {
      // not UTF-8: the normal case
    }
  }
  return { text: new TextDecoder('latin1').decode(bytes), encoding: 'latin1' };
}

/**
 * Records as Python's csv.reader reads them: '"' quotes a field only at its start, '""' inside quotes is
 * one quote, quoted fields may hold commas and line breaks; a line break outside quotes ends the record
 * (an empty line is an empty record).
 */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted section
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += ch;
      }
      continue;
    }
    if (ch === '"' && fieldStart) {
      quoted = true;
      fieldStart = false;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      fieldStart = true;
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      // csv.reader gives [] for an empty line, not [''].
      if (record.length > 0 || field !== '' || !fieldStart) record.push(field);
      records.push(record);
      record = [];
      field = '';
      fieldStart = true;
    } else {
      field += ch;
      fieldStart = false;
    }
  }
  if (record.length > 0 || field !== '' || !fieldStart) {
    record.push(field);
    records.push(record);
  }
  return records;
}

function isHeader(cells: readonly string[]): boolean {
  return cells.some((c) => c.toLowerCase().includes(HEADER_MARK));
}

function isEnd(cells: readonly string[]): boolean {
  return (cells[0] ?? '').trim() === '' || cells.some((c) => c.toLowerCase().includes(SUMMARY_MARK));
}

// An unquoted grouped amount split by the commas: a lead of 1–3 digits, then groups of exactly 3.
const GROUP_LEAD = /^-?\$?\s?\d{1,3}$/;
const GROUP_MIDDLE = /^\d{3}$/;
const GROUP_LAST = /^\d{3}(?:\.\d+)?$/;

/** The ways the cells ending just before `end` can form one amount: how many cells each way takes. */
function amountSpans(cells: readonly string[], end: number): number[] {
  const spans: number[] = [];
  const last = cells[end - 1]?.trim();
  if (last === undefined) return spans;
  if (cellCents(last) !== undefined) spans.push(1);
  if (!GROUP_LAST.test(last)) return spans;
  for (let start = end - 2; start >= 0; start--) {
    const cell = (cells[start] ?? '').trim();
    if (GROUP_LEAD.test(cell)) spans.push(end - start);
    if (!GROUP_MIDDLE.test(cell)) break;
  }
  return spans;
}

/**
 * A row of more than 7 cells read as date, reference, code, description (which may hold commas) and three
 * amounts (which may be unquoted grouped numbers). Of the possible readings the one whose amounts take the
 * most cells wins (a description cell that is a bare number is the unlikely case); a tie is no reading.
 */
function rebuild(cells: readonly string[]): string[] | undefined {
  const n = cells.length;
  let best: string[] | undefined;
  let bestEnd = Infinity;
  let tied = false;
  for (const balanceSpan of amountSpans(cells, n)) {
    for (const creditSpan of amountSpans(cells, n - balanceSpan)) {
      for (const debitSpan of amountSpans(cells, n - balanceSpan - creditSpan)) {
        const descriptionEnd = n - balanceSpan - creditSpan - debitSpan;
        if (descriptionEnd < 4 || descriptionEnd > bestEnd) continue;
        tied = descriptionEnd === bestEnd;
        if (tied) continue;
        const join = (from: number, to: number) => cells.slice(from, to).join(',');
        bestEnd = descriptionEnd;
        best = [
          cells[0] ?? '',
          cells[1] ?? '',
          cells[2] ?? '',
          join(3, descriptionEnd),
          join(descriptionEnd, descriptionEnd + debitSpan),
          join(descriptionEnd + debitSpan, n - balanceSpan),
          join(n - balanceSpan, n),
        ];
      }
    }
  }
  return tied ? undefined : best;
}

/** An amount cell in cents; '' is 0; undefined when it is not an amount. */
function cellCents(text: string): Cents | undefined {
  return text === '' ? 0 : parseAmount(text);
}

function toLine(cells: readonly string[]): StatementLine | undefined {
  const row = cells.length === COLUMNS ? cells : cells.length > COLUMNS ? rebuild(cells) : undefined;
  if (row === undefined) return undefined;
  const [dateText, reference, code, description, debit, credit, balance] = row.map((c) => c.trim());
  if (dateText === undefined || reference === undefined || code === undefined || description === undefined) return undefined;
  if (debit === undefined || credit === undefined || balance === undefined) return undefined;
  const date = parseDmyDate(dateText);
  const creditCents = cellCents(credit);
  const debitCents = cellCents(debit);
  if (date === undefined || creditCents === undefined || debitCents === undefined) return undefined;
  return { date, dateText, reference, code, description, debit, credit, balance, creditCents, debitCents };
}

/** The statement's lines, in file order. Throws StatementCsvError when there is no header row. */
export function parseStatementCsv(bytes: Uint8Array): ParsedStatement {
  const { text, encoding } = decodeStatement(bytes);
  const records = csvRecords(text);
  const headerAt = records.findIndex(isHeader);
  if (headerAt < 0) throw new StatementCsvError('BAC statement: no header row with "Fecha de Transacción"');
  const lines: StatementLine[] = [];
  let skippedLines = 0;
  for (const cells of records.slice(headerAt + 1)) {
    if (isEnd(cells)) break;
    const line = toLine(cells);
    if (line === undefined) skippedLines++;
    else lines.push(line);
  }
  return { lines, skippedLines, encoding };
}
