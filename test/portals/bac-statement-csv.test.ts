// The BAC statement CSV as the bank sends it: latin-1 bytes, a preamble, the header row, 7-column lines
// (quoted or not), the end markers; amounts with thousands separators are kept, odd lines counted.
import { describe, expect, it } from 'vitest';
import { csvRecords, decodeStatement, parseStatementCsv, StatementCsvError } from '../../src/portals/bac/statement-csv.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

const PREAMBLE = ['Estado de Cuenta', 'Cuenta:,<BAC_ACCOUNT>', 'Período:,01/02/2027 - 28/02/2027', ''];
const HEADER = 'Fecha de Transacción,Referencia,Código,Descripción,Débito,Crédito,Saldo';
const SUMMARY = ['', 'Resumen de Estado Bancario', 'Saldo inicial,10000.00', 'Créditos,"1,486.00"'];

function statement(lines: string[], { eol = '\r\n' } = {}): Buffer {
  return latin1([...PREAMBLE, HEADER, ...lines, ...SUMMARY].join(eol) + eol);
}

describe('parseStatementCsv', () => {
  it('reads latin-1 lines after the header until the blank line, accents intact', () => {
    const parsed = parseStatementCsv(
      statement([
        '21/02/2027,3412990345,TF,TRANSFERENCIA 365 JOSÉ PEÑA,0.00,236.00,11359.50',
        '22/02/2027,0000000000,CM,COMISIÓN MANEJO DE CUENTA,3.50,0.00,11356.00',
      ]),
    );
    expect(parsed.encoding).toBe('latin1');
    expect(parsed.skippedLines).toBe(0);
    expect(parsed.lines).toEqual([
      {
        date: '2027-02-21',
        dateText: '21/02/2027',
        reference: '3412990345',
        code: 'TF',
        description: 'TRANSFERENCIA 365 JOSÉ PEÑA',
        debit: '0.00',
        credit: '236.00',
        balance: '11359.50',
        creditCents: 23600,
        debitCents: 0,
      },
      {
        date: '2027-02-22',
        dateText: '22/02/2027',
        reference: '0000000000',
        code: 'CM',
        description: 'COMISIÓN MANEJO DE CUENTA',
        debit: '3.50',
        credit: '0.00',
        balance: '11356.00',
        creditCents: 0,
        debitCents: 350,
      },
    ]);
  });

  it('quoted amounts with thousands separators and descriptions with commas and quotes', () => {
    const { lines, skippedLines } = parseStatementCsv(
      statement([
        '23/02/2027,3413111222,TF,"TRANSFERENCIA UNI, BANCO AGRÍCOLA",0.00,"1,250.00","12,606.00"',
        '23/02/2027,3413111223,TF,"PAGO ""RESERVA"" HR28610",0.00,"12,345,678.90","12,358,284.90"',
      ]),
    );
    expect(skippedLines).toBe(0);
    expect(lines).toMatchObject([
      { description: 'TRANSFERENCIA UNI, BANCO AGRÍCOLA', credit: '1,250.00', balance: '12,606.00', creditCents: 125000 },
      { description: 'PAGO "RESERVA" HR28610', credit: '12,345,678.90', creditCents: 1234567890 },
    ]);
  });

  it('an unquoted grouped amount (8 or more cells) is rebuilt, not dropped as the original did', () => {
    const { lines, skippedLines } = parseStatementCsv(
      statement([
        '23/02/2027,3413111222,TF,TRANSFERENCIA UNI,0.00,1,250.00,12,606.00',
        '24/02/2027,3413111300,TF,PAGO, FACTURA 12,0.00,75.00,12681.00',
      ]),
    );
    expect(skippedLines).toBe(0);
    expect(lines).toMatchObject([
      { reference: '3413111222', description: 'TRANSFERENCIA UNI', debit: '0.00', credit: '1,250.00', balance: '12,606.00', creditCents: 125000 },
      { reference: '3413111300', description: 'PAGO, FACTURA 12', credit: '75.00', creditCents: 7500 },
    ]);
  });

  it('lines it cannot read are counted and skipped, the rest still read', () => {
    const { lines, skippedLines } = parseStatementCsv(
      statement([
        '21/02/2027,1,TF,TOO FEW,0.00,5.00',
        '31/02/2027,2,TF,NO SUCH DAY,0.00,5.00,10.00',
        '21/02/2027,3,TF,NOT AN AMOUNT,0.00,abc,10.00',
        '21/02/2027,4,TF,FINE,,5.00,10.00',
      ]),
    );
    expect(skippedLines).toBe(3);
    expect(lines).toMatchObject([{ reference: '4', debit: '', debitCents: 0, creditCents: 500 }]);
  });

  it('stops at the summary block even without a blank line, and at an empty first cell', () => {
    const summaryFirst = latin1(
      [HEADER, '21/02/2027,1,TF,A,0.00,5.00,10.00', 'Resumen de Estado Bancario', '21/02/2027,2,TF,B,0.00,5.00,15.00'].join('\n'),
    );
    expect(parseStatementCsv(summaryFirst).lines.map((l) => l.reference)).toEqual(['1']);
    const emptyCell = latin1([HEADER, '21/02/2027,1,TF,A,0.00,5.00,10.00', ',,,,,,', '21/02/2027,2,TF,B,0.00,5.00,15.00'].join('\n'));
    expect(parseStatementCsv(emptyCell).lines.map((l) => l.reference)).toEqual(['1']);
  });

  it('a header and no lines is an empty statement; no header at all is an error', () => {
    expect(parseStatementCsv(latin1(`${HEADER}\r\n\r\n`))).toEqual({ lines: [], skippedLines: 0, encoding: 'latin1' });
    expect(() => parseStatementCsv(latin1('<html><body>Sesión expirada</body></html>'))).toThrow(StatementCsvError);
    expect(() => parseStatementCsv(new Uint8Array())).toThrow(StatementCsvError);
  });

  it('a file re-saved as UTF-8 (with or without BOM) keeps its accents', () => {
    const text = [HEADER, '21/02/2027,1,TF,JOSÉ,0.00,5.00,10.00', ''].join('\n');
    const plain = parseStatementCsv(Buffer.from(text, 'utf8'));
    expect(plain.encoding).toBe('utf-8');
    expect(plain.lines[0]?.description).toBe('JOSÉ');
    const bom = parseStatementCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    expect(bom.lines[0]?.description).toBe('JOSÉ');
  });
});

describe('csvRecords (Python csv.reader rules)', () => {
  it('quotes only at a field start, doubled quotes, line breaks inside quotes, empty lines', () => {
    expect(csvRecords('a,"b,c",d\r\n\r\nx"y,"multi\nline"\n"q""q"')).toEqual([['a', 'b,c', 'd'], [], ['x"y', 'multi\nline'], ['q"q']]);
    expect(csvRecords('a,\n')).toEqual([['a', '']]);
  });

  it('decodeStatement: latin-1 by default', () => {
    expect(decodeStatement(latin1('Crédito')).text).toBe('Crédito');
  });
});
