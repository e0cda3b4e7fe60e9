import { z } from 'zod';
import { authorize, type DomainRoutes, errorResponse, IdParams, scopedNamespace } from '../../http/route.js';
import {
  authorizeNode,
  authorizeNodeWrite,
  authorizeOperation,
  ownNamespace,
  scopeFilter,
} from '../../security/policy.js';
import { listNodes } from './list.js';
import { CreateNodeBody, ListNodesQuery, NodeSchema, UpdateNodeBody } from './schema.js';
import { createNode, deleteNode, getNode, updateNode } from './service.js';

const tags = ['nodes'];
const NodePage = z.object({ items: z.array(NodeSchema), next_cursor: z.string().nullable() });

export const nodeRoutes: DomainRoutes = async (app, { ctx }) => {
  app.post(
    '/api/v1/nodes',
    {
      schema: {
        tags,
        summary: 'Store a knowledge node',
        body: CreateNodeBody,
        response: { 201: NodeSchema, 400: errorResponse, 413: errorResponse },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      const namespace = req.body.namespace ?? ownNamespace(p) ?? ctx.config.knowledge.default_namespace;
      authorizeOperation(p, 'store');
      authorizeNodeWrite(p, { namespace, kind: req.body.kind, tags: req.body.tags });
      return reply.status(201).send(createNode(ctx, { ...req.body, namespace }));
    },
  );

  app.get(
    '/api/v1/nodes',
    {
      schema: {
        tags,
        summary: 'List nodes, newest first',
        querystring: ListNodesQuery,
        response: { 200: NodePage, 400: errorResponse },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      authorizeOperation(req.principal, 'read');
      return listNodes(ctx, {
        ...req.query,
        namespace: scopedNamespace(req.principal, req.query.namespace),
        scope: scopeFilter(req.principal),
      });
    },
  );

  app.get(
    '/api/v1/nodes/:id',
    {
      schema: {
        tags,
        summary: 'Read a node',
        params: IdParams,
        response: { 200: NodeSchema, 404: errorResponse },
      },
    },
    async (req) => {
      const node = getNode(ctx, req.params.id);
      authorizeNode(req.principal, 'read', node);
      authorizeOperation(req.principal, 'read');
      return node;
    },
  );

  app.put(
    '/api/v1/nodes/:id',
    {
      schema: {
        tags,
        summary: 'Change some fields of a node (optionally only if still at expected_version)',
        params: IdParams,
        body: UpdateNodeBody,
        response: { 200: NodeSchema, 404: errorResponse, 409: errorResponse },
      },
    },
    async (req) => {
      const p = req.principal;
      const current = getNode(ctx, req.params.id);
      authorizeNode(p, 'read', current);
      authorizeOperation(p, 'update');
      authorizeNodeWrite(p, current);
      // the node as it will be must still lie inside the caller's namespaces, kinds and tags
      authorizeNodeWrite(p, {
        namespace: req.body.namespace ?? current.namespace,
        kind: req.body.kind ?? current.kind,
        tags: req.body.tags ?? current.tags,
      });
      return updateNode(ctx, req.params.id, req.body);
    },
  );

  app.delete(
    '/api/v1/nodes/:id',
    {
      schema: {
        tags,
        summary: 'Delete a node (a tombstone is kept for sync)',
        params: IdParams,
        response: { 204: z.null(), 404: errorResponse },
      },
    },
    async (req, reply) => {
      const current = getNode(ctx, req.params.id);
      authorizeNode(req.principal, 'read', current);
      authorizeOperation(req.principal, 'delete');
      authorizeNodeWrite(req.principal, current);
      deleteNode(ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
