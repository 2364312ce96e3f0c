// The names of the replayed reply's checks (checks.ts computes them), apart so that formatting a report
// (and `compare --help`) does not load the tool registry the checks consult.

export interface ReplyChecks {
  /** The turn answered (a failed turn sends the guest the fallback). */
  answered: boolean;
  /** The reply has text, or a tool that gives the guest something else (a person, pictures, a menu) ran. */
  nonEmpty: boolean;
  /** No stack trace, `{"error"`, tool-call JSON or other internal text in the reply. */
  noInternalText: boolean;
  /** Whether the reply mentions a booking code `HR…`; null when the original reply mentioned none. */
  bookingCode: boolean | null;
}

export const CHECK_NAMES = ['answered', 'nonEmpty', 'noInternalText', 'bookingCode'] as const satisfies readonly (keyof ReplyChecks)[];
