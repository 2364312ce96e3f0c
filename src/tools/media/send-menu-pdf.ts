// send_menu_pdf: the restaurant menu (resources/pictures/menu/menu.pdf) with the model's caption.
import { declareTool } from '../declaration.js';
import type { ToolDefinition } from '../types.js';
import { createMenuDocumentTool, type MenuToolDeps } from './menu-document-tool.js';

export const SEND_MENU_PDF = declareTool({ name: 'send_menu_pdf', needs: ['pictures'], does: 'shows' });

export function createSendMenuPdfTool(deps: MenuToolDeps): ToolDefinition {
  return createMenuDocumentTool(deps, {
    declaration: SEND_MENU_PDF,
    which: 'menu',
    what: 'El menú del restaurante',
    description:
      'Envía el menú del restaurante en PDF con caption, cuando piden el menú o qué comer.',
  });
}
