// The tool schemas ride on every model call (issue 20): the production set — every backend configured, the
// hotel's JSON instructions — must stay within its o200k token budget. A size check, not a timing.
import { describe, expect, it } from 'vitest';
import { countToolSchemaTokens, measureToolSchemas } from '../../src/tools/schema-tokens.js';
import { productionToolSpecs } from '../support/production-tools.js';

/** Tokens of name + description + parameters JSON for all production tools together (was 6,503 before issue 20). */
const TOOL_SCHEMA_BUDGET_TOKENS = 3_500;

/** The tools the hotel gets with every backend configured (a missing one means the set was not built in full). */
const EXPECTED_TOOLS = 30;

describe('tool schema budget', () => {
  it(`the production tool set stays within ${TOOL_SCHEMA_BUDGET_TOKENS} tokens`, async () => {
    const specs = await productionToolSpecs();
    expect(specs).toHaveLength(EXPECTED_TOOLS);
    const { perTool, total } = measureToolSchemas(specs);
    const largest = perTool
      .slice(0, 8)
      .map((t) => `${t.name} ${t.tokens}`)
      .join(', ');
    expect(
      total,
      `the tool schemas sent on every call are ${total} o200k tokens, over the budget of ${TOOL_SCHEMA_BUDGET_TOKENS} ` +
        `(TOOL_SCHEMA_BUDGET_TOKENS). Shorten descriptions or leave out what the model does not need; largest: ${largest}`,
    ).toBeLessThanOrEqual(TOOL_SCHEMA_BUDGET_TOKENS);
  });

  it('counts what the Responses API sends: the name, the description and the parameters JSON', () => {
    const spec = { name: 'get_price_for_date', description: 'Tarifas por persona de una fecha.', parameters: { type: 'object', properties: { date_str: { type: 'string' } } } };
    const alone = countToolSchemaTokens(spec);
    expect(alone).toBeGreaterThan(10);
    expect(countToolSchemaTokens({ ...spec, description: `${spec.description} Otra frase más larga para el modelo.` })).toBeGreaterThan(alone);
    expect(measureToolSchemas([spec, { ...spec, name: 'other' }])).toMatchObject({ total: alone + countToolSchemaTokens({ ...spec, name: 'other' }) });
  });
});
