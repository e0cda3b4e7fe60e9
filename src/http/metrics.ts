import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { breakerStates } from '../security/breakers.js';

const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/** Per-server registry (not the global one), so several servers can live in one process. */
export function installMetrics(app: FastifyInstance, prefix = 'helix_'): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  const requests = new Counter({
    name: `${prefix}http_requests_total`,
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  // read at scrape time from the process-wide breaker registry (src/security/breakers.ts)
  new Gauge({
    name: `${prefix}breaker_state`,
    help: 'Circuit breaker state per outbound dependency: 0 closed, 1 half-open, 2 open',
    labelNames: ['name'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const b of breakerStates()) this.set({ name: b.name }, BREAKER_VALUE[b.state]);
    },
  });
  app.addHook('onResponse', async (req, reply) => {
    // the route pattern, not the URL: ids must not explode label cardinality
    const route = req.routeOptions.url ?? 'unmatched';
    const labels = { method: req.method, route, status: String(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true }, config: { public: true } }, async (_req, reply) => {
    void reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return registry;
}
