// send_menu_prices: the priced à-la-carte menu and extras (resources/pictures/menu/menu-prices.pdf) with
// the model's caption. As in the original, only on an explicit request for prices, never offered.
import { declareTool } from '../declaration.js';
import type { ToolDefinition } from '../types.js';
import { createMenuDocumentTool, type MenuToolDeps } from './menu-document-tool.js';

export const SEND_MENU_PRICES = declareTool({ name: 'send_menu_prices', needs: ['pictures'], does: 'shows' });

export function createSendMenuPricesTool(deps: MenuToolDeps): ToolDefinition {
  return createMenuDocumentTool(deps, {
    declaration: SEND_MENU_PRICES,
    which: 'prices',
    what: 'El menú a la carta con precios',
    description:
      'Envía en PDF el menú a la carta con precios, con caption, solo si piden explícitamente precios de platos, bebidas o extras; nunca por iniciativa propia.',
  });
}
