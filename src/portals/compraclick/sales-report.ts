// The merchant portal's sales report (hotel-backends.md §4.1) as compraclick ledger rows: the first row is
// a header, rows with fewer than 22 cells are not sales, and the columns used are 0 date, 2 sucursal,
// 3 usuario, 4 estado, 5 cliente, 6 documento, 7 email, 8 direccion, 9 marca, 10 tarjeta, 13 importe,
// 16 autorizacion and 21 descripcion. Unlike the original, an amount with a thousands separator
// ('1,250.00') is a sale, and a text date is read day first as El Salvador writes it (pandas read
// '10/07/2025' as 7 October).
//
// Only .xlsx is read (exceljs). A legacy binary .xls (an OLE compound file) is refused with a clear error:
// the only npm reader for it is the unmaintained `xlsx` 0.18 release.
import type { Buffer as ExcelBuffer, CellValue } from 'exceljs';
import type { SaleRow } from '../../hotel-rules/ledger-rows.js';
import type { Cents } from '../../hotel-rules/types.js';
import { isoDateOf, parseAmount } from '../../hotel-rules/values.js';

export interface SalesReport {
  /** Sorted by date, as the original inserted them. */
  rows: SaleRow[];
  /** Rows of at least 22 cells dropped for a missing or unreadable date or amount. */
  dropped: number;
}

export class SalesReportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SalesReportError';
  }
}

const MIN_CELLS = 22;
const COL = { date: 0, sucursal: 2, usuario: 3, estado: 4, cliente: 5, documento: 6, email: 7, direccion: 8, marca: 9, tarjeta: 10, importe: 13, autorizacion: 16, descripcion: 21 } as const;

/** A cell reduced to what the report can hold: text, number, date or nothing. */
type Cell = string | number | Date | null;

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export async function parseSalesReport(file: Buffer): Promise<SalesReport> {
  if (file.subarray(0, OLE_MAGIC.length).equals(OLE_MAGIC)) {
    throw new SalesReportError('the sales report is a legacy .xls file; only .xlsx reports can be read');
  }
  if (!file.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC)) {
    throw new SalesReportError('the sales report is not an .xlsx file');
  }
  // exceljs is loaded on the first report read (~27 MB of RSS the idle service need not carry).
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs's typing predates Buffer<ArrayBufferLike>; the bytes are what it expects.
    await workbook.xlsx.load(file as unknown as ExcelBuffer);
  } catch (err) {
    throw new SalesReportError(`the sales report could not be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new SalesReportError('the sales report has no worksheet');

  const table: Cell[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    // row.values is 1-based (index 0 is always empty).
    const values = Array.isArray(row.values) ? row.values.slice(1) : [];
    table[rowNumber - 1] = values.map(toCell);
  });
  return salesFromTable(table);
}

/** The report's rows (already reduced to cells) as sales; exported for the parsing rules' tests. */
export function salesFromTable(table: readonly (readonly Cell[] | undefined)[]): SalesReport {
  const rows: SaleRow[] = [];
  let dropped = 0;
  for (const cells of table.slice(1)) {
    if (!cells || cells.length < MIN_CELLS) continue;
    const date = dateOf(cells[COL.date] ?? null);
    const importeCents = amountOf(cells[COL.importe] ?? null);
    if (date === undefined || importeCents === undefined) {
      dropped++;
      continue;
    }
    const text = (i: number) => textOf(cells[i] ?? null);
    rows.push({
      date,
      sucursal: text(COL.sucursal),
      usuario: text(COL.usuario),
      estado: text(COL.estado),
      cliente: text(COL.cliente),
      documento: text(COL.documento),
      email: text(COL.email),
      direccion: text(COL.direccion),
      marcatarjeta: text(COL.marca),
      tarjeta: text(COL.tarjeta),
      importeCents,
      autorizacion: authorizationOf(cells[COL.autorizacion] ?? null),
      descripcion: text(COL.descripcion),
    });
  }
  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { rows, dropped };
}

function toCell(value: CellValue | undefined): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || value instanceof Date) return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) {
      const result = value.result;
      if (typeof result === 'string' || typeof result === 'number' || result instanceof Date) return result;
      return null;
    }
    if ('text' in value && typeof value.text === 'string') return value.text;
  }
  return null;
}

function textOf(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof Date) return formatDateTime(cell);
  return String(cell).trim();
}

/** A numeric code loses its leading zeros in a spreadsheet; the portal's codes have 6 digits. */
function authorizationOf(cell: Cell): string {
  if (typeof cell === 'number' && Number.isInteger(cell) && cell >= 0) return String(cell).padStart(6, '0');
  return textOf(cell);
}

function amountOf(cell: Cell): Cents | undefined {
  if (cell === null || cell instanceof Date) return undefined;
  return parseAmount(cell);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A spreadsheet date has no zone: exceljs gives its wall-clock time as UTC fields. */
function formatDateTime(d: Date): string {
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

// Excel's day 0 is 1899-12-30 (its 1900 leap-year bug included); serials in this range are 1954–2119.
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const SERIAL_MIN = 20_000;
const SERIAL_MAX = 80_000;

const DMY_RE = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?\s?[Mm]\.?)?)?$/;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]+(\d{2}):(\d{2})(?::(\d{2}))?)?/;

function dateOf(cell: Cell): string | undefined {
  if (cell === null) return undefined;
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? undefined : formatDateTime(cell);
  if (typeof cell === 'number') {
    if (!(cell >= SERIAL_MIN && cell <= SERIAL_MAX)) return undefined;
    // Rounded to the second: serials carry binary noise.
    return formatDateTime(new Date(EXCEL_EPOCH_MS + Math.round(cell * 86_400) * 1000));
  }
  const text = cell.trim();
  const iso = ISO_RE.exec(text);
  if (iso) return dateTime(Number(iso[1]), Number(iso[2]), Number(iso[3]), iso[4], iso[5], iso[6], undefined);
  const dmy = DMY_RE.exec(text);
  if (dmy) return dateTime(Number(dmy[3]), Number(dmy[2]), Number(dmy[1]), dmy[4], dmy[5], dmy[6], dmy[7]);
  return undefined;
}

function dateTime(y: number, m: number, d: number, hh: string | undefined, mm: string | undefined, ss: string | undefined, ampm: string | undefined): string | undefined {
  const day = isoDateOf(y, m, d);
  if (day === undefined) return undefined;
  let hours = hh === undefined ? 0 : Number(hh);
  const minutes = mm === undefined ? 0 : Number(mm);
  const secs = ss === undefined ? 0 : Number(ss);
  if (ampm !== undefined) {
    if (hours < 1 || hours > 12) return undefined;
    const pm = /^p/i.test(ampm);
    hours = (hours % 12) + (pm ? 12 : 0);
  }
  if (hours > 23 || minutes > 59 || secs > 59) return undefined;
  return `${day} ${pad2(hours)}:${pad2(minutes)}:${pad2(secs)}`;
}
