// sync_compraclick_payments and sync_bank_transfers: bring a ledger up to date from its portal now (the
// model asks when a guest says they just paid). A sync finished within the cooldown is not repeated: its
// result is answered again. The payment checks themselves are validate_compraclick_payment and
// validate_bank_transfer.
import { z } from 'zod';
import type { LedgerSync, PortalName } from '../../portals/ledger-sync.js';
import { declareTool, type ToolDeclaration } from '../declaration.js';
import { defineTool, type ToolDefinition } from '../types.js';

export const SYNC_COMPRACLICK_PAYMENTS = declareTool({ name: 'sync_compraclick_payments', needs: ['compraclick-portal', 'hotel-database'], does: 'moves-money' });
export const SYNC_BANK_TRANSFERS = declareTool({ name: 'sync_bank_transfers', needs: ['bac-portal', 'hotel-database'], does: 'moves-money' });

function syncTool(declaration: ToolDeclaration, portal: PortalName, description: string, deps: { sync: LedgerSync; timeoutMs: number }): ToolDefinition {
  return defineTool({
    ...declaration,
    description,
    parameters: z.object({}),
    timeoutMs: deps.timeoutMs,
    handler: async (context) => {
      try {
        const result = await deps.sync.sync(portal, context.signal);
        const data = { rows_inserted: result.rows_inserted, rows_skipped: result.rows_skipped, last_sync_timestamp: result.last_sync_timestamp };
        return { success: true, ...data, data, error: '' };
      } catch (err) {
        context.logger.warn({ err, portal }, 'portal sync failed');
        const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'sync_failed';
        return {
          success: false,
          error: code,
          assistant_instruction:
            'No se pudo consultar el portal en este momento. Si el huésped ya pagó, usa start_bank_transfer_retry_process o ' +
            'trigger_compraclick_retry_for_missing_payment para seguir verificando, o transfiérelo a un ejecutivo.',
        };
      }
    },
  });
}

export function createSyncCompraclickPaymentsTool(deps: { sync: LedgerSync; timeoutMs: number }): ToolDefinition {
  return syncTool(
    SYNC_COMPRACLICK_PAYMENTS,
    'compraclick',
    'Trae las ventas CompraClick recientes de Credomatic, antes de validar un pago con tarjeta que no aparece.',
    deps,
  );
}

export function createSyncBankTransfersTool(deps: { sync: LedgerSync; timeoutMs: number }): ToolDefinition {
  return syncTool(
    SYNC_BANK_TRANSFERS,
    'bac',
    'Trae el estado de cuenta BAC del mes, antes de validar una transferencia que no aparece.',
    deps,
  );
}
