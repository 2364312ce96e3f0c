// A registration: a tool's declaration (exported by its file) and how it is built from what its factory needs.
// The list of registrations is the one place a tool is added (tools/index.ts, tools/booking/index.ts); what is
// offered, what /ready says is not, what the comparison replays and what the console withholds follow from the
// declarations (declaration.ts), so no other list names a tool.
import type { ToolDeclaration } from './declaration.js';
import type { ToolDefinition } from './types.js';

export interface ToolRegistration<D> {
  declaration: ToolDeclaration;
  /** The tool, or nothing when a service it needs is absent from `deps` (it is then not offered). */
  build(deps: D): ToolDefinition | undefined;
}

/** `build` may answer `undefined`, `false` or `''` for "not offered" (`deps.x && createTool(...)`). */
export function register<D>(declaration: ToolDeclaration, build: (deps: D) => ToolDefinition | undefined | false | ''): ToolRegistration<D> {
  return { declaration, build: (deps) => build(deps) || undefined };
}

/** The registrations of a group over a part of the deps (the hotel's tools over ToolDeps.hotel). */
export function registerGroup<D, P>(group: readonly ToolRegistration<P>[], part: (deps: D) => P | undefined): ToolRegistration<D>[] {
  return group.map(({ declaration, build }) => ({
    declaration,
    build: (deps: D) => {
      const p = part(deps);
      return p === undefined ? undefined : build(p);
    },
  }));
}

function sameDeclaration(tool: ToolDefinition, declaration: ToolDeclaration): boolean {
  const needs = tool.needs ?? [];
  return (
    tool.name === declaration.name &&
    tool.does === declaration.does &&
    needs.length === declaration.needs.length &&
    needs.every((need, i) => need === declaration.needs[i])
  );
}

/** The tools the deps allow, in registration order; a tool built unlike its registration is a programming error. */
export function buildTools<D>(registrations: readonly ToolRegistration<D>[], deps: D): ToolDefinition[] {
  const tools: ToolDefinition[] = [];
  for (const { declaration, build } of registrations) {
    const tool = build(deps);
    if (!tool) continue;
    if (!sameDeclaration(tool, declaration)) {
      throw new Error(`tool ${tool.name} (${tool.does}) was registered as ${declaration.name} (${declaration.does}, needs ${declaration.needs.join(', ') || 'nothing'})`);
    }
    tools.push(tool);
  }
  return tools;
}
