// The names of the model configurations a turn can go to (the canary is src/agent/canary.ts): a metrics label
// and agent_turns.config, shared by the agent, the store and the metrics.

/** Which configuration answered a turn: a fixed set of two (a metrics label, agent_turns.config). */
export type ModelConfigName = 'primary' | 'canary';
export const MODEL_CONFIG_NAMES: readonly ModelConfigName[] = ['primary', 'canary'];
