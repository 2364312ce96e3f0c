// send_public_areas_pictures: the photos of the resort's public areas (resources/pictures/public-areas/),
// shown to the guest before the reply. Same name as the original tool, no parameters.
import { z } from 'zod';
import { defineTool, type ToolDefinition } from '../types.js';
import { picturesNote, showPictureSet, type MediaFiles } from './show-picture-set.js';

const FOLDER = 'pictures/public-areas';
const SET_NAME = 'Áreas públicas';

export function createSendPublicAreasPicturesTool(deps: MediaFiles): ToolDefinition {
  return defineTool({
    name: 'send_public_areas_pictures',
    description:
      'Envía las fotos de las áreas públicas (piscinas, playa, restaurante, ranchos), antes de tu respuesta.',
    parameters: z.object({}),
    handler: async (context) => picturesNote(await showPictureSet(context, deps, FOLDER, SET_NAME), SET_NAME.toLowerCase()),
  });
}
