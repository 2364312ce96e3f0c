// The tool registry's contents, registered in one place. Each tool is a factory that receives exactly what it
// needs and a declaration of what it needs and does (declaration.ts); a tool whose backend is not configured is
// left out (the model is not offered it). Adding a tool: its file and one line in TOOLS (or HOTEL_TOOLS).
import type { InstructionModuleSource } from './instructions/module-source.js';
import type { OfficeCalendar } from '../office/schedule.js';
import { HOTEL_TOOLS } from './booking/index.js';
import type { HotelToolDeps } from './booking/hotel-tool-deps.js';
import type { ToolDeclaration } from './declaration.js';
import { createLoadAdditionalModulesTool, LOAD_ADDITIONAL_MODULES } from './instructions/load-additional-modules.js';
import type { MediaToolDeps } from './media/index.js';
import { createReadMenuContentTool, READ_MENU_CONTENT } from './media/read-menu-content.js';
import { createReadMenuPricesContentTool, READ_MENU_PRICES_CONTENT } from './media/read-menu-prices-content.js';
import { createSendBungalowPicturesTool, SEND_BUNGALOW_PICTURES } from './media/send-bungalow-pictures.js';
import { createSendMenuPdfTool, SEND_MENU_PDF } from './media/send-menu-pdf.js';
import { createSendMenuPricesTool, SEND_MENU_PRICES } from './media/send-menu-prices.js';
import { createSendPublicAreasPicturesTool, SEND_PUBLIC_AREAS_PICTURES } from './media/send-public-areas-pictures.js';
import { ANALYZE_PAYMENT_PROOF, createAnalyzePaymentProofTool, type AnalyzePaymentProofDeps } from './payments/analyze-payment-proof.js';
import { CHECK_OFFICE_STATUS, createCheckOfficeStatusTool } from './info/check-office-status.js';
import { SEND_LOCATION_PIN, sendLocationPinTool } from './info/send-location-pin.js';
import { buildTools, register, registerGroup, type ToolRegistration } from './registration.js';
import { createMarkCustomerFrustratedTool, MARK_CUSTOMER_FRUSTRATED, type MarkCustomerFrustratedDeps } from './staff/mark-customer-frustrated.js';
import { createNotifyOperationsDepartmentTool, NOTIFY_OPERATIONS_DEPARTMENT } from './staff/notify-operations-department.js';
import { createSendEmailTool, SEND_EMAIL, type SendEmailToolDeps } from './staff/send-email.js';
import { createTransferToHumanAgentTool, TRANSFER_TO_HUMAN_AGENT } from './staff/transfer-to-human-agent.js';
import type { ToolDefinition } from './types.js';

/** The services' part of the tools: pictures and menus, e-mail, staff alerts (each only when configured). */
export interface ToolServices {
  /** Pictures and menus under resources/pictures, and the menus' text; unset ⇒ those tools are not offered. */
  media?: (MediaToolDeps & { menus: NonNullable<MediaToolDeps['menus']> }) | undefined;
  /** send_email: the allowed mailboxes and the job that sends; unset ⇒ not offered (no transport or no mailbox). */
  email?: SendEmailToolDeps | undefined;
  /**
   * Staff alerts and the conversation's last messages: mark_customer_frustrated is offered with them (it hands
   * the guest to a person even when no alert destination is configured); notify_operations_department only when
   * alerts reach someone.
   */
  staff?: MarkCustomerFrustratedDeps | undefined;
}

export interface ToolDeps extends ToolServices {
  /** Office hours, closures and holidays, for check_office_status. */
  office: OfficeCalendar;
  /** The vision call of analyze_payment_proof; without a model client the tool is not offered. */
  paymentProof?: AnalyzePaymentProofDeps | undefined;
  /** The hotel's systems: availability, rates, payments and bookings, each part only when configured. */
  hotel?: HotelToolDeps | undefined;
  /** Time a booking call may take (up to three booking API posts plus the database steps). */
  bookingTimeoutMs?: number | undefined;
  /** Instruction modules for load_additional_modules: the JSON instructions file's, or SYSTEM_INSTRUCTIONS_MODULES_DIR's. */
  instructionModules?: InstructionModuleSource | undefined;
}

/**
 * Every tool, one registration each: its declaration and how it is built from the deps (left out when what it
 * needs is absent). The order is the order /ready names the tools not offered; the model gets them sorted by name.
 */
export const TOOLS: readonly ToolRegistration<ToolDeps>[] = [
  register(CHECK_OFFICE_STATUS, (d) => createCheckOfficeStatusTool({ office: d.office })),
  register(SEND_LOCATION_PIN, () => sendLocationPinTool),
  register(TRANSFER_TO_HUMAN_AGENT, () => createTransferToHumanAgentTool()),
  ...registerGroup(HOTEL_TOOLS, (d: ToolDeps) => d.hotel && { ...d.hotel, bookingTimeoutMs: d.bookingTimeoutMs ?? 120_000 }),
  register(SEND_BUNGALOW_PICTURES, (d) => d.media && createSendBungalowPicturesTool(d.media)),
  register(SEND_PUBLIC_AREAS_PICTURES, (d) => d.media && createSendPublicAreasPicturesTool(d.media)),
  register(SEND_MENU_PDF, (d) => d.media && createSendMenuPdfTool(d.media)),
  register(SEND_MENU_PRICES, (d) => d.media && createSendMenuPricesTool(d.media)),
  register(READ_MENU_CONTENT, (d) => d.media && createReadMenuContentTool(d.media)),
  register(READ_MENU_PRICES_CONTENT, (d) => d.media && createReadMenuPricesContentTool(d.media)),
  register(LOAD_ADDITIONAL_MODULES, (d) => d.instructionModules && createLoadAdditionalModulesTool({ modules: d.instructionModules })),
  register(ANALYZE_PAYMENT_PROOF, (d) => d.paymentProof && createAnalyzePaymentProofTool(d.paymentProof)),
  register(SEND_EMAIL, (d) => d.email && createSendEmailTool(d.email)),
  register(MARK_CUSTOMER_FRUSTRATED, (d) => d.staff && createMarkCustomerFrustratedTool(d.staff)),
  register(NOTIFY_OPERATIONS_DEPARTMENT, (d) => d.staff?.staffAlerts.configured && createNotifyOperationsDepartmentTool({ staffAlerts: d.staff.staffAlerts })),
];

/** What every registered tool declares, in registration order (for /ready, and the comparison's checks). */
export const TOOL_DECLARATIONS: readonly ToolDeclaration[] = TOOLS.map((t) => t.declaration);

export function createTools(deps: ToolDeps): ToolDefinition[] {
  return buildTools(TOOLS, deps);
}

export { ToolRegistry, DEFAULT_TOOL_TIMEOUT_MS, type ToolSpec, type ToolExecution } from './registry.js';
export { EffectsCollector, type ToolEffect } from './effects.js';
export { actsOnHotelSystems, actsOnWorld, guestSees, runsInDryRun, type ToolDeclaration, type ToolDoes, type ToolNeed } from './declaration.js';
export { defineTool, ToolError, ToolOutputWithFiles, type ToolContext, type ToolDefinition } from './types.js';
