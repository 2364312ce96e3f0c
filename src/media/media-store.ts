// Media received from guests, kept once: bytes in files under the media directory (named by media id,
// never by phone number), metadata in the `media` table keyed by conversation + source ref. A retried
// or later turn finds the row and neither downloads nor transcribes again.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../store/database.js';
import { extensionFor } from './content-type.js';

export interface StoredMedia {
  id: string;
  conversationId: string;
  sourceRef: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  fileName: string;
  transcript: string | null;
  createdAt: number;
}

interface Row {
  id: string;
  conversation_id: string;
  source_ref: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  file_name: string;
  transcript: string | null;
  created_at: number;
}

const fromRow = (r: Row): StoredMedia => ({
  id: r.id,
  conversationId: r.conversation_id,
  sourceRef: r.source_ref,
  contentType: r.content_type,
  sizeBytes: r.size_bytes,
  sha256: r.sha256,
  fileName: r.file_name,
  transcript: r.transcript,
  createdAt: r.created_at,
});

export function newMediaId(): string {
  return `m_${randomBytes(6).toString('hex')}`;
}

export class MediaStore {
  constructor(
    private readonly db: Db,
    readonly dir: string,
    private readonly retentionMs: number,
  ) {}

  /** The media a conversation already has for this source ref, if its file is still there. */
  findBySource(conversationId: string, sourceRef: string): StoredMedia | undefined {
    const row = this.db
      .prepare<[string, string], Row>('SELECT * FROM media WHERE conversation_id = ? AND source_ref = ?')
      .get(conversationId, sourceRef);
    return row ? fromRow(row) : undefined;
  }

  /** A media item by id, only within its own conversation. */
  get(conversationId: string, mediaId: string): StoredMedia | undefined {
    const row = this.db
      .prepare<[string, string], Row>('SELECT * FROM media WHERE id = ? AND conversation_id = ?')
      .get(mediaId, conversationId);
    return row ? fromRow(row) : undefined;
  }

  /** Writes the bytes (atomically: temp file, then rename) and records them. */
  async save(input: { conversationId: string; sourceRef: string; contentType: string; bytes: Buffer; now: number }): Promise<StoredMedia> {
    const existing = this.findBySource(input.conversationId, input.sourceRef);
    if (existing) return existing;
    mkdirSync(this.dir, { recursive: true });
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
    // Two turns of one conversation never run at once; OR IGNORE only guards a restart race.
    const inserted = this.db
      .prepare(
        `INSERT OR IGNORE INTO media (id, conversation_id, source_ref, content_type, size_bytes, sha256, file_name, transcript, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
      )
      .run(id, media.conversationId, media.sourceRef, media.contentType, media.sizeBytes, media.sha256, fileName, media.createdAt);
    if (inserted.changes === 0) {
      rmSync(path, { force: true });
      return this.findBySource(input.conversationId, input.sourceRef) ?? media;
    }
    return media;
  }

  setTranscript(mediaId: string, transcript: string): void {
    this.db.prepare('UPDATE media SET transcript = ? WHERE id = ?').run(transcript, mediaId);
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
    const rows = this.db.prepare<[number], { id: string; file_name: string }>('SELECT id, file_name FROM media WHERE created_at < ?').all(cutoff);
    for (const r of rows) rmSync(join(this.dir, r.file_name), { force: true });
    this.db.prepare('DELETE FROM media WHERE created_at < ?').run(cutoff);
    try {
      for (const name of readdirSync(this.dir)) {
        if (!name.endsWith('.part')) continue;
        const p = join(this.dir, name);
        if (statSync(p).mtimeMs < Date.now() - 3600_000) rmSync(p, { force: true });
      }
    } catch {
      // no media directory yet
    }
    return rows.length;
  }
}
