// What a tool says about itself, besides what the model sees: the services it cannot work without (NEEDS) and
// what a call does to the world (DOES). In the spirit of openai-agents-js's tool({ isEnabled, needsApproval }):
// whether it is offered, why not (/ready), whether the comparison runs it or replays it, and whether the chat
// console offers it without --real-actions are all read from here, never from lists of tool names.
// This module imports only config-schema.ts (how an unset variable is named): the tool files, the registry, the
// comparison and the console all use it.
import { notSet } from '../core/config-schema.js';

/**
 * A service a tool needs; without it the tool is not offered. The part that builds a service reports its state
 * as a NeedStatus (composition/hotel-backends.ts, composition/tool-services.ts, agent-tool-needs in original-tools.ts).
 */
export const TOOL_NEEDS = {
  'hotel-database': 'the hotel MySQL database (DB_HOST): rates, payment ledgers, reservations',
  'booking-api': "the hotel's booking API (BOOKING_API_URL): availability and bookings",
  'compraclick-portal': 'the CompraClick merchant portal (COMPRACLICK_*): card sales and payment links',
  'bac-portal': 'the BAC online banking portal (BAC_*): the bank statement',
  email: 'an e-mail transport (SMTP_URL or GMAIL_*) and the mailboxes it may write to (EMAIL_ALLOWED_RECIPIENTS)',
  'staff-alerts': 'a staff destination that can be reached (STAFF_WHATSAPP_NUMBERS over WATI, STAFF_ALERT_EMAIL)',
  pictures: 'the pictures and menus under the resources directory',
  'instruction-modules': 'the instruction modules (the JSON instructions file or SYSTEM_INSTRUCTIONS_MODULES_DIR)',
  'vision-model': 'a second model call on a guest file (OPENAI_API_KEY), billed per call',
  'office-calendar': 'the office hours and closures (and the PBX closure rules when OFFICE_DB_HOST is set)',
} as const;

export type ToolNeed = keyof typeof TOOL_NEEDS;

/**
 * Needs whose every call is billed outside the comparison (a second model call): the comparison answers a tool
 * that needs one with the original turn's output instead of calling it again (compare/dry-run-tools.ts).
 */
const BILLED_NEEDS: ReadonlySet<ToolNeed> = new Set<ToolNeed>(['vision-model']);

/**
 * What a call does. Only `reads` leaves the world as it was (it may record what it read: an attempt's payment
 * use, a module loaded). `shows` gives the guest something besides the reply (pictures, a menu); the others act
 * on the world: `hands-off` gives the guest to a person (the handover notice, staff told), `alerts-staff` sends
 * staff a message, `emails` sends e-mail, `books` makes or follows up a booking (now or from a durable job),
 * `moves-money` acts on the payment systems (portal syncs into the ledgers, payment links).
 */
export const TOOL_DOES = ['reads', 'shows', 'hands-off', 'alerts-staff', 'emails', 'books', 'moves-money'] as const;

export type ToolDoes = (typeof TOOL_DOES)[number];

/** A tool's declaration; every ToolDefinition carries one (`does` is required, so an undeclared tool does not type-check). */
export interface ToolDeclaration {
  name: string;
  /** The services it needs, in the order /ready names what is missing. */
  needs: readonly ToolNeed[];
  does: ToolDoes;
}

/** Keeps the literal types of a declaration while checking it. */
export function declareTool<const D extends ToolDeclaration>(declaration: D): D {
  return declaration;
}

/** Anything besides reading: the guest, staff, a mailbox, a booking or money is touched. */
export function actsOnWorld(tool: Pick<ToolDeclaration, 'does'>): boolean {
  return tool.does !== 'reads';
}

/** The hotel's own systems are changed (a booking, a payment ledger, a payment link): what a trial must not do by accident. */
export function actsOnHotelSystems(tool: Pick<ToolDeclaration, 'does'>): boolean {
  return tool.does === 'books' || tool.does === 'moves-money';
}

/** After the call the guest gets something besides the reply text (media, a menu, a person). */
export function guestSees(tool: Pick<ToolDeclaration, 'does'>): boolean {
  return tool.does === 'shows' || tool.does === 'hands-off';
}

/**
 * Whether an offline comparison may execute the tool: only a read tool whose services are not billed per call.
 * Every other tool answers from the recording (compare/dry-run-tools.ts).
 */
export function runsInDryRun(tool: Pick<ToolDeclaration, 'does'> & { needs?: readonly ToolNeed[] | undefined }): boolean {
  return !actsOnWorld(tool) && !(tool.needs ?? []).some((need) => BILLED_NEEDS.has(need));
}

/**
 * What is missing of one need: variables not set (combined into one "A, B and C are not set") and other causes
 * already phrased ("STAFF_ALERT_EMAIL needs SMTP_URL …"). Both empty: the need is met.
 */
export interface NeedStatus {
  unset?: readonly string[] | undefined;
  problems?: readonly string[] | undefined;
}

/** The state of the needs one part of the service builds; a need it does not report is not its concern. */
export type NeedsReport = Partial<Record<ToolNeed, NeedStatus>>;

/** A tool that is not offered and why: the exact variables missing, as a phrase ("DB_HOST is not set"). */
export interface ToolNotOffered {
  tool: string;
  missing: string;
}

/**
 * Why each declared tool that is not offered is not: its needs' problems, then their unset variables in the
 * order of its needs ("DB_HOST and BOOKING_API_URL are not set"). A tool none of whose needs is reported is left
 * out (another part explains it, or nobody can); one whose reported needs are all met says its service was not
 * built although its variables are set: never a blank cause.
 */
export function whyNotOffered(declared: readonly ToolDeclaration[], offered: ReadonlySet<string>, report: NeedsReport): ToolNotOffered[] {
  const out: ToolNotOffered[] = [];
  for (const tool of declared) {
    if (offered.has(tool.name)) continue;
    const statuses = tool.needs.map((need) => report[need]).filter((s): s is NeedStatus => s !== undefined);
    if (statuses.length === 0) continue;
    const problems = statuses.flatMap((s) => s.problems ?? []);
    const unset = statuses.flatMap((s) => s.unset ?? []);
    const clauses = [...problems, ...(unset.length > 0 ? [notSet(unset)] : [])];
    out.push({ tool: tool.name, missing: clauses.length > 0 ? clauses.join(' and ') : 'its service is not available although its variables are set' });
  }
  return out;
}
