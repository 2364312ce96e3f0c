// read_menu_prices_content: the priced à-la-carte menu, read like read_menu_content (see there).
import type { ToolDefinition } from '../types.js';
import { createReadMenuTool, type ReadMenuDeps } from './read-menu-content.js';

export function createReadMenuPricesContentTool(deps: ReadMenuDeps): ToolDefinition {
  return createReadMenuTool(deps, 'prices', {
    name: 'read_menu_prices_content',
    what: 'El menú con precios',
    description:
      'Lee el menú a la carta con precios (extras y consumos fuera del paquete) para responder cuando el ' +
      'huésped pregunta explícitamente por el precio de algo. No envía nada; para enviarlo usa send_menu_prices.',
  });
}
