// What the tool schemas cost on every model call: each tool's name, description and parameters' JSON schema
// counted in o200k tokens (the encoding of the GPT-4o/GPT-5 family), as the Responses API adapter sends them.
// The tool list is part of every call's prefix, so every token here is paid on each call of every turn.
import { countTextTokens } from '../core/token-count.js';
import type { ToolSpec } from './registry.js';

export interface ToolSchemaTokens {
  name: string;
  tokens: number;
}

/** One tool: its name, its description and its parameters' JSON (as serialized on the wire). */
export function countToolSchemaTokens(spec: Pick<ToolSpec, 'name' | 'description' | 'parameters'>): number {
  return countTextTokens(spec.name) + countTextTokens(spec.description) + countTextTokens(JSON.stringify(spec.parameters));
}

/** Every tool's count, largest first, and the total. */
export function measureToolSchemas(specs: readonly Pick<ToolSpec, 'name' | 'description' | 'parameters'>[]): {
  perTool: ToolSchemaTokens[];
  total: number;
} {
  const perTool = specs.map((s) => ({ name: s.name, tokens: countToolSchemaTokens(s) })).sort((a, b) => b.tokens - a.tokens);
  return { perTool, total: perTool.reduce((sum, t) => sum + t.tokens, 0) };
}
