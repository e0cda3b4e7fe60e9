import { z } from 'zod';
import { type DomainRoutes, errorResponse, IdParams } from '../../http/route.js';
import { authorizeNode, authorizeNodeWrite, authorizeOperation, nodeVisible } from '../../security/policy.js';
import type { Principal } from '../../security/principal.js';
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
  /** both ends of an edge must be visible to read it, and writable (in scope) to change it */
  const readEnds = (p: Principal, ids: string[]) => {
    for (const id of ids) authorizeNode(p, 'read', getNode(ctx, id));
    authorizeOperation(p, 'read');
  };
  const writeEnds = (p: Principal, ids: string[]) => {
    const nodes = ids.map((id) => getNode(ctx, id));
    for (const n of nodes) authorizeNode(p, 'read', n);
    authorizeOperation(p, 'relate');
    for (const n of nodes) authorizeNodeWrite(p, n);
  };

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
      writeEnds(req.principal, [req.body.from_node, req.body.to_node]);
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
      readEnds(req.principal, [rel.from_node, rel.to_node]);
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
      writeEnds(req.principal, [rel.from_node, rel.to_node]);
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
      readEnds(req.principal, [req.params.id]);
      const result = neighbors(ctx, req.params.id, req.query);
      return {
        ...result,
        neighbors: result.neighbors.filter((n) => nodeVisible(req.principal, n.node)),
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
      readEnds(req.principal, [req.params.id]);
      const result = backlinks(ctx, req.params.id);
      return {
        ...result,
        items: result.items.filter((i) => nodeVisible(req.principal, i.node)),
      };
    },
  );
};
