// The tools the original service offered its model, and why one of them is not offered here: each part
// that builds a service a tool needs (the hotel's backends, e-mail, staff alerts, the instruction modules, the
// model client) reports what of it is missing, the tools' declarations say which tools need it
// (declaration.ts whyNotOffered), and services.ts puts the reasons among /ready's and in the start log.
import type { AgentConfig } from '../core/llm-config.js';
import type { NeedsReport, ToolNotOffered } from './declaration.js';

export type { ToolNotOffered } from './declaration.js';

/** The 30 tools of the original's last revision (app/openai_agent.py at be1d70c), in its order. */
export const ORIGINAL_TOOLS: readonly string[] = Object.freeze([
  'analyze_payment_proof',
  'check_office_status',
  'check_room_availability',
  'check_room_availability_counts',
  'check_smart_availability',
  'create_compraclick_link',
  'get_price_for_date',
  'handle_customer_transferencia_type_response',
  'load_additional_modules',
  'lookup_booking',
  'make_booking',
  'make_multi_room_booking',
  'mark_customer_frustrated',
  'notify_operations_department',
  'read_menu_content',
  'read_menu_prices_content',
  'send_bungalow_pictures',
  'send_email',
  'send_location_pin',
  'send_menu_pdf',
  'send_menu_prices',
  'send_public_areas_pictures',
  'start_bank_transfer_retry_process',
  'sync_bank_transfers',
  'sync_compraclick_payments',
  'transfer_to_human_agent',
  'trigger_compraclick_retry_for_missing_payment',
  'validate_bank_transfer',
  'validate_compraclick_payment',
  'validate_compraclick_payment_fallback',
]);

/**
 * One readiness reason per distinct cause, in the order the tools came: `not offered because DB_HOST is not
 * set: get_price_for_date, lookup_booking`.
 */
export function toolsNotOfferedReasons(notOffered: readonly ToolNotOffered[]): string[] {
  const byCause = new Map<string, string[]>();
  for (const { tool, missing } of notOffered) {
    const tools = byCause.get(missing) ?? [];
    if (!tools.includes(tool)) tools.push(tool);
    byCause.set(missing, tools);
  }
  return [...byCause].map(([missing, tools]) => `not offered because ${missing}: ${tools.join(', ')}`);
}

/**
 * What the agent's own services lack, from the configuration, for a tool that needs them and is not offered
 * (tools/index.ts TOOLS): the instruction modules (reported always: a tool needing them and not offered has
 * one of these causes) and the vision model's client.
 */
export function agentToolNeeds(llm: Pick<AgentConfig, 'apiKey' | 'vertex' | 'instructionModulesDir'>): NeedsReport {
  return {
    'instruction-modules': {
      problems: [
        llm.instructionModulesDir
          ? 'SYSTEM_INSTRUCTIONS_MODULES_DIR cannot be read (see the instruction modules reason)'
          : // With a JSON instructions file the tool is offered over its modules; this is the plain-text case.
            'SYSTEM_INSTRUCTIONS_PATH is plain text (not the JSON file of modules) and SYSTEM_INSTRUCTIONS_MODULES_DIR is not set',
      ],
    },
    // Without a model client the agent answers nothing at all; /ready already says OPENAI_API_KEY is not set.
    ...(llm.apiKey || llm.vertex ? {} : { 'vision-model': { unset: ['OPENAI_API_KEY'] } }),
  };
}

/**
 * The original's tools not offered, each with its cause: those `offered` (the agent's registry) lacks, in the
 * order of `explained`, then any other with a generic cause. Without `offered` (an agent that does not list its
 * tools, e.g. a test double that calls none), nothing: what it offers is not known.
 */
export function originalToolsNotOffered(offered: readonly string[] | undefined, explained: readonly ToolNotOffered[]): ToolNotOffered[] {
  if (!offered) return [];
  const missing = new Set(ORIGINAL_TOOLS.filter((tool) => !offered.includes(tool)));
  const out = explained.filter((e) => missing.has(e.tool));
  for (const tool of missing) {
    if (!out.some((e) => e.tool === tool)) out.push({ tool, missing: 'its service is not configured' });
  }
  return out;
}
