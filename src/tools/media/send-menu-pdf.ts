// send_menu_pdf: the restaurant menu (resources/pictures/menu/menu.pdf) with the model's caption.
import type { ToolDefinition } from '../types.js';
import { createMenuDocumentTool, type MenuToolDeps } from './menu-document-tool.js';

export function createSendMenuPdfTool(deps: MenuToolDeps): ToolDefinition {
  return createMenuDocumentTool(deps, {
    name: 'send_menu_pdf',
    which: 'menu',
    what: 'El menú del restaurante',
    description:
      'Envía al huésped el menú del restaurante en PDF, con el texto indicado en caption. Úsala cuando pidan el menú ' +
      'o qué se puede comer. El caption es tu respuesta completa cuando solo pidieron el menú.',
  });
}
