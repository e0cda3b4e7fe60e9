import { z } from 'zod';
import { HelixError } from '../../core/errors.js';
import { type DomainRoutes, errorResponse } from '../../http/route.js';
import { authorizeNode, authorizeOperation, nodeVisible } from '../../security/policy.js';
import { NodeSchema } from '../../knowledge/nodes/schema.js';
import { getNode } from '../../knowledge/nodes/service.js';
import { graphIndexFor } from './graph-index.js';

const PathQuery = z.object({ from: z.uuid(), to: z.uuid() }).strict();

export const graphPathRoutes: DomainRoutes = async (app, { ctx }) => {
  app.get(
    '/api/v1/graph/path',
    {
      schema: {
        tags: ['graph'],
        summary: 'The shortest chain of relationships between two nodes (either direction)',
        querystring: PathQuery,
        response: {
          200: z.object({ hops: z.number().int(), nodes: z.array(NodeSchema) }),
          404: errorResponse,
        },
      },
    },
    async (req) => {
      for (const id of [req.query.from, req.query.to]) authorizeNode(req.principal, 'read', getNode(ctx, id));
      authorizeOperation(req.principal, 'read');
      const ids = graphIndexFor(ctx.db).path(req.query.from, req.query.to);
      const nodes = ids?.map((id) => getNode(ctx, id));
      // a path through a node the caller cannot see (namespace, tags, kinds) is no path for them
      if (!nodes || nodes.some((n) => !nodeVisible(req.principal, n))) {
        throw new HelixError('not_found', `no path between ${req.query.from} and ${req.query.to}`);
      }
      return { hops: nodes.length - 1, nodes };
    },
  );
};
