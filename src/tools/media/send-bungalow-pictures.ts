// send_bungalow_pictures: the photo set of one accommodation type (resources/pictures/bungalows/<type>/),
// shown to the guest before the reply. Same name and parameter as the original tool; its older values
// ("Bungalow Familiar", "Habitacion") and case or accent variants are still accepted.
import { z } from 'zod';
import { defineTool, type ToolDefinition } from '../types.js';
import { picturesNote, showPictureSet, type MediaFiles } from './show-picture-set.js';
import { declareTool } from '../declaration.js';

export const SEND_BUNGALOW_PICTURES = declareTool({ name: 'send_bungalow_pictures', needs: ['pictures'], does: 'shows' });

export const BUNGALOW_TYPES = ['Familiar', 'Junior', 'Matrimonial', 'Habitación'] as const;
export type BungalowType = (typeof BUNGALOW_TYPES)[number];

const SETS: Record<BungalowType, { folder: string; name: string }> = {
  Familiar: { folder: 'pictures/bungalows/familiar', name: 'Bungalow Familiar' },
  Junior: { folder: 'pictures/bungalows/junior', name: 'Bungalow Junior' },
  Matrimonial: { folder: 'pictures/bungalows/matrimonial', name: 'Bungalow Matrimonial' },
  Habitación: { folder: 'pictures/bungalows/habitacion', name: 'Habitación' },
};

const fold = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .trim();

const BY_FOLDED = new Map<string, BungalowType>(BUNGALOW_TYPES.map((t) => [fold(t), t]));

/** "Bungalow Familiar", "familiar", "HABITACION" → the enum value; anything else is left for the enum to reject. */
export function normaliseBungalowType(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const folded = fold(value).replace(/^bungalows? /, '');
  return BY_FOLDED.get(folded) ?? value;
}

export function createSendBungalowPicturesTool(deps: MediaFiles): ToolDefinition {
  return defineTool({
    ...SEND_BUNGALOW_PICTURES,
    description:
      'Envía las fotos de un tipo de alojamiento (salen antes de tu respuesta, con título).',
    parameters: z.object({
      bungalow_type: z.preprocess(normaliseBungalowType, z.enum(BUNGALOW_TYPES)),
    }),
    handler: async (context, args) => {
      const set = SETS[args.bungalow_type];
      return picturesNote(await showPictureSet(context, deps, set.folder, set.name), set.name);
    },
  });
}
