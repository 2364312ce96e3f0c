// The rows the payment portals read and the ledgers store: a line of the BAC account statement (the `bac`
// ledger) and a sale of the CompraClick report (the `compraclick` ledger). Here, below both the portals that
// parse them and the store that writes them, so neither imports the other.
import type { Cents, IsoDate } from './types.js';

export interface StatementLine {
  date: IsoDate;
  /** The date cell as printed ('dd/mm/yyyy'), stored as-is so the ledger's unique key matches the original's rows. */
  dateText: string;
  reference: string;
  code: string;
  description: string;
  /** Amount cells as printed (trimmed), e.g. '1,250.00'. */
  debit: string;
  credit: string;
  balance: string;
  /** An empty cell counts as 0. */
  creditCents: Cents;
  debitCents: Cents;
}

export interface SaleRow {
  /** 'YYYY-MM-DD HH:MM:SS', the portal's wall-clock time (El Salvador) */
  date: string;
  sucursal: string;
  usuario: string;
  estado: string;
  cliente: string;
  documento: string;
  email: string;
  direccion: string;
  marcatarjeta: string;
  tarjeta: string;
  importeCents: Cents;
  autorizacion: string;
  descripcion: string;
}
