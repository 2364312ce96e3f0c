// Media received from guests, kept once: bytes in files under the media directory (named by media id,
// never by phone number), metadata in the `media` table keyed by conversation + source ref (rows through
// store/media-repository.ts). A retried or later turn finds the row and neither downloads nor transcribes again.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDirectory } from '../core/file-paths.js';
import type { Db } from '../store/database.js';
import { MediaRepository, type StoredMedia } from '../store/media-repository.js';
import { extensionFor } from '../core/content-type.js';

export type { StoredMedia } from '../store/media-repository.js';

export function newMediaId(): string {
  return `m_${randomBytes(6).toString('hex')}`;
}

export class MediaStore {
  private readonly rows: MediaRepository;

  constructor(
    db: Db,
    readonly dir: string,
    private readonly retentionMs: number,
  ) {
    this.rows = new MediaRepository(db);
  }

  /** The media a conversation already has for this source ref, if its file is still there. */
  findBySource(conversationId: string, sourceRef: string): StoredMedia | undefined {
    return this.rows.findBySource(conversationId, sourceRef);
  }

  /** A media item by id, only within its own conversation. */
  get(conversationId: string, mediaId: string): StoredMedia | undefined {
    return this.rows.get(conversationId, mediaId);
  }

  /** The file of a media item of this conversation, if it is still kept. */
  pathOf(conversationId: string, mediaId: string): string | undefined {
    const media = this.get(conversationId, mediaId);
    return media ? join(this.dir, media.fileName) : undefined;
  }

  /** Writes the bytes (atomically: temp file, then rename) and records them. */
  async save(input: { conversationId: string; sourceRef: string; contentType: string; bytes: Buffer; now: number }): Promise<StoredMedia> {
    const existing = this.findBySource(input.conversationId, input.sourceRef);
    if (existing) return existing;
    ensureDirectory(this.dir);
    const id = newMediaId();
    const fileName = `${id}${extensionFor(input.contentType)}`;
    const path = join(this.dir, fileName);
    await writeFile(`${path}.part`, input.bytes);
    await rename(`${path}.part`, path);
    const media: StoredMedia = {
      id,
      conversationId: input.conversationId,
      sourceRef: input.sourceRef,
      contentType: input.contentType,
      sizeBytes: input.bytes.length,
      sha256: createHash('sha256').update(input.bytes).digest('hex'),
      fileName,
      transcript: null,
      createdAt: input.now,
    };
    // Not inserted: a restart race recorded the same source first; keep its file, drop ours.
    if (!this.rows.insert(media)) {
      rmSync(path, { force: true });
      return this.findBySource(input.conversationId, input.sourceRef) ?? media;
    }
    return media;
  }

  setTranscript(mediaId: string, transcript: string): void {
    this.rows.setTranscript(mediaId, transcript);
  }

  /** The stored bytes, or undefined when the file is gone (retention, manual cleanup). */
  async read(media: StoredMedia): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.dir, media.fileName));
    } catch {
      return undefined;
    }
  }

  /** Deletes media older than the retention period (rows and files) and stray partial files. */
  purgeExpired(now: number): number {
    const cutoff = now - this.retentionMs;
    const expired = this.rows.filesCreatedBefore(cutoff);
    for (const m of expired) rmSync(join(this.dir, m.fileName), { force: true });
    this.rows.deleteCreatedBefore(cutoff);
    try {
      for (const name of readdirSync(this.dir)) {
        if (!name.endsWith('.part')) continue;
        const p = join(this.dir, name);
        if (statSync(p).mtimeMs < Date.now() - 3600_000) rmSync(p, { force: true });
      }
    } catch {
      // no media directory yet
    }
    return expired.length;
  }
}
