// What one model call used, in tokens: reported by the model APIs, priced by model-prices.ts, stored per call,
// counted by the metrics.
export interface ModelUsage {
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}
