// send_menu_prices: the priced à-la-carte menu and extras (resources/pictures/menu/menu-prices.pdf) with
// the model's caption. As in the original, only on an explicit request for prices, never offered.
import type { ToolDefinition } from '../types.js';
import { createMenuDocumentTool, type MenuToolDeps } from './menu-document-tool.js';

export function createSendMenuPricesTool(deps: MenuToolDeps): ToolDefinition {
  return createMenuDocumentTool(deps, {
    name: 'send_menu_prices',
    which: 'prices',
    what: 'El menú a la carta con precios',
    description:
      'Envía en PDF el menú a la carta con precios, con caption, solo si piden explícitamente precios de platos, bebidas o extras; nunca por iniciativa propia.',
  });
}
