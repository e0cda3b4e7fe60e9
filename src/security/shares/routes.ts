import { z } from 'zod';
import { HelixError } from '../../core/errors.js';
import { authorize, type DomainRoutes, errorResponse, IdParams } from '../../http/route.js';
import { IsoTimestamp } from '../../knowledge/nodes/schema.js';
import { getNode } from '../../knowledge/nodes/service.js';
import { createFailureLimiter } from '../oauth/failure-limit.js';
import { authorizeNode, authorizeNodeWrite, authorizeOperation, nodeVisible } from '../policy.js';
import { renderSharePage, SHARE_PAGE_CSP } from './page.js';
import { createShare, getShare, listShares, nodeForToken, presentShare, revokeShare } from './service.js';

const tags = ['shares'];
const ShareSchema = z.object({
  id: z.string(),
  node_id: z.string(),
  created_by: z.string(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
const CreateShareBody = z
  .object({
    node_id: z.uuid('node_id: not a UUID'),
    expires_at: IsoTimestamp.nullish().describe('when the link stops working; none: until revoked'),
  })
  .strict();
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse };
const PublicNode = z.object({
  title: z.string().nullable(),
  kind: z.string(),
  content: z.string(),
  tags: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});

/** Public read-only links to one node: token shown once, stored hashed, revocable, expirable. */
export const shareRoutes: DomainRoutes = async (app, { ctx }) => {
  const failures = createFailureLimiter(ctx.config);

  app.post(
    '/api/v1/shares',
    {
      schema: {
        tags,
        summary: 'Share a node by a public link (the token is shown once)',
        body: CreateShareBody,
        response: { 201: ShareSchema.extend({ token: z.string(), url: z.string() }), ...errors },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      const node = getNode(ctx, req.body.node_id);
      authorizeNode(p, 'read', node);
      authorizeOperation(p, 'share');
      // publishing a node is a write: a read-only key cannot make data public
      authorizeNodeWrite(p, node);
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send(createShare(ctx, req.body, p.id));
    },
  );

  app.get(
    '/api/v1/shares',
    {
      schema: {
        tags,
        summary: 'Shares of the nodes the caller can see (never their tokens)',
        querystring: z.object({ node_id: z.uuid('node_id: not a UUID').optional() }).strict(),
        response: { 200: z.object({ items: z.array(ShareSchema) }), ...errors },
      },
    },
    async (req) => {
      const p = req.principal;
      authorize(p, 'read');
      const rows = listShares(ctx.db, req.query);
      const visible = new Map<string, boolean>();
      const items = rows.filter((r) => {
        if (!visible.has(r.node_id)) {
          let ok = false;
          try {
            ok = nodeVisible(p, getNode(ctx, r.node_id));
          } catch {
            ok = false;
          }
          visible.set(r.node_id, ok);
        }
        return visible.get(r.node_id);
      });
      return { items: items.map(presentShare) };
    },
  );

  app.delete(
    '/api/v1/shares/:id',
    {
      schema: {
        tags,
        summary: 'Revoke a share: its link answers 404 from now on',
        params: IdParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      const share = getShare(ctx.db, req.params.id);
      const node = getNode(ctx, share.node_id);
      authorizeNode(p, 'read', node);
      authorizeOperation(p, 'share');
      authorizeNodeWrite(p, node);
      revokeShare(ctx, share.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/public/shares/:token',
    {
      config: { public: true },
      schema: {
        // outside /api/v1 like /metrics: not part of the API document (README describes it)
        hide: true,
        tags,
        summary: 'A shared node: a clean HTML page, or JSON with Accept: application/json',
        security: [],
        params: z.object({ token: z.string().max(100) }).strict(),
        response: { 200: PublicNode.describe('JSON, or text/html'), 404: errorResponse },
      },
    },
    async (req, reply) => {
      const peer = `ip:${req.raw.socket.remoteAddress ?? 'unknown'}`;
      await failures?.check(peer);
      let node: ReturnType<typeof nodeForToken>;
      try {
        node = nodeForToken(ctx, req.params.token);
      } catch (err) {
        if (err instanceof HelixError && err.code === 'not_found') await failures?.fail(peer);
        throw err;
      }
      const shared = {
        title: node.title,
        kind: node.kind,
        content: node.content,
        tags: node.tags,
        created_at: node.created_at,
        updated_at: node.updated_at,
      };
      void reply
        .header('vary', 'Accept')
        .header('cache-control', 'no-store')
        .header('x-robots-tag', 'noindex, nofollow');
      const accept = req.headers.accept ?? '';
      if (/application\/json/i.test(accept) && !/text\/html/i.test(accept)) return shared;
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', SHARE_PAGE_CSP)
        .send(renderSharePage(shared) as never);
    },
  );
};
