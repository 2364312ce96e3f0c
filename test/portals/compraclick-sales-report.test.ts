// The sales report's parsing rules (hotel-backends.md §4.1) on real .xlsx files written with exceljs and on
// cell tables: header skipped, short rows ignored, thousands separators, typed, serial and day-first text
// dates, rows without date or amount dropped and counted.
import { describe, expect, it } from 'vitest';
import { parseSalesReport, salesFromTable, SalesReportError } from '../../src/portals/compraclick/sales-report.js';
import { buildSalesReportXlsx, REPORT_HEADER } from '../support/portals/compraclick-replica.js';

/** A 22-cell row with the given date (col 0), importe (13) and autorizacion (16). */
function row(date: string | number | Date | null, importe: string | number | null, autorizacion: string | number = '123456'): (string | number | Date | null)[] {
  const cells: (string | number | Date | null)[] = Array.from({ length: 22 }, () => '');
  cells[0] = date;
  cells[2] = 'Casa Matriz';
  cells[5] = 'CLIENTE';
  cells[10] = '411111XXXXXX1111';
  cells[13] = importe;
  cells[16] = autorizacion;
  cells[21] = 'Nombre Cliente';
  return cells;
}

describe('salesFromTable', () => {
  it('skips the header row and rows with fewer than 22 cells', () => {
    const header = row('01/12/2026', '5.00');
    const short = row('01/12/2026', '5.00').slice(0, 21);
    const report = salesFromTable([header, short, row('02/12/2026', '7.00')]);
    expect(report.rows.map((r) => r.importeCents)).toEqual([700]);
    expect(report.dropped).toBe(0);
  });

  it('reads amounts with thousands separators, currency signs and number cells', () => {
    const report = salesFromTable([[], row('01/12/2026', '1,250.00'), row('01/12/2026', '$ 2,500.50'), row('01/12/2026', 138), row('01/12/2026', 69.5)]);
    expect(report.rows.map((r) => r.importeCents)).toEqual([125_000, 250_050, 13_800, 6_950]);
  });

  it('reads text dates day first, ISO text, typed dates and serial numbers', () => {
    const report = salesFromTable([
      [],
      row('10/07/2025 14:03:09', '1', 'a'),
      row('10/07/2025', '1', 'b'),
      row('2025-07-11 08:00:00', '1', 'c'),
      row(new Date(Date.UTC(2025, 6, 12, 23, 59, 1)), '1', 'd'),
      row(45_851.5, '1', 'e'),
      row('10/07/2025 2:03 PM', '1', 'f'),
    ]);
    expect(Object.fromEntries(report.rows.map((r) => [r.autorizacion, r.date]))).toEqual({
      a: '2025-07-10 14:03:09',
      b: '2025-07-10 00:00:00',
      c: '2025-07-11 08:00:00',
      d: '2025-07-12 23:59:01',
      e: '2025-07-13 12:00:00',
      f: '2025-07-10 14:03:00',
    });
  });

  it('drops and counts rows without a date or an amount, and sorts the rest by date', () => {
    const report = salesFromTable([[], row('02/12/2026', '2'), row(null, '3'), row('31/02/2026', '4'), row('01/12/2026', ''), row('01/12/2026', 'n/a'), row('01/12/2026', '1')]);
    expect(report.dropped).toBe(4);
    expect(report.rows.map((r) => r.importeCents)).toEqual([100, 200]);
  });

  it('keeps the leading zeros of a numeric authorization code', () => {
    expect(salesFromTable([[], row('01/12/2026', '1', 12_345)]).rows[0]?.autorizacion).toBe('012345');
  });
});

describe('parseSalesReport', () => {
  it('reads an .xlsx export with its 23 columns, typed and text dates', async () => {
    const file = await buildSalesReportXlsx(
      [
        { date: new Date(Date.UTC(2026, 11, 1, 10, 30, 0)), cliente: 'ANA', tarjeta: '411111XXXXXX1111', importe: '1,250.00', autorizacion: '000777', descripcion: 'Ana Gomez', estado: 'ANULADA' },
        { date: '30/11/2026 18:00:00', cliente: 'LUIS', tarjeta: '522222XXXXXX2222', importe: 80, autorizacion: '654321', descripcion: 'Luis Diaz', email: 'luis@example.com' },
      ],
      [['resumen', 'total'], Array.from({ length: 22 }, () => null)],
    );
    expect(REPORT_HEADER.length).toBeGreaterThanOrEqual(22);
    const report = await parseSalesReport(file);
    expect(report.rows).toEqual([
      expect.objectContaining({ date: '2026-11-30 18:00:00', cliente: 'LUIS', email: 'luis@example.com', importeCents: 8_000, autorizacion: '654321', marcatarjeta: 'VISA' }),
      expect.objectContaining({ date: '2026-12-01 10:30:00', estado: 'ANULADA', importeCents: 125_000, autorizacion: '000777', tarjeta: '411111XXXXXX1111', descripcion: 'Ana Gomez', sucursal: 'Casa Matriz' }),
    ]);
  });

  it('refuses a legacy .xls file and anything that is not a spreadsheet, saying so', async () => {
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
    await expect(parseSalesReport(ole)).rejects.toThrow(/legacy \.xls/);
    await expect(parseSalesReport(Buffer.from('<html>error</html>'))).rejects.toBeInstanceOf(SalesReportError);
    await expect(parseSalesReport(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).rejects.toBeInstanceOf(SalesReportError);
  });
});
