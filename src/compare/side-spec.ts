// One side of a comparison (`--a`, `--b`): a model configuration given as a small JSON object or as
// `key=value,…`, each field defaulting to the server's own configuration (config.llm):
//
//   --a 'model=gpt-5,effort=low'
//   --b 'model=gpt-5,light=gpt-5-mini'   (tiered models, OPENAI_LIGHT_MODEL; light=none turns them off)
//   --b '{"model": "gemini-2.5-pro", "api": "chat_completions", "baseUrl": "https://generativelanguage.googleapis.com/v1beta/openai", "apiKeyEnv": "GEMINI_API_KEY"}'
//
// The API key is never written on the command line (it would show in `ps` and the shell history): `apiKeyEnv`
// names the environment variable holding it (default OPENAI_API_KEY, the server's).
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from '../config.js';

export class SideSpecError extends Error {
  override readonly name = 'SideSpecError';
}

/** What a side's configuration may set, by the names accepted on the command line. */
const ALIASES: Record<string, keyof RawSpec> = {
  label: 'label',
  name: 'label',
  model: 'model',
  light: 'lightModel',
  lightmodel: 'lightModel',
  light_model: 'lightModel',
  'light-model': 'lightModel',
  api: 'api',
  baseurl: 'baseUrl',
  base_url: 'baseUrl',
  'base-url': 'baseUrl',
  url: 'baseUrl',
  reasoningeffort: 'reasoningEffort',
  reasoning_effort: 'reasoningEffort',
  'reasoning-effort': 'reasoningEffort',
  effort: 'reasoningEffort',
  instructions: 'instructions',
  apikeyenv: 'apiKeyEnv',
  api_key_env: 'apiKeyEnv',
  'api-key-env': 'apiKeyEnv',
  key_env: 'apiKeyEnv',
};

const rawSpec = z.strictObject({
  label: z.string().trim().min(1).max(40).optional(),
  model: z.string().trim().min(1).max(200).optional(),
  lightModel: z.string().trim().min(1).max(200).optional(),
  api: z.enum(['responses', 'chat_completions']).optional(),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  reasoningEffort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).optional(),
  instructions: z.string().trim().min(1).optional(),
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' }).optional(),
});
type RawSpec = z.infer<typeof rawSpec>;

/** A side, resolved against the configuration. */
export interface SideConfig {
  /** `A` / `B` unless the spec names it. */
  label: string;
  model: string;
  /** OPENAI_LIGHT_MODEL for this side (the server's unless the spec names one; `none` ⇒ off). */
  lightModel: string | undefined;
  api: 'responses' | 'chat_completions';
  baseUrl: string | undefined;
  reasoningEffort: Config['llm']['reasoningEffort'];
  /** Absolute path of the instructions file. */
  instructionsPath: string;
  /** The variable the key was read from (shown; the key itself never is). */
  apiKeyEnv: string;
  apiKey: string | undefined;
}

function parseText(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw new SideSpecError(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new SideSpecError('must be a JSON object');
    return json as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  for (const piece of trimmed.split(',')) {
    if (piece.trim() === '') continue;
    const eq = piece.indexOf('=');
    if (eq <= 0) throw new SideSpecError(`"${piece.trim()}" is not key=value`);
    out[piece.slice(0, eq).trim()] = piece.slice(eq + 1).trim();
  }
  return out;
}

/** Parses `--a` / `--b` (JSON or key=value list); unknown keys and bad values are errors naming them. */
export function parseSideSpec(text: string | undefined): RawSpec {
  const fields = parseText(text ?? '');
  const named: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const canonical = ALIASES[key.toLowerCase()];
    if (!canonical) throw new SideSpecError(`unknown key "${key}" (keys: model, light, api, baseUrl, reasoningEffort, instructions, apiKeyEnv, label)`);
    named[canonical] = value;
  }
  const parsed = rawSpec.safeParse(named);
  if (!parsed.success) {
    throw new SideSpecError(parsed.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** The side's configuration: the spec's fields over config.llm; the key from `apiKeyEnv` (default the server's). */
export function resolveSide(spec: RawSpec, defaultLabel: string, config: Config, env: Record<string, string | undefined>): SideConfig {
  const apiKeyEnv = spec.apiKeyEnv ?? 'OPENAI_API_KEY';
  const apiKey = spec.apiKeyEnv === undefined ? config.llm.apiKey : env[apiKeyEnv]?.trim() || undefined;
  return {
    label: spec.label ?? defaultLabel,
    model: spec.model ?? config.llm.model,
    lightModel: spec.lightModel === 'none' ? undefined : (spec.lightModel ?? config.llm.lightModel),
    api: spec.api ?? config.llm.api,
    baseUrl: spec.baseUrl ?? config.llm.baseUrl,
    reasoningEffort: spec.reasoningEffort ?? config.llm.reasoningEffort,
    instructionsPath: resolve(spec.instructions ?? config.llm.systemInstructionsPath),
    apiKeyEnv,
    apiKey,
  };
}

/** The side as one line, without its key. */
export function describeSide(side: SideConfig): string {
  return [
    `model=${side.model}`,
    ...(side.lightModel ? [`light=${side.lightModel}`] : []),
    `api=${side.api}`,
    `baseUrl=${side.baseUrl ?? '(OpenAI)'}`,
    `effort=${side.reasoningEffort}`,
    `instructions=${side.instructionsPath}`,
    `key=${side.apiKeyEnv}${side.apiKey ? '' : ' (unset)'}`,
  ].join(' ');
}
