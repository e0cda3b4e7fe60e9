import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../core/context.js';
import { authorize, errorResponse, scopedNamespace } from '../../http/route.js';
import { authorizeOperation, scopeFilter } from '../../security/policy.js';
import type { SearchRuntime } from '../runtime.js';
import { RecallBody, RecallResponse } from './schema.js';
import { recall } from './service.js';

const Diagnostics = z.object({
  state: z.enum(['stopped', 'starting', 'ready', 'failed']),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  dimensions: z.number().nullable(),
  requested: z.object({ provider: z.string(), model: z.string(), dimensions: z.number() }),
  fallback: z.object({ from: z.string(), to: z.string(), reason: z.string() }).nullable(),
  space: z
    .object({
      id: z.string(),
      state: z.string(),
      started_at: z.string(),
      completed_at: z.string().nullable(),
    })
    .nullable(),
  vectors_stored: z.number().nullable(),
  pending: z.number(),
  last_error: z.string().nullable(),
  batches: z.number(),
  mean_batch_ms: z.number().nullable(),
});

export const recallRoutes: FastifyPluginAsyncZod<{ ctx: Context; search: SearchRuntime }> = async (
  app,
  { ctx, search },
) => {
  app.post(
    '/api/v1/recall',
    {
      // a read by nature: open to read principals (security/write-guard.ts)
      config: { readOnly: true },
      schema: {
        tags: ['search'],
        summary:
          'Find what you meant: full text, vectors and links fused (strategies vector|fulltext|hybrid|graph)',
        body: RecallBody,
        response: { 200: RecallResponse, 400: errorResponse },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      authorizeOperation(req.principal, 'recall');
      const namespace = scopedNamespace(req.principal, req.body.namespace);
      const scope = scopeFilter(req.principal);
      return recall(
        ctx,
        { ...req.body, ...(namespace ? { namespace } : {}), ...(scope ? { scope } : {}) },
        search.vectors(),
      );
    },
  );

  app.get(
    '/api/v1/diagnostics/embedding',
    {
      schema: {
        tags: ['system'],
        summary:
          'Embedding provider in use (and any fallback), vectors stored, queue, last error, batch latency',
        response: { 200: Diagnostics },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      return search.diagnostics();
    },
  );
};
