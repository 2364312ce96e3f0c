// What the picture tools share: every picture of one folder under resources/ goes into the turn's outbox,
// in file-name order, each captioned "<caption from the file name> - <set>".
import { listPictures, MissingResourceError } from '../../media/picture-sets.js';
import { ToolError, type ToolContext } from '../types.js';

/** Shows the set and returns how many pictures were added; a missing or empty folder is a ToolError naming it. */
export async function showPictureSet(context: ToolContext, resourcesDir: string, folder: string, setName: string): Promise<number> {
  let pictures;
  try {
    pictures = await listPictures(resourcesDir, folder);
  } catch (err) {
    // Listed before anything is shown, so a missing set shows nothing at all.
    if (err instanceof MissingResourceError) throw new ToolError(err.message);
    throw err;
  }
  for (const picture of pictures) {
    context.effects.show({
      type: 'media',
      kind: 'image',
      source: { type: 'resource', path: picture.path },
      caption: picture.caption ? `${picture.caption} - ${setName}` : setName,
    });
  }
  return pictures.length;
}

/** The output for the model: the pictures go out by themselves, before its reply. */
export function picturesNote(count: number, setName: string): { sent: number; note: string } {
  const photos = count === 1 ? '1 foto' : `${count} fotos`;
  return {
    sent: count,
    note:
      `Se enviarán ${photos} de ${setName} al huésped antes de tu respuesta, cada una con su título. ` +
      'No las describas una por una ni digas que no puedes enviar fotos; responde brevemente a lo que haya preguntado.',
  };
}
