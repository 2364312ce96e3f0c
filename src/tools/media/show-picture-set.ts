// What the picture tools share: every picture of one folder under resources/ goes into the turn's outbox,
// in file-name order, each captioned "<caption from the file name> - <set>".
import { listPictures, MissingResourceError } from '../../media/picture-sets.js';
import { ToolError, type ToolContext } from '../types.js';

/** Where the media tools' files are, and whether Messenger/Instagram can fetch them. */
export interface MediaFiles {
  /** The resources/ directory (services.resourcesDir). */
  resourcesDir: string;
  /** PUBLIC_MEDIA_BASE_URL: ManyChat sends files by public URL only. */
  publicMediaBaseUrl?: string | undefined;
}

/**
 * ManyChat (Messenger, Instagram) fetches media by public URL; without PUBLIC_MEDIA_BASE_URL a file would be
 * dropped at delivery while the model tells the guest it is on its way, so the tool refuses instead.
 */
export function assertDeliverable(context: ToolContext, files: MediaFiles): void {
  if (context.subscriberId !== undefined && !files.publicMediaBaseUrl) {
    throw new ToolError(
      'en este canal no se pueden enviar archivos (falta PUBLIC_MEDIA_BASE_URL); no digas que los enviaste: ' +
        'ofrece describirlos o que el equipo de reservas los envíe',
    );
  }
}

/** Shows the set and returns how many pictures were added; a missing or empty folder is a ToolError naming it. */
export async function showPictureSet(context: ToolContext, files: MediaFiles, folder: string, setName: string): Promise<number> {
  assertDeliverable(context, files);
  const { resourcesDir } = files;
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
