// The Python service's environment variables that this service does not read, and what replaces each.
// Its `.env` goes in unchanged: every variable it shares with us keeps its name and meaning (the slices in
// config.ts), and each one set here that we do not read is named once in a warning at start, with its
// replacement, so nothing the hotel configured is ignored in silence. Names only: values are never logged.
//
// The list is every name the original read (os.getenv / os.environ.get in app/*.py, app/config.py and
// app/main.py at its last revision, be1d70c) or wrote in its .env.example, minus those our slices read.
// test/config.test.ts checks that no name here is read by a slice.

/** Variable → what replaces it here ("nothing", and why, when nothing does). */
export const ORIGINAL_VARIABLES_NOT_READ: Readonly<Record<string, string>> = Object.freeze({
  OPENAI_AGENT_ID:
    'nothing: no Assistants API agent is used; the prompt is SYSTEM_INSTRUCTIONS_PATH and the model OPENAI_MODEL',
  USE_RESPONSES_API: 'LLM_API (responses by default)',
  THREAD_ROTATION_TURN_LIMIT:
    'HISTORY_MAX_TOKENS: the local transcript is sent within a token budget, never rotated to a new conversation',
  RAG_ENABLED:
    'nothing: there is no retrieval index; the instructions modules are loaded on demand with load_additional_modules',
  THREAD_DB_PATH:
    'CONVERSATION_DB_PATH holds the state; import the old thread_store.db files once with npm run migrate-legacy -- --threads … --buffer …',
  CONVERSATION_LOG_DB_PATH:
    'CONVERSATION_DB_PATH holds the state; import the old conversation_log.db once with npm run migrate-legacy -- --log …',
  WEBHOOK_SECRET: 'WEBHOOK_PASSKEY (or the original WATIBOT4_PASSKEY): the shared secret every webhook must carry',
  INTERNAL_API_KEY:
    'ADMIN_TOKEN: the ledger syncs the LAN API triggered are POST /admin/payments/sync with that bearer token',
});

export interface OriginalVariableNotRead {
  name: string;
  replacement: string;
}

/** The original's variables set (non-blank) in `env` that this service does not read, in a stable order. */
export function originalVariablesNotRead(env: Record<string, string | undefined>): OriginalVariableNotRead[] {
  return Object.entries(ORIGINAL_VARIABLES_NOT_READ)
    .filter(([name]) => Object.hasOwn(env, name) && (env[name] ?? '').trim() !== '')
    .map(([name, replacement]) => ({ name, replacement }));
}
