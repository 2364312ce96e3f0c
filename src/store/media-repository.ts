// Metadata of media received from guests (table `media`, migration 4): all SQL on that table lives here.
// The bytes are files under the media directory, handled by media/media-store.ts.
import { z } from 'zod';
import type { Db } from './database.js';

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

const mediaRow = z.object({
  id: z.string(),
  conversation_id: z.string(),
  source_ref: z.string(),
  content_type: z.string(),
  size_bytes: z.number().int(),
  sha256: z.string(),
  file_name: z.string(),
  transcript: z.string().nullable(),
  created_at: z.number(),
});
const fileRow = z.object({ id: z.string(), file_name: z.string() });

function fromRow(row: unknown): StoredMedia {
  const r = mediaRow.parse(row);
  return {
    id: r.id,
    conversationId: r.conversation_id,
    sourceRef: r.source_ref,
    contentType: r.content_type,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    fileName: r.file_name,
    transcript: r.transcript,
    createdAt: r.created_at,
  };
}

export class MediaRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      bySource: db.prepare<[string, string]>('SELECT * FROM media WHERE conversation_id = ? AND source_ref = ?'),
      byId: db.prepare<[string, string]>('SELECT * FROM media WHERE id = ? AND conversation_id = ?'),
      // Two turns of one conversation never run at once; OR IGNORE only guards a restart race.
      insert: db.prepare<[string, string, string, string, number, string, string, number]>(
        `INSERT OR IGNORE INTO media (id, conversation_id, source_ref, content_type, size_bytes, sha256, file_name, transcript, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
      ),
      setTranscript: db.prepare<[string, string]>('UPDATE media SET transcript = ? WHERE id = ?'),
      createdBefore: db.prepare<[number]>('SELECT id, file_name FROM media WHERE created_at < ?'),
      deleteCreatedBefore: db.prepare<[number]>('DELETE FROM media WHERE created_at < ?'),
    };
  }

  findBySource(conversationId: string, sourceRef: string): StoredMedia | undefined {
    const row = this.stmts.bySource.get(conversationId, sourceRef);
    return row === undefined ? undefined : fromRow(row);
  }

  /** A media item by id, only within its own conversation. */
  get(conversationId: string, mediaId: string): StoredMedia | undefined {
    const row = this.stmts.byId.get(mediaId, conversationId);
    return row === undefined ? undefined : fromRow(row);
  }

  /** Records new media (no transcript yet); false when the conversation already has this source ref. */
  insert(media: Omit<StoredMedia, 'transcript'>): boolean {
    const m = media;
    return this.stmts.insert.run(m.id, m.conversationId, m.sourceRef, m.contentType, m.sizeBytes, m.sha256, m.fileName, m.createdAt).changes === 1;
  }

  setTranscript(mediaId: string, transcript: string): void {
    this.stmts.setTranscript.run(transcript, mediaId);
  }

  /** The files of media created before `cutoff`, to delete before their rows. */
  filesCreatedBefore(cutoff: number): { id: string; fileName: string }[] {
    return this.stmts.createdBefore.all(cutoff).map((row) => {
      const r = fileRow.parse(row);
      return { id: r.id, fileName: r.file_name };
    });
  }

  deleteCreatedBefore(cutoff: number): number {
    return this.stmts.deleteCreatedBefore.run(cutoff).changes;
  }
}
