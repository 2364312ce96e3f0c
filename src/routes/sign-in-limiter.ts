// Failed admin sign-ins per client address (the dashboard's login form and the admin API's bearer token
// share one limiter: they guard the same token). After MAX_FAILURES wrong tokens within WINDOW_MS a client
// is locked out for LOCKOUT_MS: every admin request from it is answered 429 with Retry-After, a right token
// included (else the lockout would still tell a guesser when a guess is right). Successful sign-ins are not
// counted and clear the client's failures. Memory is bounded: at most MAX_CLIENTS addresses are tracked;
// beyond that the one that failed least recently is forgotten.
//
// The address is the TCP peer (app.ts sets trustProxy false): behind the hotel's proxy every client is the
// proxy, so one guesser locks the dashboard for everyone for LOCKOUT_MS — the price of never trusting a
// forwarded address that anyone can write.

/** Wrong tokens a client may send within the window before it is locked out. */
export const MAX_FAILURES = 10;
/** The window the failures are counted in: it starts at a client's first failure. */
export const WINDOW_MS = 15 * 60_000;
/** How long a locked-out client is refused. */
export const LOCKOUT_MS = 15 * 60_000;
/** How many client addresses are tracked at most. */
export const MAX_CLIENTS = 10_000;

export interface SignInLimits {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
  maxClients: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { maxFailures: MAX_FAILURES, windowMs: WINDOW_MS, lockoutMs: LOCKOUT_MS, maxClients: MAX_CLIENTS };

interface ClientRecord {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

export type SignInVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class SignInLimiter {
  private readonly clients = new Map<string, ClientRecord>();
  readonly limits: SignInLimits;

  constructor(limits: Partial<SignInLimits> = {}) {
    this.limits = { ...DEFAULT_SIGN_IN_LIMITS, ...limits };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`sign-in limit ${name} must be a positive integer (got ${String(value)})`);
    }
  }

  /** Whether a client may try a token now. */
  check(client: string, now: number): SignInVerdict {
    const record = this.clients.get(client);
    if (!record || record.lockedUntil <= now) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((record.lockedUntil - now) / 1000)) };
  }

  /** Records a wrong token; `lockedOut` is true for the failure that locks the client out (log it once). */
  fail(client: string, now: number): { lockedOut: boolean } {
    const { maxFailures, windowMs, lockoutMs, maxClients } = this.limits;
    let record = this.clients.get(client);
    if (!record || now - record.windowStart >= windowMs || (record.lockedUntil !== 0 && record.lockedUntil <= now)) {
      record = { failures: 0, windowStart: now, lockedUntil: 0 };
    }
    record.failures++;
    const lockedOut = record.lockedUntil === 0 && record.failures >= maxFailures;
    if (lockedOut) record.lockedUntil = now + lockoutMs;
    // Re-inserted, so the Map's order is the order of last failure: the first key is the one to forget.
    this.clients.delete(client);
    this.clients.set(client, record);
    while (this.clients.size > maxClients) {
      const oldest = this.clients.keys().next().value;
      if (oldest === undefined) break;
      this.clients.delete(oldest);
    }
    return { lockedOut };
  }

  /** A right token: the client's failures are forgotten. */
  succeed(client: string): void {
    this.clients.delete(client);
  }

  /** How many clients are tracked (for tests and the bound). */
  get size(): number {
    return this.clients.size;
  }
}

/**
 * A client address as logs may show it: an IPv4 address without its last byte, an IPv6 address with its
 * first four groups only (the network, not the host).
 */
export function maskedClient(address: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/i.exec(address);
  if (v4) return `${v4[1]}.x`;
  if (address === '::1') return address;
  if (address.includes(':')) {
    const groups = address.split('::')[0]?.split(':').filter((g) => g !== '') ?? [];
    return `${groups.slice(0, 4).join(':') || '0'}::x`;
  }
  return 'unknown';
}
