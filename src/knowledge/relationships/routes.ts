import { z } from 'zod';
import { authorize, canUseNamespace, type DomainRoutes, errorResponse, IdParams } from '../../http/route.js';
import { getNode } from '../nodes/service.js';
import { NodeSchema } from '../nodes/schema.js';
import { CreateRelationshipBody, NeighborsQuery, RelationshipSchema } from './schema.js';
import { backlinks, createRelationship, deleteRelationship, getRelationship, neighbors } from './service.js';

const tags = ['graph'];
const NeighborSchema = z.object({
  node: NodeSchema,
  depth: z.number().int(),
  direction: z.enum(['out', 'in']),
  relationship: RelationshipSchema,
});

export const relationshipRoutes: DomainRoutes = async (app, { ctx }) => {
  const nodeNamespace = (id: string) => getNode(ctx, id).namespace;

  app.post(
    '/api/v1/graph/relationships',
    {
      schema: {
        tags,
        summary: 'Relate two nodes',
        body: CreateRelationshipBody,
        response: { 201: RelationshipSchema, 404: errorResponse, 409: errorResponse },
      },
    },
    async (req, reply) => {
      for (const id of [req.body.from_node, req.body.to_node]) {
        const ns = nodeNamespace(id);
        authorize(req.principal, 'read', { namespace: ns });
        authorize(req.principal, 'write', { namespace: ns });
      }
      return reply.status(201).send(createRelationship(ctx, req.body));
    },
  );

  app.get(
    '/api/v1/graph/relationships/:id',
    {
      schema: {
        tags,
        summary: 'Read a relationship',
        params: IdParams,
        response: { 200: RelationshipSchema, 404: errorResponse },
      },
    },
    async (req) => {
      const rel = getRelationship(ctx, req.params.id);
      authorize(req.principal, 'read', { namespace: nodeNamespace(rel.from_node) });
      return rel;
    },
  );

  app.delete(
    '/api/v1/graph/relationships/:id',
    {
      schema: {
        tags,
        summary: 'Remove a relationship',
        params: IdParams,
        response: { 204: z.null(), 404: errorResponse },
      },
    },
    async (req, reply) => {
      const rel = getRelationship(ctx, req.params.id);
      const ns = nodeNamespace(rel.from_node);
      authorize(req.principal, 'read', { namespace: ns });
      authorize(req.principal, 'write', { namespace: ns });
      deleteRelationship(ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/graph/neighbors/:id',
    {
      schema: {
        tags,
        summary: 'Nodes within `depth` hops of a node',
        params: IdParams,
        querystring: NeighborsQuery,
        response: {
          200: z.object({ node_id: z.string(), depth: z.number().int(), neighbors: z.array(NeighborSchema) }),
          404: errorResponse,
        },
      },
    },
    async (req) => {
      authorize(req.principal, 'read', { namespace: nodeNamespace(req.params.id) });
      const result = neighbors(ctx, req.params.id, req.query);
      return {
        ...result,
        neighbors: result.neighbors.filter((n) => canUseNamespace(req.principal, n.node.namespace)),
      };
    },
  );

  app.get(
    '/api/v1/nodes/:id/backlinks',
    {
      schema: {
        tags,
        summary: 'Nodes that link to this one',
        params: IdParams,
        response: {
          200: z.object({
            node_id: z.string(),
            items: z.array(z.object({ node: NodeSchema, relationship: RelationshipSchema })),
          }),
          404: errorResponse,
        },
      },
    },
    async (req) => {
      authorize(req.principal, 'read', { namespace: nodeNamespace(req.params.id) });
      const result = backlinks(ctx, req.params.id);
      return {
        ...result,
        items: result.items.filter((i) => canUseNamespace(req.principal, i.node.namespace)),
      };
    },
  );
};
