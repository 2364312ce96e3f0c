// Metrics configuration slice: who may scrape GET /metrics.
import { z } from 'zod';
import { oneOf, optionalSecret } from '../core/config-schema.js';

export const metricsConfig = z
  .object({
    METRICS_TOKEN: optionalSecret,
    METRICS_PUBLIC: oneOf(['true', 'false'], 'false'),
  })
  .transform((e) => ({
    /** Bearer token every scrape must carry; unset ⇒ none asked for. */
    token: e.METRICS_TOKEN,
    /** false ⇒ only loopback addresses may scrape (anything else gets a 404). */
    public: e.METRICS_PUBLIC === 'true',
  }));

export type MetricsConfig = z.output<typeof metricsConfig>;
