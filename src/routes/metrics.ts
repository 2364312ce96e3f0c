// GET /metrics: the Prometheus text exposition. Only from loopback unless METRICS_PUBLIC=true (anything else
// is the ordinary 404, so the route is not advertised), and only with the bearer token when METRICS_TOKEN is set.
import type { FastifyPluginAsync } from 'fastify';
import { bearerToken, isLoopbackAddress } from '../metrics/access.js';
import type { Metrics } from '../metrics/metrics.js';
import { passkeyMatches } from './webhook-auth.js';

export interface MetricsRoutesOptions {
  metrics: Pick<Metrics, 'scrape' | 'contentType'>;
  token: string | undefined;
  public: boolean;
}

/** Headers a reverse proxy adds: through one, the loopback peer is the proxy, not the scraper. */
const FORWARDED_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, opts) => {
  app.get('/metrics', async (request, reply) => {
    if (!opts.public) {
      const proxied = FORWARDED_HEADERS.some((h) => request.headers[h] !== undefined);
      if (proxied || !isLoopbackAddress(request.ip)) return reply.callNotFound();
    }
    if (opts.token) {
      const provided = bearerToken(request.headers.authorization);
      if (provided === undefined || !passkeyMatches(provided, opts.token)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="metrics"')
          .send({ error: 'UNAUTHORIZED', message: 'Authentication required: METRICS_TOKEN bearer token' });
      }
    }
    const text = await opts.metrics.scrape();
    return reply.header('cache-control', 'no-store').type(opts.metrics.contentType).send(text);
  });
};
