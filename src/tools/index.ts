// The tools the agent ships with. Later tools are added here, in any order (the registry sorts).
import type { Config } from '../config.js';
import { createCheckOfficeStatusTool } from './check-office-status.js';
import { sendLocationPinTool } from './send-location-pin.js';
import type { ToolDefinition } from './types.js';

export function createDefaultTools(config: Config): ToolDefinition[] {
  return [createCheckOfficeStatusTool(config), sendLocationPinTool];
}

export { ToolRegistry, DEFAULT_TOOL_TIMEOUT_MS, type ToolSpec, type ToolExecution } from './registry.js';
export { defineTool, ToolError, type ToolContext, type ToolDefinition } from './types.js';
