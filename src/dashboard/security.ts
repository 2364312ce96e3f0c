// The dashboard's request checks and response headers: the session cookie, the same-origin check every POST
// must pass (with SameSite=Strict it closes the door on cross-site form posts), and the headers of every page.
import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_COOKIE = 'watibot3_admin';

/**
 * Whether a state-changing request comes from one of our own pages: its Origin (or, without one, its
 * Referer) names the host the request was sent to. The scheme is not compared: behind the hotel's TLS proxy
 * the browser says https while we are reached over http; the proxy must pass the Host header on.
 */
export function isSameOrigin(headers: IncomingHttpHeaders): boolean {
  const host = headers.host;
  if (typeof host !== 'string' || host === '') return false;
  const source = typeof headers.origin === 'string' ? headers.origin : typeof headers.referer === 'string' ? headers.referer : undefined;
  if (source === undefined || source === 'null') return false;
  try {
    const from = new URL(source);
    if (from.protocol !== 'http:' && from.protocol !== 'https:') return false;
    // Read the Host header with the origin's scheme, so default ports (:80, :443) compare equal.
    return new URL(`${from.protocol}//${host}`).host === from.host;
  } catch {
    return false;
  }
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session cookie: HttpOnly, SameSite=Strict, only under /admin; Secure when the page was reached over https. */
export function sessionCookie(id: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}

/** Whether the browser reached us over https (directly, through the proxy's header, or as its Origin says). */
export function reachedOverHttps(headers: IncomingHttpHeaders, protocol: string): boolean {
  if (protocol === 'https') return true;
  // Trusting this header can only add the Secure flag; it grants nothing.
  if (headers['x-forwarded-proto'] === 'https') return true;
  return typeof headers.origin === 'string' && headers.origin.startsWith('https://');
}

/** No script at all; styles only from our stylesheet; forms only to ourselves; never framed. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};
