// The simple checks of a replayed reply: something reaches the guest, nothing internal leaks into the text,
// and the booking code is mentioned when the original reply mentioned one.
import { isToolCallImitation } from '../agent/json-imitation.js';
import { GUEST_FACING } from './dry-run-tools.js';

export { CHECK_NAMES, type ReplyChecks } from './check-names.js';
import type { ReplyChecks } from './check-names.js';

const BOOKING_CODE = /\bHR\d+\b/;

const INTERNAL_TEXT: readonly RegExp[] = [
  // A stack frame: "    at foo (/srv/app/x.js:10:5)" or "at /srv/app/x.js:10:5".
  /^\s*at\s+(?:\S+\s+\()?(?:file:\/\/)?[\w./\\:-]+:\d+:\d+\)?\s*$/m,
  /\b(?:TypeError|ReferenceError|SyntaxError|RangeError|Traceback \(most recent call last\)|ECONNREFUSED|ETIMEDOUT)\b/,
  /\{\s*"error"\s*:/,
  // Tool-call imitation inside the text: {"name": "make_booking", "arguments": …}, <tool_call>, functions.x(…).
  /\{\s*"(?:name|tool|tool_name|function)"\s*:\s*"[a-z_]+"\s*,\s*"(?:arguments|parameters|args)"\s*:/,
  /<\/?(?:tool_call|function_call|tool_code)>/,
  /\bfunctions\.[a-z_]+\s*\(/,
  /\b(?:call_id|function_call_output|tool_calls)\b/,
];

/** Booking codes in a text, in order. */
export function bookingCodes(text: string): string[] {
  return [...text.matchAll(new RegExp(BOOKING_CODE.source, 'g'))].map((m) => m[0]);
}

export function hasInternalText(text: string): boolean {
  return isToolCallImitation(text) || INTERNAL_TEXT.some((re) => re.test(text));
}

export function checkReply(input: { answered: boolean; reply: string; tools: readonly string[]; originalReply: string }): ReplyChecks {
  const reply = input.reply.trim();
  return {
    answered: input.answered,
    nonEmpty: input.answered && (reply !== '' || input.tools.some((t) => GUEST_FACING.has(t))),
    noInternalText: !hasInternalText(reply),
    bookingCode: BOOKING_CODE.test(input.originalReply) ? BOOKING_CODE.test(reply) : null,
  };
}

/** Whether every applicable check passed. */
export function allPassed(checks: ReplyChecks): boolean {
  return checks.answered && checks.nonEmpty && checks.noInternalText && checks.bookingCode !== false;
}
