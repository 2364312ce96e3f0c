// The tools the agent ships with. Later tools are added here, in any order (the registry sorts).
import type { Config } from '../config.js';
import { createCheckOfficeStatusTool } from './check-office-status.js';
import { sendLocationPinTool } from './send-location-pin.js';
import { createTransferToHumanAgentTool } from './transfer-to-human-agent.js';
import type { ToolDefinition } from './types.js';
import type { Handoff } from '../handoff/handoff.js';

export function createDefaultTools(config: Config, handoff?: Handoff): ToolDefinition[] {
  return [
    createCheckOfficeStatusTool(config),
    sendLocationPinTool,
    ...(handoff ? [createTransferToHumanAgentTool(handoff)] : []),
  ];
}

export { ToolRegistry, DEFAULT_TOOL_TIMEOUT_MS, type ToolSpec, type ToolExecution } from './registry.js';
export { defineTool, ToolError, type ToolContext, type ToolDefinition } from './types.js';
