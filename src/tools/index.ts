// The tool registry's contents, assembled in one place. Each tool is a factory that receives exactly what it
// needs; a tool whose backend is not configured is left out (the model is not offered it).
import type { OfficeCalendar } from '../office/schedule.js';
import { createHotelTools } from './booking/index.js';
import type { HotelToolDeps } from './booking/hotel-tool-deps.js';
import { createAnalyzePaymentProofTool, type AnalyzePaymentProofDeps } from './payments/analyze-payment-proof.js';
import { createCheckOfficeStatusTool } from './info/check-office-status.js';
import { sendLocationPinTool } from './info/send-location-pin.js';
import { createTransferToHumanAgentTool } from './staff/transfer-to-human-agent.js';
import type { ToolDefinition } from './types.js';

export interface ToolDeps {
  /** Office hours, closures and holidays, for check_office_status. */
  office: OfficeCalendar;
  /** The vision call of analyze_payment_proof; without a model client the tool is not offered. */
  paymentProof?: AnalyzePaymentProofDeps | undefined;
  /** The hotel's systems: availability, rates, payments and bookings, each part only when configured. */
  hotel?: HotelToolDeps | undefined;
  /** Time a booking call may take (up to three booking API posts plus the database steps). */
  bookingTimeoutMs?: number | undefined;
}

export function createTools(deps: ToolDeps): ToolDefinition[] {
  return [
    createCheckOfficeStatusTool({ office: deps.office }),
    sendLocationPinTool,
    createTransferToHumanAgentTool(),
    ...(deps.paymentProof ? [createAnalyzePaymentProofTool(deps.paymentProof)] : []),
    ...(deps.hotel ? createHotelTools(deps.hotel, { bookingTimeoutMs: deps.bookingTimeoutMs ?? 120_000 }) : []),
  ];
}

export { ToolRegistry, DEFAULT_TOOL_TIMEOUT_MS, type ToolSpec, type ToolExecution } from './registry.js';
export { EffectsCollector, type ToolEffect } from './effects.js';
export { defineTool, ToolError, type ToolContext, type ToolDefinition } from './types.js';
