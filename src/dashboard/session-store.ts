// Dashboard sessions: a random id (256 bits) in an HttpOnly cookie, kept here in memory with an absolute
// expiry. The admin token itself never leaves the login request. Only a hash of each id is kept, so the map's
// lookups compare digests, not the secret. Sessions end on logout, on expiry, and when the process restarts
// (staff log in again); the number kept is bounded, the oldest going first.
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_TTL_MS = 12 * 3600_000;
const MAX_SESSIONS = 200;

function digest(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export class SessionStore {
  /** digest → expiry (epoch ms), in creation order. */
  private readonly sessions = new Map<string, number>();

  constructor(private readonly ttlMs: number = SESSION_TTL_MS) {}

  /** A new session; returns its id (for the cookie) and when it ends. */
  create(now: number): { id: string; expiresAt: number } {
    this.prune(now);
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    const expiresAt = now + this.ttlMs;
    this.sessions.set(digest(id), expiresAt);
    return { id, expiresAt };
  }

  /** Whether the id is a live session; an expired one is forgotten here. */
  isValid(id: string | undefined, now: number): boolean {
    if (!id || id.length > 128) return false;
    const key = digest(id);
    const expiresAt = this.sessions.get(key);
    if (expiresAt === undefined) return false;
    if (now >= expiresAt) {
      this.sessions.delete(key);
      return false;
    }
    return true;
  }

  /** Ends a session (logout). */
  delete(id: string | undefined): void {
    if (id) this.sessions.delete(digest(id));
  }

  get size(): number {
    return this.sessions.size;
  }

  private prune(now: number): void {
    for (const [key, expiresAt] of this.sessions) if (now >= expiresAt) this.sessions.delete(key);
  }
}
