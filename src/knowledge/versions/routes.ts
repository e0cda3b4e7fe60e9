import { z } from 'zod';
import { type authorize, type DomainRoutes, errorResponse } from '../../http/route.js';
import { authorizeNode, authorizeNodeWrite, authorizeOperation } from '../../security/policy.js';
import { getNode } from '../nodes/service.js';
import { NodeSchema } from '../nodes/schema.js';
import { getVersion, listVersions, restoreVersion } from './service.js';

const tags = ['versions'];
const VersionSchema = z.object({
  id: z.string(),
  node_id: z.string(),
  version: z.number().int(),
  operation: z.enum(['create', 'update', 'restore', 'import']),
  changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })),
  created_at: z.string(),
});
const NodeParams = z.object({ id: z.uuid() }).strict();
const VersionParams = z.object({ id: z.uuid(), version_id: z.uuid() }).strict();
const PageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(256).optional(),
  })
  .strict();

export const versionRoutes: DomainRoutes = async (app, { ctx }) => {
  const readable = (principal: Parameters<typeof authorize>[0], id: string) => {
    authorizeNode(principal, 'read', getNode(ctx, id));
    authorizeOperation(principal, 'read');
  };

  app.get(
    '/api/v1/nodes/:id/versions',
    {
      schema: {
        tags,
        summary: "A node's versions, newest first (a rolling window, [knowledge] version_retention)",
        params: NodeParams,
        querystring: PageQuery,
        response: {
          200: z.object({ items: z.array(VersionSchema), next_cursor: z.string().nullable() }),
          404: errorResponse,
        },
      },
    },
    async (req) => {
      readable(req.principal, req.params.id);
      return listVersions(ctx, req.params.id, req.query.limit, req.query.cursor);
    },
  );

  app.get(
    '/api/v1/nodes/:id/versions/:version_id',
    {
      schema: {
        tags,
        summary: 'One version: the changed fields and the whole node as it was',
        params: VersionParams,
        response: { 200: VersionSchema.extend({ state: NodeSchema }), 404: errorResponse },
      },
    },
    async (req) => {
      readable(req.principal, req.params.id);
      return getVersion(ctx, req.params.id, req.params.version_id);
    },
  );

  app.post(
    '/api/v1/nodes/:id/versions/:version_id/restore',
    {
      schema: {
        tags,
        summary: 'Put a node back as it was at a version (a new version)',
        params: VersionParams,
        response: { 200: NodeSchema, 404: errorResponse },
      },
    },
    async (req) => {
      const node = getNode(ctx, req.params.id);
      authorizeNode(req.principal, 'read', node);
      authorizeOperation(req.principal, 'update');
      authorizeNodeWrite(req.principal, node);
      const version = getVersion(ctx, req.params.id, req.params.version_id);
      // restoring must not move the node outside the caller's namespaces, kinds or tags
      authorizeNodeWrite(req.principal, version.state);
      return restoreVersion(ctx, req.params.id, req.params.version_id);
    },
  );
};
