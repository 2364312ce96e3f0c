// send_public_areas_pictures: the photos of the resort's public areas (resources/pictures/public-areas/),
// shown to the guest before the reply. Same name as the original tool, no parameters.
import { z } from 'zod';
import { defineTool, type ToolDefinition } from '../types.js';
import { picturesNote, showPictureSet, type MediaFiles } from './show-picture-set.js';
import { declareTool } from '../declaration.js';

export const SEND_PUBLIC_AREAS_PICTURES = declareTool({ name: 'send_public_areas_pictures', needs: ['pictures'], does: 'shows' });

const FOLDER = 'pictures/public-areas';
const SET_NAME = 'Áreas públicas';

export function createSendPublicAreasPicturesTool(deps: MediaFiles): ToolDefinition {
  return defineTool({
    ...SEND_PUBLIC_AREAS_PICTURES,
    description:
      'Envía las fotos de las áreas públicas (piscinas, playa, restaurante, ranchos), antes de tu respuesta.',
    parameters: z.object({}),
    handler: async (context) => picturesNote(await showPictureSet(context, deps, FOLDER, SET_NAME), SET_NAME.toLowerCase()),
  });
}
