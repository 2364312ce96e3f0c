// Passkey check shared by the webhook routes. The passkey may come in the body (`passkey`), the
// `x-webhook-passkey` header, or `?passkey=` (WATI's standard webhook can only carry it in the URL).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../core/errors.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

// The configured secrets' digests, computed once each rather than on every request (a webhook is checked
// per delivery). Keyed by the secret itself; bounded, though a process only ever has a few.
const expectedDigests = new Map<string, Buffer>();
const MAX_EXPECTED_DIGESTS = 16;

function expectedDigest(expected: string): Buffer {
  let d = expectedDigests.get(expected);
  if (!d) {
    if (expectedDigests.size >= MAX_EXPECTED_DIGESTS) expectedDigests.clear();
    d = digest(expected);
    expectedDigests.set(expected, d);
  }
  return d;
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function passkeyMatches(provided: string, expected: string): boolean {
  return timingSafeEqual(digest(provided), expectedDigest(expected));
}

function providedPasskey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-webhook-passkey'];
  if (typeof header === 'string' && header !== '') return header;
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.passkey === 'string' && query.passkey !== '') return query.passkey;
  const body = request.body;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const fromBody = (body as Record<string, unknown>).passkey;
    if (typeof fromBody === 'string' && fromBody !== '') return fromBody;
  }
  return undefined;
}

/** Throws an HttpError unless the request carries the configured passkey. Never runs open. */
export function assertWebhookPasskey(request: FastifyRequest, expected: string | undefined): void {
  if (!expected) {
    throw new HttpError(503, 'NOT_CONFIGURED', 'Webhooks are disabled: WEBHOOK_PASSKEY is not configured');
  }
  const provided = providedPasskey(request);
  if (provided === undefined) throw new HttpError(401, 'UNAUTHORIZED', 'Authentication required: passkey missing');
  if (!passkeyMatches(provided, expected)) throw new HttpError(401, 'UNAUTHORIZED', 'Authentication failed: wrong passkey');
}
