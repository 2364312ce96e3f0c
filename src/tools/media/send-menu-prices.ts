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
      'Envía al huésped el menú a la carta con precios (platos y extras que no incluye el paquete), en PDF, con el ' +
      'texto indicado en caption. Úsala solo cuando el huésped pida explícitamente precios de platos, bebidas o ' +
      'extras; nunca la ofrezcas por iniciativa propia. El caption es tu respuesta completa cuando solo pidieron eso.',
  });
}
