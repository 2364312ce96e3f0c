// GET /pictures/* serves files under resources/pictures only: ManyChat fetches the images we send to
// guests by public URL. Nothing else under resources/ (system instructions…) is reachable.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../core/errors.js';
import { contentTypeByExtension } from '../core/content-type.js';

const SERVABLE = /^(image\/|application\/pdf$)/;

export interface PicturesOptions {
  picturesDir: string;
}

export const picturesRoutes: FastifyPluginAsync<PicturesOptions> = async (app, opts) => {
  const root = resolve(opts.picturesDir);

  app.get('/pictures/*', async (request, reply) => {
    const notFound = new HttpError(404, 'NOT_FOUND', 'Picture not found');
    const relative = (request.params as { '*': string })['*'];
    // Only images and PDFs: never audio or anything else that might be dropped in the folder.
    const contentType = contentTypeByExtension(relative);
    if (!relative || !contentType || !SERVABLE.test(contentType) || relative.includes('\0')) throw notFound;
    let file: string;
    try {
      // realpath resolves `..` and symlinks, so the prefix check below cannot be escaped.
      file = await realpath(resolve(root, relative));
      const rootReal = await realpath(root);
      if (!file.startsWith(rootReal + sep)) throw notFound;
      const info = await stat(file);
      if (!info.isFile()) throw notFound;
      reply.header('content-length', info.size);
    } catch {
      throw notFound;
    }
    reply.header('cache-control', 'public, max-age=3600');
    return reply.type(contentType).send(createReadStream(file));
  });
};
