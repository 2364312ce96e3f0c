// send_menu_pdf: the restaurant menu (resources/pictures/menu/menu.pdf) with the model's caption.
import type { ToolDefinition } from '../types.js';
import { createMenuDocumentTool, type MenuToolDeps } from './menu-document-tool.js';

export function createSendMenuPdfTool(deps: MenuToolDeps): ToolDefinition {
  return createMenuDocumentTool(deps, {
    name: 'send_menu_pdf',
    which: 'menu',
    what: 'El menú del restaurante',
    description:
      'Envía el menú del restaurante en PDF con caption, cuando piden el menú o qué comer.',
  });
}
