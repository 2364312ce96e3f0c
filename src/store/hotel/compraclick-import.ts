// The sales report's rows into the compraclick ledger. The unique key (autorizacion, importe, tarjeta)
// decides what is new: INSERT IGNORE makes a re-sync of the same report insert nothing twice, and a row it
// ignores is counted as skipped (the original's HEAD behaviour). Every new sale starts unused (used = 0).
import type { HotelQuery } from '../hotel-db.js';
import { formatAmount } from '../../hotel-rules/values.js';
import type { SaleRow } from '../../hotel-rules/ledger-rows.js';

const INSERT_SALE =
  'INSERT IGNORE INTO compraclick (date, sucursal, usuario, estado, cliente, documento, email, direccion, marcatarjeta, tarjeta, importe, autorizacion, descripcion, used) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)';

export interface InsertSalesResult {
  inserted: number;
  skipped: number;
}

export async function insertSales(db: HotelQuery, rows: readonly SaleRow[], signal?: AbortSignal): Promise<InsertSalesResult> {
  let inserted = 0;
  let skipped = 0;
  for (const r of rows) {
    const affected = await db.change(
      INSERT_SALE,
      [r.date, r.sucursal, r.usuario, r.estado, r.cliente, r.documento, r.email, r.direccion, r.marcatarjeta, r.tarjeta, formatAmount(r.importeCents), r.autorizacion, r.descripcion],
      signal,
    );
    if (affected > 0) inserted++;
    else skipped++;
  }
  return { inserted, skipped };
}
