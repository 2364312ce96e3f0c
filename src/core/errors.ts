// Typed errors with stable codes; handlers and logs classify by code, never by message text.

export type AppErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'NOT_CONFIGURED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE';

/** Zod issues as `field.path: message` lines, the form every 400 and log line uses; `root` names an issue without a path. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], root: string): string[] {
  return issues.map((i) => `${i.path.map(String).join('.') || root}: ${i.message}`);
}

/** An error whose message is safe to show to the HTTP caller. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: AppErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
