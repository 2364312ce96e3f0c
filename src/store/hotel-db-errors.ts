// What a hotel-database failure is (src/store/hotel-db.ts): the error callers see, and which driver and server
// codes mean a timeout, an unavailable database, or a failure the same call may get past a moment later.
export type HotelDbErrorCode = 'unavailable' | 'timeout' | 'query_failed' | 'bad_row';

export class HotelDbError extends Error {
  readonly code: HotelDbErrorCode;
  /** The driver's or server's code (ECONNREFUSED, ER_LOCK_DEADLOCK, …) for logs; undefined for our own checks. */
  readonly driverCode: string | undefined;

  constructor(code: HotelDbErrorCode, message: string, driverCode?: string) {
    super(message);
    this.name = 'HotelDbError';
    this.code = code;
    this.driverCode = driverCode;
  }
}

// Failures after which the same call may work a moment later.
const TRANSIENT_CONNECTION = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'ETIMEDOUT',
  'ER_CON_COUNT_ERROR',
  'POOL_QUEUE_FULL',
]);
// The server undid the statement (or the whole transaction): repeating it cannot count anything twice.
const TRANSIENT_LOCK = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

export const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_LOCK_WAIT_TIMEOUT', 'ER_STATEMENT_TIMEOUT', 'ACQUIRE_TIMEOUT', 'STATEMENT_TIMEOUT']);
export const UNAVAILABLE_CODES = new Set([
  ...TRANSIENT_CONNECTION,
  'ENOTFOUND',
  'EHOSTDOWN',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'PROTOCOL_ENQUEUE_HANDSHAKE_TWICE',
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_HOST_IS_BLOCKED',
  'ER_HOST_NOT_PRIVILEGED',
  'POOL_CLOSED',
]);

export type Transient = 'connection' | 'lock';

/** The error's code; the pool's own errors have none, so they get one from their text. */
export function driverCodeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  const message = err instanceof Error ? err.message : '';
  if (/queue limit reached|no connections available/i.test(message)) return 'POOL_QUEUE_FULL';
  if (/pool is closed/i.test(message)) return 'POOL_CLOSED';
  if (/too many connections/i.test(message)) return 'ER_CON_COUNT_ERROR';
  return undefined;
}

export function transientOf(err: unknown): Transient | undefined {
  if (err instanceof HotelDbError) return transientCode(err.driverCode);
  return transientCode(driverCodeOf(err));
}

function transientCode(code: string | undefined): Transient | undefined {
  if (code === undefined) return undefined;
  if (TRANSIENT_LOCK.has(code)) return 'lock';
  if (TRANSIENT_CONNECTION.has(code)) return 'connection';
  return undefined;
}

export function isFatal(err: unknown): boolean {
  return (err as { fatal?: unknown } | null)?.fatal === true || driverCodeOf(err) === 'PROTOCOL_SEQUENCE_TIMEOUT';
}
