// read_menu_content: the model gets the restaurant menu itself, to answer "¿tienen opciones vegetarianas?".
// On the Responses API the output carries the PDF (an input_file part); on Chat Completions, where a tool's
// output is text, the menu's text (menu.txt next to the PDF, or the text extracted from it). The original
// returned only file paths, so the model answered from memory.
import { z } from 'zod';
import type { MenuDocuments } from '../../media/menu-documents.js';
import { declareTool, type ToolDeclaration } from '../declaration.js';
import { defineTool, ToolError, ToolOutputWithFiles, type ToolDefinition } from '../types.js';

export const READ_MENU_CONTENT = declareTool({ name: 'read_menu_content', needs: ['pictures'], does: 'reads' });

export interface ReadMenuDeps {
  menus: Pick<MenuDocuments, 'document'>;
}

/** The read tool of one menu document; read_menu_prices_content is the same over the priced menu. */
export function createReadMenuTool(
  { menus }: ReadMenuDeps,
  which: 'menu' | 'prices',
  spec: { declaration: ToolDeclaration; description: string; what: string },
): ToolDefinition {
  return defineTool({
    ...spec.declaration,
    description: spec.description,
    parameters: z.object({}),
    handler: async (context) => {
      let doc;
      try {
        doc = await menus.document(which);
      } catch (err) {
        context.logger.error({ err }, 'menu document unavailable');
        throw new ToolError(`${spec.what} no está disponible (${err instanceof Error ? err.message : 'error'}); no inventes su contenido`);
      }
      const source = doc.textSource === 'txt' ? 'texto provisto por el hotel' : `texto extraído de ${doc.fileName}`;
      return new ToolOutputWithFiles(
        `${spec.what} (${source}):\n\n${doc.text}`,
        `Se adjunta ${spec.what} (${doc.fileName}). Responde solo con lo que dice; si algo no aparece, dilo.`,
        [{ fileName: doc.fileName, contentType: 'application/pdf', base64: doc.base64 }],
      );
    },
  });
}

export function createReadMenuContentTool(deps: ReadMenuDeps): ToolDefinition {
  return createReadMenuTool(deps, 'menu', {
    declaration: READ_MENU_CONTENT,
    what: 'El menú del restaurante',
    description:
      'Lee el menú del restaurante (platos, ingredientes, vegetariano, horarios) para responder. No envía nada (send_menu_pdf lo envía).',
  });
}
