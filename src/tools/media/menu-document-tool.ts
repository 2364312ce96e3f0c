// What send_menu_pdf and send_menu_prices share: the PDF goes into the turn's outbox with the model's
// caption, before the reply. As in the original, the caption is meant to be the whole answer when the guest
// asked only for the menu: the model then replies with an empty text and the guest gets one message.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MENU_PATHS, type MenuDocuments, type MenuKind } from '../../media/menu-documents.js';
import { MissingResourceError } from '../../media/picture-sets.js';
import type { ToolDeclaration } from '../declaration.js';
import { defineTool, ToolError, type ToolDefinition } from '../types.js';
import { assertDeliverable, type MediaFiles } from './show-picture-set.js';

export interface MenuToolDeps extends MediaFiles {
  /** Where the menus are (the same paths by default). */
  menus?: MenuDocuments | undefined;
}

/** The outbox caption limit. */
const MAX_CAPTION = 1024;

async function requireFile(resourcesDir: string, path: string): Promise<void> {
  try {
    if ((await stat(join(resourcesDir, path))).isFile()) return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
  }
  throw new ToolError(new MissingResourceError(path, 'the file does not exist').message);
}

export function createMenuDocumentTool(
  deps: MenuToolDeps,
  spec: { declaration: ToolDeclaration; which: MenuKind; what: string; description: string },
): ToolDefinition {
  return defineTool({
    ...spec.declaration,
    description: spec.description,
    parameters: z.object({
      caption: z
        .string()
        .trim()
        .min(1)
        .max(MAX_CAPTION)
        .describe('Texto del PDF; si solo pidió el menú, es tu respuesta completa'),
    }),
    handler: async (context, args) => {
      const path = deps.menus?.path(spec.which) ?? MENU_PATHS[spec.which];
      // Checked here, not at delivery: a missing file must reach the model now, with nothing shown.
      assertDeliverable(context, deps);
      await requireFile(deps.resourcesDir, path);
      context.effects.show({ type: 'media', kind: 'document', source: { type: 'resource', path }, caption: args.caption });
      return {
        sent: 1,
        note:
          `${spec.what} (PDF) se enviará al huésped con tu texto como leyenda, antes de tu respuesta. ` +
          'Si el huésped no pidió nada más, responde con un texto vacío (sin ningún mensaje adicional); ' +
          'si preguntó algo más, responde solo a eso, sin repetir la leyenda.',
      };
    },
  });
}
