import { z } from 'zod';
import { authorize, type DomainRoutes } from '../http/route.js';
import { collectStats } from './stats.js';

const StatsSchema = z.object({
  nodes: z.number().int(),
  relationships: z.number().int(),
  tags: z.number().int(),
  versions: z.number().int(),
  tombstones: z.number().int(),
  by_kind: z.record(z.string(), z.number()),
  by_namespace: z.record(z.string(), z.number()),
  db_bytes: z.number(),
  wal_bytes: z.number(),
});

export const statsRoutes: DomainRoutes = async (app, { ctx }) => {
  app.get(
    '/api/v1/stats',
    {
      schema: {
        tags: ['system'],
        summary: 'Counts per kind and namespace, database size (admin)',
        response: { 200: StatsSchema },
      },
    },
    async (req) => {
      authorize(req.principal, 'admin');
      return collectStats(ctx);
    },
  );
};
