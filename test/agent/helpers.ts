// Shared setup for agent tests: a config pointing the real SDK at the fake server, an in-memory
// database, a temporary instructions file and a quiet logger.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createOpenAiAgent, type OpenAiAgent, type OpenAiAgentDeps } from '../../src/agent/openai-agent.js';
import type { AgentTurn } from '../../src/agent/types.js';
import type { BufferedMessage } from '../../src/core/messages.js';
import type { Clock } from '../../src/core/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { type Db } from '../../src/store/database.js';
import { openMigratedDatabase } from '../support/test-db.js';

export const WA_ID = '50370001234';
/** Tuesday 2026-03-03 10:00 in El Salvador (UTC-6): the office is open. */
export const TUESDAY_10AM = Date.UTC(2026, 2, 3, 16, 0);

export const quietLogger = pino({ level: 'silent' });

export function tempInstructions(text = 'Eres la asistente de un hotel de playa ficticio.'): string {
  const dir = mkdtempSync(join(tmpdir(), 'wb3-agent-'));
  const path = join(dir, 'system_instructions.txt');
  writeFileSync(path, text);
  return path;
}

export function testConfig(
  api: 'responses' | 'chat_completions',
  baseUrl: string,
  env: Record<string, string> = {},
): Config {
  return loadConfig({
    OPENAI_API_KEY: 'sk-test-fake',
    OPENAI_BASE_URL: baseUrl,
    OPENAI_MODEL: 'gpt-5-mini',
    LLM_API: api,
    // The fake server is not api.openai.com; tests still want the OpenAI fields (store, cache key).
    LLM_OPENAI_DIALECT: 'on',
    OPENAI_TIMEOUT_SECONDS: '5',
    SYSTEM_INSTRUCTIONS_PATH: tempInstructions(),
    ...env,
  });
}

export interface Harness {
  agent: OpenAiAgent;
  db: Db;
  config: Config;
  clock: Clock & { set(ms: number): void };
}

export function makeAgent(config: Config, deps: Partial<OpenAiAgentDeps> = {}): Harness {
  const db = deps.db ?? openMigratedDatabase(':memory:');
  let now = TUESDAY_10AM;
  const clock = { now: () => now, set: (ms: number) => void (now = ms) };
  const agent = createOpenAiAgent({
    config,
    db,
    clock,
    log: quietLogger,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 50, maxAttempts: 3 },
    ...deps,
  });
  return { agent, db, config, clock };
}

let seq = 0;

export function textMessage(text: string, conversationId = WA_ID): BufferedMessage {
  seq++;
  return {
    seq,
    receivedAt: TUESDAY_10AM,
    conversationId,
    channel: 'whatsapp',
    externalUserId: conversationId,
    platformMessageId: `wamid.${seq}`,
    kind: 'text',
    text,
    mediaRef: undefined,
    replyContextId: undefined,
    senderName: 'Ana',
  };
}

export function turnOf(messages: BufferedMessage[], signal: AbortSignal = new AbortController().signal): AgentTurn {
  const first = messages[0];
  const conversationId = first?.conversationId ?? WA_ID;
  return {
    conversationId,
    channel: 'whatsapp',
    guest: { waId: conversationId, name: 'Ana' },
    messages,
    log: quietLogger,
    signal,
  };
}
