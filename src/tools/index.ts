// The tool registry's contents, assembled in one place. Each tool is a factory that receives exactly what it
// needs; a tool whose backend is not configured is left out (the model is not offered it).
import type { InstructionModuleSource } from '../agent/instruction-modules.js';
import type { OfficeCalendar } from '../office/schedule.js';
import { createHotelTools } from './booking/index.js';
import type { HotelToolDeps } from './booking/hotel-tool-deps.js';
import { createLoadAdditionalModulesTool } from './instructions/load-additional-modules.js';
import { createMediaTools, type MediaToolDeps } from './media/index.js';
import { createReadMenuContentTool } from './media/read-menu-content.js';
import { createReadMenuPricesContentTool } from './media/read-menu-prices-content.js';
import { createAnalyzePaymentProofTool, type AnalyzePaymentProofDeps } from './payments/analyze-payment-proof.js';
import { createCheckOfficeStatusTool } from './info/check-office-status.js';
import { sendLocationPinTool } from './info/send-location-pin.js';
import { createMarkCustomerFrustratedTool, type MarkCustomerFrustratedDeps } from './staff/mark-customer-frustrated.js';
import { createNotifyOperationsDepartmentTool } from './staff/notify-operations-department.js';
import { createSendEmailTool, type SendEmailToolDeps } from './staff/send-email.js';
import { createTransferToHumanAgentTool } from './staff/transfer-to-human-agent.js';
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

export function createTools(deps: ToolDeps): ToolDefinition[] {
  const { media, email, staff } = deps;
  return [
    createCheckOfficeStatusTool({ office: deps.office }),
    sendLocationPinTool,
    createTransferToHumanAgentTool(),
    ...(deps.paymentProof ? [createAnalyzePaymentProofTool(deps.paymentProof)] : []),
    ...(deps.hotel ? createHotelTools(deps.hotel, { bookingTimeoutMs: deps.bookingTimeoutMs ?? 120_000 }) : []),
    ...(media ? [...createMediaTools(media), createReadMenuContentTool(media), createReadMenuPricesContentTool(media)] : []),
    ...(deps.instructionModules ? [createLoadAdditionalModulesTool({ modules: deps.instructionModules })] : []),
    ...(email ? [createSendEmailTool(email)] : []),
    ...(staff ? [createMarkCustomerFrustratedTool(staff)] : []),
    ...(staff?.staffAlerts.configured ? [createNotifyOperationsDepartmentTool({ staffAlerts: staff.staffAlerts })] : []),
  ];
}

export { ToolRegistry, DEFAULT_TOOL_TIMEOUT_MS, type ToolSpec, type ToolExecution } from './registry.js';
export { EffectsCollector, type ToolEffect } from './effects.js';
export { defineTool, ToolError, ToolOutputWithFiles, type ToolContext, type ToolDefinition } from './types.js';
