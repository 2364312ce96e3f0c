// read_menu_prices_content: the priced à-la-carte menu, read like read_menu_content (see there).
import { declareTool } from '../declaration.js';
import type { ToolDefinition } from '../types.js';
import { createReadMenuTool, type ReadMenuDeps } from './read-menu-content.js';

export const READ_MENU_PRICES_CONTENT = declareTool({ name: 'read_menu_prices_content', needs: ['pictures'], does: 'reads' });

export function createReadMenuPricesContentTool(deps: ReadMenuDeps): ToolDefinition {
  return createReadMenuTool(deps, 'prices', {
    declaration: READ_MENU_PRICES_CONTENT,
    what: 'El menú con precios',
    description:
      'Lee el menú a la carta con precios (extras fuera del paquete) cuando piden un precio. No envía nada (send_menu_prices lo envía).',
  });
}
