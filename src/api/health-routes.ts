import { z } from 'zod';
import { helixVersion } from '../core/version.js';
import type { DomainRoutes } from '../http/route.js';
import { breakerStates } from '../security/breakers.js';

const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptime_secs: z.number(),
  database: z.object({ status: z.enum(['ok', 'error']), error: z.string().optional() }),
  /** outbound dependencies' circuit breakers; an open one degrades a feature, not the server */
  breakers: z.array(
    z.object({
      name: z.string(),
      state: z.enum(['closed', 'open', 'half_open']),
      failures: z.number().int(),
      opened_at: z.string().nullable(),
    }),
  ),
});

export const healthRoutes: DomainRoutes = async (app, { ctx }) => {
  const started = Date.now();
  app.get(
    '/api/v1/health',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary: 'Liveness, version, uptime and database status',
        security: [],
        response: { 200: Health, 503: Health },
      },
    },
    async (_req, reply) => {
      let database: z.infer<typeof Health>['database'] = { status: 'ok' };
      try {
        ctx.db.prepare('SELECT 1').get();
      } catch (err) {
        database = { status: 'error', error: (err as Error).message };
      }
      const body = {
        status: database.status === 'ok' ? ('ok' as const) : ('degraded' as const),
        version: helixVersion,
        uptime_secs: Math.round((Date.now() - started) / 1000),
        database,
        breakers: breakerStates(),
      };
      return reply.status(database.status === 'ok' ? 200 : 503).send(body);
    },
  );
};
