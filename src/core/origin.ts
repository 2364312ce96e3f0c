// What `npm run migrate-legacy` (src/legacy/importer.ts) leaves in our tables, so the rest can tell it apart
// from what this service received and did: the model name of the agent turns holding the Python service's
// history (agent_turns.model) and the origin of the pending messages it migrated (inbound_messages.origin,
// migration 15). Service figures (reply time, new conversations) leave both out; the dashboard marks them.
export const LEGACY_IMPORT = 'legacy-import';

/** Where a guest message came from: a webhook (live) or the Python service's buffer (legacy-import). */
export const MESSAGE_ORIGINS = ['live', LEGACY_IMPORT] as const;
export type MessageOrigin = (typeof MESSAGE_ORIGINS)[number];
