// GET / (name and version), GET /health (liveness), GET /ready (can we take and answer messages?).
import type { FastifyPluginAsync } from 'fastify';

export interface ReadinessReport {
  ready: boolean;
  reasons: string[];
  checks: Record<string, unknown>;
}

export interface HealthOptions {
  version: string;
  readiness: () => ReadinessReport;
}

export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, opts) => {
  app.get('/', async () => ({ service: 'watibot3', version: opts.version }));

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    const report = opts.readiness();
    return reply
      .code(report.ready ? 200 : 503)
      .send({ status: report.ready ? 'ready' : 'not_ready', reasons: report.reasons, checks: report.checks });
  });
};
